"""Sliding blocks and sub-pixel rearrangements: unfold (im2col) and fold (its adjoint, col2im),
pixel_shuffle and pixel_unshuffle, with their modules. All are gathers, scatter-adds,
reshapes and permutes of existing ops, so they differentiate (twice) for free."""
import numpy as np

from .. import backend, creation
from ..tensor import Tensor
from .module import Module


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _block_index(size, kernel_size, dilation, padding, stride, device):
    """For a padded (H + 2p, W + 2p) image flattened: the flat index of each block element,
    ordered (kernel row, kernel column, block row, block column), and the blocks' grid."""
    (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = size, kernel_size, dilation, padding, stride
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    rows = (np.arange(kh) * dh)[:, None, None, None] + (np.arange(oh) * sh)[None, None, :, None]
    cols = (np.arange(kw) * dw)[None, :, None, None] + (np.arange(ow) * sw)[None, None, None, :]
    flat = (rows * (w + 2 * pw) + cols).reshape(-1).astype(np.int64)
    return Tensor._make(backend.from_numpy(flat, device), None), (oh, ow)


def _args(kernel_size, dilation, padding, stride):
    return tuple(_pair(a) for a in (kernel_size, dilation, padding, stride))


def _blocks_error(size, k, d, p, blocks):
    return RuntimeError(f"Given input with spatial size ({size[0]}, {size[1]}), kernel_size="
                        f"{k}, dilation={d}, padding={p}, calculated shape of the array of "
                        f"sliding blocks as {blocks}, but its components must be at least one.")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: every kernel_size block of the zero-padded (N, C, H, W) input as a column,
    out[n, c * kh * kw + i * kw + j, l] = block l's element (i, j) of channel c:
    (N, C * kh * kw, L) (a gather from the padded, flattened image)."""
    from .padding import pad
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                           f"{input.ndim}D)")
    k, d, p, s = _args(kernel_size, dilation, padding, stride)
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    n, c, h, w = x.shape
    index, blocks = _block_index((h, w), k, d, p, s, x.device)
    if min(blocks) < 1:
        raise _blocks_error((h, w), k, d, p, blocks)
    if p != (0, 0):
        x = pad(x, (p[1], p[1], p[0], p[0]))
    cols = x.reshape(n, c, -1).index_select(2, index)
    out = cols.reshape(n, c * k[0] * k[1], blocks[0] * blocks[1])
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, unfold's adjoint: each column's kh * kw values of each channel added back at
    their block's places in an (N, C, H, W) image of ``output_size`` (overlaps sum; the
    padding is cut off) (a scatter-add into the padded, flattened image)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors "
                           f"are supported (got {input.ndim}D)")
    size = _pair(output_size)
    k, d, p, s = _args(kernel_size, dilation, padding, stride)
    batched = input.ndim == 3
    x = input if batched else input.unsqueeze(0)
    n, ckk, length = x.shape
    if ckk % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={ckk} and "
                           f"kernel_size={k}.")
    index, blocks = _block_index(size, k, d, p, s, x.device)
    if min(blocks) < 1:
        raise _blocks_error(size, k, d, p, blocks)
    if blocks[0] * blocks[1] != length:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, padding="
                           f"{p}, stride={s}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{blocks[0] * blocks[1]}, but got input.size(2)={length}.")
    c = ckk // (k[0] * k[1])
    hp, wp = size[0] + 2 * p[0], size[1] + 2 * p[1]
    canvas = creation.zeros(n, c, hp * wp, dtype=x.dtype, device=x.device)
    out = canvas.index_add(2, index, x.reshape(n, c, -1)).reshape(n, c, hp, wp)
    out = out[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]
    return out if batched else out.squeeze(0)


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r): each r x r group of channels becomes an
    r x r patch of pixels (a reshape and a permute)."""
    r = upscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    b = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W): pixel_shuffle's inverse."""
    r = downscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    *batch, c, h, w = input.shape
    for name, size, dim in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({dim})={size} is not "
                               f"divisible by {r}")
    b = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return x.reshape(*batch, c * r * r, h // r, w // r)


class Unfold(Module):
    """``F.unfold`` as a module: (N, C, H, W) -> (N, C * kh * kw, L)."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = (kernel_size, dilation,
                                                                      padding, stride)

    def forward(self, input):
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding="
                f"{self.padding}, stride={self.stride}")


class Fold(Module):
    """``F.fold`` as a module: (N, C * kh * kw, L) -> (N, C, *output_size)."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                    self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation="
                f"{self.dilation}, padding={self.padding}, stride={self.stride}")


class PixelShuffle(Module):
    """``F.pixel_shuffle`` as a module."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """``F.pixel_unshuffle`` as a module."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"
