"""Dropout2d: drop whole channels (feature maps) at random, and ``F.dropout2d``."""
import warnings

from .. import backend
from ..tensor import Tensor
from .module import Module

__all__ = ["dropout2d"]


def dropout2d(input, p=0.5, training=True, inplace=False):
    """In training, zero each channel of ``input`` (N, C, H, W) or (C, H, W) entirely with
    probability ``p`` and scale the kept ones by 1 / (1 - p); else return ``input``.

    Neighbouring pixels of a feature map are strongly correlated, so dropping single
    pixels (``dropout``) barely regularises a conv net; dropping whole maps does.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      stacklevel=2)
    if not training or p == 0:
        return input
    # one keep/drop draw per (sample, channel), broadcast over the feature map
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    if p == 1:
        mask = input.device.xp.zeros(mask_shape, dtype=input._data.dtype)
    else:
        u = backend.get_rng().random(mask_shape).astype(input.dtype.name)
        keep = backend.from_numpy(u, input.device) >= p
        mask = input.device.xp.astype(keep, input._data.dtype) * (1 / (1 - p))
    return input * Tensor._make(mask, None)


def _check_p(p):
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p


class Dropout2d(Module):
    """Zero whole channels with probability ``p`` in training (see ``dropout2d``)."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = _check_p(p)
        self.inplace = inplace

    def forward(self, input):
        return dropout2d(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
