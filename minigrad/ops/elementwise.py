"""Element-wise ops and matmul: each forward with its backward, the derivative on top.

Arguments arrive as arrays (a Python scalar may stand in for either side of a binary
op); ``xp`` is the array namespace of the data. Broadcasting is undone by the engine
(``autograd.sum_to``), so a backward may return gradients of the output's shape.
"""
import math

from .. import fused
from ..autograd import Op
from ..backend import device_of, positive_mask
from ..promotion import COMMON, FLOAT, SAME, SUBTRACT, WHERE, refuse_bool


def _xp(a):
    return device_of(a).xp


class Add(Op):
    """d(a + b) = (g, g)"""

    promote = COMMON

    def forward(ctx, a, b):
        return a + b

    def backward(ctx, g):
        return g, g


class Sub(Op):
    """d(a - b) = (g, -g)"""

    promote = SUBTRACT

    def forward(ctx, a, b):
        return a - b

    def backward(ctx, g):
        return g, -g


class Mul(Op):
    """d(a * b) = (g * b, g * a)"""

    promote = COMMON

    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.a, ctx.b = (a if need_b else None), (b if need_a else None)  # only what's used
        return a * b

    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (g * ctx.b if need_a else None), (g * ctx.a if need_b else None)


class Div(Op):
    """d(a / b) = (g / b, -g * a / b^2)"""

    promote = FLOAT

    def forward(ctx, a, b):
        ctx.a, ctx.b = (a if ctx.needs_input_grad[1] else None), b  # only what's used
        return a / b

    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        ga = g / ctx.b if need_a else None
        gb = -g * ctx.a / (ctx.b * ctx.b) if need_b else None
        return ga, gb


class Pow(Op):
    """d(a ** b) = (g * b * a^(b-1), g * a^b * log(a))"""

    promote = COMMON

    def forward(ctx, a, b):
        if b is True:  # x ** True is x, in any dtype (torch's shortcut for exponent 1)
            return _xp(a).asarray(a, copy=True)
        refuse_bool("pow", a, b)
        out = a ** b
        ctx.a, ctx.b = a, b
        ctx.out = out if ctx.needs_input_grad[1] else None  # only d/db uses the output
        return out

    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        a, b = ctx.a, ctx.b
        ga = g * b * a ** (b - 1) if need_a else None
        gb = None
        if need_b:
            log_a = math.log(a) if isinstance(a, (int, float)) else _xp(g).log(a)
            gb = g * ctx.out * log_a
        return ga, gb


class Neg(Op):
    """d(-x) = -g"""

    def forward(ctx, x):
        return -x

    def backward(ctx, g):
        return -g


class Exp(Op):
    """d exp(x) = g * exp(x)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).exp(x)
        return ctx.out

    def backward(ctx, g):
        return g * ctx.out


class Log(Op):
    """d log(x) = g / x"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).log(x)

    def backward(ctx, g):
        return g / ctx.x


class Sqrt(Op):
    """d sqrt(x) = g / (2 sqrt(x))"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).sqrt(x)
        return ctx.out

    def backward(ctx, g):
        return g / (2 * ctx.out)


class Abs(Op):
    """d |x| = g * sign(x)   (0 at x = 0, as in PyTorch)"""

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).abs(x)

    def backward(ctx, g):
        return g * _xp(g).sign(ctx.x)


class Clamp(Op):
    """d clamp(x, lo, hi) = g * 1[lo <= x <= hi]"""

    def forward(ctx, x, min=None, max=None):
        xp = _xp(x)
        inside = xp.ones_like(x, dtype=xp.bool)
        if min is not None:
            inside = inside & (x >= min)
        if max is not None:
            inside = inside & (x <= max)
        ctx.inside = xp.astype(inside, x.dtype)
        return xp.clip(x, min, max)

    def backward(ctx, g):
        return g * ctx.inside


class ReLU(Op):
    """d relu(x) = g * 1[x > 0]   (0 at x = 0, as in PyTorch)"""

    def forward(ctx, x):
        xp = _xp(x)
        # the output (kept alive by the graph anyway) says where x > 0, as in PyTorch
        ctx.out = xp.maximum(x, xp.zeros((), dtype=x.dtype))
        return ctx.out

    def backward(ctx, g):
        # A 0/1 float mask, multiplied in place: two cheap passes, where NumPy's where()
        # (a branch per element on random signs) is ten times slower than both.
        if fused.use_kernels(g):  # a GPU: one kernel instead of three
            return fused.RELU_BACKWARD(x=ctx.out, g=g)
        mask = positive_mask(ctx.out)
        mask *= g
        return mask


class Sigmoid(Op):
    """d sigmoid(x) = g * s * (1 - s),  s = sigmoid(x)"""

    promote = FLOAT

    def forward(ctx, x):
        xp = _xp(x)
        # exp of a non-positive number never overflows: use e^-|x| on both sides.
        e = xp.exp(-xp.abs(x))
        ctx.out = xp.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return ctx.out

    def backward(ctx, g):
        s = ctx.out
        return g * s * (1 - s)


class Tanh(Op):
    """d tanh(x) = g * (1 - tanh(x)^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).tanh(x)
        return ctx.out

    def backward(ctx, g):
        t = ctx.out
        return g * (1 - t * t)


