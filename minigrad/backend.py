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
"""
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


float32 = dtype("float32", True, 4)
float64 = dtype("float64", True, 8)
int64 = dtype("int64", False, 8)
int32 = dtype("int32", False, 4)
uint8 = dtype("uint8", False, 1)
bool_ = dtype("bool", False, 1)
DTYPES = {d.name: d for d in (float32, float64, int64, int32, uint8, bool_)}
default_float = float32


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
        else:
            raise TypeError(f"not a backend array: {type(array).__name__}")
    return d


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


# -------------------------------------------------------------- random numbers
# Random numbers are drawn on the host and moved: the same seed gives the same
# numbers on every device, which makes cross-device tests exact.

_rng = np.random.default_rng(0)


def manual_seed(seed):
    global _rng
    _rng = np.random.default_rng(seed)


def get_rng():
    return _rng


# ------------------------------------------------------------------ fast paths


def scatter_add(target, index, values):
    """``target[index] += values`` where repeated indices add up (in place).

    NumPy: ``np.add.at``; CuPy: ``cupyx.scatter_add``; elsewhere a loop over the
    index entries (standard-only, used by the strict test device with small data).
    """
    d = device_of(target)
    if d is CPU:
        np.add.at(target, index, values)
        return target
    if d.type == "cuda":  # pragma: no cover - needs a GPU
        import cupyx
        cupyx.scatter_add(target, index, values)
        return target
    return _scatter_add_standard(target, index, values)


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
    flat_values = xp.reshape(values, (-1,) + target.shape[len(key):])
    for i in range(flat_values.shape[0]):
        pos = tuple(int(k[i]) if is_array(k) else k for k in flat) + (...,)
        target[pos] += flat_values[i, ...]
    return target
