"""``minigrad.nn.utils``: gradient clipping and flattening parameters into one vector."""
import math

from .. import autograd, backend
from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm(data, norm_type):
    """The ``norm_type``-norm of an array, as a 0-d array."""
    xp = backend.device_of(data).xp
    if norm_type == math.inf:
        return xp.max(xp.abs(data)) if data.size else xp.zeros((), dtype=data.dtype)
    if norm_type == -math.inf:
        return xp.min(xp.abs(data))
    if norm_type == 2:
        return xp.sqrt(xp.sum(data * data))
    if norm_type == 1:
        return xp.sum(xp.abs(data))
    if norm_type == 0:
        return xp.sum(xp.astype(data != 0, data.dtype))
    return xp.sum(xp.abs(data) ** norm_type) ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale all gradients together so that their total norm (the norm of the per-tensor
    norms) is at most ``max_norm``; returns the total norm before clipping.

    Each gradient is multiplied by ``min(1, max_norm / (total_norm + 1e-6))``, as in PyTorch.
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        from ..creation import tensor
        return tensor(0.0)
    xp = grads[0].device.xp
    norms = xp.stack([xp.astype(_norm(g._data, norm_type), grads[0]._data.dtype) for g in grads])
    total = _norm(norms, norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    coef = xp.clip(max_norm / (total + 1e-6), None, 1.0)
    with autograd.no_grad():
        for g in grads:
            g.mul_(xp.astype(coef, g._data.dtype))
    return Tensor._make(total, None)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    with autograd.no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one vector (differentiable)."""
    from ..functions import cat
    if isinstance(parameters, Tensor):
        raise TypeError(f"expected an iterable of Tensors, but got: {parameters.type()}")
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Slice ``vec`` into the parameters' shapes and make each parameter's data that slice
    (the inverse of ``parameters_to_vector``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected minigrad.Tensor, but got: {type(vec).__name__}")
    xp = vec.device.xp
    pointer = 0
    for p in parameters:
        n = p.numel()
        p._data = xp.reshape(vec._data[pointer:pointer + n], tuple(p.shape))
        p._version += 1
        pointer += n
