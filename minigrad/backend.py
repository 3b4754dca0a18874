"""The one place that knows which array library holds a tensor's data.

A device names an array namespace:

    "cpu"     -> NumPy (the default)
    "cuda"    -> CuPy (imported only when asked for)
    "strict"  -> array_api_strict, a minimal Array API namespace used by the tests:
                 an engine call that only NumPy has fails there long before anyone
                 runs on a GPU.

Engine code never imports NumPy at call sites; it asks a tensor for ``device.xp`` and
uses Array API functions (``xp.sum``, ``xp.matmul``, ``xp.permute_dims``...). The few
fast paths that the standard lacks (scatter-add, sliding windows) live here, each with a
standard-only fallback.

Tricks that only make the CPU faster (malloc tuning, flushing denormals, cache-sized
passes, sums as matrix products) are not here: they live in ``cpu_speed.py``.
"""
import functools

import numpy as np

# ---------------------------------------------------------------------------- dtypes


class dtype:
    """A minigrad dtype (``minigrad.float32`` ...), independent of the array library."""

    __slots__ = ("name", "is_floating_point", "itemsize")

    def __init__(self, name, is_floating_point, itemsize):
        self.name = name
        self.is_floating_point = is_floating_point
        self.itemsize = itemsize

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):  # dtypes are singletons
        return (_dtype_by_name, (self.name,))


    @property
    def is_signed(self):
        return self.name not in ("uint8", "bool")

    is_complex = False


float16 = dtype("float16", True, 2)
float32 = dtype("float32", True, 4)
float64 = dtype("float64", True, 8)
int64 = dtype("int64", False, 8)
int32 = dtype("int32", False, 4)
int16 = dtype("int16", False, 2)
int8 = dtype("int8", False, 1)
uint8 = dtype("uint8", False, 1)
bool_ = dtype("bool", False, 1)
DTYPES = {d.name: d for d in (float16, float32, float64, int64, int32, int16, int8, uint8, bool_)}
default_float = float32  # the dtype of Python floats and new float tensors (set_default_dtype)
default_device = "cpu"  # where creation functions put new tensors (set_default_device)


def _dtype_by_name(name):
    return DTYPES[name]


_dtype_caches = {}  # array type -> {backend dtype -> minigrad dtype}


def dtype_of(array):
    """The minigrad dtype of a backend array (cached per backend dtype object)."""
    cache = _dtype_caches.get(type(array))
    if cache is None:
        cache = _dtype_caches[type(array)] = {}
    key = array.dtype
    d = cache.get(key)
    if d is None:
        name = str(key).rsplit(".", 1)[-1]  # 'float32' or 'array_api_strict.float32'
        if name not in DTYPES:
            raise TypeError(f"minigrad does not support arrays of dtype {key}")
        d = cache[key] = DTYPES[name]
    return d


def backend_dtype(d, xp):
    """The namespace's dtype object for minigrad dtype ``d``."""
    return getattr(xp, d.name)


# ------------------------------------------------------- inf and nan without warnings
# IEEE arithmetic gives inf or nan for 1/0, log(0), 0/0 and overflow. NumPy also warns
# (RuntimeWarning); torch does not, and neither does minigrad: importing it sets NumPy's
# floating-point error handling to "ignore" once, here (np.seterr), which costs nothing per
# op (an np.errstate around each op would double a small op's time, and a warnings filter
# is undone by any ``warnings.catch_warnings`` block that was open during the import).
# It is NumPy's setting for the whole program (this thread); ``np.seterr(all="warn")``
# brings the warnings back.
np.seterr(all="ignore")


# --------------------------------------------------------------------------- devices


def _import_cupy():
    try:
        import cupy
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise RuntimeError(
            "device 'cuda' needs CuPy: pip install 'minigrad[cuda]' on a machine with an "
            "NVIDIA GPU") from e
    return cupy


def _import_strict():
    import array_api_strict
    return array_api_strict


