"""Reductions and the softmax family: each forward with its backward.

``dim`` is None (all axes), an int, or a tuple of ints; ``keepdim`` as in PyTorch.
A reduction's backward first puts the reduced axes back (size 1) so the gradient
broadcasts over the input.
"""
from ..autograd import Op
from .. import backend
from ..backend import device_of
from ..dims import wrap_dim, wrap_dims
from ..promotion import FLOAT, KERNEL_NAMES


def _xp(a):
    return device_of(a).xp


def _axes(dim, ndim):
    """``dim`` as a sorted tuple of non-negative axes (None, () and [] mean all)."""
    return wrap_dims(dim, ndim)


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
    A NaN is the maximum: amax's gradient is then 0/0 = NaN across its slice, as in
    PyTorch; ``max()``/``min()`` of all elements (``name="max"``/``"min"``) share it
    among the NaNs instead, as PyTorch's do.
    """

    constants = ("count",)  # counts of maxima: flat in x wherever amax has a derivative

    def forward(ctx, x, dim=None, keepdim=False, largest=True, name="amax"):
        xp = _xp(x)
        ctx.axes = _axes(dim, x.ndim)
        for a in ctx.axes:
            if x.shape[a] == 0:
                if dim is None or isinstance(dim, (tuple, list)) and not dim:
                    raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                                       "input.numel() == 0. Specify the reduction dim with the "
                                       "'dim' argument.")
                raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")
        reduce = xp.max if largest else xp.min
        out = reduce(x, axis=ctx.axes, keepdims=True)
        ctx.hit = x == out
        ctx.select = name in ("max", "min")  # max() writes g / count into the hits
        if ctx.select and xp.isdtype(x.dtype, "real floating") and bool(xp.any(xp.isnan(out))):
            ctx.hit = xp.isnan(x)
        ctx.count = xp.sum(xp.astype(ctx.hit, x.dtype), axis=ctx.axes, keepdims=True)
        return out if keepdim else xp.reshape(out, tuple(
            n for i, n in enumerate(x.shape) if i not in ctx.axes))

    def backward(ctx, g):
        xp = _xp(g)
        g = xp.reshape(g, ctx.count.shape)
        if ctx.select:
            return xp.where(ctx.hit, g / ctx.count, xp.zeros((), dtype=g.dtype))
        return g / ctx.count * xp.astype(ctx.hit, g.dtype)  # count 0 (a NaN max): NaN


class Softmax(Op):
    """d softmax(x) = s * (g - sum(g * s)),  s = softmax(x) along dim"""

    def forward(ctx, x, dim):
        xp = _xp(x)
        ctx.dim = dim = _softmax_axis(dim, x.ndim)
        if 0 in x.shape:
            ctx.out = x
            return xp.asarray(x, copy=True)
        _check_floating(x, "softmax_lastdim_kernel_impl")
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
        ctx.dim = dim = _softmax_axis(dim, x.ndim)
        if 0 in x.shape:
            ctx.out = x
            return xp.asarray(x, copy=True)
        _check_floating(x, "log_softmax_lastdim_kernel_impl")
        shifted = x - xp.max(x, axis=dim, keepdims=True)
        ctx.out = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        return ctx.out

    def backward(ctx, g):
        xp = _xp(g)
        return g - xp.exp(ctx.out) * xp.sum(g, axis=ctx.dim, keepdims=True)


def _check_floating(x, kernel):
    """softmax and log_softmax of integers: torch has no kernel (pass dtype= to cast)."""
    d = backend.dtype_of(x)
    if not d.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{KERNEL_NAMES[d.name]}\'')


def _softmax_axis(dim, ndim):
    """The axis a softmax runs along; a 0-d tensor is its own slice (``()``: no axis)."""
    axis = wrap_dim(dim, ndim)
    return axis if ndim else ()


class LogSumExp(Op):
    """d logsumexp(x) = g * softmax(x)  along dim"""

    promote = FLOAT  # integers and bools in the default float dtype, as in torch

    def forward(ctx, x, dim, keepdim=False):
        xp = _xp(x)
        if isinstance(dim, (tuple, list)) and not dim and x.size and x.ndim and not keepdim:
            # torch reduces every dim, then fails to write the result (keepdim=True works)
            raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                               f"{[1] * x.ndim}")
        ctx.axes = _axes(dim, x.ndim)
        if 0 in x.shape:  # log(0): the empty sum of exps
            m = xp.zeros(_keep_shape(x.shape, ctx.axes), dtype=x.dtype)
        else:  # shift by the max, except where it is infinite (as torch does)
            m = xp.max(x, axis=ctx.axes, keepdims=True)
            m = xp.where(xp.abs(m) == float("inf"), xp.zeros((), dtype=x.dtype), m)
        out = m + xp.log(xp.sum(xp.exp(x - m), axis=ctx.axes, keepdims=True))
        ctx.x, ctx.keep = x, out.shape
        ctx.out = out if keepdim else xp.reshape(out, tuple(
            n for i, n in enumerate(x.shape) if i not in ctx.axes))
        return ctx.out

    def backward(ctx, g):
        xp = _xp(g)
        return xp.reshape(g, ctx.keep) * xp.exp(ctx.x - xp.reshape(ctx.out, ctx.keep))


class VarianceWithoutDof(Op):
    """d var(x) = g * (NaN where x == mean(x), else inf), a constant   (N - correction <= 0)

    The variance of all of x with no degrees of freedom left: sum((x - mean)^2) / 0, so NaN
    when every x is the mean (0 / 0), else inf. torch's gradient there is that constant
    (2 (x - mean) / 0, 0 * inf read as NaN): it does not depend on x, the second derivative
    is 0. (Over a ``dim`` torch differentiates 2 (x - mean) / 0 itself, as var's composite.)
    """

    constants = ("slope",)  # NaN or inf: flat in x

    def forward(ctx, x, keepdim=False):
        xp = _xp(x)
        mean = xp.mean(x)
        nan, inf = (xp.full((), v, dtype=x.dtype) for v in (float("nan"), float("inf")))
        ctx.slope = xp.where(x == mean, nan, inf)
        return xp.sum((x - mean) ** 2, keepdims=keepdim) / 0.0

    def backward(ctx, g):
        return g * ctx.slope


class EuclideanNorm(Op):
    """d ||x||_2 = g * x / ||x||_2, and 0 where ||x||_2 = 0   (torch's norm_backward)

    ``sqrt(sum(x^2))`` over ``dim``. At a zero vector torch masks x / norm (0 / 0) with 0;
    differentiated again, that masked quotient still gives NaN there, as here.
    """

    promote = FLOAT

    def forward(ctx, x, dim=None, keepdim=False):
        xp = _xp(x)
        ctx.axes = _axes(dim, x.ndim)
        ctx.x, ctx.out = x, xp.sqrt(xp.sum(x * x, axis=ctx.axes, keepdims=keepdim))
        return ctx.out

    def backward(ctx, g):
        xp = _xp(g)
        keep = _keep_shape(ctx.x.shape, ctx.axes)
        norm = xp.reshape(ctx.out, keep)
        return xp.reshape(g, keep) * xp.where(norm == 0, xp.zeros((), dtype=g.dtype),
                                              ctx.x / norm)
