"""Sorting and selecting with torch's names: sort, argsort, msort, topk, kthvalue, unique.

Values come from ``gather`` at the sorted positions, so their gradient goes back to the
element each value came from (a tie goes to the element the order picked).
"""

import numpy as np

from .. import backend
from ..tensor import Tensor
from .common import values_indices_type as _result, wrap_dim
from .index import gather

_SORT, _TOPK, _KTH = _result("sort"), _result("topk"), _result("kthvalue")


def _order(input, d, descending, stable):
    xp = input.device.xp
    data = input._data if input.ndim else xp.reshape(input._data, (1,))
    if data.dtype == xp.bool:
        data = xp.astype(data, xp.int8)
    return backend.argsort(data, d, descending)


def argsort(input, dim=-1, descending=False, stable=False):
    """The positions that sort ``input`` along ``dim`` (equal elements keep their order)."""
    d = wrap_dim(dim, input.ndim)
    order = _order(input, d, descending, stable)
    return Tensor._make(order if input.ndim else order[0], None)


def sort(input, dim=-1, descending=False, stable=False):
    """(values, indices): ``input`` sorted along ``dim`` (stably: equal elements keep their
    order; torch's default sort is allowed to reorder them)."""
    if isinstance(dim, bool):  # sort(x, True): descending, as torch also accepts
        dim, descending = -1, dim
    d = wrap_dim(dim, input.ndim)
    if not input.ndim:
        xp = input.device.xp
        return _SORT(input.clone(), Tensor._make(xp.zeros((), dtype=xp.int64), None))
    indices = Tensor._make(_order(input, d, descending, stable), None)
    return _SORT(gather(input, d, indices), indices)


def msort(input):
    """sort(input, dim=0).values."""
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the ``k`` largest (or smallest) elements along ``dim``."""
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if input.dtype.name == "bool":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if not input.ndim:  # (torch: a 0-d tensor's topk is the element itself, even for k = 0)
        k = 1
    x = input if input.ndim else input.reshape(1)
    order = _order(x, d, largest, True)
    index = Tensor._make(order[(slice(None),) * d + (slice(0, k), ...)], None)
    values = gather(x, d, index)
    if not input.ndim:
        return _TOPK(values.reshape(()), index.reshape(()))
    return _TOPK(values, index)


def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices) of the ``k``-th smallest element along ``dim`` (k counts from 1)."""
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if input.dtype.name == "bool" and input.ndim:  # (a 0-d one passes in torch)
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    if not n:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    x = input if input.ndim else input.reshape(1)
    order = _order(x, d, False, True)
    index = Tensor._make(order[(slice(None),) * d + (slice(k - 1, k), ...)], None)
    values = gather(x, d, index)
    if not keepdim or not input.ndim:
        values, index = values.squeeze(d), index.squeeze(d)
    return _KTH(values, index)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements, sorted; optionally where each element went and how many of each
    there were (no gradient, as in torch)."""
    if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool)):
        raise TypeError(f"unique_dim(): argument 'dim' (position 2) must be int, not "
                        f"{type(dim).__name__}")
    if dim is not None and not input.numel() and any(
            n == 0 for i, n in enumerate(input.shape) if i != dim % max(input.ndim, 1)):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                           "cannot be applied")
    host = backend.to_numpy(input._data)
    found = np.unique(host, return_inverse=return_inverse, return_counts=return_counts,
                      axis=dim)
    found = found if isinstance(found, tuple) else (found,)
    out = [Tensor._make(backend.from_numpy(np.ascontiguousarray(found[0]), input.device), None)]
    rest = list(found[1:])
    if return_inverse:
        inverse = rest.pop(0)
        if dim is None:
            inverse = inverse.reshape(host.shape)
        out.append(Tensor._make(backend.from_numpy(inverse.astype(np.int64), input.device), None))
    if return_counts:
        out.append(Tensor._make(backend.from_numpy(rest.pop(0).astype(np.int64), input.device),
                                None))
    return out[0] if len(out) == 1 else tuple(out)


METHODS = {name: globals()[name] for name in
           "argsort sort msort topk kthvalue unique".split()}
__all__ = list(METHODS)