_NAMESPACE_LOADERS = {"cpu": lambda: np, "cuda": _import_cupy, "strict": _import_strict}


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda')``, ``device('cuda:0')``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        type = str(type)
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in _NAMESPACE_LOADERS:
            raise RuntimeError(
                f"Expected one of cpu, cuda, strict device type at start of device string: {type}")
        if type == "cuda" and index is None:
            index = 0
        self.type = type
        self.index = index

    @property
    def xp(self):
        """The array namespace of this device (numpy, cupy or array_api_strict)."""
        ns = _namespaces.get(self.type)
        if ns is None:
            ns = _namespaces[self.type] = _NAMESPACE_LOADERS[self.type]()
        return ns

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


_namespaces = {"cpu": np}
CPU = device("cpu")
CUDA = device("cuda")
STRICT = device("strict")

# The device of an array is read off its Python type (a dict lookup, cheap per op).
_device_by_type = {np.ndarray: CPU}


def _register_optional_types():
    try:
        import array_api_strict
        _device_by_type[type(array_api_strict.asarray(0))] = STRICT
    except ImportError:
        pass


_register_optional_types()


def device_of(array):
    d = _device_by_type.get(type(array))
    if d is None:
        mod = type(array).__module__
        if isinstance(array, np.generic):  # NumPy turns 0-d results into scalars
            return CPU
        if mod.startswith("cupy"):
            _device_by_type[type(array)] = d = CUDA
        elif type(array) is tensor_type:  # a backward recording its graph (create_graph)
            return _recording_device(array)
        else:
            raise TypeError(f"not a backend array: {type(array).__name__}")
    return d


tensor_type = None  # minigrad.Tensor (set by tensor.py)


def is_recording(g):
    """Whether a backward's gradient ``g`` is a Tensor: the backward is recording its own
    graph (create_graph=True). (A first-order ``g`` is an array, or a NumPy scalar.)"""
    return type(g) is tensor_type


class _Recording:
    """What ``device_of`` says for a Tensor: the "device" of an op's backward that is
    recording its own graph (``create_graph=True``). Its ``xp`` is the Array API over
    Tensors (tensor_xp.py), so the backward's ``xp.where``, ``xp.sum`` ... are
    differentiable ops."""

    def __init__(self, dev):
        from . import tensor_xp
        self.device, self.xp = dev, tensor_xp.namespace(dev)
        self.type = dev.type


_recording = {}


def _recording_device(t):
    dev = device_of(t._data)
    r = _recording.get(dev)
    if r is None:
        r = _recording[dev] = _Recording(dev)
    return r


def on_host(array):
    """True for NumPy arrays, whose values Python can read for free.

    On a GPU, reading a value into Python (``float()``, ``bool()``, ``int()``, ``.item()``,
    an ``if`` on an array) waits until every kernel queued before it has run: a host
    synchronisation, which stops the CPU from queueing the next kernels while the GPU
    works. Inside a training step the engine makes such data-dependent decisions only
    where this is True, and computes on the device otherwise (the strict test device
    takes that path too, so CI runs it).
    """
    return type(array) is np.ndarray or isinstance(array, np.generic)


def is_array(obj):
    return type(obj) in _device_by_type or type(obj).__module__.startswith("cupy")


def coerce(obj):
    """Turn a NumPy scalar (what ``np.sum`` returns) into a 0-d array; arrays pass through."""
    if type(obj) in _device_by_type:
        return obj
    if isinstance(obj, np.generic):
        return np.asarray(obj)
    if type(obj).__module__.startswith("cupy"):
        return obj
    raise TypeError(f"expected a backend array, got {type(obj).__name__}")


def cuda_is_available():
    """True when CuPy imports and sees at least one GPU; never raises."""
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


# ----------------------------------------------------------------- moving data


def to_numpy(array):
    """A NumPy array with the same values (a copy when the data is not on the CPU)."""
    d = device_of(array)
    if d is CPU:
        return array
    if d.type == "cuda":
        return array.get()
    return np.asarray(array)  # array_api_strict supports the buffer protocol via __array__


def from_numpy(array, dev):
    """Put a NumPy array on device ``dev``."""
    if dev.type == "cpu":
        return array
    return dev.xp.asarray(array)


