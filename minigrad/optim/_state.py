"""Small helpers the optimizers share: their per-parameter state tensors, and the
in-place ``lerp_`` that PyTorch's moving averages use (so float64 runs agree to the bit)."""
from .. import backend
from ..tensor import Tensor


def step_counter(value=0.0):
    """A step count as PyTorch keeps it: a 0-d float32 tensor on the CPU."""
    return Tensor._make(backend.CPU.xp.asarray(value, dtype="float32"), None)


def zeros_like(p, fill=0.0):
    """A state tensor shaped like parameter ``p`` (on its device, in its dtype)."""
    xp = p.device.xp
    data = xp.zeros_like(p._data) if fill == 0 else xp.full_like(p._data, fill)
    return Tensor._make(data, None)


def lerp_(a, b, w):
    """a <- a + w (b - a) in place, computed the way torch.lerp does (two formulas, picked
    by whether the weight is below 1/2, so that w = 1 gives exactly b)."""
    d = b - a
    if abs(w) < 0.5:
        d *= w
        a += d
    else:
        d *= 1 - w
        a[...] = b - d


def check_non_negative(**values):
    """PyTorch's hyper-parameter checks: ``Invalid <name>: <value>`` for a negative one."""
    for name, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {name}: {value}")


def check_betas(betas):
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def no_variants(name, **flags):
    """minigrad has one implementation: refuse the variants it does not have."""
    if any(flags.values()):
        raise NotImplementedError(f"minigrad's {name} has no "
                                  f"{'/'.join(k for k, v in flags.items() if v)} variant")
