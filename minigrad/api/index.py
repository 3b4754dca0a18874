"""Indexing along a dimension with torch's names: gather, scatter, index_select, masks, nonzero."""
import numpy as np

from .. import backend
from ..ops import elementwise as E, index as I
from ..tensor import Tensor
from .common import check_bounds, wrap_dim


def _index_array(index, like, what):
    if not isinstance(index, Tensor):
        index = Tensor(backend.from_numpy(__import__("numpy").asarray(index, dtype="int64"),
                                          like.device))
    if index.dtype.is_floating_point or index.dtype.name == "bool":
        raise RuntimeError(f"{what}(): Expected dtype int64 for index")
    return index.data


def gather(input, dim, index, *, sparse_grad=False):
    """out[i][j] = input[index[i][j]][j] (dim 0), or input[i][index[i][j]] (dim 1) ..."""
    d = wrap_dim(dim, input.ndim)
    idx = _index_array(index, input, "gather")
    if idx.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    check_bounds(idx, input.shape[d] if input.ndim else 1, d)
    return I.Gather.apply(input, dim=d, index=idx)


def take_along_dim(input, indices, dim=None):
    """gather, broadcasting indices against input; dim=None works on the flattened input."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    return gather(input, dim, indices)


def _scatter_args(input, dim, index, src, what):
    d = wrap_dim(dim, input.ndim)
    idx = _index_array(index, input, what)
    if idx.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    check_bounds(idx, input.shape[d], d)
    return d, idx


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with src (a tensor or a number) written at index along dim."""
    if reduce is not None:
        if reduce != "add":
            raise NotImplementedError(f"scatter(reduce={reduce!r}) is not supported")
        return scatter_add(input, dim, index, src)
    src = value if src is None else src
    d, idx = _scatter_args(input, dim, index, src, "scatter")
    if isinstance(src, Tensor):
        src = src.to(input.dtype)  # written into input: it takes input's dtype, as in torch
    return I.Scatter.apply(input, src, dim=d, index=idx)


def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along dim (repeated positions add up)."""
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
    shape = [1] * input.ndim
    shape[d] = idx.shape[0]
    full = Tensor._make(xp.broadcast_to(xp.reshape(idx, tuple(shape)), tuple(source.shape)), None)
    return scatter_add(input, d, full, source * alpha if alpha != 1 else source)


def masked_fill(input, mask, value):
    """input with ``value`` where mask is True (mask broadcasts)."""
    m = mask.data if isinstance(mask, Tensor) else mask
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
    out = E.Where.apply(m, value, input)
    if tuple(out.shape) != tuple(input.shape):
        raise RuntimeError(f"The size of the mask {tuple(mask.shape)} must be broadcastable to "
                           f"the input's {tuple(input.shape)}")
    return out


_C_NAMES = {"int64": "long int", "int32": "int", "uint8": "unsigned char", "float32": "float",
            "float64": "double", "int16": "short int", "int8": "signed char"}


def masked_select(input, mask):
    """The elements of input where mask is True, as a vector (mask and input broadcast)."""
    m = mask if isinstance(mask, Tensor) else Tensor(mask)
    shape = backend.device_of(input.data).xp.broadcast_shapes(tuple(input.shape), tuple(m.shape))
    return input.expand(shape)[m.expand(shape)]


def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or one vector per dim."""
    xp = input.device.xp
    data = input.data if input.ndim else xp.reshape(input.data, (1,))
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
        return self.copy_(fn(self.detach(), *args, **kwargs))
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
