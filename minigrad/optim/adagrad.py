"""Adagrad: each parameter's step shrinks with the sum of its squared gradients so far.

The update, exactly as PyTorch documents (and computes) it, at step t::

    g <- -g                                     if maximize
    g <- g + weight_decay * theta               if weight_decay != 0
    clr <- lr / (1 + (t - 1) * lr_decay)
    s <- s + g^2                                s starts at initial_accumulator_value
    theta <- theta - clr * g / (sqrt(s) + eps)
"""
from .optimizer import Optimizer
from ._state import check_non_negative, no_variants, step_counter, zeros_like


class Adagrad(Optimizer):
    """``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10)``; keyword ``maximize``. The state is created at construction, as PyTorch's."""

    _param_shaped_state = ("sum",)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_non_negative(**{"learning rate": lr, "lr_decay value": lr_decay,
                              "weight_decay value": weight_decay,
                              "initial_accumulator_value value": initial_accumulator_value,
                              "epsilon value": eps})
        no_variants("Adagrad", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = step_counter()
                state["sum"] = zeros_like(p, group["initial_accumulator_value"])

    def _update_group(self, group):
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        weight_decay = group["weight_decay"]
        for p, g, state in self._grads(group):
            xp = p.device.xp
            step = float(state["step"]._data)
            if weight_decay != 0:
                g = g + weight_decay * p._data
            clr = lr / (1 + (step - 1) * lr_decay)
            s = state["sum"]._data
            s += g * g
            std = xp.sqrt(s)
            std += eps
            p._data += (-clr * g) / std
            p._version += 1
