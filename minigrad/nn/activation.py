"""Activation layers beyond ReLU/Sigmoid/Tanh, and their ``nn.functional`` forms.

Primitives (one op each, in ``minigrad/ops/activation.py``): leaky_relu, elu/selu/celu,
hardtanh/relu6, hardswish, softplus, exact gelu, prelu (a primitive for torch's second
derivative at x = 0). Composites (short formulas of other ops, whose gradients the engine
derives): silu, mish, softsign, gelu's tanh form.
``inplace=True`` is accepted and printed, but results are computed out of place.
"""
import math

from ..ops import activation as A
from ..promotion import refuse_integral
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus",
           "hardtanh", "relu6", "hardswish", "softsign", "prelu"]

# SELU's constants (Klambauer et al. 2017), as PyTorch spells them
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ----------------------------------------------------------------- functional


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    refuse_integral("leaky_relu_cpu", input)
    return A.LeakyReLU.apply(input, negative_slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    refuse_integral("elu_cpu", input)
    return A.ELU.apply(input, alpha=alpha)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with PyTorch's fixed alpha ~ 1.6733 and scale ~ 1.0507."""
    refuse_integral("elu_cpu", input)
    return A.ELU.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def celu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x / alpha) - 1)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    refuse_integral("elu_cpu", input)
    return A.ELU.apply(input, alpha=alpha, input_scale=1 / alpha)


def gelu(input, approximate="none"):
    """x * Phi(x) (Phi the standard normal CDF); ``approximate='tanh'`` uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    refuse_integral("GeluKernelImpl", input)
    if approximate == "none":
        return A.GELU.apply(input)
    if approximate != "tanh":
        raise RuntimeError(f"approximate argument must be either none or tanh. (got "
                           f"'{approximate}')")
    inner = (input + input * input * input * 0.044715) * math.sqrt(2 / math.pi)
    return input * 0.5 * (inner.tanh() + 1)


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish)."""
    refuse_integral("silu_cpu", input)
    return input * input.sigmoid()


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x where beta x > threshold."""
    refuse_integral("softplus_cpu", input)
    return A.Softplus.apply(input, beta=beta, threshold=threshold)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    refuse_integral("mish_cpu", input)
    return input * softplus(input).tanh()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val] (gradient 0 on the edges)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    _refuse_bool_hardtanh(input)
    if input.dtype.name == "uint8" and (min_val < 0 or max_val < 0):
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    return A.Hardtanh.apply(input, min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):
    """min(max(x, 0), 6): hardtanh(x, 0, 6)."""
    _refuse_bool_hardtanh(input)
    return A.Hardtanh.apply(input, min_val=0.0, max_val=6.0, nan_passes=True)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    refuse_integral("hardswish_cpu", input)
    return A.Hardswish.apply(input)


def _refuse_bool_hardtanh(input):
    """hardtanh keeps integer dtypes but has no bool kernel."""
    if input.dtype.name == "bool":
        raise RuntimeError("Bool inputs not supported for hardtanh")


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def prelu(input, weight):
    """x if x > 0 else weight * x, with one weight per channel (dim 1) or one for all."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    refuse_integral("prelu_cpu", input)
    n = weight.numel()
    if n == 1:
        weight = weight.reshape(())  # one slope for everything: the output keeps x's shape
    else:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if input.ndim == 0 or n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
        weight = weight.reshape((n,) + (1,) * (input.ndim - 2))
    return A.PReLU.apply(input, weight)


# ----------------------------------------------------------------- modules


def _inplace_str(inplace, first):
    """How PyTorch prints ``inplace``: only when True, after a comma unless it is alone."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}{_inplace_str(self.inplace, False)}"


class ELU(Module):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}{_inplace_str(self.inplace, False)}"


class CELU(ELU):
    """x if x > 0 else alpha * (exp(x / alpha) - 1)."""

    def forward(self, input):
        return celu(input, self.alpha)


class SELU(Module):
    """scale * elu(x, alpha) with SELU's fixed constants (self-normalising networks)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return selu(input)

    def extra_repr(self):
        return _inplace_str(self.inplace, True)


class GELU(Module):
    """x * Phi(x); ``approximate='tanh'`` for the tanh approximation."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class _InplaceOnly(Module):
    """An activation whose only option is ``inplace``."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return _inplace_str(self.inplace, True)


class SiLU(_InplaceOnly):
    """x * sigmoid(x)."""

    def forward(self, input):
        return silu(input)


class Mish(_InplaceOnly):
    """x * tanh(softplus(x))."""

    def forward(self, input):
        return mish(input)


class Hardswish(_InplaceOnly):
    """x * relu6(x + 3) / 6."""

    def forward(self, input):
        return hardswish(input)

    def extra_repr(self):
        return ""


class Softplus(Module):
    """log(1 + exp(beta x)) / beta (x itself where beta x > threshold)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x clamped to [min_val, max_val]."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None,
                 max_value=None):
        super().__init__()
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        self.inplace = inplace
        if not self.max_val > self.min_val:
            raise AssertionError("max_val must be greater than min_val")

    def forward(self, input):
        return hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" \
               f"{_inplace_str(self.inplace, False)}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_str(self.inplace, True)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input):
        return softsign(input)


class PReLU(Module):
    """x if x > 0 else a * x, with ``a`` learned: one value, or one per channel
    (``num_parameters`` = the channels, dim 1 of the input), initialised to ``init``."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        from ..creation import empty
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self):
        from . import init
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"
