"""Generators for ops whose arguments depend on the input's shape and on one another: an
index within a dim (gather, index_select, scatter ...), sizes that divide or sum to a dim
(chunk, split, unflatten, group_norm), matching inner dims (mm, bmm, attention), a kernel no
larger than the image (pooling, conv1d, conv_transpose2d), a normalised shape that ends the
input's (layer_norm).

Each generator is ``(gen, inp) -> (args, kwargs)``, with ``inp`` the tensor input drawn so far
(a fresh TensorSpec, or the hint of a program's first step, so that these ops chain after
another one). An op that needs a rank the input does not have draws an input of its own (and
now and then keeps the unfit one, so that the errors are compared too). Arguments are valid
most of the time; now and then one is out of range (an index, a dim, a size), so that the
error's type is compared as well.
"""
import math

import numpy as np

from .programs import FLOAT_DTYPES, DtypeSpec, TensorSpec, _ndim, _shape

ON_INPUT = {}


def _register(*names):
    def add(fn):
        for name in names:
            ON_INPUT[name] = fn
        return fn
    return add


def _both(name):
    """The function and the method form of an op: ``gather`` and ``Tensor.gather``."""
    return name, f"Tensor.{name}"


# ------------------------------------------------------------------ small pieces


def _axis(shape, dim):
    """``dim`` as a non-negative axis of ``shape`` (a 0-d tensor has one, of size 1), or None
    when it is out of range."""
    n = max(len(shape), 1)
    return dim % n if isinstance(dim, int) and -n <= dim < n else None


def _size(shape, axis):
    return shape[axis] if axis is not None and axis < len(shape) else 1


def _bad(g):
    """Whether to draw an invalid argument this time."""
    return g.draw.chance(0.05)


def _indices(g, shape, n, dtype="int64"):
    """An int tensor of ``shape`` whose values index a dim of size ``n`` (now and then one
    out of range, or negative)."""
    count = int(np.prod(shape)) if shape else 1
    vals = [g.draw.int(0, n - 1) if n else 0 for _ in range(count)]
    if count and (_bad(g) or not n):
        vals[g.draw.int(0, count - 1)] = g.draw.choice((n, -1, -n - 1, n + 2))
    if _bad(g):
        dtype = g.draw.choice(("int32", "float64", "bool"))
    return TensorSpec(np.array(vals, dtype=np.int64).astype(np.dtype(dtype)).reshape(shape),
                      dtype)


def _fit(g, inp, ndims, shape=None, dtype=None):
    """``inp`` if it has one of the ranks ``ndims`` (and the float dtype ``dtype`` asks for),
    else a fresh tensor of ``shape`` (drawn by the caller) -- now and then the unfit ``inp``
    anyway, whose error is compared."""
    fits = _ndim(inp) in ndims and (dtype is None or inp.dtype in FLOAT_DTYPES)
    if fits or g.draw.chance(0.04):
        return inp
    return g.tensor(shape, dtype or g.tensor_dtype())


def _float_dtype(g):
    """The program's dtype when it is a float one, else (mostly) a float one: what an nn op
    computes in (an int input now and then, whose error is compared)."""
    if g.dtype in FLOAT_DTYPES or g.draw.chance(0.05):
        return g.dtype
    return g.draw.choice(FLOAT_DTYPES)


def _small(g, lo=1, hi=3):
    return g.draw.int(lo, hi)


def _reduction(g, kwargs, options=("mean", "sum", "none")):
    if g.draw.chance(0.6):
        kwargs["reduction"] = g.draw.choice(options)


# ------------------------------------------------------------------ indexing along a dim


@_register(*_both("gather"))
def _gather(g, inp):
    shape = _shape(inp)
    dim = g.dim(_ndim(inp))
    axis = _axis(shape, dim)
    n = _size(shape, axis)
    if not shape:
        index_shape = ()
    else:  # index.size(d) <= input.size(d) for d != dim; any size along dim
        index_shape = tuple(g.draw.int(0, 3) if d == axis else
                            (s if g.draw.chance(0.7) else g.draw.int(0, s))
                            for d, s in enumerate(shape))
    return [inp, dim, _indices(g, index_shape, n)], {}


def _scatter_shapes(g, inp):
    shape = _shape(inp)
    dim = g.dim(_ndim(inp))
    axis = _axis(shape, dim)
    if not shape:
        return dim, (), (), 1
    index_shape = tuple(g.draw.int(0, s) if d != axis else g.draw.int(0, 3)
                        for d, s in enumerate(shape))
    src_shape = tuple(s if g.draw.chance(0.8) else s + 1 for s in index_shape)
    return dim, index_shape, src_shape, _size(shape, axis)


