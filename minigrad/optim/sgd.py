"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay.

The update, exactly as PyTorch documents it (g is the gradient, theta the parameter)::

    g <- -g                                  if maximize
    g <- g + weight_decay * theta            if weight_decay != 0
    if momentum != 0:
        b <- g                               on the first step
        b <- momentum * b + (1 - dampening) * g   afterwards
        g <- g + momentum * b                if nesterov, else g <- b
    theta <- theta - lr * g
"""
from .. import backend, fused
from ..tensor import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False)``.

    ``maximize`` (keyword) ascends the objective instead. ``foreach``, ``differentiable``
    and ``fused`` are accepted for PyTorch compatibility; minigrad has one implementation.
    """

    _param_shaped_state = ("momentum_buffer",)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if differentiable or fused:
            raise NotImplementedError("minigrad's SGD has no differentiable or fused variant")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr = group["lr"]
        momentum = group["momentum"]
        dampening = group["dampening"]
        weight_decay = group["weight_decay"]
        nesterov = group["nesterov"]
        maximize = group["maximize"]
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad._data
            if maximize:
                g = -g
            if weight_decay != 0:
                g = g + weight_decay * p._data
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:  # first step: the buffer starts as the gradient itself
                    b = backend.device_of(g).xp.asarray(g, copy=True)
                    state["momentum_buffer"] = Tensor._make(b, None)
                elif fused.use_kernels(g):  # a GPU: buffer and parameter in one kernel
                    fused.SGD_MOMENTUM(theta=p._data, g=g, b=buf._data, momentum=momentum,
                                       one_minus_dampening=1 - dampening,
                                       nesterov=float(nesterov), lr=lr)
                    p._version += 1
                    continue
                else:
                    b = buf._data
                    b *= momentum
                    b += g if dampening == 0 else (1 - dampening) * g
                g = g + momentum * b if nesterov else b
            if fused.use_kernels(g):
                fused.SGD(theta=p._data, g=g, lr=lr)
            else:
                p._data -= lr * g
            p._version += 1
