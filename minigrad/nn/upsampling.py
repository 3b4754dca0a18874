"""``F.interpolate`` and ``nn.Upsample``: resize the last two dims of (N, C, H, W) by
'nearest' or 'bilinear' interpolation.

Both are linear along each axis: output row i is a weighted sum of input rows, so the
whole resize is ``A x B^T`` with small (Ho, H) and (Wo, W) weight matrices (one op,
``ops.resample.Separable2D``). The matrices follow PyTorch's source-coordinate rules:

    nearest:                      src = floor(i * scale)
    bilinear, align_corners=True: src = i * (H - 1) / (Ho - 1)
    bilinear, otherwise:          src = max((i + 0.5) * scale - 0.5, 0)

with scale = 1 / scale_factor when a scale factor is given, else H / Ho.
"""
import math
import struct

from ..ops.resample import Separable2D
from ..promotion import KERNEL_NAMES
from .module import Module

__all__ = ["interpolate", "upsample"]


def _f32(x):
    """``x`` rounded to float32 (PyTorch computes nearest's source index in float32)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def _weights(xp, size, out, scale_factor, mode, align_corners, dtype):
    """The (out, size) interpolation matrix of one axis."""
    scale = 1.0 / scale_factor if scale_factor else size / out
    rows = []
    for i in range(out):
        row = [0.0] * size
        if mode == "nearest":
            if out == size:
                src = i
            elif out == 2 * size:
                src = i >> 1
            else:
                src = min(int(math.floor(_f32(i * _f32(scale)))), size - 1)
            row[src] = 1.0
        else:
            if align_corners:
                src = i * (size - 1) / (out - 1) if out > 1 else 0.0
            else:
                src = max((i + 0.5) * scale - 0.5, 0.0)
            lo = int(src)
            hi = lo + (1 if lo < size - 1 else 0)
            frac = src - lo
            row[lo] += 1.0 - frac
            row[hi] += frac
        rows.append(row)
    return xp.asarray(rows, dtype=dtype)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of ``input`` (N, C, H, W) to ``size`` or by ``scale_factor``
    with ``mode`` 'nearest' or 'bilinear' (``align_corners``: bilinear only)."""
    if mode not in ("nearest", "bilinear"):
        raise NotImplementedError(f"minigrad's interpolate supports 'nearest' and 'bilinear' "
                                  f"(got mode='{mode}')")
    if size is None and scale_factor is None:  # (torch checks the arguments first)
        raise ValueError("either size or scale_factor should be defined")
    _check_spatial_dims(input, size, scale_factor)
    if input.ndim != 4:
        raise NotImplementedError(f"Input Error: Only 4D input Tensors are supported by "
                                  f"minigrad's interpolate (got {input.ndim}D) for the modes: "
                                  f"nearest | bilinear")
    if align_corners is not None and mode == "nearest":
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("minigrad's interpolate has no antialias option")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    if not input.dtype.is_floating_point and input.dtype.name != "uint8":  # (torch's kernels)
        raise NotImplementedError(f'"upsample_{mode}2d_channels_last" not implemented for '
                                  f"'{KERNEL_NAMES[input.dtype.name]}'")
    in_size = tuple(input.shape[2:])
    if size is not None:
        out_size = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
        factors = (None, None)
    else:
        factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) \
            else (scale_factor, scale_factor)
        out_size = tuple(int(math.floor(n * f)) for n, f in zip(in_size, factors))
        if recompute_scale_factor:
            factors = (None, None)
    xp, dtype = input.device.xp, input._data.dtype
    rows, cols = (_weights(xp, n, o, f, mode, bool(align_corners), dtype)
                  for n, o, f in zip(in_size, out_size, factors))
    return Separable2D.apply(input, rows, cols)


def _check_spatial_dims(input, size, scale_factor):
    """A size or scale_factor sequence names one entry per spatial dim (torch's ValueError)."""
    spatial = list(input.shape[2:])
    for what, value in (("output size of", size), ("scale_factor of shape", scale_factor)):
        if isinstance(value, (tuple, list)) and len(value) != input.ndim - 2:
            name = "output" if what.startswith("output") else "scale_factor"
            form = "output size in (o1, o2, ...,oK)" if name == "output" else \
                "scale_factor in (s1, s2, ...,sK)"
            raise ValueError(f"Input and {name} must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of {spatial} "
                             f"and {what} {value}. Please provide input tensor in (N, C, d1, "
                             f"d2, ...,dK) format and {form} format.")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """The older name of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


class Upsample(Module):
    """Resize (N, C, H, W) inputs to ``size`` or by ``scale_factor``; see ``interpolate``."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"
