"""Average pooling and adaptive pooling layers, and their functional forms.

(MaxPool2d is in ``layers.py``.) ``avg_pool2d`` averages each ``kernel_size`` window;
the adaptive forms choose their windows so that the output has ``output_size`` (a global
average pool is ``AdaptiveAvgPool2d(1)``).
"""
from ..backend import device_of
from ..promotion import refuse_integral
from ..ops import pool as P
from ..ops.resample import Separable2D
from ..ops.conv import _pool_out_size
from ..tensor import Tensor
from .module import Module

__all__ = ["avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d"]


def _pair(value, name, fn):
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = (value[0], value[0])
        if len(value) == 2:
            return tuple(value)
    raise RuntimeError(f"{fn}: {name} must either be a single int, or a tuple of two ints")


def _batched(input, fn):
    """(N, C, H, W) from a 3-D or 4-D input, and whether to drop the batch dim after."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim not in (3, 4) or 0 in tuple(input.shape[-3:]):
        raise RuntimeError(f"{fn}: non-empty 3D or 4D (batch mode) tensor expected for input, "
                           f"but got input of size: {list(input.shape)}")
    return (input.unsqueeze(0), True) if input.ndim == 3 else (input, False)


def _divisors(size, out, kernel, stride, pad, count_include_pad):
    """Per output position along one axis: the window's length counting the padding (but
    not what ceil_mode adds beyond it), or only the part inside the input."""
    lengths = []
    for i in range(out):
        start = i * stride - pad
        end = min(start + kernel, size + pad)
        if not count_include_pad:
            start, end = max(start, 0), min(end, size)
        lengths.append(end - start)
    return lengths


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each ``kernel_size`` window of ``input`` (N, C, H, W) or (C, H, W), windows
    ``stride`` apart (default ``kernel_size``), over zero ``padding`` that the mean counts
    unless ``count_include_pad=False``; ``divisor_override`` replaces the window size."""
    x, unbatched = _batched(input, "avg_pool2d")
    if x.dtype.name != "int64":  # (torch has a float kernel, and one for int64 alone)
        refuse_integral("avg_pool2d", x)
    kernel = _pair(kernel_size, "kernel_size", "avg_pool2d")
    stride = kernel if stride is None or stride == [] or stride == () else \
        _pair(stride, "stride", "avg_pool2d")
    pad = _pair(padding, "padding", "avg_pool2d")
    if kernel[0] <= 0 or kernel[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if stride[0] <= 0 or stride[1] <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {stride[0]} "
                           f"dW: {stride[1]}")
    if pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2 or min(pad) < 0:
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but "
                           f"got padW = {pad[1]}, padH = {pad[0]}, kW = {kernel[1]}, "
                           f"kH = {kernel[0]}")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    h, w = x.shape[-2:]
    ho = _pool_out_size(h, kernel[0], pad[0], stride[0], 1, ceil_mode)
    wo = _pool_out_size(w, kernel[1], pad[1], stride[1], 1, ceil_mode)
    if ho < 1 or wo < 1:
        raise RuntimeError(f"Given input size: ({x.shape[1]}x{h}x{w}). Calculated output size: "
                           f"({x.shape[1]}x{ho}x{wo}). Output size is too small")
    bottom = max(0, (ho - 1) * stride[0] + kernel[0] - h - pad[0])
    right = max(0, (wo - 1) * stride[1] + kernel[1] - w - pad[1])
    if divisor_override is not None:
        divisor = divisor_override
    else:
        rows = _divisors(h, ho, kernel[0], stride[0], pad[0], count_include_pad)
        cols = _divisors(w, wo, kernel[1], stride[1], pad[1], count_include_pad)
        if len(set(rows)) == 1 and len(set(cols)) == 1:
            divisor = rows[0] * cols[0]  # every window the same size: a scalar
        else:
            xp = device_of(x._data).xp
            divisor = xp.asarray([[r * c for c in cols] for r in rows], dtype=x._data.dtype)
    out = P.AvgPool2D.apply(x, kernel=kernel, stride=stride, pads=(pad[0], bottom, pad[1], right),
                            out_size=(ho, wo), divisor=divisor)
    if x.dtype.name == "int64":  # (torch's int64 kernel divides as integers, truncating)
        out = out.trunc().to(x.dtype)
    return out[0] if unbatched else out


def _adaptive_size(output_size, x, fn):
    size = _pair(output_size, "output_size", fn)
    size = tuple(x.shape[-2 + i] if s is None else s for i, s in enumerate(size))
    if min(size) < 0:
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{size[0]}, {size[1]}}}")
    return size


def adaptive_avg_pool2d(input, output_size):
    """Average pooling whose windows are chosen so that the output is ``output_size``
    (an int, or a pair whose None entries keep the input's size)."""
    x, unbatched = _batched(input, "adaptive_avg_pool2d")
    refuse_integral("adaptive_avg_pool2d", x)
    (ho, wo), xp = _adaptive_size(output_size, x, "adaptive_avg_pool2d"), x.device.xp
    rows = P.averaging_matrix(xp, x.shape[-2], ho, x._data.dtype)
    cols = P.averaging_matrix(xp, x.shape[-1], wo, x._data.dtype)
    out = Separable2D.apply(x, rows, cols)
    return out[0] if unbatched else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling whose windows are chosen so that the output is ``output_size``; with
    ``return_indices``, also where each maximum is (row * W + column in its plane)."""
    x, unbatched = _batched(input, "adaptive_max_pool2d")
    refuse_integral("adaptive_max_pool2d", x)
    index = [] if return_indices else None
    out = P.AdaptiveMaxPool2D.apply(x, out_size=_adaptive_size(output_size, x,
                                                               "adaptive_max_pool2d"),
                                    index_out=index)
    if unbatched:
        out = out[0]
    if not return_indices:
        return out
    idx = Tensor._make(index[0], None)
    return out, (idx[0] if unbatched else idx)


class AvgPool2d(Module):
    """The mean of each ``kernel_size`` window; ``stride`` defaults to the kernel size."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` whatever the input's size."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed ``output_size`` whatever the input's size."""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"
