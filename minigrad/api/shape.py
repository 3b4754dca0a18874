"""Cutting, joining, repeating and rearranging with torch's names. Only flip and roll are ops
of their own (ops/reorder.py); the rest are views, indexing, reshape and expand, whose
backward the engine already knows."""
import math as _math

import numpy as np

from .. import backend
from ..ops import elementwise as E, reorder as R
from ..promotion import KERNEL_NAMES
from ..tensor import Tensor, _tensor_arg
from .common import wrap_dim, wrap_dims
from .index import index_select


def _along(input, d, key):
    """input[..., key, ...] with ``key`` at axis ``d``."""
    return input[(slice(None),) * d + (key,)]


def narrow(input, dim, start, length):
    """The ``length`` elements from ``start`` along ``dim`` (start may be negative)."""
    _at_least_1d(input, "narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if start < 0:
        start += n
    if not 0 <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _along(input, d, slice(start, start + length))


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (the last one smaller), or of the listed sizes."""
    _at_least_1d(tensor, "split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size == 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = ([min(size, n - s) for s in range(0, n, size)] if size else []) or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(_along(tensor, d, slice(start, start + s)))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` equal pieces along ``dim`` (the last may be smaller)."""
    _at_least_1d(input, "chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input.shape[wrap_dim(dim, input.ndim)]
    if not n:  # (an empty dim: ``chunks`` empty pieces, as torch gives)
        return split(input, [0] * chunks, dim)
    return split(input, max(_math.ceil(n / chunks), 1), dim)


def tensor_split(input, indices_or_sections, dim=0):
    """Pieces at the given indices (each piece ``input[a:b]`` along dim, Python's slicing:
    negative indices count from the end), or ``n`` pieces whose sizes differ by at most one."""
    _at_least_1d(input, f"tensor_split expected at least a 1-dimensional tensor, but got a "
                        f"tensor with {input.ndim} dims")
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        return split(input, sizes, d)
    bounds = [0] + [min(max(i + n if i < 0 else i, 0), n) for i in indices_or_sections] + [n]
    return tuple(_along(input, d, slice(a, max(a, b))) for a, b in zip(bounds, bounds[1:]))


def _at_least_1d(input, message):
    if not input.ndim:
        raise RuntimeError(message)


def unbind(input, dim=0):
    """The slices along ``dim``, that dim removed."""
    d = wrap_dim(dim, input.ndim)
    return tuple(_along(input, d, i) for i in range(input.shape[d]))


def flip(input, dims):
    """Reverse the order of elements along ``dims``."""
    dims = wrap_dims(dims if isinstance(dims, (tuple, list)) else (dims,), input.ndim)
    if not input.ndim:
        return input.clone()
    return R.Flip.apply(input, dims=dims)


def fliplr(input):
    """flip(input, (1,)): left and right swapped."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """flip(input, (0,)): up and down swapped."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def roll(input, shifts, dims=None):
    """Shift elements along ``dims`` by ``shifts``, wrapping around (all elements if no dims)."""
    if dims is None:
        return roll(input.reshape(-1), shifts, 0).reshape(input.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    return R.Roll.apply(input, shifts=shifts, dims=tuple(wrap_dim(d, input.ndim) for d in dims))


def _sizes(args):
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along dim i (leading new dims allowed)."""
    sizes = _sizes(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    target = [r * s for r, s in zip(sizes, shape)]
    if any(n < 0 for n in target):  # (-1 times an empty dim is 0: allowed, as in torch)
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(target)}: "
                           f"{target}")
    interleaved = [n for s in shape for n in (1, s)]
    expanded = [n for r, s in zip(sizes, shape) for n in (r, s)]
    return input.reshape(interleaved).expand(expanded).reshape(
        tuple(r * s for r, s in zip(sizes, shape)))


def tile(input, dims):
    """repeat, with ``dims`` padded with leading 1s when shorter than the tensor's dims."""
    dims = tuple(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times, in place;
    ``repeat_interleave(repeats)`` alone repeats the indices 0, 1, ... (``repeats`` 1-d)."""
    if repeats is None:
        if input.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        index_dtype = "int32" if input.dtype.name == "int32" else "int64"  # (repeats' dtype)
        positions = np.arange(input.shape[0], dtype=index_dtype)
        input, repeats = Tensor._of(backend.from_numpy(positions, input.device)), input
    if isinstance(repeats, Tensor) and repeats.dtype.name not in ("int64", "int32"):
        raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                  f"'{KERNEL_NAMES[repeats.dtype.name]}'")
    if isinstance(repeats, int) and repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if isinstance(repeats, Tensor) and repeats.numel() and bool((repeats < 0).any()):
        raise RuntimeError("repeats can not be negative")
    if dim is None:
        input, dim = input.reshape(-1), 0
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    counts = backend.to_numpy(repeats._data) if isinstance(repeats, Tensor) else repeats
    counts = np.asarray(counts, dtype=np.int64).reshape(-1)
    if counts.size != 1 and counts.size != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {counts.size} and input.size({d}) = {n}")
    counts = np.broadcast_to(counts, (n,))
    if output_size is not None and output_size != int(counts.sum()):
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected "
                           f"{int(counts.sum())} but got {output_size}")
    positions = np.repeat(np.arange(n), counts)
    return index_select(input, d, Tensor._of(backend.from_numpy(positions, input.device)))


def _diag_index(n, offset, device):
    """(rows, cols) of the ``offset``-th diagonal of an n x n matrix."""
    i = np.arange(n)
    return (Tensor._of(backend.from_numpy(i, device)),
            Tensor._of(backend.from_numpy(i + offset, device)))


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset``-th diagonal of the matrices in dims (dim1, dim2), as the last dim."""
    d1, d2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rest = [a for a in range(input.ndim) if a not in (d1, d2)]
    x = input.permute(rest + [d1, d2])
    rows, cols = x.shape[-2], x.shape[-1]
    start_r, start_c = max(-offset, 0), max(offset, 0)
    n = max(min(rows - start_r, cols - start_c), 0)
    # element (r, c) sits at r * cols + c of each flattened matrix: a diagonal is every
    # (cols + 1)-th one
    positions = (start_r * cols + start_c) + np.arange(n) * (cols + 1)
    flat = x.reshape(tuple(x.shape[:-2]) + (rows * cols,))
    return index_select(flat, -1, Tensor._of(backend.from_numpy(positions, input.device)))


def diag(input, diagonal=0):
    """A vector's matrix with it on the ``diagonal``-th diagonal, or a matrix's diagonal."""
    if input.ndim == 2:
        return globals()["diagonal"](input, diagonal)
    if input.ndim != 1:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " f"{input.ndim}D")
    n = input.shape[0]
    m = n + abs(diagonal)
    xp = input.device.xp
    r = np.arange(m)[:, None]
    c = np.arange(m)[None, :]
    on = (c - r) == diagonal
    source = np.where(on, np.minimum(r, c), 0)  # which element of input sits at (r, c)
    index = Tensor._of(backend.from_numpy(source.reshape(-1), input.device))
    picked = index_select(input, 0, index).reshape(m, m) if n else input.reshape(0, 0)
    zero = Tensor._make(xp.zeros((), dtype=input._data.dtype), None)
    return E.Where.apply(backend.from_numpy(on, input.device), picked, zero)


def _triangle(input, diagonal, lower, name):
    if not isinstance(diagonal, int):
        raise TypeError(f"{name}(): argument 'diagonal' (position 1) must be int, not "
                        f"{type(diagonal).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = input.shape[-2], input.shape[-1]
    offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]
    keep = offset <= diagonal if lower else offset >= diagonal
    zero = Tensor._make(input.device.xp.zeros((), dtype=input._data.dtype), None)
    return E.Where.apply(backend.from_numpy(keep, input.device), input, zero)


def tril(input, diagonal=0):
    """The lower triangle (on and below the ``diagonal``-th diagonal); zeros above."""
    return _triangle(input, diagonal, True, "tril")


def triu(input, diagonal=0):
    """The upper triangle (on and above the ``diagonal``-th diagonal); zeros below."""
    return _triangle(input, diagonal, False, "triu")


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (ints or sequences); the others keep
    their order."""
    src = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    dst = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = [wrap_dim(d, input.ndim) for d in src]
    dst = [wrap_dim(d, input.ndim) for d in dst]
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            listed = list(given) if isinstance(given, (tuple, list)) else [given]
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({listed})")
    if not input.ndim:  # (dim 0 and -1 name a 0-d tensor's one place)
        return input.reshape(())
    order = [None] * input.ndim
    for s, t in zip(src, dst):
        order[t] = s
    rest = iter(a for a in range(input.ndim) if a not in src)
    return input.permute([o if o is not None else next(rest) for o in order])


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    """transpose(axis0, axis1)."""
    return input.transpose(wrap_dim(axis0, input.ndim), wrap_dim(axis1, input.ndim))


swapdims = swapaxes


def unflatten(input, dim, sizes):
    """Dim ``dim`` split into ``sizes`` (one may be -1)."""
    if not len(sizes):
        raise RuntimeError("unflatten: sizes must be non-empty")
    d = wrap_dim(dim, input.ndim)
    _at_least_1d(input, f"Dimension specified as {dim} but tensor has no dimensions")
    sizes = tuple(sizes)
    known = _math.prod(s for s in sizes if s != -1)
    if -1 not in sizes and known != input.shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {d} ({input.shape[d]}) in the input tensor")
    if sizes.count(-1) == 1 and known and input.shape[d] % known == 0:
        # (-1 from the dim's own size: reshape cannot infer it when another dim is empty)
        sizes = tuple(input.shape[d] // known if s == -1 else s for s in sizes)
    return input.reshape(tuple(input.shape[:d]) + tuple(sizes) + tuple(input.shape[d + 1:]))


def unfold(input, dimension, size, step):
    """Every window of ``size`` elements, ``step`` apart, along ``dimension``: that dim becomes
    the window count and a new last dim holds each window."""
    d = wrap_dim(dimension, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if not input.ndim:  # (torch: the one window of a 0-d tensor, ``size`` long)
        return input.reshape(1)[:size]
    windows = (n - size) // step + 1
    positions = (np.arange(windows)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
    picked = index_select(input, d, Tensor._of(backend.from_numpy(positions, input.device)))
    shape = tuple(input.shape[:d]) + (windows, size) + tuple(input.shape[d + 1:])
    return movedim(picked.reshape(shape), d + 1, -1)


def broadcast_to(input, size):
    """expand(size)."""
    return input.expand(tuple(size))


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to (RuntimeError when they don't)."""
    try:
        return backend.CPU.xp.broadcast_shapes(*(tuple(s) if isinstance(s, (tuple, list))
                                                 else (s,) for s in shapes))
    except ValueError as e:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: "
                           f"{list(shapes)}") from e


def broadcast_tensors(*tensors):
    """The tensors expanded to their common shape."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors; ``indexing`` 'ij' (the default) or 'xy'."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    indexing = indexing or "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got a {t.ndim}D tensor of shape {list(t.shape)}")
    shape = tuple(t.numel() for t in tensors)
    grids = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[i] = -1
        grids.append(t.reshape(view).expand(shape))
    if indexing == "xy" and len(tensors) >= 2:  # x varies along columns: swap the first two dims
        grids = [g.transpose(0, 1) for g in grids]
    return tuple(grids)


def type_as(input, other):
    """input converted to other's dtype."""
    return input.to(_tensor_arg(other, "type_as", 2).dtype)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along ``dim``: x[1:] - x[:-1], n times (``prepend`` and
    ``append`` are joined on first); bools give x[1:] != x[:-1]."""
    from ..functions import cat
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = wrap_dim(dim, input.ndim)
    parts = [t if t.ndim else t.reshape([1] * input.ndim).expand(
        tuple(1 if d == dim else s for d, s in enumerate(input.shape)))
        for t in (prepend, input, append) if t is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        size = x.shape[dim]
        if size == 0:
            break
        hi, lo = x.narrow(dim, 1, size - 1), x.narrow(dim, 0, size - 1)
        x = hi != lo if x.dtype is backend.bool_ else hi - lo
    return x


def _atleast(tensors, nd, shape_of):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(_atleast(tuple(tensors[0]), nd, shape_of))
    out = tuple(t if t.ndim >= nd else t.reshape(shape_of(tuple(t.shape))) for t in tensors)
    return out[0] if len(out) == 1 else out


def atleast_1d(*tensors):
    """The tensor(s) with at least one dim (a 0-d tensor becomes shape (1,))."""
    return _atleast(tensors, 1, lambda s: (1,))


def atleast_2d(*tensors):
    """The tensor(s) with at least two dims: () -> (1, 1), (n,) -> (1, n)."""
    return _atleast(tensors, 2, lambda s: (1,) * (2 - len(s)) + s)


def atleast_3d(*tensors):
    """The tensor(s) with at least three dims: () -> (1, 1, 1), (n,) -> (1, n, 1),
    (m, n) -> (m, n, 1)."""
    return _atleast(tensors, 3, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)])


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by k * 90 degrees in the plane of ``dims``, from the first dim toward the
    second (a flip and a transpose: the gradient is the inverse rotation)."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (wrap_dim(d, input.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return flip(input, [d1]).transpose(d0, d1)
    if k == 2:
        return flip(input, [d0, d1])
    if k == 3:
        return flip(input, [d0]).transpose(d0, d1)
    return input.clone()


def block_diag(*tensors):
    """The tensors (0-d, 1-d as one row, or 2-d) along the diagonal of a matrix of zeros."""
    from .. import creation, promotion
    from ..functions import cat
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
    dtype = promotion.result_type(*tensors) if tensors else None
    blocks = [t.reshape(1, 1) if t.ndim == 0 else t.reshape(1, -1) if t.ndim == 1 else t
              for t in tensors]
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        r, c = b.shape
        device = b.device
        rows.append(cat([creation.zeros(r, left, dtype=dtype, device=device), b.to(dtype),
                         creation.zeros(r, width - left - c, dtype=dtype, device=device)], 1))
        left += c
    if not rows:
        return creation.zeros(1, 0)  # (as torch)
    return cat(rows, 0)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-d tensor, as rows (one tensor: itself)."""
    from ..functions import stack
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], 1)


def kron(input, other):
    """The Kronecker product: out[i*B + j] = input[i] * other[j] in every dim (the fewer dims
    are padded with leading 1s), a broadcast product reshaped."""
    if not isinstance(input, Tensor):
        raise TypeError(f"kron(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    _tensor_arg(other, "kron", 2)
    nd = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (nd - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.ndim) + tuple(other.shape))
    a2 = a.reshape(tuple(x for n in a.shape for x in (n, 1)))
    b2 = b.reshape(tuple(x for n in b.shape for x in (1, n)))
    return (a2 * b2).reshape(tuple(m * n for m, n in zip(a.shape, b.shape)))


METHODS = {name: globals()[name] for name in (
    "narrow split chunk tensor_split unbind flip fliplr flipud roll repeat tile "
    "repeat_interleave diagonal diag tril triu movedim moveaxis swapaxes swapdims unflatten "
    "unfold broadcast_to type_as diff rot90 kron").split()}
__all__ = [n for n in METHODS if n not in ("repeat", "unfold", "type_as")] + [
    "broadcast_shapes", "broadcast_tensors", "meshgrid", "atleast_1d", "atleast_2d",
    "atleast_3d", "block_diag", "cartesian_prod"]