def move(array, dev):
    if device_of(array) == dev:
        return array
    return from_numpy(to_numpy(array), dev)


def shares_memory(a, b):
    """Whether arrays ``a`` and ``b`` may overlap in memory (a view and its base do)."""
    a, b = getattr(a, "_array", a), getattr(b, "_array", b)  # array_api_strict wraps NumPy
    if type(a) is np.ndarray and type(b) is np.ndarray:
        return bool(np.may_share_memory(a, b))
    if has_strides(a) and has_strides(b) and device_of(a) == device_of(b):
        return bool(device_of(a).xp.may_share_memory(a, b))
    return False


def is_contiguous(a):
    """Whether ``a`` lies row-major (C order) in one block of memory (always, for the
    standard, which has no memory layout)."""
    return a.flags.c_contiguous if has_strides(a) else True


# -------------------------------------------------------------- random numbers
# Random numbers are drawn on the host and moved: the same seed gives the same
# numbers on every device, which makes cross-device tests exact.

_rng = np.random.default_rng(0)
_seed = 0  # the last seed given (torch.initial_seed)


def manual_seed(seed):
    global _rng, _seed
    _rng = np.random.default_rng(seed)
    _seed = seed


def get_rng():
    return _rng


# ------------------------------------------------------------------ fast paths


def owned_copy(x):
    """A fresh row-major copy of ``x`` (nothing else holds it, so it may be updated in place)."""
    if type(x) is np.ndarray:
        return np.array(x, order="C")
    xp = device_of(x).xp
    return xp.array(x, order="C") if hasattr(xp, "ascontiguousarray") else xp.asarray(x, copy=True)


def ones_vector(like, n):
    """A vector of ``n`` ones with ``like``'s dtype, on its device, kept from call to call.

    The matrix-vector products that sum rows (a bias gradient, per-channel sums) read it
    and never write it; made afresh at every call it would be one more pass over memory,
    and on a GPU one more kernel launch, per layer and step.
    """
    return _ones_vector(device_of(like).xp, n, like.dtype, str(getattr(like, "device", "")))


@functools.lru_cache(maxsize=32)
def _ones_vector(xp, n, dtype, device):
    return xp.ones(n, dtype=dtype)


def scatter_add(target, index, values):
    """``target[index] += values`` where repeated indices add up (in place).

    NumPy: ``np.add.at``; CuPy: ``cupyx.scatter_add``; elsewhere a loop over the
    index entries (standard-only, used by the strict test device with small data).
    A backward recording its graph (create_graph, Tensors) gets a new tensor from the
    differentiable op ``AddAt`` instead, whose own backward reads ``g[index]``.
    """
    d = device_of(target)
    if d is CPU and type(values) is not tensor_type:
        np.add.at(target, index, values)
        return target
    if type(target) is tensor_type or type(values) is tensor_type:
        t = target if type(target) is tensor_type else values
        return _recording_device(t).xp.add_at(target, index, values)
    if d.type == "cuda":  # pragma: no cover - needs a GPU
        import cupyx
        cupyx.scatter_add(target, index, values)
        return target
    return _scatter_add_standard(target, index, values)


def fmod(a, b):
    """C's fmod: a - b * trunc(a / b), exactly, with the sign of ``a`` (the standard lacks it).

    Elsewhere: from the standard's ``remainder`` (the sign of ``b``), less ``b`` where the
    signs of ``a`` and ``b`` differ and the remainder is not 0.
    """
    arr = a if is_array(a) else b
    xp = device_of(arr).xp
    if hasattr(xp, "fmod"):
        return xp.fmod(a, b)
    r = xp.remainder(a, b)
    return xp.where((r != 0) & ((a < 0) != (b < 0)), r - b, r)


