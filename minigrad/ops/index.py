"""Picking and placing elements along a dimension: gather, scatter, scatter_add, index_select.

``index`` arrays hold positions along ``dim``; every other axis pairs up element by element.
Backward sends each gradient to the position its value came from (repeats add up).
"""
from .. import backend
from ..autograd import Op
from ..backend import device_of


def _xp(a):
    return device_of(a).xp


def along(index, dim):
    """The full integer key that puts ``index`` (positions along ``dim``) into an array of
    index's shape: ``key[dim] = index``, every other axis its own arange (broadcast)."""
    xp = _xp(index)
    key = []
    for axis, n in enumerate(index.shape):
        if axis == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[axis] = n
            key.append(xp.reshape(xp.arange(n), tuple(shape)))
    return tuple(key)


def take(x, index, dim):
    """x's elements at ``index`` along ``dim`` (index may be smaller than x along every axis)."""
    if index.shape != x.shape:
        x = x[tuple(slice(0, n) if a != dim else slice(None) for a, n in enumerate(index.shape))]
    return _xp(x).take_along_axis(x, index, axis=dim)


def _add_at(shape, dtype, dim, index, values):
    """zeros(shape) with ``values`` added at ``index`` along ``dim`` (repeats add up)."""
    xp = _xp(values)
    out = xp.zeros(shape, dtype=dtype)
    if index.ndim == 0:
        return out
    full = along(index, dim)
    key = tuple(xp.broadcast_to(k, index.shape) for k in full)
    return backend.scatter_add(out, key, values)


class Gather(Op):
    """d gather(x, dim, index) = zeros like x with g added at index along dim"""

    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dtype, ctx.dim, ctx.index = x.shape, x.dtype, dim, index
        return take(x, index, dim)

    def backward(ctx, g):
        return _add_at(ctx.shape, ctx.dtype, ctx.dim, ctx.index, g)


class IndexSelect(Op):
    """d index_select(x, dim, index) = zeros like x with g's slices added at index along dim"""

    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dtype, ctx.dim, ctx.index = x.shape, x.dtype, dim, index
        return _xp(x).take(x, index, axis=dim)

    def backward(ctx, g):
        xp = _xp(g)
        shape = [1] * g.ndim
        shape[ctx.dim] = ctx.index.shape[0]
        index = xp.broadcast_to(xp.reshape(ctx.index, tuple(shape)), g.shape)
        return _add_at(ctx.shape, ctx.dtype, ctx.dim, index, g)


class ScatterAdd(Op):
    """d scatter_add(x, src, dim, index) = (g, gather(g, dim, index))"""

    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        src = src[tuple(slice(0, n) for n in index.shape)]
        return x + _add_at(x.shape, x.dtype, dim, index, src)

    def backward(ctx, g):
        g_src = take(g, ctx.index, ctx.dim)
        return g, _pad_to(g_src, ctx.src_shape)


class Scatter(Op):
    """d scatter(x, src, dim, index) = (g with 0 where src was written, gather(g, dim, index))

    ``src`` may be a number. Where a position of ``index`` repeats, the last value written
    (in index order) stays, as torch's CPU loop leaves it; every src element still gets
    g at its position (torch's formula).
    """

    def forward(ctx, x, src, dim, index):
        xp = _xp(x)
        ctx.dim, ctx.index = dim, index
        ctx.src_shape = getattr(src, "shape", None)
        if ctx.src_shape is None:
            src = xp.full(index.shape, src, dtype=x.dtype)
        src = src[tuple(slice(0, n) for n in index.shape)]
        last = _last_writes(index, dim, x.shape)
        src = xp.where(last, src, xp.zeros((), dtype=src.dtype))
        ctx.written = _add_at(x.shape, x.dtype, dim, index, xp.astype(last, x.dtype)) > 0
        return xp.where(ctx.written, _add_at(x.shape, x.dtype, dim, index, src), x)

    def backward(ctx, g):
        xp = _xp(g)
        g_x = xp.where(ctx.written, xp.zeros((), dtype=g.dtype), g)
        if ctx.src_shape is None:
            return g_x, None
        g_src = take(g, ctx.index, ctx.dim)
        return g_x, _pad_to(g_src, ctx.src_shape)


def _last_writes(index, dim, shape):
    """True at each entry of ``index`` that is the last (in C order) to write its position
    of an array of ``shape``: a stable sort of the flat positions puts repeats side by side,
    in order."""
    xp = _xp(index)
    if index.ndim == 0 or index.size < 2:
        return xp.ones(index.shape, dtype=xp.bool)
    flat, stride = 0, 1
    for axis in range(index.ndim - 1, -1, -1):
        flat = flat + along(index, dim)[axis] * stride
        stride *= shape[axis]
    flat = xp.reshape(xp.broadcast_to(flat, index.shape), (-1,))
    order = xp.argsort(flat, stable=True)
    ranked = xp.take(flat, order)
    last = xp.concat([ranked[1:] != ranked[:-1], xp.ones((1,), dtype=xp.bool)])
    return xp.reshape(xp.take(last, xp.argsort(order)), index.shape)


def _pad_to(g, shape):
    """g placed in the corner of zeros(shape) (src may be larger than index)."""
    if tuple(g.shape) == tuple(shape):
        return g
    xp = _xp(g)
    out = xp.zeros(shape, dtype=g.dtype)
    out[tuple(slice(0, n) for n in g.shape)] = g
    return out
