"""Adamax: Adam with the infinity norm in place of the second moment.

The update, exactly as PyTorch documents (and computes) it, at step t::

    g <- -g                                    if maximize
    g <- g + weight_decay * theta              if weight_decay != 0
    m <- m + (1 - beta1) * (g - m)
    u <- max(beta2 * u, |g| + eps)
    theta <- theta - lr / (1 - beta1^t) * m / u
"""
from .optimizer import Optimizer
from ._state import (check_betas, check_non_negative, lerp_, no_variants, step_counter,
                     zeros_like)


class Adamax(Optimizer):
    """``Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)``; keyword
    ``maximize``."""

    _param_shaped_state = ("exp_avg", "exp_inf")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_non_negative(**{"learning rate": lr, "epsilon value": eps})
        check_betas(betas)
        check_non_negative(**{"weight_decay value": weight_decay})
        no_variants("Adamax", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _new_state(self, p, state, group):
        state["step"] = step_counter()
        state["exp_avg"] = zeros_like(p)
        state["exp_inf"] = zeros_like(p)

    def _update_group(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        for p, g, state in self._grads(group):
            xp = p.device.xp
            step = float(state["step"]._data)
            if weight_decay != 0:
                g = g + weight_decay * p._data
            m, u = state["exp_avg"]._data, state["exp_inf"]._data
            lerp_(m, g, 1 - beta1)
            u *= beta2
            u[...] = xp.maximum(u, xp.abs(g) + eps)
            clr = lr / (1 - beta1 ** step)
            p._data += (-clr * m) / u
            p._version += 1