def argsort(x, axis, descending=False):
    """Stable argsort (equal elements keep their order), ascending or descending.

    NumPy and CuPy have no ``descending``: sort the reversed array ascending, reverse the
    result (descending, ties now in their original order) and map positions back.
    """
    xp = device_of(x).xp
    if not has_strides(x):  # the standard's argsort has descending
        return xp.argsort(x, axis=axis, descending=descending, stable=True)
    # CuPy's argsort is always stable and takes no ``stable``; NumPy's needs it
    stable = {} if type(x).__module__.startswith("cupy") else {"stable": True}
    if not descending:
        return xp.argsort(x, axis=axis, **stable)
    n = x.shape[axis]
    return (n - 1) - xp.flip(xp.argsort(xp.flip(x, axis=axis), axis=axis, **stable), axis=axis)


def einsum(spec, *arrays):
    """``np.einsum(spec, *arrays)`` (explicit "ab,bc->ac" form, each subscript once per operand).

    Elsewhere (the standard has no einsum): every operand laid out along all the subscripts,
    multiplied (broadcasting), and summed over the subscripts that the output leaves out.
    """
    xp = device_of(arrays[0]).xp
    if hasattr(xp, "einsum"):
        return xp.einsum(spec, *arrays)
    inputs, output = spec.split("->")
    inputs = inputs.split(",")
    letters = sorted(set("".join(inputs)) - set(output))
    axes = list(output) + letters
    product = None
    for sub, a in zip(inputs, arrays):
        order = sorted(range(len(sub)), key=lambda k: axes.index(sub[k]))
        a = xp.permute_dims(a, tuple(order))
        shape = [1] * len(axes)
        for k in order:
            shape[axes.index(sub[k])] = a.shape[order.index(k)]
        a = xp.reshape(a, tuple(shape))
        product = a if product is None else product * a
    if letters:
        product = xp.sum(product, axis=tuple(range(len(output), len(axes))))
    return xp.reshape(product, product.shape[:len(output)])


def _scatter_add_standard(target, index, values):
    xp = device_of(target).xp
    key = index if isinstance(index, tuple) else (index,)
    arrays = [k for k in key if is_array(k)]
    if not arrays or any(not (isinstance(k, int) or is_array(k)) for k in key):
        target[index] += values  # basic indexing: no repeats possible
        return target
    # Integer-array indexing: walk the broadcast index positions one by one.
    bshape = xp.broadcast_shapes(*(a.shape for a in arrays))
    key = [xp.broadcast_to(k, bshape) if is_array(k) else k for k in key]
    values = xp.broadcast_to(values, bshape + target.shape[len(key):])
    flat = [xp.reshape(k, (-1,)) if is_array(k) else k for k in key]
    count = 1
    for n in bshape:
        count *= n
    flat_values = xp.reshape(values, (count,) + target.shape[len(key):])  # (not -1: width 0)
    for i in range(flat_values.shape[0]):
        pos = tuple(int(k[i]) if is_array(k) else k for k in flat) + (...,)
        target[pos] += flat_values[i, ...]
    return target



# ============================================== sliding windows (im2col/col2im)
# (Convolution and pooling helpers, used by minigrad/ops/conv.py.)
#
# A convolution looks at its input through kh x kw windows. im2col copies every window
# into a column of a matrix, so that the convolution becomes a matrix product; col2im is
# its adjoint (adds each column back onto the pixels it came from).
#
# Layout trick (NumPy/CuPy speed; values and shapes are exactly PyTorch's). The window
# matrix is stored as one block per output row h: cols[h] is (C*kh*kw, Wo*N), with the
# batch as the fastest axis, so
#   * a window copy moves runs of Wo*N contiguous numbers (not Wo): NumPy's copies and
#     adds are several times faster on long runs;
#   * weight (O, C*kh*kw) @ cols is a batch of Ho cache-sized GEMMs (one matmul call),
#     fast and steady even when another process competes for the cores;
#   * the product, (Ho, O, Wo, N) in memory, IS the (N, O, Ho, Wo) result seen through
#     permuted axes (like torch's channels_last memory format): no transpose. NumPy's
#     element-wise ops keep that layout, so the next pool or conv reads it without a copy.
# With long windows (C*kh*kw of a hundred or more) one big GEMM beats the batch of small
# ones by up to 2.5x; ``k_first`` then stores the whole matrix as (C*kh*kw, Ho*Wo*N), and
# the product (O, Ho, Wo, N) is again the result through permuted axes.


