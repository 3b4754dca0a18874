"""Reductions with torch's names: prod, var and std (with ``correction``), norm, running sums
and products, all/any over dims, median, count_nonzero. Composites (var, std, norm,
median) are written with other ops and need no backward of their own."""
import warnings

from .. import backend
from ..autograd import is_grad_enabled
from ..ops import cumulative as C, math as M, reduce as R
from ..promotion import KERNEL_NAMES, refuse_integral
from ..tensor import Tensor, _as_uint8_if
from .common import values_indices_type, wrap_dim, wrap_dims
from .index import gather


def _integer_to_int64(input, dtype):
    """``dtype`` if given; bool and integers accumulate in int64, as in torch."""
    if dtype is not None:
        if input.requires_grad and is_grad_enabled() and not dtype.is_floating_point:
            raise RuntimeError(f"Autograd not support dtype: {KERNEL_NAMES[dtype.name]}")
        return input.to(dtype)
    if not input.dtype.is_floating_point and input.dtype is not backend.int64:
        return input.to(backend.int64)
    return input


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product of all elements, or along ``dim`` (bool and integers give int64)."""
    axes = wrap_dims(dim, input.ndim)  # (checked before dtype=)
    x = _integer_to_int64(input, dtype)
    if dim is None:
        keepdim = False
    return C.Prod.apply(x, axes=axes if x.ndim else (), keepdim=keepdim)


def cumsum(input, dim, *, dtype=None):
    """Running sum along ``dim``: out[i] = x[0] + ... + x[i]."""
    wrap_dim(dim, input.ndim)  # (checked before dtype=)
    x = _integer_to_int64(input, dtype)
    if x.ndim == 0:
        wrap_dim(dim, 0)
        return x.clone()
    return C.Cumsum.apply(x, dim=wrap_dim(dim, x.ndim))


def cumprod(input, dim, *, dtype=None):
    """Running product along ``dim``: out[i] = x[0] * ... * x[i]."""
    wrap_dim(dim, input.ndim)  # (checked before dtype=)
    x = _integer_to_int64(input, dtype)
    if x.ndim == 0:
        wrap_dim(dim, 0)
        return x.clone()
    return C.Cumprod.apply(x, dim=wrap_dim(dim, x.ndim))


def logcumsumexp(input, dim):
    """log(cumsum(exp(x))) along ``dim``, summed in logs: exp neither overflows nor underflows."""
    d = wrap_dim(dim, input.ndim)
    refuse_integral("logcumsumexp_out_cpu", input)
    if not input.ndim or not input.numel():  # (torch passes the gradient through as is)
        return input.clone()
    return C.LogCumSumExp.apply(input, dim=d)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """sum((x - mean)^2) / (N - correction) over ``dim`` (correction 1: Bessel's, unbiased)."""
    if isinstance(dim, bool):  # var(x, False): the old unbiased flag
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError("var(): can't specify both unbiased and correction")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if not input.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = wrap_dims(_all_if_empty(dim), input.ndim)
    n = 1
    for a in axes:
        n *= input.shape[a] if input.ndim else 1  # (a 0-d tensor takes dim 0 and -1)
    if n - correction <= 0:
        warnings.warn("var(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      stacklevel=2)
        if dim is None or not input.ndim:  # (torch's gradient is then a constant)
            return R.VarianceWithoutDof.apply(input, keepdim=keepdim)
    centred = input - input.mean(dim=axes, keepdim=True)
    return (centred * centred).sum(dim=axes, keepdim=keepdim) / max(0, n - correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """sqrt(var(...)): the standard deviation, with the same arguments as var."""
    return M.SafeSqrt.apply(var(input, dim, unbiased, keepdim, correction=correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over the same dims."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (var(input, dim, unbiased, keepdim, correction=correction),
            input.mean(dim=wrap_dims(_all_if_empty(dim), input.ndim), keepdim=keepdim))


def _all_if_empty(dim):
    """var and std over ``dim=[]`` reduce every dim, as in torch."""
    return None if isinstance(dim, (tuple, list)) and not len(dim) else dim


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over the same dims."""
    v, m = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return M.SafeSqrt.apply(v), m


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm over ``dim`` (all elements by default): 'fro' and 2 are sqrt(sum(x^2)), 1 is
    sum(|x|), inf and -inf are max and min of |x|, 0 counts the non-zeros.

    At x = 0 the 2-norm's gradient is 0, as torch defines it.
    """
    if isinstance(p, str) and (p != "fro" or isinstance(dim, (tuple, list)) and len(dim) > 2):
        _matrix_norm_checks(input, dim)  # (torch's norm passes these to linalg.matrix_norm)
    if not input.dtype.is_floating_point:  # (the input's dtype, before any dtype= cast)
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {KERNEL_NAMES[input.dtype.name]}")
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but "
                           f"got {KERNEL_NAMES[dtype.name]}")
    if dtype is not None and dtype.itemsize < input.dtype.itemsize:
        raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({KERNEL_NAMES[input.dtype.name]}"
                           f") should be convertible without narrowing to the specified dtype "
                           f"({KERNEL_NAMES[dtype.name]})")
    x = input if dtype is None else input.to(dtype)
    axes = wrap_dims(dim, x.ndim)
    if p in ("fro", 2, 2.0, None):
        return R.EuclideanNorm.apply(x, dim=axes, keepdim=keepdim)
    if p == "nuc":
        raise NotImplementedError("norm(p='nuc') is not supported")
    if p == float("inf"):
        return x.abs().amax(dim=axes, keepdim=keepdim)
    if p == -float("inf"):
        return x.abs().amin(dim=axes, keepdim=keepdim)
    if p == 0:
        return (x != 0).to(x.dtype).sum(dim=axes, keepdim=keepdim)
    if p == 1:
        return x.abs().sum(dim=axes, keepdim=keepdim)
    return (x.abs() ** p).sum(dim=axes, keepdim=keepdim) ** (1.0 / p)


def _matrix_norm_checks(input, dim):
    """linalg.matrix_norm's checks on its input and dims, in its order."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {KERNEL_NAMES[input.dtype.name]}")
    if input.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dims = [dim] if isinstance(dim, int) else list(range(input.ndim)) if dim is None else dim
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dims)}")


def all(input, dim=None, keepdim=False):
    """True where every element (along ``dim``, an int or a tuple) is non-zero."""
    return _logical(input, dim, keepdim, "all")


def any(input, dim=None, keepdim=False):
    """True where some element (along ``dim``, an int or a tuple) is non-zero."""
    return _logical(input, dim, keepdim, "any")


def _logical(input, dim, keepdim, name):
    xp = input.device.xp
    data = input._data
    if data.dtype != xp.bool:
        data = data != 0
    axes = wrap_dims(dim, input.ndim)  # (checked on a 0-d tensor too)
    if not input.ndim:
        axes = None
    out = getattr(xp, name)(data, axis=axes, keepdims=keepdim)
    return Tensor._make(_as_uint8_if(out, input), None)  # uint8 stays uint8, as in torch


def count_nonzero(input, dim=None):
    """How many elements (along ``dim``) are non-zero, as int64."""
    xp = input.device.xp
    axes = wrap_dims(_all_if_empty(dim), input.ndim)  # (checked on a 0-d tensor too)
    if not input.ndim:
        axes = None
    return Tensor._make(xp.sum(xp.astype(input._data != 0, xp.int64), axis=axes), None)


median_result = values_indices_type("median")


def median(input, dim=None, keepdim=False):
    """The lower median (of all elements, or ``(values, indices)`` along ``dim``); the gradient
    goes to the median element, as in torch."""
    xp = input.device.xp
    if dim is not None:
        wrap_dim(dim, input.ndim)  # (checked before the dtype)
    if dim is not None and input.ndim and not input.shape[wrap_dim(dim, input.ndim)]:
        raise IndexError(f"median(): Expected reduction dim {wrap_dim(dim, input.ndim)} to have "
                         f"non-zero size.")
    if input.dtype is backend.bool_:
        kernel = "median_cpu" if dim is None else "median_out"
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    if dim is None:
        flat = input.reshape(-1)
        index = _median_index(flat._data, 0, xp)
        return gather(flat, 0, Tensor._make(index, None)).reshape(())
    d = wrap_dim(dim, input.ndim)
    x = input if input.ndim else input.reshape(1)
    index = Tensor._make(_median_index(x._data, d, xp), None)
    values = gather(x, d, index)
    if not keepdim or not input.ndim:
        values, index = values.squeeze(d), index.squeeze(d)
    return median_result(values, index)


def _median_index(data, d, xp):
    """Where the lower median of each line along ``d`` is (keeping ``d``, of size 1): the
    middle of a stable sort, or, in a line with a NaN, its first NaN (the median is NaN
    then, as in torch; the sort puts NaNs last, in their order)."""
    order = backend.argsort(data, d)
    n = data.shape[d]
    k = (n - 1) // 2
    index = order[(slice(None),) * d + (slice(k, k + 1), ...)]
    if not xp.isdtype(data.dtype, "real floating"):
        return index
    nans = xp.sum(xp.astype(xp.isnan(data), xp.int64), axis=d, keepdims=True)
    if not bool(xp.any(nans)):
        return index
    return xp.take_along_axis(order, xp.where(nans > 0, n - nans, k), axis=d)


def _cumulative_extreme(input, dim, largest, name):
    xp = input.device.xp
    d = wrap_dim(dim, input.ndim)
    x = input if input.ndim else input.reshape(1)
    data = x._data
    n = data.shape[d]
    best, where = None, []
    at = [slice(None)] * data.ndim
    for i in range(n):  # a pass per position along dim, each over everything else
        at[d] = slice(i, i + 1)
        v = data[tuple(at)]
        if best is None:
            best, index = v, xp.zeros(v.shape, dtype=xp.int64)
        else:
            better = (v >= best) if largest else (v <= best)  # a tie moves to the later one
            better = better | xp.isnan(v) if xp.isdtype(v.dtype, "real floating") else better
            best = xp.where(better, v, best)
            index = xp.where(better, xp.full(v.shape, i, dtype=xp.int64), index)
        where.append(index)
    indices = Tensor._make(xp.concat(where, axis=d) if where else xp.zeros(data.shape,
                                                                             dtype=xp.int64), None)
    values = gather(x, d, indices)
    cls = _CUMMAX if largest else _CUMMIN
    if not input.ndim:
        return cls(values.reshape(()), indices.reshape(()))
    return cls(values, indices)


_CUMMAX, _CUMMIN = values_indices_type("cummax"), values_indices_type("cummin")


def cummax(input, dim):
    """(values, indices) of the running maximum along ``dim``."""
    return _cumulative_extreme(input, dim, True, "cummax")


def cummin(input, dim):
    """(values, indices) of the running minimum along ``dim``."""
    return _cumulative_extreme(input, dim, False, "cummin")


METHODS = {name: globals()[name] for name in (
    "prod cumsum cumprod logcumsumexp var std norm all any count_nonzero median cummax "
    "cummin").split()}
__all__ = list(METHODS) + ["var_mean", "std_mean"]
