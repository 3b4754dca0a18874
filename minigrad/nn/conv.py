"""Conv1d and ConvTranspose2d, and ``F.conv1d`` / ``F.conv_transpose2d``.

(Conv2d is in ``layers.py``.) A 1-D convolution is a 2-D one over an image one row high:
``conv1d`` adds that row axis, calls ``conv2d`` and removes it again (a composite).
A transposed convolution is its own op (``ops/conv_transpose.py``).
"""

from ..ops.conv import conv2d
from ..ops.conv_transpose import ConvTranspose
from .layers import _add_weight_and_bias, _conv_repr, _reset_weight_and_bias
from .module import Module

__all__ = ["conv1d", "conv_transpose2d"]


def _single(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of ``input`` (N, C, L) or (C, L) with ``weight`` (O, C/groups, k)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got "
                           f"input of size: {list(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"Expected 3D weight for conv1d (out_channels, in_channels/groups, "
                           f"kW), but got weight of size {list(weight.shape)}")
    pad = padding if isinstance(padding, str) else (0, _single(padding)[0])
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride)[0]), pad,
                 (1, _single(dilation)[0]), groups)
    return out.squeeze(-2)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 2-D convolution of ``input`` (N, C_in, H, W) or (C_in, H, W) with ``weight``
    (C_in, C_out, kH, kW): each input pixel spreads kernel-weighted values over a window of
    the output; the output is (H - 1) * stride - 2 * padding + dilation * (kH - 1)
    + output_padding + 1 high (likewise wide)."""
    if groups != 1:
        raise NotImplementedError("minigrad's conv_transpose2d supports groups=1 only")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to "
                           f"conv_transpose2d, but got input of size: {list(input.shape)}")
    if weight.ndim != 4:
        raise RuntimeError(f"Expected 4D weight for conv_transpose2d, but got weight of size "
                           f"{list(weight.shape)}")
    if input.shape[-3] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {weight.shape[0]} channels, but "
                           f"got {input.shape[-3]} channels instead")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"Input type ({input.dtype}) and weight type ({weight.dtype}) "
                           f"should be the same")
    stride, padding = _pair(stride), _pair(padding)
    output_padding, dilation = _pair(output_padding), _pair(dilation)
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(f"output padding must be smaller than either stride or "
                               f"dilation, but got output_padding_height: {output_padding[0]} "
                               f"output_padding_width: {output_padding[1]} stride_height: "
                               f"{stride[0]} stride_width: {stride[1]} dilation_height: "
                               f"{dilation[0]} dilation_width: {dilation[1]}")
    size = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in zip(
        input.shape[-2:], stride, padding, dilation, weight.shape[2:], output_padding)]
    if min(size) < 0:  # (0 gives an empty output, as torch's does without autograd)
        raise RuntimeError(f"Given input size per channel: ({input.shape[-2]} x "
                           f"{input.shape[-1]}). Calculated output size per channel: ({size[0]} "
                           f"x {size[1]}). Output size is too small")
    return ConvTranspose.apply(input, weight, bias, stride=stride, padding=padding,
                               output_padding=output_padding, dilation=dilation)


class _ConvBase(Module):
    def _init_weights(self, weight_shape, bias, dtype, device):
        """Weights and bias initialised as PyTorch's (see nn.layers._reset_weight_and_bias)."""
        _add_weight_and_bias(self, weight_shape, bias, dtype, device, self.out_channels)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_weight_and_bias(self.weight, self.bias)


class Conv1d(_ConvBase):
    """1-D convolution over (N, C_in, L) inputs; weight (C_out, C_in / groups, k)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode != "zeros":
            raise NotImplementedError(f"minigrad's Conv1d supports padding_mode='zeros' only "
                                      f"(got '{padding_mode}')")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _single(kernel_size), _single(stride)
        self.padding = padding if isinstance(padding, str) else _single(padding)
        self.dilation, self.groups, self.padding_mode = _single(dilation), groups, padding_mode
        self._init_weights((out_channels, in_channels // groups) + self.kernel_size, bias,
                           dtype, device)

    def forward(self, input):
        return conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                      self.groups)

    def extra_repr(self):
        return _conv_repr(self, (0,))


class ConvTranspose2d(_ConvBase):
    """Transposed 2-D convolution (a learnable upsampling); weight (C_in, C_out, kH, kW)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__()
        if groups != 1:
            raise NotImplementedError("minigrad's ConvTranspose2d supports groups=1 only")
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f'{type(self).__name__}')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _pair(kernel_size), _pair(stride)
        self.padding, self.output_padding = _pair(padding), _pair(output_padding)
        self.dilation, self.groups, self.padding_mode = _pair(dilation), groups, padding_mode
        self._init_weights((in_channels, out_channels // groups) + self.kernel_size, bias,
                           dtype, device)

    def forward(self, input, output_size=None):
        if output_size is not None:
            raise NotImplementedError("minigrad's ConvTranspose2d has no output_size argument")
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                self.output_padding, self.groups, self.dilation)

    def extra_repr(self):
        return _conv_repr(self, (0, 0))