def window_slice(offset, dilation, stride, out_len):
    """The input rows (or columns) that kernel offset ``offset`` sees over ``out_len`` outputs:
    offset*dilation, offset*dilation + stride, ... (``out_len`` of them)."""
    start = offset * dilation
    return slice(start, start + (out_len - 1) * stride + 1, stride)


def conv_out_size(size, kernel, stride, dilation):
    """Outputs along one axis of a (padded) input of ``size``: floor((size - d(k-1) - 1)/s) + 1."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def has_strides(array):
    """NumPy and CuPy arrays expose strides, so windows can be views; the standard can't."""
    return type(array) is np.ndarray or type(array).__module__.startswith("cupy")


def batch_fastest(x):
    """True when x's first (batch) axis is the fastest-moving one in memory (NumPy/CuPy)."""
    return has_strides(x) and (x.shape[0] == 1 or x.strides[0] == x.itemsize)


def padded_hcwn(x, pads=(0, 0, 0, 0), value=0):
    """``x`` (N, C, H, W) with ``pads`` = (top, bottom, left, right) borders of ``value``, as
    an (H', C, W', N) array (batch fastest in memory).

    Without padding, an ``x`` whose batch axis is already the fastest (what conv2d and
    max_pool2d return) is used as it is (a view); otherwise one copy.
    """
    xp = device_of(x).xp
    n, c, h, w = x.shape
    top, bottom, left, right = pads
    xt = xp.permute_dims(x, (2, 1, 3, 0))
    if not (top or bottom or left or right) and (not has_strides(x) or batch_fastest(x)):
        return xt
    shape = (top + h + bottom, c, left + w + right, n)
    out = xp.zeros(shape, dtype=x.dtype) if value == 0 else xp.full(shape, value, dtype=x.dtype)
    out[top:top + h, :, left:left + w, :] = xt
    return out


def im2col(x, kernel, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0), ones_row=False,
           k_first=False):
    """The windows of a convolution as matrices: shape (Ho, C*kh*kw, Wo*N).

    cols[h, (c, i, j), (w, n)] = padded x[n, c, h*sh + i*dh, w*sw + j*dw]: column (w, n)
    of block h is the window under output pixel (h, w) of sample n, flattened.
    ``ones_row``: one more row of ones (shape (Ho, C*kh*kw + 1, Wo*N)), the input that a
    bias multiplies when it is folded into the weight matrix.
    ``k_first``: the same numbers stored as (C*kh*kw [+ 1], Ho, Wo*N), one matrix.
    NumPy/CuPy: a strided view of all windows (no copy), then one copy into the matrix;
    elsewhere (standard only): kh*kw slices stacked, each vectorised over everything else.
    """
    xp = device_of(x).xp
    kh, kw = kernel
    sh, sw = stride
    dh, dw = dilation
    xt = padded_hcwn(x, pads)
    hp, c, wp, n = xt.shape
    ho, wo = conv_out_size(hp, kh, sh, dh), conv_out_size(wp, kw, sw, dw)
    k = c * kh * kw
    if not has_strides(xt):
        windows = xp.stack([xt[window_slice(i, dh, sh, ho), :, window_slice(j, dw, sw, wo), :]
                            for i in range(kh) for j in range(kw)], axis=2)
        if k_first:  # (Ho, C, kh*kw, Wo, N) -> (C, kh*kw, Ho, Wo, N)
            windows = xp.permute_dims(windows, (1, 2, 0, 3, 4))
        k_axis = 0 if k_first else 1
        cols = xp.reshape(windows, (k, ho, wo * n) if k_first else (ho, k, wo * n))
        if ones_row:
            ones = xp.ones((1, ho, wo * n) if k_first else (ho, 1, wo * n), dtype=x.dtype)
            cols = xp.concat([cols, ones], axis=k_axis)
        return cols
    # windows[h, c, i, j, w, n] = xt[h*sh + i*dh, c, w*sw + j*dw, n], as a view
    s_h, s_c, s_w, s_n = xt.strides
    windows = _as_strided(xt, (ho, c, kh, kw, wo, n),
                          (s_h * sh, s_c, s_h * dh, s_w * dw, s_w * sw, s_n))
    rows = k + 1 if ones_row else k
    if k_first:
        cols = xp.empty((rows, ho, wo * n), dtype=x.dtype)
        if ones_row:
            cols[k] = 1
        cols[:k].reshape(c, kh, kw, ho, wo, n)[...] = windows.transpose(1, 2, 3, 0, 4, 5)
        return cols
    cols = xp.empty((ho, rows, wo * n), dtype=x.dtype)
    if ones_row:
        cols[:, k, :] = 1
    cols[:, :k, :].reshape(windows.shape)[...] = windows  # the im2col copy (into a view)
    return cols


