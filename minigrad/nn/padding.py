"""``F.pad`` and the padding layers (ZeroPad2d, ConstantPad2d, ReflectionPad2d,
ReplicationPad2d).

``pad`` lists (before, after) pairs from the last dim backwards, as PyTorch's does:
``(left, right)`` pads the last dim, ``(left, right, top, bottom)`` the last two. Each
padded dim is one ``PadAxis`` op (``minigrad/ops/resample.py``); a negative constant pad
crops.
"""
from ..ops.resample import PadAxis
from .module import Module

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Pad ``input`` by ``pad`` = (last dim's before, after, next-to-last's before, after,
    ...), with ``value`` (mode 'constant', default 0), the mirror image ('reflect') or the
    edge values ('replicate')."""
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2 (got {len(pad)})")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.ndim}")
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "circular":
        raise NotImplementedError("minigrad's pad has no 'circular' mode")
    if mode != "constant":
        if value not in (None, 0):
            raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument.")
        dims = len(pad) // 2
        if input.ndim not in (dims + 1, dims + 2) or dims > 3:
            raise NotImplementedError(f"Padding size {len(pad)} is not supported for "
                                      f"{input.ndim}D input tensor. (non-constant padding "
                                      f"takes 2, 4 or 6 values for a 2D/3D, 3D/4D or 4D/5D "
                                      f"input)")
    out = input
    for k in range(len(pad) // 2):
        axis = input.ndim - 1 - k
        before, after = int(pad[2 * k]), int(pad[2 * k + 1])
        n = input.shape[axis]
        if mode == "reflect" and (before >= n or after >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({before}, "
                               f"{after}) at dimension {axis} of input {list(input.shape)}")
        if mode == "replicate" and n == 0:
            raise RuntimeError(f"padding of an empty dimension {axis} of input "
                               f"{list(input.shape)}")
        if before < 0 or after < 0:  # a negative constant pad crops
            if mode != "constant":
                raise RuntimeError(f"negative padding ({before}, {after}) needs mode 'constant'")
            if n + before + after < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            key = (slice(None),) * axis + (slice(max(-before, 0), n - max(-after, 0)),)
            out = out[key]
            before, after = max(before, 0), max(after, 0)
        if before or after:
            out = PadAxis.apply(out, axis=axis, before=before, after=after, mode=mode,
                                value=0.0 if value is None else value)
    return out if out is not input else input.clone()  # (a new tensor even for no padding)


class _Pad2d(Module):
    mode = "constant"
    value = None

    def __init__(self, padding):
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * 4

    def forward(self, input):
        return pad(input, self.padding, self.mode, self.value)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(_Pad2d):
    """Pad the last two dims with zeros: ``padding`` an int or (left, right, top, bottom)."""

    value = 0.0


class ConstantPad2d(_Pad2d):
    """Pad the last two dims with ``value``."""

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ReflectionPad2d(_Pad2d):
    """Pad the last two dims with their mirror image (the edge itself not repeated)."""

    mode = "reflect"


class ReplicationPad2d(_Pad2d):
    """Pad the last two dims with copies of the edge values."""

    mode = "replicate"
