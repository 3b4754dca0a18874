"""More ways to make tensors, as torch names them: eye, logspace, ``*_like``, ``new_*``."""
import numpy as np

from .. import backend, creation
from ..tensor import Tensor, _to_array


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """An n x m matrix with ones on the diagonal."""
    m = n if m is None else m
    for name, k in (("n", n), ("m", m)):
        if k < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {k}")
    dev = backend.device(device or backend.default_device)
    d = dtype or backend.default_float
    arr = dev.xp.eye(n, m, dtype=backend.backend_dtype(d, dev.xp))
    return creation._finish(arr, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``steps`` numbers from base**start to base**end, evenly spaced in the exponent."""
    arr = np.logspace(start, end, steps, base=base).astype((dtype or backend.default_float).name)
    return creation._finish(backend.from_numpy(arr, backend.device(
        device or backend.default_device)), requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False):
    """A tensor of input's shape (filled with zeros here; torch leaves it uninitialised)."""
    return creation.zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    """Uniform [0, 1) numbers in input's shape, dtype and device."""
    return creation.rand(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                         requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    """Standard normal numbers in input's shape, dtype and device."""
    return creation.randn(*input.shape, dtype=dtype or input.dtype,
                          device=device or input.device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    """Random integers in [low, high) in input's shape (and dtype)."""
    if high is None:
        low, high = 0, low
    out = creation.randint(low, high, tuple(input.shape), dtype=dtype or input.dtype,
                           device=device or input.device)
    return out.requires_grad_(True) if requires_grad else out


def _new(self, size, fill, dtype, device, requires_grad):
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    return creation.full(tuple(int(s) for s in size), fill, dtype=dtype or self.dtype,
                         device=device or self.device, requires_grad=requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    """Ones of ``size``, with this tensor's dtype and device unless given."""
    return _new(self, size, 1, dtype, device, requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    """Zeros of ``size``, with this tensor's dtype and device unless given."""
    return _new(self, size, 0, dtype, device, requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` (zeros here), with this tensor's dtype and device unless given."""
    return _new(self, size, 0, dtype, device, requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """``fill_value`` everywhere in ``size``, with this tensor's dtype and device unless given."""
    return _new(self, (size,), fill_value, dtype, device, requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    """A copy of ``data`` with this tensor's dtype and device unless given."""
    arr = _to_array(data, dtype or self.dtype, device or self.device)
    if backend.is_array(data) or isinstance(data, Tensor):
        arr = backend.device_of(arr).xp.asarray(arr, copy=True)
    return creation._finish(arr, requires_grad)


METHODS = {name: globals()[name] for name in
           "new_ones new_zeros new_empty new_full new_tensor".split()}
__all__ = ["eye", "logspace", "empty_like", "rand_like", "randn_like", "randint_like"]