@_register(*_both("scatter"), "Tensor.scatter_")
def _scatter(g, inp):
    dim, index_shape, src_shape, n = _scatter_shapes(g, inp)
    index = _indices(g, index_shape, n)
    if g.draw.chance(0.3):
        kwargs = {"value": g.scalar()}
        if g.draw.chance(0.2):
            kwargs["reduce"] = g.draw.choice(("add", "multiply"))
        return [inp, dim, index], kwargs
    src = g.tensor(src_shape, g.tensor_dtype())
    kwargs = {"reduce": g.draw.choice(("add", "multiply"))} if g.draw.chance(0.1) else {}
    return [inp, dim, index, src], kwargs


@_register(*_both("scatter_add"), "Tensor.scatter_add_")
def _scatter_add(g, inp):
    dim, index_shape, src_shape, n = _scatter_shapes(g, inp)
    return [inp, dim, _indices(g, index_shape, n), g.tensor(src_shape, g.tensor_dtype())], {}


def _index_vector(g, n):
    length = g.draw.int(0, 3)
    shape = (length,) if not g.draw.chance(0.15) else ()
    return _indices(g, shape, n)


@_register(*_both("index_select"))
def _index_select(g, inp):
    shape = _shape(inp)
    dim = g.dim(_ndim(inp))
    return [inp, dim, _index_vector(g, _size(shape, _axis(shape, dim)))], {}


@_register(*_both("index_add"), "Tensor.index_add_")
def _index_add(g, inp):
    shape = _shape(inp)
    dim = g.dim(_ndim(inp))
    axis = _axis(shape, dim)
    index = _index_vector(g, _size(shape, axis))
    k = index.array.size
    src_shape = tuple(k if d == axis else s for d, s in enumerate(shape)) if shape else \
        index.array.shape
    if _bad(g):
        src_shape = src_shape + (1,)
    kwargs = {"alpha": g.scalar()} if g.draw.chance(0.3) else {}
    return [inp, dim, index, g.tensor(src_shape, g.tensor_dtype())], kwargs


@_register(*_both("take_along_dim"))
def _take_along_dim(g, inp):
    shape = _shape(inp)
    if g.draw.chance(0.3):  # no dim: indices into the flattened input
        n = int(np.prod(shape)) if shape else 1
        return [inp, _indices(g, g.shape(2), n)], {}
    dim = g.dim(_ndim(inp))
    axis = _axis(shape, dim)
    # (the other dims broadcast against the input's)
    index_shape = tuple(g.draw.int(0, 3) if d == axis else (s if g.draw.chance(0.8) else 1)
                        for d, s in enumerate(shape))
    return [inp, _indices(g, index_shape, _size(shape, axis)), dim], {}


def _mask(g, inp):
    mask = g.tensor(g.partner_shape(_shape(inp)), "bool", grad=False)
    if _bad(g):
        mask = TensorSpec(mask.array.astype(np.uint8), "uint8")
    return mask


@_register(*_both("masked_fill"), "Tensor.masked_fill_")
def _masked_fill(g, inp):
    value = g.scalar() if g.draw.chance(0.6) else g.tensor((), g.tensor_dtype())
    return [inp, _mask(g, inp), value], {}


@_register(*_both("masked_select"))
def _masked_select(g, inp):
    return [inp, _mask(g, inp)], {}


@_register(*_both("narrow"))
def _narrow(g, inp):
    shape = _shape(inp)
    dim = g.dim(_ndim(inp))
    n = _size(shape, _axis(shape, dim))
    start = g.draw.int(-n, n) if not _bad(g) else g.draw.choice((n + 1, -n - 1))
    length = g.draw.int(0, n - (start % n if n and start < 0 else start)) \
        if not _bad(g) and start <= n else g.draw.int(0, n + 1)
    if g.draw.chance(0.1):  # start as a 0-d int tensor
        start = TensorSpec(np.array(start, dtype=np.int64), "int64")
    return [inp, dim, start, length], {}


# ------------------------------------------------------------------ reordering and tiling


