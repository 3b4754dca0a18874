"""Argument checks shared by the functions in ``minigrad.api``, with torch's error messages,
and the (values, indices) result type."""
import collections

from .. import backend

_values_indices = collections.namedtuple("values_indices", ["values", "indices"])


def values_indices_type(name):
    """The type of ``torch.sort``'s (and topk's, median's ...) result: a named pair
    ``(values, indices)`` that prints as torch's ``torch.return_types.<name>``."""
    def __repr__(self):
        return f"minigrad.return_types.{name}(\nvalues={self[0]!r},\nindices={self[1]!r})"
    return type(name, (_values_indices,), {"__module__": "minigrad.return_types",
                                           "__repr__": __repr__, "__str__": __repr__})


def wrap_dim(dim, ndim):
    """``dim`` as a non-negative axis of an ``ndim``-dimensional tensor (a scalar has one)."""
    n = max(ndim, 1)
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, not {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n if ndim else 0


def wrap_dims(dim, ndim):
    """None (every axis), an int or a sequence of ints, as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    axes = [wrap_dim(d, ndim) for d in dims]
    for i, a in enumerate(axes):
        if a in axes[:i]:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    return tuple(sorted(axes))


def check_bounds(index, size, dim):
    """Every entry of integer array ``index`` must lie in [0, size), as torch's gather and
    scatter require (no negative positions)."""
    host = backend.to_numpy(index)
    if host.size and (host.max() >= size or host.min() < 0):
        bad = int(host.max() if host.max() >= size else host.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
