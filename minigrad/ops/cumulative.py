"""Products and running totals: prod, cumsum, cumprod, each forward with its backward.

``axes`` are non-negative and sorted; ``keepdim`` as in torch. A backward first puts the
reduced axes back (size 1) so that the gradient broadcasts over the input.
"""
from ..autograd import Op
from ..backend import device_of


def _xp(a):
    return device_of(a).xp


def _exclusive_prod(x, xp):
    """out[..., i] = x[..., 0] * ... * x[..., i-1] along the last axis (1 for i = 0)."""
    ones = xp.ones(x.shape[:-1] + (1,), dtype=x.dtype)
    return xp.cumulative_prod(xp.concat([ones, x[..., :-1]], axis=-1), axis=-1)


class Prod(Op):
    """d prod(x) / d x_i = g * (the product of every other x_j)   (exact when some x_j = 0)"""

    def forward(ctx, x, axes, keepdim=False):
        xp = _xp(x)
        ctx.x, ctx.axes = x, axes
        return xp.prod(x, axis=axes, keepdims=keepdim)

    def backward(ctx, g):
        xp = _xp(g)
        x, axes = ctx.x, ctx.axes
        if not x.size:  # (an empty product is 1, a constant)
            return xp.zeros_like(x)
        rest = tuple(a for a in range(x.ndim) if a not in axes)
        order = rest + axes  # the reduced axes last, flattened into one line per output
        lines = xp.reshape(xp.permute_dims(x, order), tuple(x.shape[a] for a in rest) + (-1,))
        before = _exclusive_prod(lines, xp)
        after = xp.flip(_exclusive_prod(xp.flip(lines, axis=-1), xp), axis=-1)
        g = xp.reshape(g, tuple(x.shape[a] for a in rest) + (1,))
        grad = xp.reshape(g * before * after, tuple(x.shape[a] for a in order))
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
    """d cumprod(x)_j / d x_i = the product of x_k for k <= j, k != i   (j >= i; exact at 0)"""

    def forward(ctx, x, dim):
        ctx.x, ctx.dim = x, dim
        return _xp(x).cumulative_prod(x, axis=dim)

    def backward(ctx, g):
        xp = _xp(g)
        x = _last(ctx.x, ctx.dim, xp)
        gl = _last(g, ctx.dim, xp)
        n = x.shape[-1]
        eye = xp.eye(n, dtype=xp.bool)
        # row i: x with x_i replaced by 1, then its running product along k
        rows = xp.where(eye, xp.ones((), dtype=x.dtype), x[..., None, :])
        partial = xp.cumulative_prod(rows, axis=-1)           # [..., i, j]
        upper = xp.triu(xp.ones((n, n), dtype=x.dtype))  # j >= i
        grad = xp.sum(partial * upper * gl[..., None, :], axis=-1)
        return _back(grad, ctx.dim, xp)


def _last(a, dim, xp):
    """``a`` with axis ``dim`` moved to the end."""
    order = tuple(i for i in range(a.ndim) if i != dim) + (dim,)
    return xp.permute_dims(a, order)


def _back(a, dim, xp):
    """The inverse of ``_last``."""
    order = list(range(a.ndim - 1))
    order.insert(dim, a.ndim - 1)
    return xp.permute_dims(a, tuple(order))
