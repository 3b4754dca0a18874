"""RAdam: Adam whose adaptive step is switched on gradually ("rectified") while the
second-moment estimate is still too noisy to trust.

The update, exactly as PyTorch documents (and computes) it, at step t::

    g <- -g                                          if maximize
    theta <- theta * (1 - lr * weight_decay)         if decoupled_weight_decay, else
    g <- g + weight_decay * theta                    if weight_decay != 0
    m <- m + (1 - beta1) * (g - m)
    v <- beta2 * v + (1 - beta2) * g^2
    m_hat <- m / (1 - beta1^t)
    rho_inf <- 2 / (1 - beta2) - 1
    rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
    if rho_t > 5:
        r <- sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        theta <- theta - lr * m_hat * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
    else:
        theta <- theta - lr * m_hat                  (plain momentum SGD at first)
"""
from .optimizer import Optimizer
from ._state import (check_betas, check_non_negative, lerp_, no_variants, step_counter,
                     zeros_like)


class RAdam(Optimizer):
    """``RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False)``; keyword ``maximize``."""

    _param_shaped_state = ("exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_non_negative(**{"learning rate": lr, "epsilon value": eps})
        check_betas(betas)
        check_non_negative(**{"weight_decay value": weight_decay})
        no_variants("RAdam", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, state, group):
        state["step"] = step_counter()
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update_group(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        for p, g, state in self._grads(group):
            xp = p.device.xp
            step = float(state["step"]._data)
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    p._data *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * p._data
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            lerp_(m, g, 1 - beta1)
            v *= beta2
            v += g * (1 - beta2) * g
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            m_hat = m / bias_correction1
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                adaptive = xp.sqrt(v)
                adaptive += eps
                adaptive = bias_correction2 ** 0.5 / adaptive
                p._data -= m_hat * lr * adaptive * rect
            else:
                p._data -= m_hat * lr
            p._version += 1