def im2col_per_sample(x, kernel, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0),
                      ones_row=False):
    """The windows of a convolution as one matrix per sample: (N, C*kh*kw [+ 1], Ho*Wo).

    cols[n, (c, i, j), (h, w)] = padded x[n, c, h*sh + i*dh, w*sw + j*dw]. Copied from x
    in its own (N, C, H, W) memory, runs of Wo numbers at a time; ``ones_row`` as in im2col.
    """
    xp = device_of(x).xp
    n, c, h, w = x.shape
    kh, kw = kernel
    sh, sw = stride
    dh, dw = dilation
    top, bottom, left, right = pads
    if top or bottom or left or right:
        padded = xp.zeros((n, c, top + h + bottom, left + w + right), dtype=x.dtype)
        padded[:, :, top:top + h, left:left + w] = x
        x = padded
    ho, wo = conv_out_size(x.shape[2], kh, sh, dh), conv_out_size(x.shape[3], kw, sw, dw)
    k = c * kh * kw
    if not has_strides(x):
        windows = xp.stack([x[:, :, window_slice(i, dh, sh, ho), window_slice(j, dw, sw, wo)]
                            for i in range(kh) for j in range(kw)], axis=2)
        cols = xp.reshape(windows, (n, k, ho * wo))
        if ones_row:
            cols = xp.concat([cols, xp.ones((n, 1, ho * wo), dtype=x.dtype)], axis=1)
        return cols
    s_n, s_c, s_h, s_w = x.strides
    windows = _as_strided(x, (n, c, kh, kw, ho, wo),
                          (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw))
    cols = xp.empty((n, k + 1 if ones_row else k, ho * wo), dtype=x.dtype)
    if ones_row:
        cols[:, k, :] = 1
    cols[:, :k, :].reshape(windows.shape)[...] = windows
    return cols


def col2im(cols, x_shape, kernel, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0),
           k_first=False):
    """The adjoint of ``im2col``: (Ho, C*kh*kw, Wo*N) -> (N, C, H, W), summing overlaps
    (``k_first``: from (C*kh*kw, Ho, Wo*N)).

    Every column is added back onto the pixels its window covered: kh*kw strided
    slice-adds, one per kernel offset (i, j), each over all rows, channels, columns and
    samples. Done in two stages for speed: for each column offset j, the kh row-shifted
    adds go into a (H', C, Wo*N) buffer (a shift along the outermost axis moves whole
    contiguous blocks), then the kw buffers are added at their column shifts.
    The result has the batch fastest in memory; padding rows and columns are dropped.
    """
    xp = device_of(cols).xp
    n, c, h, w = x_shape
    kh, kw = kernel
    sh, sw = stride
    dh, dw = dilation
    top, bottom, left, right = pads
    hp, wp = top + h + bottom, left + w + right
    ho, wo = conv_out_size(hp, kh, sh, dh), conv_out_size(wp, kw, sw, dw)
    if k_first:  # a view with the axes of the other layout: the adds below read it as is
        windows = xp.permute_dims(xp.reshape(cols, (c, kh, kw, ho, wo * n)), (3, 0, 1, 2, 4))
    else:
        windows = xp.reshape(cols, (ho, c, kh, kw, wo * n))
    xt = xp.zeros((hp, c, wp, n), dtype=cols.dtype)
    for j in range(kw):
        rows = xp.zeros((hp, c, wo * n), dtype=cols.dtype)
        for i in range(kh):
            rows[window_slice(i, dh, sh, ho), ...] += windows[:, :, i, j, :]
        xt[:, :, window_slice(j, dw, sw, wo), :] += xp.reshape(rows, (hp, c, wo, n))
    return xp.permute_dims(xt[top:top + h, :, left:left + w, :], (3, 1, 0, 2))


