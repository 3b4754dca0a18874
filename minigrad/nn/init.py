"""``minigrad.nn.init``: fill tensors in place with PyTorch's initialisation schemes.

Every function draws from minigrad's global generator (``minigrad.manual_seed``) or
from ``generator``, writes into the tensor without recording a graph, and returns it.
The schemes and their bounds are PyTorch's:

    kaiming_uniform_   U(-b, b),  b = gain * sqrt(3 / fan)
    kaiming_normal_    N(0, s^2), s = gain / sqrt(fan)
    xavier_uniform_    U(-b, b),  b = gain * sqrt(6 / (fan_in + fan_out))
    xavier_normal_     N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out))
    trunc_normal_      N(mean, std^2) restricted to [a, b]
    orthogonal_        gain * a random (semi-)orthogonal matrix (the Q of a QR)

where for a weight of shape (out, in, k1, k2, ...) fan_in = in * k1 * k2 ... and
fan_out = out * k1 * k2 ...
"""
import math
import warnings

from .. import autograd, backend

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_",
           "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_",
           "trunc_normal_", "orthogonal_"]


def calculate_gain(nonlinearity, param=None):
    """The recommended scale for weights feeding ``nonlinearity``: 1 for linear, conv and
    sigmoid; 5/3 for tanh; sqrt(2) for relu; sqrt(2 / (1 + slope^2)) for leaky_relu
    (slope 0.01 by default); 3/4 for selu."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive_field = 1
    for s in tensor.shape[2:]:
        receptive_field *= s
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _rng(generator):
    return backend.get_rng() if generator is None else generator.rng


def _write(tensor, host_values):
    """Copy host (NumPy) values into ``tensor`` in place, in the tensor's dtype."""
    values = host_values.astype(tensor.dtype.name, copy=False)
    with autograd.no_grad():
        tensor.copy_(backend.from_numpy(values, tensor.device))
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b)."""
    return _write(tensor, _rng(generator).uniform(a, b, size=tuple(tensor.shape)))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std^2)."""
    return _write(tensor, _rng(generator).normal(mean, std, size=tuple(tensor.shape)))


def constant_(tensor, val):
    """Fill with ``val``."""
    with autograd.no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def _no_elements(tensor):
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation, uniform: U(-b, b) with b = gain * sqrt(3 / fan), where ``a`` is
    the negative slope for leaky_relu. ``nn.Linear`` and ``nn.Conv2d`` use a = sqrt(5),
    which gives b = 1 / sqrt(fan_in)."""
    if _no_elements(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation, normal: N(0, s^2) with s = gain / sqrt(fan)."""
    if _no_elements(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot initialisation, uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot initialisation, normal: N(0, s^2) with s = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with N(mean, std^2) truncated to [a, b]: draws outside are drawn again (the
    distribution PyTorch's inverse-CDF method samples; the numbers differ)."""
    rng = _rng(generator)
    n = tensor.numel()
    values = rng.normal(mean, std, size=n)
    outside = (values < a) | (values > b)
    while outside.any():  # one redraw round for all the rejected ones at once
        values[outside] = rng.normal(mean, std, size=int(outside.sum()))
        outside = (values < a) | (values > b)
    return _write(tensor, values.reshape(tuple(tensor.shape)))


def orthogonal_(tensor, gain=1, generator=None):
    """Fill with a random (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2013): the
    Q of the QR decomposition of a standard normal (rows, cols) matrix, its columns' signs
    fixed by R's diagonal; dims after the first are flattened into cols."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor  # no-op
    import numpy as np
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _rng(generator).normal(0.0, 1.0, size=(rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))  # makes the decomposition unique (uniform over rotations)
    if rows < cols:
        q = q.T
    return _write(tensor, q.reshape(tuple(tensor.shape)) * gain)
