"""Activation functions that are primitives: each forward with its backward, the derivative
on top. (The ones that are short formulas of other ops, such as SiLU = x * sigmoid(x),
Mish, Softsign and GELU's tanh form, are composites in ``nn/activation.py``.)

Where the derivative has a kink (at 0, or at a clamp's edges) each op takes the side
PyTorch takes, noted in its docstring.
"""
import math

from .. import backend
from ..autograd import Op
from ..backend import device_of
from ..promotion import COMMON


def _xp(a):
    return device_of(a).xp


class LeakyReLU(Op):
    """d leaky_relu(x) = g * (1 if x > 0 else negative_slope)   (the slope at x = 0)"""

    def forward(ctx, x, negative_slope):
        ctx.x, ctx.slope = x, negative_slope
        return _xp(x).where(x > 0, x, x * negative_slope)

    def backward(ctx, g):
        return _xp(g).where(ctx.x > 0, g, g * ctx.slope)


class PReLU(Op):
    """d prelu(x, w) = (g * (1 if x > 0 else w), g * (0 if x > 0 else x))   (w: per channel)

    ``w`` arrives shaped to broadcast against x (one slope, or one per channel of dim 1);
    the engine sums its gradient back to that shape.
    """

    promote = COMMON

    def forward(ctx, x, w):
        ctx.x, ctx.w = x, w
        return _xp(x).where(x > 0, x, x * w)

    def backward(ctx, g):
        xp = _xp(g)
        x, w = ctx.x, ctx.w
        if backend.is_recording(g):  # torch's second derivatives are 0 at x = 0: there
            at_zero = x == 0           # x and w are held constant
            x, w = xp.where(at_zero, 0.0, x), xp.where(at_zero, w.detach(), w)
        positive = x > 0
        return xp.where(positive, g, g * w), xp.where(positive, xp.zeros((), dtype=g.dtype),
                                                      g * x)


class ELU(Op):
    """d elu(x) = g * scale * (1 if x > 0 else alpha * s * exp(s * x)),  s = input_scale

    ``scale * x`` for x > 0, else ``scale * alpha * (exp(s * x) - 1)``: ELU (scale = s = 1),
    SELU (PyTorch's fixed alpha and scale) and CELU (s = 1 / alpha) are this one op.
    """

    def forward(ctx, x, alpha=1.0, scale=1.0, input_scale=1.0):
        xp = _xp(x)
        ctx.x, ctx.conf = x, (alpha, scale, input_scale)
        # (exp never overflows; -0.0 stays -0.0, as in torch, where minimum(-0.0, 0.0) may not)
        negative = xp.where(x > 0, xp.zeros((), dtype=x.dtype), x)
        return xp.where(x > 0, x * scale, xp.expm1(negative * input_scale) * (alpha * scale))

    def backward(ctx, g):
        xp = _xp(g)
        alpha, scale, s = ctx.conf
        x = ctx.x
        # At x = NaN torch passes g * scale (x <= 0 is false; its vectorised loop, over 8+
        # float64 elements, gives NaN instead); exp of the negative part of x, so that large
        # inputs raise no overflow warning (x where x < 0: at 0 its own derivative is 0, as
        # torch's second derivative is)
        negative = x <= 0
        below = xp.where(x < 0, x, xp.zeros((), dtype=x.dtype))
        return xp.where(negative, g * ((alpha * scale * s) * xp.exp(below * s)), g * scale)


class Hardtanh(Op):
    """d hardtanh(x) = g * 1[min_val < x < max_val]   (0 on the edges, unlike clamp)

    At x = NaN torch's hardtanh gives 0 and its relu6 passes g (``nan_passes``).
    """

    def forward(ctx, x, min_val, max_val, nan_passes=False):
        xp = _xp(x)
        ctx.inside = ~((x <= min_val) | (x >= max_val)) if nan_passes else \
            (x > min_val) & (x < max_val)
        out = xp.clip(x, min_val, max_val)
        return out if out.dtype == x.dtype else xp.astype(out, x.dtype)  # ints stay ints

    def backward(ctx, g):
        xp = _xp(g)
        return xp.where(ctx.inside, g, xp.zeros((), dtype=g.dtype))  # (0, even where g is inf)


class Hardswish(Op):
    """d hardswish(x) = g * (0 if x <= -3, x / 3 + 1/2 if x < 3, else 1)   (as PyTorch's)

    ``hardswish(x) = x * relu6(x + 3) / 6``.
    """

    def forward(ctx, x):
        xp = _xp(x)
        ctx.x = x
        return x * xp.clip(x + 3, 0.0, 6.0) / 6

    def backward(ctx, g):
        xp = _xp(g)
        x = ctx.x
        zero = xp.zeros((), dtype=g.dtype)
        return xp.where(x <= -3, zero, xp.where(x < 3, g * (x / 3 + 0.5), g))


class Softplus(Op):
    """d softplus(x) = g * sigmoid(beta x)   (g where beta x > threshold)

    ``log(1 + exp(beta x)) / beta``, and ``x`` itself once beta x passes ``threshold``
    (where the two agree to float precision), as in PyTorch.
    """

    # e = exp(beta x) serves the first-order backward only; under create_graph the backward
    # computes sigmoid(beta x) again from x, with differentiable ops
    constants = ("e",)

    def forward(ctx, x, beta=1.0, threshold=20.0):
        xp = _xp(x)
        bx = x * beta
        ctx.linear = bx > threshold
        ctx.e = xp.exp(xp.where(ctx.linear, xp.zeros((), dtype=x.dtype), bx))
        ctx.x, ctx.beta, ctx.threshold = x, beta, threshold
        return xp.where(ctx.linear, x, xp.log1p(ctx.e) / beta)

    def backward(ctx, g):
        xp = _xp(g)
        if not backend.is_recording(g):
            e = ctx.e
            return xp.where(ctx.linear, g, g * e / (e + 1))
        # (from the threshold on, beta x is held there: torch's second derivative is 0; NaN
        # is not held, its gradient is NaN as torch's)
        bx = ctx.x * ctx.beta
        return xp.where(ctx.linear, g, g * xp.sigmoid(xp.where(bx >= ctx.threshold,
                                                               ctx.threshold, bx)))


class GELU(Op):
    """d gelu(x) = g * (Phi(x) + x * phi(x)),  Phi the standard normal CDF, phi its density

    The exact form, ``x * Phi(x) = x / 2 * (1 + erf(x / sqrt(2)))`` (the tanh approximation
    is a composite in ``nn/activation.py``).
    """

    # cdf serves the first-order backward only; under create_graph the backward computes it
    # again from x, with differentiable ops
    constants = ("cdf",)

    def forward(ctx, x):
        ctx.x = x
        ctx.cdf = 0.5 * (1 + backend.erf(x * (1 / math.sqrt(2))))
        return x * ctx.cdf

    def backward(ctx, g):
        xp = _xp(g)
        x = ctx.x
        cdf = 0.5 * (1 + xp.erf(x * (1 / math.sqrt(2)))) if backend.is_recording(g) else ctx.cdf
        pdf = xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)
