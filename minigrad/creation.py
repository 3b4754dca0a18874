"""Making tensors: from data, filled with a value, or random (PyTorch's signatures)."""
import numpy as np

from . import autograd, backend
from .tensor import Tensor, _to_array


def _finish(arr, requires_grad):
    t = Tensor._make(arr, None)
    if autograd.is_inference_mode_enabled():
        t._vc = None  # an inference tensor
    if requires_grad:
        t.requires_grad_(True)
    return t


def _on(arr, device):
    """A NumPy array on ``device`` (or on the default device, ``set_default_device``)."""
    return backend.from_numpy(arr, backend.device(device or backend.default_device))


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (floats become float32, ints int64)."""
    arr = _to_array(data, dtype, device or backend.default_device)
    if backend.is_array(data) or isinstance(data, Tensor):
        arr = backend.device_of(arr).xp.asarray(arr, copy=True)
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and dtype in (None, data.dtype) and device in (None, data.device):
        return data
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A CPU tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return Tensor._of(ndarray)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    dev = backend.device(device or backend.default_device)
    if dtype is None:
        dtype = (backend.bool_ if isinstance(fill_value, bool) else backend.int64
                 if isinstance(fill_value, int) else backend.default_float)
    if isinstance(fill_value, float) and not dtype.is_floating_point and \
            dtype is not backend.bool_ and not np.isfinite(fill_value):
        raise RuntimeError(f"value cannot be converted to type {dtype.name}_t without overflow")
    xp = dev.xp
    arr = xp.full(_size((size,)) if isinstance(size, int) else tuple(size), fill_value,
                  dtype=backend.backend_dtype(dtype, xp))
    return _finish(arr, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return full(_size(size), 0.0, dtype or backend.default_float, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return full(_size(size), 1.0, dtype or backend.default_float, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _like(t, fill, dtype, device, requires_grad):
    return full(t.shape, fill, dtype or t.dtype, device or t.device, requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    return _like(input, 1, dtype, device, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return _like(input, fill_value, dtype, device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, end, step))
        dtype = backend.int64 if ints else backend.default_float
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    arr = np.arange(start, end, step).astype(dtype.name)
    return _finish(_on(arr, device), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    arr = np.linspace(start, end, steps).astype((dtype or backend.default_float).name)
    return _finish(_on(arr, device), requires_grad)


def _random(values, dtype, device, requires_grad):
    arr = values.astype((dtype or backend.default_float).name)
    return _finish(_on(arr, device), requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    rng = generator.rng if generator is not None else backend.get_rng()
    return _random(rng.random(_size(size)), dtype, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    rng = generator.rng if generator is not None else backend.get_rng()
    return _random(rng.standard_normal(_size(size)), dtype, device, requires_grad)


def randint(low=0, high=None, size=None, generator=None, dtype=None, device=None):
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)``, as torch's two overloads."""
    if size is None and high is not None and not isinstance(high, int):
        low, high, size = 0, low, high  # randint(high, size)
    elif high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if not low < high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    rng = generator.rng if generator is not None else backend.get_rng()
    arr = rng.integers(low, high, size=tuple(size)).astype((dtype or backend.int64).name)
    return _finish(_on(arr, device), False)


def randperm(n, generator=None, dtype=None, device=None):
    rng = generator.rng if generator is not None else backend.get_rng()
    arr = rng.permutation(n).astype((dtype or backend.int64).name)
    return _finish(_on(arr, device), False)


class Generator:
    """A seeded source of random numbers (``minigrad.Generator().manual_seed(0)``)."""

    def __init__(self, device="cpu"):
        self.device = backend.device(device)
        self.rng = np.random.default_rng()
        self._seed = None

    def manual_seed(self, seed):
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed


def manual_seed(seed):
    """Seed the global generator (used by init, randn, Dropout, DataLoader shuffling)."""
    backend.manual_seed(int(seed))
    return None