def _as_strided(array, shape, strides):
    if type(array) is np.ndarray:
        return np.lib.stride_tricks.as_strided(array, shape, strides, writeable=False)
    import cupy  # pragma: no cover - needs a GPU
    return cupy.lib.stride_tricks.as_strided(array, shape, strides)


# ------------------------------------------------------------------ special functions


def erf(x):
    """The error function, element-wise (exact GELU needs it; the Array API has none).

    NumPy: SciPy's ``erf`` when SciPy is installed; CuPy: ``cupyx.scipy.special.erf``;
    otherwise the standard-only series below (accurate to a few ulps in float64).
    """
    d = device_of(x)
    if d is CPU:
        try:
            from scipy.special import erf as scipy_erf
        except ImportError:  # pragma: no cover - SciPy comes with scikit-learn
            return _erf_standard(x)
        return scipy_erf(x).astype(x.dtype, copy=False)  # (SciPy gives float16 as float64)
    if d.type == "cuda":  # pragma: no cover - needs a GPU
        from cupyx.scipy.special import erf as cupy_erf
        return cupy_erf(x)
    return _erf_standard(x)


def erfc(x):
    """1 - erf(x), element-wise, computed directly: 1 - erf(x) would lose every digit where
    erf(x) rounds to 1 (erfc(4) = 1.5e-8 has 8 wrong digits that way, erfc(6) none left).

    NumPy: SciPy's ``erfc``; CuPy: ``cupyx.scipy.special.erfc``; otherwise 1 - erf(x) below
    x = 2 (at most 2 digits lost there) and a continued fraction above.
    """
    d = device_of(x)
    if d is CPU:
        try:
            from scipy.special import erfc as scipy_erfc
        except ImportError:  # pragma: no cover - SciPy comes with scikit-learn
            return _erfc_standard(x)
        return scipy_erfc(x).astype(x.dtype, copy=False)
    if d.type == "cuda":  # pragma: no cover - needs a GPU
        from cupyx.scipy.special import erfc as cupy_erfc
        return cupy_erfc(x)
    return _erfc_standard(x)


def _erf_standard(x):
    """erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)): every term has
    x's sign, so nothing cancels; |x| > 6 gives +-1 (erf(6) = 1 - 2e-17)."""
    import math
    xp = device_of(x).xp
    a = xp.clip(xp.abs(x), 0.0, 6.0)
    a2 = a * a
    term = a
    total = a
    for n in range(1, 160):  # the terms peak near n = a^2 and are < 1e-17 of the sum by 160
        term = term * (2 * a2 / (2 * n + 1))
        total = total + term
    out = xp.where(xp.abs(x) > 6.0, xp.ones_like(x), total * xp.exp(-a2) * (2 / math.sqrt(math.pi)))
    return xp.where(x < 0, -out, out)


def _erfc_standard(x):
    """erfc(x) = e^(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / ...)))) for
    x >= 2 (60 terms reach 1e-16 there), 1 - erf(x) below."""
    import math
    xp = device_of(x).xp
    big = xp.where(x < 2.0, xp.asarray(2.0, dtype=x.dtype), x)  # (NaN stays NaN)
    t = big
    for k in range(60, 0, -1):
        t = big + (k / 2) / t
    return xp.where(x < 2.0, 1.0 - _erf_standard(x), xp.exp(-big * big) / math.sqrt(math.pi) / t)