class Maximum(Op):
    """d maximum(a, b) = (g * 1[a > b], g * 1[b > a]), a tie splits g in half (as in PyTorch)"""

    promote = COMMON

    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return _xp(a).maximum(a, b)

    def backward(ctx, g):
        xp = _xp(g)
        share_a = xp.astype(ctx.a > ctx.b, g.dtype) + 0.5 * xp.astype(ctx.a == ctx.b, g.dtype)
        return g * share_a, g * (1 - share_a)


class Minimum(Op):
    """d minimum(a, b) = (g * 1[a < b], g * 1[b < a]), a tie splits g in half"""

    promote = COMMON

    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return _xp(a).minimum(a, b)

    def backward(ctx, g):
        xp = _xp(g)
        share_a = xp.astype(ctx.a < ctx.b, g.dtype) + 0.5 * xp.astype(ctx.a == ctx.b, g.dtype)
        return g * share_a, g * (1 - share_a)


class MatMul(Op):
    """d(a @ b) = (g @ b^T, a^T @ g)   (a vector operand is treated as a 1-row/1-column matrix)"""

    promote = SAME

    def forward(ctx, a, b):
        _check_matmul_shapes(a.shape, b.shape)
        need_a, need_b = ctx.needs_input_grad
        ctx.a, ctx.b = (a if need_b else None), (b if need_a else None)  # only what's used
        ctx.ndims = a.ndim, b.ndim
        return _xp(a).matmul(a, b)

    def backward(ctx, g):
        xp = _xp(g)
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_input_grad
        a_ndim, b_ndim = ctx.ndims
        if a_ndim == 1 and b_ndim == 1:  # dot product
            return (g * b if need_a else None), (g * a if need_b else None)
        # Promote vectors to matrices so one pair of formulas covers every case.
        g2 = g
        if a_ndim == 1:
            g2 = xp.expand_dims(g2, axis=-2)
        if b_ndim == 1:
            g2 = xp.expand_dims(g2, axis=-1)
        ga = gb = None
        if need_a:
            b2 = b[:, None] if b_ndim == 1 else b
            ga = xp.matmul(g2, b2.mT)
            if a_ndim == 1:
                ga = xp.reshape(ga, ga.shape[:-2] + (ga.shape[-1],))
        if need_b:
            a2 = a[None, :] if a_ndim == 1 else a
            gb = xp.matmul(a2.mT, g2)
            if b_ndim == 1:
                gb = xp.reshape(gb, gb.shape[:-1])
        return ga, gb


def _check_matmul_shapes(sa, sb):
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka == kb:
        return
    if len(sa) == 2 and len(sb) == 2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
    if len(sa) == 1 and len(sb) == 1:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                           f"[{sb[0]}] to have the same number of elements, but got {sa[0]} "
                           f"and {sb[0]} elements respectively")
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to match: "
                       f"matmul got shapes {tuple(sa)} and {tuple(sb)}, whose inner "
                       f"dimensions {ka} and {kb} differ")


class Where(Op):
    """d where(c, a, b) = (-, g * c, g * (1 - c))"""

    promote = WHERE

    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return _xp(cond).where(cond, a, b)

    def backward(ctx, g):
        xp = _xp(g)
        zero = xp.zeros_like(g)
        return None, xp.where(ctx.cond, g, zero), xp.where(ctx.cond, zero, g)
