"""Checking ``dim`` arguments the way PyTorch does, in one place.

Every op that takes a dimension (reductions, softmax, flatten, squeeze, unsqueeze,
permute, transpose, cat, stack, ...) passes it through ``wrap_dim`` or ``wrap_dims``:
a dim in ``[-ndim, ndim)`` becomes a non-negative axis, anything else raises PyTorch's
``IndexError``. A 0-d tensor accepts ``0`` and ``-1``, as if it had one dimension.
"""
import operator


def wrap_dim(dim, ndim):
    """``dim`` as an axis in ``[0, ndim)`` (``0`` for a 0-d tensor), or PyTorch's IndexError.

    Ops that create a dimension (``unsqueeze``, ``stack``) pass ``ndim + 1``.
    """
    n = ndim if ndim > 0 else 1
    dim = operator.index(dim)  # a float or a tensor of several elements is a TypeError
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def wrap_dims(dim, ndim):
    """The axes a reduction runs over, sorted: ``None``, ``()`` or ``[]`` mean all of them.

    A 0-d tensor has no axes to reduce (``dim=0`` or ``-1`` is still checked). A dim named
    twice raises PyTorch's RuntimeError.
    """
    if dim is None:
        return tuple(range(ndim))
    if not isinstance(dim, (tuple, list)):
        axis = wrap_dim(dim, ndim)
        return (axis,) if ndim else ()
    if len(dim) == 0:
        return tuple(range(ndim))
    axes = [wrap_dim(d, ndim) for d in dim]
    for i, a in enumerate(axes):
        if a in axes[:i]:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    return tuple(sorted(axes)) if ndim else ()