def _dims_list(g, ndim, k=None):
    """Distinct dims (now and then a repeated one)."""
    n = max(ndim, 1)
    pool = list(range(n))
    k = g.draw.int(0, n) if k is None else k
    dims = []
    for _ in range(min(k, n)):
        d = pool.pop(g.draw.int(0, len(pool) - 1))
        dims.append(d - n if g.draw.chance(0.3) else d)
    if dims and _bad(g):
        dims.append(dims[0])
    return tuple(dims) if g.draw.chance(0.6) else list(dims)


@_register(*_both("flip"))
def _flip(g, inp):
    return [inp, _dims_list(g, _ndim(inp))], {}


@_register(*_both("roll"))
def _roll(g, inp):
    if g.draw.chance(0.3):
        return [inp, g.draw.int(-3, 4)], {}
    dims = _dims_list(g, _ndim(inp), k=g.draw.int(1, max(_ndim(inp), 1)))
    shifts = tuple(g.draw.int(-3, 4) for _ in dims)
    if _bad(g):
        shifts = shifts + (1,)
    return [inp, shifts if len(shifts) != 1 or g.draw.chance(0.5) else shifts[0],
            dims if len(dims) != 1 or g.draw.chance(0.5) else dims[0]], {}


@_register(*_both("tile"))
def _tile(g, inp):
    reps = tuple(g.draw.choice((1, 2, 3, 0, 1)) for _ in range(g.draw.int(0, 3)))
    if _bad(g):
        reps = reps + (-1,)
    return [inp, reps], {}


@_register(*_both("movedim"), *_both("moveaxis"))
def _movedim(g, inp):
    ndim = _ndim(inp)
    if g.draw.chance(0.4):
        return [inp, g.dim(ndim), g.dim(ndim)], {}
    source = _dims_list(g, ndim)
    destination = _dims_list(g, ndim, k=len(source))
    if _bad(g):
        destination = tuple(destination) + (0,)
    return [inp, source, destination], {}


@_register(*_both("swapaxes"), *_both("swapdims"))
def _swapaxes(g, inp):
    return [inp, g.dim(_ndim(inp)), g.dim(_ndim(inp))], {}


