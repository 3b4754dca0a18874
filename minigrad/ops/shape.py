"""Ops that move elements around without changing them: their backward moves the
gradient back to where each element came from."""
from .. import backend
from ..autograd import Op
from ..backend import device_of


def _xp(a):
    return device_of(a).xp


class Reshape(Op):
    """d reshape(x) = reshape(g, x.shape)   (also view, flatten, squeeze, unsqueeze)"""

    is_view = True  # the output may share x's memory (and version counter)

    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return _xp(x).reshape(x, shape)

    def backward(ctx, g):
        return _xp(g).reshape(g, ctx.shape)


class Permute(Op):
    """d permute(x, p) = permute(g, inverse of p)   (also transpose and .T)"""

    is_view = True  # the output may share x's memory (and version counter)

    def forward(ctx, x, dims):
        ctx.dims = dims
        return _xp(x).permute_dims(x, dims)

    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return _xp(g).permute_dims(g, tuple(inverse))


class Expand(Op):
    """d expand(x) = g summed back over the expanded axes (done by the engine's sum_to)"""

    is_view = True  # the output may share x's memory (and version counter)

    def forward(ctx, x, shape):
        return _xp(x).broadcast_to(x, shape)

    def backward(ctx, g):
        return g


class Cat(Op):
    """d cat(xs, dim) = the slices of g that each x filled"""

    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in xs]
        return _xp(xs[0]).concat(xs, axis=dim)

    def backward(ctx, g):
        grads, start = [], 0
        for n in ctx.sizes:
            key = (slice(None),) * (ctx.dim % g.ndim) + (slice(start, start + n), ...)
            grads.append(g[key])
            start += n
        return tuple(grads)


class Stack(Op):
    """d stack(xs, dim) = the i-th slice of g along dim, for the i-th x"""

    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return _xp(xs[0]).stack(xs, axis=dim)

    def backward(ctx, g):
        lead = (slice(None),) * (ctx.dim % g.ndim)  # (CuPy has no unstack)
        return tuple(g[lead + (i, ...)] for i in range(g.shape[ctx.dim]))


class Index(Op):
    """d x[key] = zeros like x with g added at [key] (repeated indices add up)"""

    is_view = True  # the output may share x's memory (and version counter)

    def forward(ctx, x, key):
        ctx.shape, ctx.dtype, ctx.key = x.shape, x.dtype, key
        return _pick(x, key)

    def backward(ctx, g):
        xp = _xp(g)
        grad = xp.zeros(ctx.shape, dtype=ctx.dtype)
        key = ctx.key
        if _selects_each_element_once(key):
            if type(key) is tuple and any(k is None for k in key):
                # new axes: the standard can't write through None, so leave them out of
                # the key and of g's shape
                key = tuple(k for k in key if k is not None)
                g = xp.reshape(g, grad[key].shape)
            grad[key] = g
            return grad
        return backend.scatter_add(grad, key, g)


class AddAt(Op):
    """d add_at(x, key, v) = (g, g[key])   (x with v added at [key], repeats adding up)

    NumPy's ``add.at``, and Index's adjoint: each is the other's backward, so the gradient
    of an indexing is differentiable again, to any order (create_graph).
    """

    def forward(ctx, x, v, key):
        ctx.key = key
        return backend.scatter_add(backend.owned_copy(x), key, v)

    def backward(ctx, g):
        return g, _pick(g, ctx.key)


def _pick(x, key):
    """x[key]; a lone integer array picks along the first axis (NumPy's take is faster)."""
    if backend.is_array(key) and key.dtype != _xp(key).bool:
        return _xp(x).take(x, key, axis=0)
    return x[key]


def _selects_each_element_once(key):
    """Slices, ints and boolean masks never pick an element twice; integer arrays may.
    (Under create_graph a mask is a constant Tensor: it has a dtype too.)"""
    parts = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) or
               (hasattr(k, "dtype") and k.dtype == _xp(k).bool) for k in parts)
