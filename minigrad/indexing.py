"""How PyTorch reads an index ``x[key]``, as keys the array library understands.

``__getitem__`` and ``__setitem__`` both call ``index_key``. PyTorch's rules differ from
NumPy's in a few places, all handled here:

- A list is an index tensor, ``x[[0, 2]]``; a list of bools is a mask, ``x[[True, False,
  True]]``; but a list holding a slice, ``None``, ``...``, a tensor or another sequence
  is read as a tuple, ``m[[[0, 1], [1, 2]]]`` is ``m[[0, 1], [1, 2]]`` (PyTorch's legacy rule).
- A uint8 tensor is a mask (PyTorch warns that this is deprecated), as a bool tensor is.
- An int, or a 0-d integer tensor, selects: it is applied before the index tensors,
  so it never moves their dimension to the front. ``x[0, :, idx]`` on a (2, 3, 4)
  tensor is (3, len(idx)) in PyTorch, where NumPy, which counts the 0 as an index array
  separated from ``idx`` by the slice, gives (len(idx), 3). When ints and index tensors
  meet, ``index_key`` returns the ints as a first, basic key to apply before the rest.
- Negative slice steps raise, as in PyTorch.
"""
import warnings

import numpy as np

from . import autograd, backend

_STEP_ERROR = "step must be greater than zero"


def index_key(key, like):
    """``(select, key)``: index ``like`` with ``select`` first when it is not None, then
    with ``key``. ``select`` (ints and full slices) only appears when ints meet index
    arrays; it is a basic index, so ``like._data[select]`` is a view that a write reaches.
    """
    parts = key if type(key) is tuple or _list_as_tuple(key) else (key,)
    out = []
    has_int = has_array = False
    for k in parts:
        t = type(k)
        if t is slice:
            if k.step is not None and k.step <= 0:
                raise ValueError(_STEP_ERROR if k.step else "slice step cannot be zero")
        elif t is int:
            has_int = True
        elif k is None or k is Ellipsis or t is bool:
            pass
        elif isinstance(k, autograd.Tensor):
            k = _tensor_index(k, like)
            if type(k) is int:
                has_int = True
            else:
                has_array = True
        elif isinstance(k, (list, tuple)):
            k = _list_index(k, like)
            has_array = True
        elif isinstance(k, np.integer):
            k, has_int = int(k), True
        elif backend.is_array(k):
            has_array = True
        out.append(k)
    if has_int and has_array:
        return _split_selects(out)
    if len(out) == 1 and backend.is_array(out[0]):
        if like.ndim == 0 and backend.dtype_of(out[0]) is not backend.bool_:
            raise IndexError("too many indices for tensor of dimension 0")
        return None, out[0]  # a single index array (integer or boolean mask)
    if len(out) < like.ndim and not has_array and Ellipsis not in out:
        out.append(Ellipsis)  # the Array API wants every axis spelled out
    return None, tuple(out)


def _list_as_tuple(key):
    """PyTorch reads a list as a tuple of indices when it holds a slice, None, ..., a
    tensor or another sequence (and has fewer than 32 items); otherwise as one index."""
    if type(key) is not list or len(key) >= 32:
        return False
    return any(k is None or k is Ellipsis or isinstance(k, (slice, list, tuple, autograd.Tensor))
               or backend.is_array(k) for k in key)


def _list_index(k, like):
    """A (nested) list as an index array: bools make a mask, ints an int64 index."""
    arr = np.asarray(k)
    if arr.size == 0:
        arr = arr.astype(np.int64)
    elif arr.dtype != np.bool_:
        if arr.dtype.kind not in "iu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        arr = arr.astype(np.int64)
    return backend.from_numpy(arr, like.device)


def _tensor_index(k, like):
    """A tensor index as an array: a 0-d integer tensor is an int; uint8 is a mask."""
    if k.device != like.device:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                           f"two devices, {like.device} and {k.device}!")
    dt = k.dtype
    if dt.is_floating_point:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if dt is backend.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead.", UserWarning, stacklevel=4)
        return k._data != 0
    if dt is not backend.bool_ and k.ndim == 0:
        return int(k.item())
    return k._data


def _split_selects(parts):
    """Apply the ints first (a basic key of ints and full slices), then the rest."""
    select, rest = [], []
    for k in parts:
        if type(k) is int:
            select.append(k)
            continue
        rest.append(k)
        if k is Ellipsis:
            select.append(Ellipsis)
        elif type(k) is slice:
            select.append(slice(None))
        elif backend.is_array(k):  # a mask spans as many dims as it has
            select.extend([slice(None)] * (k.ndim if backend.dtype_of(k) is backend.bool_ else 1))
        # None and Python bools add a dim of the result: they take none of the input's
    if Ellipsis not in select:
        select.append(Ellipsis)  # so that selecting every dim still gives a (0-d) view
    return tuple(select), tuple(rest)
