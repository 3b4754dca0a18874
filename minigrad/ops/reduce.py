"""Reductions and the softmax family: each forward with its backward.

``dim`` is None (all axes), an int, or a tuple of ints; ``keepdim`` as in PyTorch.
A reduction's backward first puts the reduced axes back (size 1) so the gradient
broadcasts over the input.
"""
from ..autograd import Op
from ..backend import device_of


def _xp(a):
    return device_of(a).xp


def _axes(dim, ndim):
    """Normalise ``dim`` to a sorted tuple of non-negative axes (None means all)."""
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {d})")
        out.append(d % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def _keep_shape(shape, axes):
    """The output shape with the reduced axes kept as size 1."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Op):
    """d sum(x) = g broadcast back over the summed axes"""

    def forward(ctx, x, dim=None, keepdim=False):
        ctx.shape = x.shape
        ctx.axes = _axes(dim, x.ndim)
        return _xp(x).sum(x, axis=ctx.axes, keepdims=keepdim)

    def backward(ctx, g):
        xp = _xp(g)
        return xp.broadcast_to(xp.reshape(g, _keep_shape(ctx.shape, ctx.axes)), ctx.shape)


class Mean(Op):
    """d mean(x) = g / n broadcast back over the n averaged elements"""

    def forward(ctx, x, dim=None, keepdim=False):
        ctx.shape = x.shape
        ctx.axes = _axes(dim, x.ndim)
        ctx.n = 1
        for a in ctx.axes:
            ctx.n *= x.shape[a]
        return _xp(x).mean(x, axis=ctx.axes, keepdims=keepdim)

    def backward(ctx, g):
        xp = _xp(g)
        return xp.broadcast_to(xp.reshape(g / ctx.n, _keep_shape(ctx.shape, ctx.axes)), ctx.shape)


class MaxAlong(Op):
    """d max(x, dim) = g at x's argmax along dim (the first extremum), 0 elsewhere

    (``min`` with ``largest=False``); ``x`` has at least one dimension.
    """

    def forward(ctx, x, dim, keepdim=False, largest=True):
        xp = _xp(x)
        (ctx.axis,) = _axes(dim, x.ndim)
        axis = ctx.axis
        pick = xp.argmax if largest else xp.argmin
        index = pick(x, axis=axis, keepdims=True)
        ctx.shape = x.shape
        ctx.index = index if keepdim else xp.squeeze(index, axis=axis)
        values = xp.take_along_axis(x, index, axis=axis)
        return values if keepdim else xp.squeeze(values, axis=axis)

    def backward(ctx, g):
        xp = _xp(g)
        axis, shape = ctx.axis, ctx.shape
        keep = _keep_shape(shape, (axis,))
        index = xp.reshape(ctx.index, keep)
        positions = xp.reshape(xp.arange(shape[axis]), tuple(
            n if i == axis else 1 for i, n in enumerate(shape)))
        selected = positions == index  # one True per reduced line
        return xp.where(selected, xp.reshape(g, keep), xp.zeros((), dtype=g.dtype))


class Amax(Op):
    """d amax(x) = g * 1[x == max] / (number of maxima along the reduced dims)

    max/min over several dims (or all): ties share the gradient evenly, as in PyTorch.
    """

    def forward(ctx, x, dim=None, keepdim=False, largest=True):
        xp = _xp(x)
        ctx.axes = _axes(dim, x.ndim)
        if x.ndim and any(x.shape[a] == 0 for a in ctx.axes):
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        reduce = xp.max if largest else xp.min
        out = reduce(x, axis=ctx.axes, keepdims=True)
        ctx.hit = x == out
        ctx.count = xp.sum(xp.astype(ctx.hit, x.dtype), axis=ctx.axes, keepdims=True)
        return out if keepdim else xp.reshape(out, tuple(
            n for i, n in enumerate(x.shape) if i not in ctx.axes))

    def backward(ctx, g):
        xp = _xp(g)
        g = xp.reshape(g, ctx.count.shape)
        return xp.where(ctx.hit, g / ctx.count, xp.zeros((), dtype=g.dtype))


class Softmax(Op):
    """d softmax(x) = s * (g - sum(g * s)),  s = softmax(x) along dim"""

    def forward(ctx, x, dim):
        xp = _xp(x)
        ctx.dim = dim
        e = xp.exp(x - xp.max(x, axis=dim, keepdims=True))  # shift: exp never overflows
        ctx.out = e / xp.sum(e, axis=dim, keepdims=True)
        return ctx.out

    def backward(ctx, g):
        s = ctx.out
        return s * (g - _xp(g).sum(g * s, axis=ctx.dim, keepdims=True))


class LogSoftmax(Op):
    """d log_softmax(x) = g - softmax(x) * sum(g)  along dim"""

    def forward(ctx, x, dim):
        xp = _xp(x)
        ctx.dim = dim
        shifted = x - xp.max(x, axis=dim, keepdims=True)
        ctx.out = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        return ctx.out

    def backward(ctx, g):
        xp = _xp(g)
        return g - xp.exp(ctx.out) * xp.sum(g, axis=ctx.dim, keepdims=True)


class LogSumExp(Op):
    """d logsumexp(x) = g * softmax(x)  along dim"""

    def forward(ctx, x, dim, keepdim=False):
        xp = _xp(x)
        ctx.axes = _axes(dim, x.ndim)
        m = xp.max(x, axis=ctx.axes, keepdims=True)
        out = m + xp.log(xp.sum(xp.exp(x - m), axis=ctx.axes, keepdims=True))
        ctx.x, ctx.out = x, out
        return out if keepdim else xp.reshape(out, tuple(
            n for i, n in enumerate(x.shape) if i not in ctx.axes))

    def backward(ctx, g):
        xp = _xp(g)
        return xp.reshape(g, ctx.out.shape) * xp.exp(ctx.x - ctx.out)
