"""RMSprop: divide each gradient by a running root-mean-square of its recent values.

The update, exactly as PyTorch documents (and computes) it::

    g <- -g                                       if maximize
    g <- g + weight_decay * theta                 if weight_decay != 0
    v <- alpha * v + (1 - alpha) * g^2
    if centered:
        m <- m + (1 - alpha) * (g - m)            running mean of g
        avg <- sqrt(v - m^2) + eps
    else:
        avg <- sqrt(v) + eps
    if momentum > 0:
        b <- momentum * b + g / avg
        theta <- theta - lr * b
    else:
        theta <- theta - lr * g / avg
"""
from .optimizer import Optimizer
from ._state import check_non_negative, lerp_, no_variants, step_counter, zeros_like


class RMSprop(Optimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False)``; keywords ``maximize``, and ``capturable``/``foreach``/
    ``differentiable`` accepted for PyTorch compatibility."""

    _param_shaped_state = ("square_avg", "momentum_buffer", "grad_avg")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_non_negative(**{"learning rate": lr, "epsilon value": eps,
                              "momentum value": momentum, "weight_decay value": weight_decay,
                              "alpha value": alpha})
        no_variants("RMSprop", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, state, group):
        state["step"] = step_counter()
        state["square_avg"] = zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)

    def _update_group(self, group):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        for p, g, state in self._grads(group):
            xp = p.device.xp
            if weight_decay != 0:
                g = g + weight_decay * p._data
            v = state["square_avg"]._data
            v *= alpha
            v += g * (1 - alpha) * g
            if group["centered"]:
                m = state["grad_avg"]._data
                lerp_(m, g, 1 - alpha)
                avg = xp.sqrt(v - m * m)
            else:
                avg = xp.sqrt(v)
            avg += eps
            if momentum > 0:
                b = state["momentum_buffer"]._data
                b *= momentum
                b += g / avg
                p._data -= lr * b
            else:
                p._data += (-lr * g) / avg
            p._version += 1
