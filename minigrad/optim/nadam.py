"""NAdam: Adam with Nesterov momentum (the momentum term looks one step ahead).

The update, exactly as PyTorch documents (and computes) it, at step t::

    g <- -g                                          if maximize
    theta <- theta * (1 - lr * weight_decay)         if decoupled_weight_decay, else
    g <- g + weight_decay * theta                    if weight_decay != 0
    mu_t <- beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))
    mu_{t+1} likewise;  P <- P * mu_t               (P, the product of the mu's)
    m <- m + (1 - beta1) * (g - m)
    v <- beta2 * v + (1 - beta2) * g^2
    denom <- sqrt(v / (1 - beta2^t)) + eps
    theta <- theta - lr (1 - mu_t) / (1 - P) * g / denom
                   - lr mu_{t+1} / (1 - P mu_{t+1}) * m / denom

P is kept, as in PyTorch, in a float32 0-d tensor (so float64 runs agree to the bit).
"""
from .. import backend
from ..tensor import Tensor
from .optimizer import Optimizer
from ._state import (check_betas, check_non_negative, lerp_, no_variants, step_counter,
                     zeros_like)


class NAdam(Optimizer):
    """``NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    momentum_decay=4e-3, decoupled_weight_decay=False)``; keyword ``maximize``."""

    _param_shaped_state = ("exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_non_negative(**{"learning rate": lr, "epsilon value": eps})
        check_betas(betas)
        check_non_negative(**{"weight_decay value": weight_decay,
                              "momentum_decay value": momentum_decay})
        no_variants("NAdam", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _new_state(self, p, state, group):
        state["step"] = step_counter()
        state["mu_product"] = step_counter(1.0)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update_group(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
        for p, g, state in self._grads(group):
            xp = p.device.xp
            step = float(state["step"]._data)
            bias_correction2 = 1 - beta2 ** step
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    p._data *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * p._data
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            product = state["mu_product"]  # float32 as PyTorch's (the param's dtype once loaded)
            product._data = product._data * backend.CPU.xp.asarray(mu, dtype=product._data.dtype)
            mu_product = float(product._data)
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            lerp_(m, g, 1 - beta1)
            v *= beta2
            v += g * (1 - beta2) * g
            denom = xp.sqrt(v / bias_correction2)
            denom += eps
            p._data += ((-lr * (1.0 - mu) / (1.0 - mu_product)) * g) / denom
            p._data += ((-lr * mu_next) / (1.0 - mu_product * mu_next) * m) / denom
            p._version += 1

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for state in self.state.values():  # numbers saved as plain floats become tensors
            for key in ("step", "mu_product"):
                if key in state and not isinstance(state[key], Tensor):
                    state[key] = step_counter(float(state[key]))
