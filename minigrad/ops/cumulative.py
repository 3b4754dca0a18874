"""Products and running totals: prod, cumsum, cumprod, logcumsumexp, each forward with its
backward.

``axes`` are non-negative and sorted; ``keepdim`` as in torch. A backward first puts the
reduced axes back (size 1) so that the gradient broadcasts over the input.
"""
from .. import backend
from ..autograd import Op
from ..backend import device_of


def _xp(a):
    return device_of(a).xp


def _exclusive_prod(x, xp):
    """out[..., i] = x[..., 0] * ... * x[..., i-1] along the last axis (1 for i = 0)."""
    ones = xp.ones(x.shape[:-1] + (1,), dtype=x.dtype)
    return xp.cumulative_prod(xp.concat([ones, x[..., :-1]], axis=-1), axis=-1)


class Prod(Op):
    """d prod(x) / d x_i = g * (the product of every other x_j) = g * prod(x) / x_i

    As in torch: g * prod / x_i when no x is 0; else (exact at zeros) the product of the x_j
    before i times the product of those after it.
    """

    def forward(ctx, x, axes, keepdim=False):
        xp = _xp(x)
        ctx.x, ctx.axes = x, axes
        ctx.out = xp.prod(x, axis=axes, keepdims=keepdim)
        return ctx.out

    def backward(ctx, g):
        xp = _xp(g)
        x, axes = ctx.x, ctx.axes
        if not x.ndim:  # (torch passes g for a 0-d input, even a NaN or an infinite one)
            return g
        if not x.size:  # (an empty product is 1, a constant)
            return xp.zeros_like(x)
        keep = tuple(1 if a in axes else n for a, n in enumerate(x.shape))
        if not bool(xp.any(x == 0)):
            return xp.reshape(g, keep) * (xp.reshape(ctx.out, keep) / x)
        rest = tuple(a for a in range(x.ndim) if a not in axes)
        order = rest + axes  # the reduced axes last, flattened into one line per output
        lines = xp.reshape(xp.permute_dims(x, order), tuple(x.shape[a] for a in rest) + (-1,))
        before = _exclusive_prod(lines, xp)
        after = xp.flip(_exclusive_prod(xp.flip(lines, axis=-1), xp), axis=-1)
        g = xp.reshape(g, tuple(x.shape[a] for a in rest) + (1,))
        grad = xp.reshape(g * (before * after), tuple(x.shape[a] for a in order))
        inverse = [0] * x.ndim
        for i, a in enumerate(order):
            inverse[a] = i
        return xp.permute_dims(grad, tuple(inverse))


class Cumsum(Op):
    """d cumsum(x)_j / d x_i = 1 for j >= i: the gradient is g summed from the end"""

    def forward(ctx, x, dim):
        ctx.dim = dim
        return _xp(x).cumulative_sum(x, axis=dim)

    def backward(ctx, g):
        xp = _xp(g)
        return xp.flip(xp.cumulative_sum(xp.flip(g, axis=ctx.dim), axis=ctx.dim), axis=ctx.dim)


class Cumprod(Op):
    """d cumprod(x)_j / d x_i = the product of x_k for k <= j, k != i = cumprod(x)_j / x_i  (j >= i)

    As in torch: the sum over j >= i of g_j cumprod(x)_j, divided by x_i, when no x is 0;
    else (exact at zeros) each product with x_i left out.
    """

    def forward(ctx, x, dim):
        ctx.x, ctx.dim = x, dim
        ctx.out = _xp(x).cumulative_prod(x, axis=dim)
        return ctx.out

    def backward(ctx, g):
        xp = _xp(g)
        dim = ctx.dim
        if ctx.x.shape[dim] <= 1:  # cumprod(x) = x
            return g
        if not bool(xp.any(ctx.x == 0)):
            summed = xp.flip(xp.cumulative_sum(xp.flip(g * ctx.out, axis=dim), axis=dim), axis=dim)
            return summed / ctx.x
        x = _last(ctx.x, dim, xp)
        gl = _last(g, dim, xp)
        n = x.shape[-1]
        eye = xp.eye(n, dtype=xp.bool)
        # row i: x with x_i replaced by 1, then its running product along k
        rows = xp.where(eye, xp.ones((), dtype=x.dtype), xp.expand_dims(x, axis=-2))
        partial = xp.cumulative_prod(rows, axis=-1)           # [..., i, j]
        upper = xp.triu(xp.ones((n, n), dtype=x.dtype))  # j >= i
        grad = xp.sum(partial * upper * xp.expand_dims(gl, axis=-2), axis=-1)
        return _back(grad, dim, xp)


def _last(a, dim, xp):
    """``a`` with axis ``dim`` moved to the end."""
    order = tuple(i for i in range(a.ndim) if i != dim) + (dim,)
    return xp.permute_dims(a, order)


def _back(a, dim, xp):
    """The inverse of ``_last``."""
    order = list(range(a.ndim - 1))
    order.insert(dim, a.ndim - 1)
    return xp.permute_dims(a, tuple(order))


class LogCumSumExp(Op):
    """d logcumsumexp(x)_j / d x_i = exp(x_i - out_j) for j >= i: the gradient is
    sum_{j >= i} g_j exp(x_i - out_j)

    As torch computes it, in logs (nothing overflows): the positive and the negative g_j
    apart, exp(logcumsumexp from the end of (log|g_j| - out_j) + x_i); a g_j that is 0 or
    NaN counts as the dtype's lowest number (so it adds nothing).
    """

    def forward(ctx, x, dim):
        xp = _xp(x)
        ctx.x, ctx.dim = x, dim
        ctx.lowest = float(xp.finfo(x.dtype).min)
        ctx.out = _logcumsumexp(x, dim, xp)
        return ctx.out

    def backward(ctx, g):
        xp = _xp(g)
        dim = ctx.dim
        log_g = xp.log(xp.abs(g))

        def from_the_end(a):  # out_i = log(sum_{j >= i} exp(a_j))
            return xp.flip(_logcumsumexp(xp.flip(a, axis=dim), dim, xp), axis=dim)

        positive = from_the_end(xp.where(g > 0, log_g, ctx.lowest) - ctx.out)
        negative = from_the_end(xp.where(g < 0, log_g, ctx.lowest) - ctx.out)
        return xp.exp(positive + ctx.x) - xp.exp(negative + ctx.x)


def _logcumsumexp(x, dim, xp):
    """log(cumsum(exp(x))) along ``dim``, as a scan of logaddexp(a, b) = max + log(1 +
    exp(min - max)), which neither overflows nor underflows: pass k adds to each element the
    running value 2^k places before it (log2(n) passes over the array). Recorded (x a
    Tensor, under create_graph): the op itself, whose derivative is again torch's formula."""
    if not backend.is_array(x):
        return LogCumSumExp.apply(x, dim=dim)
    n, step = x.shape[dim], 1
    before = (slice(None),) * dim
    while step < n:
        x = xp.concat([x[before + (slice(None, step), ...)],
                       xp.logaddexp(x[before + (slice(step, None), ...)],
                                    x[before + (slice(None, n - step), ...)])], axis=dim)
        step *= 2
    return x
