"""Indexing along a dimension with torch's names: gather, scatter, index_select, masks, nonzero."""
import numpy as np

from .. import backend
from ..ops import elementwise as E, index as I
from ..tensor import Tensor
from .common import check_bounds, wrap_dim


def _index_array(index, like, what):
    if not isinstance(index, Tensor):
        index = Tensor._of(backend.from_numpy(__import__("numpy").asarray(index, dtype="int64"),
                                              like.device))
    if index.dtype.is_floating_point or index.dtype.name == "bool":
        raise RuntimeError(f"{what}(): Expected dtype int64 for index")
    return index._data


def _has_a_scalar(*tensors):
    """gather and scatter count a 0-d tensor as 1-d, as torch does: True when one of
    ``tensors`` is 0-d and the call is to be made on vectors instead."""
    return any(isinstance(t, Tensor) and t.ndim == 0 for t in tensors)


def _vector(t):
    return t.reshape(1) if isinstance(t, Tensor) and t.ndim == 0 else t


def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j] = input[index[i][j]][j] (dim 0), or input[i][index[i][j]] (dim 1) ..."""
    if _has_a_scalar(input, index) and max(input.ndim, 1) == 1:
        return gather(_vector(input), dim, _vector(index)).reshape(index.shape)
    d = wrap_dim(dim, input.ndim)
    idx = _index_array(index, input, "gather")
    if idx.ndim != input.ndim and (input.ndim or idx.ndim > 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    check_bounds(idx, input.shape[d] if input.ndim else 1, d)
    return I.Gather.apply(input, dim=d, index=idx)


def take_along_dim(input, indices, dim=None):
    """gather, broadcasting indices and input against each other in every dim but ``dim``;
    dim=None works on the flattened input."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if indices.dtype.name != "int64":
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_KERNEL.get(indices.dtype.name, indices.dtype.name)}")
    if not input.ndim:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, input.ndim)
    if indices.ndim != input.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    if input.ndim:
        shape = list(backend.device_of(input._data).xp.broadcast_shapes(
            *(tuple(t.shape[:d] + (1,) + t.shape[d + 1:]) for t in (input, indices))))
        input = input.expand(tuple(shape[:d] + [input.shape[d]] + shape[d + 1:]))
        indices = indices.expand(tuple(shape[:d] + [indices.shape[d]] + shape[d + 1:]))
    n = input.shape[d]
    return gather(input, d, indices + (indices < 0).to(indices.dtype) * n)  # (-1: the last)


def _scatter_args(input, dim, index, src, what):
    d = wrap_dim(dim, input.ndim)
    idx = _index_array(index, input, what)
    if idx.ndim != input.ndim and (input.ndim or idx.ndim > 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    check_bounds(idx, input.shape[d] if input.ndim else 1, d)
    return d, idx


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with src (a tensor or a number) written at index along dim."""
    if reduce is not None:
        if reduce != "add":
            raise NotImplementedError(f"scatter(reduce={reduce!r}) is not supported")
        if src is None:  # (a number: added at every position of index)
            src = Tensor._make(backend.device_of(input._data).xp.full(
                tuple(index.shape), value, dtype=input._data.dtype), None)
        return scatter_add(input, dim, index, src)
    src = value if src is None else src
    if _has_a_scalar(input, index, src) and max(input.ndim, 1) == 1:
        return scatter(_vector(input), dim, _vector(index), _vector(src)).reshape(input.shape)
    d, idx = _scatter_args(input, dim, index, src, "scatter")
    if isinstance(src, Tensor):
        src = src.to(input.dtype)  # written into input: it takes input's dtype, as in torch
    return I.Scatter.apply(input, src, dim=d, index=idx)


def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along dim (repeated positions add up)."""
    if _has_a_scalar(input, index, src) and max(input.ndim, 1) == 1:
        return scatter_add(_vector(input), dim, _vector(index), _vector(src)).reshape(input.shape)
    d, idx = _scatter_args(input, dim, index, src, "scatter_add")
    return I.ScatterAdd.apply(input, src, dim=d, index=idx)


def index_select(input, dim, index):
    """The slices of input at positions ``index`` (a vector) along dim."""
    d = wrap_dim(dim, input.ndim)
    idx = _index_array(index, input, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = backend.device_of(idx).xp.reshape(idx, (-1,))
    size = input.shape[d] if input.ndim else 1
    if not input.ndim and idx.shape[0] != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.shape[0]} value(s)")
    host = backend.to_numpy(idx)
    if host.size and (host.max() >= size or host.min() < 0):
        raise IndexError("index out of range in self")
    x = input if input.ndim else input.reshape(1)
    out = I.IndexSelect.apply(x, dim=d, index=idx)
    return out if input.ndim else out.reshape(())


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with ``alpha * source``'s slices added at positions ``index`` along dim."""
    d = wrap_dim(dim, input.ndim)
    idx = _index_array(index, input, "index_add")
    xp = backend.device_of(idx).xp
    if idx.ndim > 1:
        raise IndexError("index_add_(): Index is supposed to be a vector")
    idx = xp.reshape(idx, (-1,))
    expected = tuple(input.shape[:d]) + (idx.shape[0],) + tuple(input.shape[d + 1:]) \
        if input.ndim else ()
    if tuple(source.shape) != expected:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")
    host = backend.to_numpy(idx)
    if host.size and (host.min() < 0 or host.max() >= (input.shape[d] if input.ndim else 1)):
        raise IndexError("index out of range in self")
    if not input.ndim:
        return index_add(input.reshape(1), 0, idx, source.reshape(-1), alpha=alpha).reshape(())
    shape = [1] * input.ndim
    shape[d] = idx.shape[0]
    full = Tensor._make(xp.broadcast_to(xp.reshape(idx, tuple(shape)), tuple(source.shape)), None)
    return scatter_add(input, d, full, source * alpha if alpha != 1 else source)


def masked_fill(input, mask, value):
    """input with ``value`` where mask is True (mask broadcasts)."""
    m = mask._data if isinstance(mask, Tensor) else mask
    if backend.dtype_of(m).name != "bool":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_NAMES.get(backend.dtype_of(m).name, backend.dtype_of(m).name)}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    if isinstance(value, Tensor):
        value = value.to(input.dtype)
    elif isinstance(value, float) and not input.dtype.is_floating_point:
        value = int(value)
    return E.Where.apply(m, value, input)  # (out of place it broadcasts, as torch's)


