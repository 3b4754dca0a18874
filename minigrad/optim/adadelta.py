"""Adadelta: step sizes from the ratio of running RMS of past updates and of gradients.

The update, exactly as PyTorch documents (and computes) it::

    g <- -g                                         if maximize
    g <- g + weight_decay * theta                   if weight_decay != 0
    v <- rho * v + (1 - rho) * g^2
    delta <- sqrt(u + eps) / sqrt(v + eps) * g
    u <- rho * u + (1 - rho) * delta^2
    theta <- theta - lr * delta
"""
from .optimizer import Optimizer
from ._state import check_non_negative, no_variants, step_counter, zeros_like


class Adadelta(Optimizer):
    """``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0)``; keyword ``maximize``."""

    _param_shaped_state = ("square_avg", "acc_delta")

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_non_negative(**{"learning rate": lr})
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative(**{"epsilon value": eps, "weight_decay value": weight_decay})
        no_variants("Adadelta", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, state, group):
        state["step"] = step_counter()
        state["square_avg"] = zeros_like(p)
        state["acc_delta"] = zeros_like(p)

    def _update_group(self, group):
        lr, rho, eps, weight_decay = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p, g, state in self._grads(group):
            xp = p.device.xp
            if weight_decay != 0:
                g = g + weight_decay * p._data
            v, u = state["square_avg"]._data, state["acc_delta"]._data
            v *= rho
            v += g * (1 - rho) * g
            std = xp.sqrt(v + eps)
            delta = xp.sqrt(u + eps)
            delta /= std
            delta *= g
            u *= rho
            u += delta * (1 - rho) * delta
            p._data += -lr * delta
            p._version += 1
