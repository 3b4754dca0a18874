"""Counting and binning with torch's names: bincount, histc, bucketize, searchsorted. Their
outputs are counts or indices, without gradients (as in torch); they run on the host through
NumPy and come back on the input's device."""
import numpy as np

from .. import backend
from ..promotion import KERNEL_NAMES
from ..tensor import Tensor


def _host(t):
    return backend.to_numpy(t._data)


def _back(array, like):
    return Tensor._make(backend.from_numpy(np.array(array, order="C"), like.device), None)


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, ..., max(input) occurs in a 1-d tensor of non-negative
    integers (the sum of ``weights`` at those places, when given), at least ``minlength``."""
    if input.dtype.is_floating_point or input.dtype is backend.bool_:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{KERNEL_NAMES[input.dtype.name]}'")
    x = _host(input)
    if input.ndim != 1 or (x < 0).any():
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    w = None
    if weights is not None:
        if weights.ndim != 1 or weights.shape[0] != input.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        w = _host(weights).astype(np.float64)
    out = np.bincount(x.astype(np.int64), weights=w, minlength=minlength)
    if weights is None:
        return _back(out.astype(np.int64), input)
    dtype = "float32" if weights.dtype.name == "float32" else "float64"  # (as torch)
    return _back(out.astype(dtype), input)


def histc(input, bins=100, min=0, max=0):
    """A histogram of ``bins`` equal bins over [min, max] (both 0: the data's range, widened
    by 1 each side when it is a single value); values outside are left out, max falls in the
    last bin. Same dtype as input."""
    if not input.dtype.is_floating_point:  # (checked first, as torch does)
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{KERNEL_NAMES[input.dtype.name]}'")
    for name, v in (("min", min), ("max", max)):
        if isinstance(v, Tensor) and v.ndim:  # (a 0-d tensor passes as its number)
            raise TypeError(f"histc(): argument '{name}' must be Number, not Tensor")
    min, max = (v.item() if isinstance(v, Tensor) else v for v in (min, max))
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    x = _host(input).reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    x = x[(x >= lo) & (x <= hi)]
    index = ((x - lo) * bins / (hi - lo)).astype(np.int64)
    index[index == bins] = bins - 1
    return _back(np.bincount(index, minlength=bins).astype(input.dtype.name), input)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Where each value of ``input`` would go in the last dim of ``sorted_sequence`` to keep it
    sorted: the first such place (``right``/``side="right"``: the last). Rows of an N-d
    sequence match the leading dims of ``input``."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
        right = side == "right"
    scalar = not isinstance(input, Tensor)
    values = np.asarray(input) if scalar else _host(input)
    seq = _host(sorted_sequence)
    if sorter is not None:
        seq = np.take_along_axis(seq, _host(sorter).astype(np.int64), -1)
    if seq.ndim > 1 and (scalar or seq.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           f"the first N-1 dimensions of boundaries tensor and input value "
                           f"tensor must match, but we got boundaries tensor "
                           f"{list(seq.shape)} and input value tensor "
                           f"{list(values.shape)}")
    how = "right" if right else "left"
    if seq.ndim <= 1:
        out = np.searchsorted(seq.reshape(-1), values, side=how)
    else:
        rows, vals = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        out = np.stack([np.searchsorted(r, v, side=how) for r, v in zip(rows, vals)])
        out = out.reshape(values.shape)
    return _back(np.asarray(out).astype(np.int32 if out_int32 else np.int64),
                 sorted_sequence)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value given 1-d sorted ``boundaries``: i with
    boundaries[i-1] < x <= boundaries[i] (``right``: boundaries[i-1] <= x < boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


METHODS = {"bincount": bincount, "histc": histc}
__all__ = ["bincount", "histc", "searchsorted", "bucketize"]