_KERNEL = {"int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
           "float32": "Float", "float64": "Double"}
_C_NAMES = {"int64": "long int", "int32": "int", "uint8": "unsigned char", "float32": "float",
            "float64": "double", "int16": "short int", "int8": "signed char"}


def masked_select(input, mask):
    """The elements of input where mask is True, as a vector (mask and input broadcast)."""
    m = mask if isinstance(mask, Tensor) else Tensor(mask)
    if m.dtype.name != "bool":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    try:
        shape = backend.device_of(input._data).xp.broadcast_shapes(tuple(input.shape),
                                                                  tuple(m.shape))
    except ValueError as e:
        raise RuntimeError(f"The size of the mask {tuple(m.shape)} must be broadcastable to the "
                           f"input's {tuple(input.shape)}") from e
    return input.expand(shape)[m.expand(shape)]


def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or one vector per dim."""
    xp = input.device.xp
    data = input._data if input.ndim else xp.reshape(input._data, (1,))
    found = xp.nonzero(data)
    found = [xp.astype(f, xp.int64) for f in found]
    if as_tuple:
        if not input.ndim:
            return (Tensor._make(found[0], None),)
        return tuple(Tensor._make(f, None) for f in found)
    if not input.ndim:
        return Tensor._make(xp.zeros((found[0].shape[0], 0), dtype=xp.int64), None)
    return Tensor._make(xp.stack(found, axis=1), None)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (gradients follow the choice);
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    from ..functions import where as where3
    return where3(condition, input, other)


def _where_method(self, condition, other):
    """x.where(condition, y) is where(condition, x, y)."""
    return where(condition, self, other)


def argwhere(input):
    """nonzero(input) as an (n, ndim) tensor."""
    return nonzero(input)


def _in_place(fn, name):
    """The in-place form (``masked_fill_`` ...): the result written into self with ``copy_``."""
    def method(self, *args, **kwargs):
        out = fn(self, *args, **kwargs)
        if tuple(out.shape) != tuple(self.shape):  # (a mask or index that broadcasts wider)
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(out.shape)}")
        return self.copy_(out)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place {fn.__name__}: self becomes {fn.__name__}(self, ...)."
    return method


def fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal in place (all dims equal beyond 2-d; a tall
    matrix restarts the diagonal every n + 1 rows with ``wrap``); no gradient flows there."""
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(tuple(self.shape), dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    mask = Tensor._make(backend.from_numpy(mask, self.device), None)
    if self._records(fill_value):
        return self._rebase(masked_fill(self, mask, fill_value))
    return self.copy_(masked_fill(self.detach(), mask, fill_value))


METHODS = {name: globals()[name] for name in (
    "gather take_along_dim scatter scatter_add index_select index_add masked_fill masked_select "
    "nonzero argwhere").split()}
METHODS["where"] = _where_method
METHODS.update({f"{name}_": _in_place(globals()[name], f"{name}_") for name in (
    "masked_fill", "scatter", "scatter_add", "index_add")})
METHODS["fill_diagonal_"] = fill_diagonal_
__all__ = [n for n in METHODS if not n.endswith("_")]  # (where: the function, not the method)
