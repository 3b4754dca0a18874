"""Normalisation layers (BatchNorm1d/2d, LayerNorm, GroupNorm) and their functional forms.

Batch norm in training mode normalises each channel by the mean and (biased) variance of
the batch, and folds them into running averages (the variance made unbiased, as PyTorch
does) that eval mode uses instead::

    running = (1 - momentum) * running + momentum * batch_statistic

``momentum=None`` makes it a plain cumulative average (momentum = 1 / batches seen).
Layer norm and group norm normalise each sample on its own, in both modes.
"""
import math

from .. import autograd, backend
from ..creation import ones, tensor, zeros
from ..ops import normalization as N
from ..promotion import KERNEL_NAMES
from .module import Module
from .parameter import Parameter

__all__ = ["batch_norm", "layer_norm", "group_norm"]


# ----------------------------------------------------------------- functional


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Normalise each channel (dim 1) of ``input`` (N, C, ...) and scale/shift it.

    Training: by the batch's statistics, updating ``running_mean``/``running_var`` in place
    when given. Eval: by the running statistics.
    """
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"batch_norm\" not implemented for "
                                  f"'{KERNEL_NAMES[input.dtype.name]}'")
    if training:  # (torch checks these first)
        if math.prod(input.shape[:1] + input.shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.shape!r}")
        if eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    channels = input.shape[1] if input.ndim > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    if training:
        m = input.numel() // max(channels, 1)
        if m <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.shape!r}")
        stats = []
        out = N.BatchNorm.apply(input, weight, bias, eps=eps, stats_out=stats)
        if running_mean is not None or running_var is not None:
            _update_running_stats(running_mean, running_var, stats[0], m, momentum)
        return out
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    # eval: y = x * a + b with a = weight / sqrt(running_var + eps), b = bias - mean * a
    shape = (1, channels) + (1,) * (input.ndim - 2)
    a = (running_var.detach() + eps).sqrt() ** -1
    if weight is not None:
        a = a * weight
    b = -running_mean.detach() * a
    if bias is not None:
        b = b + bias
    return input * a.reshape(shape) + b.reshape(shape)


def _update_running_stats(running_mean, running_var, stats, m, momentum):
    """running <- (1 - momentum) running + momentum batch, with the unbiased variance."""
    mean, var = stats
    with autograd.no_grad():
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean * momentum)
        if running_var is not None:
            running_var.mul_(1 - momentum).add_(var * (momentum * m / (m - 1)))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last ``len(normalized_shape)`` dims of each sample, then scale
    by ``weight`` and shift by ``bias`` (both of ``normalized_shape``)."""
    shape = tuple(normalized_shape) if isinstance(normalized_shape, (tuple, list)) \
        else (normalized_shape,)
    k = len(shape)
    if not k:
        raise RuntimeError(f"Expected normalized_shape to be at least 1-dimensional, i.e., "
                           f"containing at least one element, but got normalized_shape = []")
    if tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
                           f"{input.shape!r}")
    out = _normalize_over(input, tuple(range(input.ndim - k, input.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Split the channels (dim 1) into ``num_groups`` groups and normalise each group of
    each sample; then scale and shift per channel."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, c = input.shape[0], input.shape[1]
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {input.shape!r} and "
                           f"num_groups={num_groups}")
    if n * c // num_groups * math.prod(input.shape[2:]) == 1:  # (torch's _verify_batch_size)
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {[n * c // num_groups, num_groups] + list(input.shape[2:])}")
    grouped = input.reshape(n, num_groups, c // num_groups * math.prod(input.shape[2:]))
    out = _normalize_over(grouped, (2,), eps).reshape(input.shape)
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _normalize_over(x, dims, eps):
    """(x - mean) / sqrt(var + eps) over ``dims`` (biased variance): a composite of
    mean, subtraction, multiplication, sqrt and division, differentiated by the engine."""
    # x - mean taken as s - mean(s), s = x - (each group's first x, a constant): the same
    # value and derivatives, but exactly 0 for a constant group, as torch's Welford moments
    # give (sum / n may be 1 ulp off, and 1 / sqrt(eps) = 316 makes that 7e-14 in the output)
    first = tuple(slice(0, 1) if d in dims else slice(None) for d in range(x.ndim))
    shifted = x - x.detach()[first]
    centred = shifted - shifted.mean(dims, keepdim=True)
    var = (centred * centred).mean(dims, keepdim=True)
    return centred / (var + eps).sqrt()


# ----------------------------------------------------------------- modules


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share (they differ in the input dims they accept)."""

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _add_affine(self, affine, bias, num_features, dtype, device)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype,
                                                       device=device))
            self.register_buffer("running_var", ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked",
                                 tensor(0, dtype=backend.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            with autograd.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            with autograd.no_grad():
                self.weight.fill_(1)
                if self.bias is not None:
                    self.bias.zero_()

    def _check_input_dim(self, input):
        raise NotImplementedError

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        # batch statistics in training, and also in eval when no running ones are kept
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if keep else None,
                          self.running_var if keep else None, self.weight, self.bias,
                          use_batch, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs: statistics per channel C."""

    def _check_input_dim(self, input):
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs: statistics per channel C, over N, H and W."""

    def _check_input_dim(self, input):
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")


class LayerNorm(Module):
    """Normalise each sample over its last dims (``normalized_shape``), then apply a learned
    element-wise scale and shift (``elementwise_affine``; ``bias=False`` drops the shift)."""

    def __init__(self, normalized_shape, eps=1e-05, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(self.normalized_shape, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(zeros(self.normalized_shape, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise each group of ``num_channels // num_groups`` channels of each sample, then
    apply a learned per-channel scale and shift (``affine``)."""

    def __init__(self, num_groups, num_channels, eps=1e-05, affine=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _add_affine(self, affine, bias, num_channels, dtype, device)

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


def _add_affine(module, affine, bias, n, dtype, device):
    """A ``weight`` of ones and a ``bias`` of zeros (n values each), or registered Nones."""
    if affine:
        module.weight = Parameter(ones(n, dtype=dtype, device=device))
        if bias:
            module.bias = Parameter(zeros(n, dtype=dtype, device=device))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)