@_register(*_both("unflatten"))
def _unflatten(g, inp):
    shape = _shape(inp)
    dim = g.dim(_ndim(inp))
    n = _size(shape, _axis(shape, dim))
    options = [(n,), (1, n), (n, 1), (-1,), (1, -1)]
    if n % 2 == 0 and n:
        options += [(2, n // 2), (2, -1), (-1, 2)]
    if _bad(g):
        options = [(n + 1,), (-1, -1), ()]
    sizes = g.draw.choice(options)
    return [inp, dim, sizes if g.draw.chance(0.7) else list(sizes)], {}


@_register("Tensor.unfold")
def _unfold(g, inp):
    shape = _shape(inp)
    dim = g.dim(_ndim(inp))
    n = _size(shape, _axis(shape, dim))
    size = g.draw.int(0, n) if not _bad(g) else n + 1
    step = g.draw.int(1, 2) if not _bad(g) else 0
    return [inp, dim, size, step], {}


# ------------------------------------------------------------------ splitting


@_register(*_both("chunk"))
def _chunk(g, inp):
    kwargs = {"dim": g.dim(_ndim(inp))} if g.draw.chance(0.6) else {}
    return [inp, g.draw.int(1, 4) if not _bad(g) else g.draw.choice((0, -1))], kwargs


@_register(*_both("split"))
def _split(g, inp):
    shape = _shape(inp)
    dim = g.dim(_ndim(inp)) if g.draw.chance(0.6) else 0
    n = _size(shape, _axis(shape, dim))
    if g.draw.chance(0.5):
        sections = g.draw.int(1, 3) if not _bad(g) else 0
    else:  # sizes that sum to the dim's size
        sections, left = [], n
        while left > 0:
            k = g.draw.int(0, left)
            sections.append(k)
            left -= k
        if _bad(g) or g.draw.chance(0.1):
            sections.append(1)
    return [inp, sections], ({"dim": dim} if dim != 0 or g.draw.chance(0.3) else {})


@_register(*_both("tensor_split"))
def _tensor_split(g, inp):
    kwargs = {"dim": g.dim(_ndim(inp))} if g.draw.chance(0.6) else {}
    if g.draw.chance(0.5):
        return [inp, g.draw.int(1, 4) if not _bad(g) else 0], kwargs
    points = sorted(g.draw.int(-1, 4) for _ in range(g.draw.int(0, 3)))
    return [inp, points if g.draw.chance(0.7) else tuple(points)], kwargs


# ------------------------------------------------------------------ selection by rank


def _rank_dim(g, inp):
    """kthvalue's and topk's ``dim`` (drawn 6 times in 10, else their default -1) as
    keyword arguments, and the size of ``inp`` along it."""
    shape = _shape(inp)
    kwargs = {}
    dim = -1
    if g.draw.chance(0.6):
        dim = kwargs["dim"] = g.dim(_ndim(inp))
    return kwargs, _size(shape, _axis(shape, dim))


@_register(*_both("kthvalue"))
def _kthvalue(g, inp):
    kwargs, n = _rank_dim(g, inp)
    if g.draw.chance(0.3):
        kwargs["keepdim"] = g.draw.chance(0.5)
    return [inp, g.draw.int(1, max(n, 1)) if not _bad(g) else g.draw.choice((0, n + 1))], kwargs


@_register(*_both("topk"))
def _topk(g, inp):
    kwargs, n = _rank_dim(g, inp)
    if g.draw.chance(0.4):
        kwargs["largest"] = g.draw.chance(0.5)
    if g.draw.chance(0.2):
        kwargs["sorted"] = True
    return [inp, g.draw.int(0, n) if not _bad(g) else n + 1], kwargs


# ------------------------------------------------------------------ arithmetic


@_register(*_both("lerp"))
def _lerp(g, inp):
    end = g.tensor(g.partner_shape(_shape(inp)), g.tensor_dtype())
    if g.draw.chance(0.5):
        weight = g.draw.choice((0.0, 0.25, 0.5, 1.0, -0.5, 2.0, math.nan))
    else:
        weight = g.tensor(g.partner_shape(_shape(inp)), g.tensor_dtype())
    return [inp, end, weight], {}


@_register(*_both("repeat_interleave"))
def _repeat_interleave(g, inp):
    shape = _shape(inp)
    kwargs = {}
    dim = None
    if g.draw.chance(0.6):
        dim = kwargs["dim"] = g.dim(_ndim(inp))
    n = int(np.prod(shape)) if dim is None else _size(shape, _axis(shape, dim))
    if g.draw.chance(0.5):
        repeats = g.draw.int(0, 3) if not _bad(g) else -1
    else:  # one count per element (or a single one)
        k = n if g.draw.chance(0.85) else g.draw.choice((1, n + 1))
        counts = [g.draw.int(0, 3) for _ in range(k)]
        if counts and _bad(g):
            counts[0] = -1
        repeats = TensorSpec(np.array(counts, dtype=np.int64), "int64")
    if g.draw.chance(0.1):
        kwargs["output_size"] = g.draw.int(0, 6)
    return [inp, repeats], kwargs


# ------------------------------------------------------------------ matrix products


def _matrix(g, inp, ndim, rows=None, dtype=None):
    shape = tuple(_small(g, 0, 3) for _ in range(ndim))
    x = _fit(g, inp, (ndim,), shape, dtype)
    return x, _shape(x)


def _inner(g, k):
    """The matching inner size (now and then one that does not match)."""
    return k if not _bad(g) else k + 1


@_register(*_both("mm"))
def _mm(g, inp):
    x, shape = _matrix(g, inp, 2)
    k = shape[-1] if shape else 1
    return [x, g.tensor((_inner(g, k), _small(g, 0, 3)), x.dtype)], {}


@_register(*_both("bmm"))
def _bmm(g, inp):
    x, shape = _matrix(g, inp, 3)
    b, k = (shape[0], shape[-1]) if len(shape) == 3 else (1, 1)
    return [x, g.tensor((b if not _bad(g) else b + 1, _inner(g, k), _small(g, 0, 3)),
                        x.dtype)], {}


@_register(*_both("mv"))
def _mv(g, inp):
    x, shape = _matrix(g, inp, 2)
    k = shape[-1] if shape else 1
    return [x, g.tensor((_inner(g, k),), x.dtype)], {}


@_register(*_both("outer"), *_both("ger"))
def _outer(g, inp):
    x, _ = _matrix(g, inp, 1)
    return [x, g.tensor((_small(g, 0, 3),), x.dtype)], {}


EINSUM = (("ij,jk->ik", ((2, 3), (3, 2))), ("ii->i", ((3, 3),)), ("ij->", ((2, 3),)),
          ("bij,bjk->bik", ((2, 1, 3), (2, 3, 2))), ("i,i->", ((3,), (3,))),
          ("ij->ji", ((2, 3),)), ("i,j->ij", ((2,), (3,))), ("...j,j->...", ((2, 3), (3,))),
          ("ij,ij->i", ((2, 3), (2, 3))), ("ii", ((2, 2),)), ("ij,kj", ((2, 3), (1, 3))))


@_register("einsum")
def _einsum(g, inp):
    equation, shapes = g.draw.choice(EINSUM)
    shapes = [tuple(s if not _bad(g) else s + 1 for s in shape) for shape in shapes]
    operands = [inp if _shape(inp) == shape else g.tensor(shape, g.tensor_dtype())
                for shape in shapes]
    if g.draw.chance(0.3):
        return [equation, operands], {}  # (the operands as one list)
    return [equation, *operands], {}


# ------------------------------------------------------------------ several tensors, dtypes


@_register("broadcast_tensors")
def _broadcast_tensors(g, inp):
    return [inp] + [g.tensor(g.partner_shape(_shape(inp)), g.tensor_dtype())
                    for _ in range(g.draw.int(0, 2))], {}


@_register("broadcast_shapes")
def _broadcast_shapes(g, inp):
    shape = _shape(inp)
    return [shape] + [g.partner_shape(shape) for _ in range(g.draw.int(0, 2))], {}


@_register("meshgrid")
def _meshgrid(g, inp):
    tensors = [inp if _ndim(inp) <= 1 else g.tensor((_small(g, 0, 3),), g.tensor_dtype())]
    tensors += [g.tensor((_small(g, 0, 3),) if not _bad(g) else (2, 2), g.tensor_dtype())
                for _ in range(g.draw.int(0, 2))]
    kwargs = {"indexing": g.draw.choice(("ij", "xy"))} if g.draw.chance(0.8) else {}
    return tensors, kwargs


@_register("eye")
def _eye(g, inp):
    args = [g.draw.int(0, 3) if not _bad(g) else -1]
    if g.draw.chance(0.5):
        args.append(g.draw.int(0, 3))
    kwargs = {"dtype": DtypeSpec(g.draw.choice(("float64", "float32", "int64", "bool")))} \
        if g.draw.chance(0.5) else {}
    return args, kwargs


DTYPE_NAMES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8",
               "bool")


@_register("promote_types", "can_cast")
def _two_dtypes(g, inp):
    return [DtypeSpec(g.draw.choice(DTYPE_NAMES)), DtypeSpec(g.draw.choice(DTYPE_NAMES))], {}


@_register("result_type")
def _result_type(g, inp):
    return [inp, g.scalar() if g.draw.chance(0.5) else g.tensor(
        g.partner_shape(_shape(inp)), g.draw.choice(("float64", "float32", "int64", "bool")))], {}


@_register("Tensor.new_tensor")
def _new_tensor(g, inp):
    data = g.tensor(g.shape(2), g.tensor_dtype(), grad=False).array.tolist()
    kwargs = {"dtype": DtypeSpec(g.draw.choice(("float64", "int64")))} if g.draw.chance(
        0.3) else {}
    return [inp, data], kwargs


# ------------------------------------------------------------------ nn.functional


def _batch(g, inp, spatial, channels=None):
    """An input (N, C, *spatial sizes) for an nn op (``spatial`` = how many spatial dims;
    the unbatched (C, ...) form now and then), in a float dtype."""
    c = channels or _small(g, 1, 3)
    shape = (_small(g, 1, 2), c) + tuple(_small(g, 1, 4) for _ in range(spatial))
    if g.draw.chance(0.15):
        shape = shape[1:]
    return _fit(g, inp, (spatial + 2,), shape, _float_dtype(g))


def _channels(x, unbatched_ndim):
    """C of an (N, C, ...) input, or of an unbatched (C, ...) one."""
    shape = _shape(x)
    if len(shape) == unbatched_ndim:
        return shape[0] if shape else 1
    return shape[1] if len(shape) > 1 else 1


def _spatial(x, k):
    shape = _shape(x)
    return shape[-k:] if len(shape) >= k else (1,) * k


def _pair(g, value):
    """An int, or now and then the same as an (h, w) pair."""
    return value if g.draw.chance(0.7) else (value, value)


@_register("F.avg_pool2d")
def _avg_pool2d(g, inp):
    x = _batch(g, inp, 2)
    h, w = _spatial(x, 2)
    k = g.draw.int(1, max(min(h, w, 3), 1))
    kwargs = {}
    if g.draw.chance(0.4):
        kwargs["stride"] = _pair(g, g.draw.int(1, 2))
    if g.draw.chance(0.4):
        kwargs["padding"] = g.draw.int(0, k // 2) if not _bad(g) else k
    if g.draw.chance(0.3):
        kwargs["ceil_mode"] = g.draw.chance(0.5)
    if g.draw.chance(0.3):
        kwargs["count_include_pad"] = g.draw.chance(0.5)
    if g.draw.chance(0.15):
        kwargs["divisor_override"] = g.draw.int(1, 3) if not _bad(g) else 0
    return [x, _pair(g, k)], kwargs


def _output_size(g, x):
    h, w = _spatial(x, 2)
    size = (g.draw.int(1, max(h, 1) + 1), g.draw.int(1, max(w, 1) + 1))
    if _bad(g):
        size = (0, -1)
    if g.draw.chance(0.3):
        return size[0]
    if g.draw.chance(0.2):
        return (None, size[1])
    return size


@_register("F.adaptive_avg_pool2d")
def _adaptive_avg_pool2d(g, inp):
    x = _batch(g, inp, 2)
    return [x, _output_size(g, x)], {}


@_register("F.adaptive_max_pool2d")
def _adaptive_max_pool2d(g, inp):
    x = _batch(g, inp, 2)
    kwargs = {"return_indices": g.draw.chance(0.5)} if g.draw.chance(0.3) else {}
    return [x, _output_size(g, x)], kwargs


def _per_channel(g, c, dtype, positive=False, grad=True):
    t = g.tensor((c,) if not _bad(g) else (c + 1,), dtype, grad=grad)
    if positive:  # (a running variance)
        t.array = np.abs(t.array)
    return t


@_register("F.batch_norm")
def _batch_norm(g, inp):
    spatial = g.draw.choice((0, 1, 2))
    x = _batch(g, inp, spatial)
    c = _channels(x, spatial + 1)
    training = g.draw.chance(0.5)
    if training and g.draw.chance(0.3):
        running = [None, None]
    else:
        running = [_per_channel(g, c, x.dtype, grad=False),
                   _per_channel(g, c, x.dtype, positive=True, grad=False)]
    kwargs = {"training": training}
    for name in ("weight", "bias"):
        if g.draw.chance(0.6):
            kwargs[name] = _per_channel(g, c, x.dtype)
    if g.draw.chance(0.3):
        kwargs["momentum"] = g.draw.choice((0.1, 0.5, 1.0))
    if g.draw.chance(0.3):
        kwargs["eps"] = g.draw.choice((1e-5, 0.1, 0.0))
    return [x, *running], kwargs


@_register("F.group_norm")
def _group_norm(g, inp):
    groups = _small(g, 1, 2)
    x = _batch(g, inp, g.draw.choice((0, 1, 2)), channels=groups * _small(g, 1, 2))
    c = _channels(x, 0)  # (group_norm takes a batch: (N, C, *))
    if _bad(g):
        groups = c + 1
    kwargs = {}
    for name in ("weight", "bias"):
        if g.draw.chance(0.5):
            kwargs[name] = _per_channel(g, c, x.dtype)
    if g.draw.chance(0.3):
        kwargs["eps"] = g.draw.choice((1e-5, 0.1, 0.0))
    return [x, groups], kwargs


@_register("F.layer_norm")
def _layer_norm(g, inp):
    x = inp if inp.dtype in FLOAT_DTYPES or g.draw.chance(0.05) else g.tensor(
        None, _float_dtype(g))
    shape = _shape(x)
    k = g.draw.int(0, len(shape))
    normalized = tuple(shape[len(shape) - k:])
    if _bad(g):
        normalized = normalized + (2,)
    kwargs = {}
    for name in ("weight", "bias"):
        if g.draw.chance(0.5):
            kwargs[name] = g.tensor(normalized, x.dtype)
    if g.draw.chance(0.3):
        kwargs["eps"] = g.draw.choice((1e-5, 0.1, 0.0))
    return [x, normalized if g.draw.chance(0.7) else list(normalized)], kwargs


@_register("F.pad")
def _pad(g, inp):
    mode = g.draw.choice(("constant", "constant", "reflect", "replicate", "circular"))
    if mode == "constant":
        x = inp
        k = g.draw.int(1, max(_ndim(x), 1))
    else:  # 1, 2 or 3 padded dims of a batched or unbatched input
        k = g.draw.int(1, 2)
        x = _fit(g, inp, (k + 1, k + 2), (_small(g, 1, 2),) * g.draw.int(1, 2) +
                 tuple(_small(g, 1, 3) for _ in range(k)), _float_dtype(g))
        k = min(k, max(_ndim(x) - 1, 1))
    sizes = _shape(x)[::-1]
    pad = []
    for i in range(k):
        n = sizes[i] if i < len(sizes) else 1
        hi = max(n - 1, 0) if mode == "reflect" else 2
        lo = -1 if mode == "constant" and n else 0
        pad += [g.draw.int(lo, hi), g.draw.int(lo, hi)]
    if _bad(g):
        pad.append(1)
    kwargs = {"mode": mode} if mode != "constant" or g.draw.chance(0.2) else {}
    if mode == "constant" and g.draw.chance(0.4):
        kwargs["value"] = g.scalar()
    return [x, tuple(pad) if g.draw.chance(0.7) else pad], kwargs


@_register("F.prelu")
def _prelu(g, inp):
    x = inp if inp.dtype in FLOAT_DTYPES or g.draw.chance(0.05) else g.tensor(
        None, _float_dtype(g))
    c = _shape(x)[1] if _ndim(x) >= 2 else 1
    n = c if g.draw.chance(0.6) else 1
    return [x, g.tensor((n,) if not _bad(g) else (n + 1,), x.dtype)], {}


@_register("F.conv1d")
def _conv1d(g, inp):
    groups = 1 if g.draw.chance(0.7) else 2
    c = groups * _small(g, 1, 2)
    x = _batch(g, inp, 1, channels=c)
    c = _channels(x, 2)
    length = _spatial(x, 1)[0]
    k = g.draw.int(1, max(min(length, 3), 1))
    w = g.tensor((groups * _small(g, 1, 2), max(c // groups, 1) if not _bad(g) else c + 1, k),
                 x.dtype)
    kwargs = {}
    if g.draw.chance(0.4):
        kwargs["bias"] = g.tensor((w.array.shape[0],), x.dtype)
    if g.draw.chance(0.3):
        kwargs["stride"] = g.draw.int(1, 2)
    if g.draw.chance(0.3):
        kwargs["padding"] = g.draw.int(0, 1) if g.draw.chance(0.8) else "same"
    if g.draw.chance(0.2):
        kwargs["dilation"] = g.draw.int(1, 2)
    if groups > 1 or g.draw.chance(0.05):
        kwargs["groups"] = groups
    return [x, w], kwargs


@_register("F.conv_transpose2d")
def _conv_transpose2d(g, inp):
    groups = 1 if g.draw.chance(0.7) else 2
    c = groups * _small(g, 1, 2)
    x = _batch(g, inp, 2, channels=c)
    c = _channels(x, 3)
    w = g.tensor((c if not _bad(g) else c + 1, _small(g, 1, 2), _small(g, 1, 3), _small(g, 1, 3)),
                 x.dtype)
    kwargs = {}
    if g.draw.chance(0.4):
        kwargs["bias"] = g.tensor((w.array.shape[1] * groups,), x.dtype)
    stride = 1
    if g.draw.chance(0.4):
        stride = kwargs["stride"] = g.draw.int(1, 2)
    if g.draw.chance(0.3):
        kwargs["padding"] = g.draw.int(0, 1)
    if g.draw.chance(0.2):  # (must be smaller than the stride or the dilation)
        kwargs["output_padding"] = g.draw.int(0, stride - 1) if not _bad(g) else stride
    if g.draw.chance(0.2):
        kwargs["dilation"] = g.draw.int(1, 2)
    if groups > 1:
        kwargs["groups"] = groups
    return [x, w], kwargs


@_register("F.cosine_similarity")
def _cosine_similarity(g, inp):
    x1 = inp if inp.dtype in FLOAT_DTYPES or g.draw.chance(0.05) else g.tensor(
        None, _float_dtype(g))
    x2 = g.tensor(g.partner_shape(_shape(x1)), x1.dtype)
    kwargs = {}
    if g.draw.chance(0.7):
        kwargs["dim"] = g.dim(max(_ndim(x1), _ndim(x2)))
    if g.draw.chance(0.3):
        kwargs["eps"] = g.draw.choice((1e-8, 0.5, 0.0))
    return [x1, x2], kwargs


@_register("F.embedding")
def _embedding(g, inp):
    vocab, width = _small(g, 1, 4), _small(g, 0, 3)
    idx = _indices(g, g.shape(2), vocab)
    w = g.tensor((vocab, width), _float_dtype(g))
    kwargs = {}
    if g.draw.chance(0.3):
        kwargs["padding_idx"] = g.draw.int(-vocab, vocab - 1) if not _bad(g) else vocab
    if g.draw.chance(0.1):
        kwargs["max_norm"] = g.draw.choice((1.0, 0.5))
    if g.draw.chance(0.1):
        kwargs["scale_grad_by_freq"] = True
    return [idx, w], kwargs


def _loss_pair(g, inp, target_values=None):
    x = inp if inp.dtype in FLOAT_DTYPES or g.draw.chance(0.05) else g.tensor(
        None, _float_dtype(g))
    t = g.tensor(_shape(x) if not _bad(g) else g.partner_shape(_shape(x)),
                 x.dtype if x.dtype in FLOAT_DTYPES else "float64", grad=g.draw.chance(0.3))
    if target_values is not None:
        t.array = target_values(t.array)
    return x, t


@_register("F.l1_loss")
def _l1_loss(g, inp):
    x, t = _loss_pair(g, inp)
    kwargs = {}
    _reduction(g, kwargs)
    return [x, t], kwargs


@_register("F.smooth_l1_loss")
def _smooth_l1_loss(g, inp):
    x, t = _loss_pair(g, inp)
    kwargs = {}
    _reduction(g, kwargs)
    if g.draw.chance(0.4):
        kwargs["beta"] = g.draw.choice((1.0, 0.5, 0.0, 2.0)) if not _bad(g) else -1.0
    return [x, t], kwargs


@_register("F.huber_loss")
def _huber_loss(g, inp):
    x, t = _loss_pair(g, inp)
    kwargs = {}
    _reduction(g, kwargs)
    if g.draw.chance(0.4):
        kwargs["delta"] = g.draw.choice((1.0, 0.5, 2.0)) if not _bad(g) else 0.0
    return [x, t], kwargs


@_register("F.kl_div")
def _kl_div(g, inp):
    log_target = g.draw.chance(0.3)
    # (log-probabilities in, probabilities -- or log-probabilities -- as the target)
    x, t = _loss_pair(g, inp, None if log_target else np.abs)
    kwargs = {}
    _reduction(g, kwargs, ("mean", "sum", "none", "batchmean"))
    if log_target or g.draw.chance(0.1):
        kwargs["log_target"] = log_target
    return [x, t], kwargs


@_register("F.binary_cross_entropy")
def _binary_cross_entropy(g, inp):
    def probabilities(a):  # (in [0, 1], NaN and all; now and then not)
        return a if _bad(g) else np.clip(np.abs(a) / 3, 0, 1)
    x, t = _loss_pair(g, inp, probabilities)
    x.array = probabilities(x.array)
    kwargs = {}
    _reduction(g, kwargs)
    if g.draw.chance(0.2):
        kwargs["weight"] = g.tensor(g.partner_shape(_shape(x)), x.dtype, grad=False)
    return [x, t], kwargs


@_register("F.scaled_dot_product_attention")
def _scaled_dot_product_attention(g, inp):
    batch = tuple(_small(g, 1, 2) for _ in range(g.draw.int(0, 2)))
    n_q, n_k, e, ev = _small(g, 1, 3), _small(g, 1, 3), _small(g, 1, 3), _small(g, 1, 3)
    dtype = _float_dtype(g)
    fits = _ndim(inp) >= 2 and inp.dtype in FLOAT_DTYPES
    q = inp if fits or g.draw.chance(0.04) else g.tensor(batch + (n_q, e), dtype)
    if _ndim(q) >= 2:
        batch, n_q, e = _shape(q)[:-2], _shape(q)[-2], _shape(q)[-1]
    k = g.tensor(batch + (n_k, e if not _bad(g) else e + 1), q.dtype)
    v = g.tensor(batch + (n_k, ev), q.dtype)
    kwargs = {}
    if g.draw.chance(0.3):
        mask = g.tensor((n_q, n_k) if g.draw.chance(0.8) else batch + (n_q, n_k),
                        "bool" if g.draw.chance(0.6) else q.dtype, grad=False)
        kwargs["attn_mask"] = mask
    elif g.draw.chance(0.2):
        kwargs["is_causal"] = True
    if g.draw.chance(0.2):
        kwargs["scale"] = g.draw.choice((0.5, 1.0, 2.0))
    return [q, k, v], kwargs
