"""Adam and AdamW: per-parameter step sizes from running moments of the gradient.

The update, exactly as PyTorch documents (and computes) it, at step t::

    g <- -g                                        if maximize
    g <- g + weight_decay * theta                  Adam's (coupled) weight decay
    theta <- theta * (1 - lr * weight_decay)       AdamW's (decoupled) weight decay instead
    m <- m + (1 - beta1) * (g - m)                 i.e. beta1 * m + (1 - beta1) * g
    v <- beta2 * v + (1 - beta2) * g * g
    v_max <- max(v_max, v)                         if amsgrad (then v_max replaces v below)
    step_size <- lr / (1 - beta1^t)
    denom <- sqrt(v) / sqrt(1 - beta2^t) + eps
    theta <- theta - step_size * m / denom

The operations are ordered as in PyTorch's single-tensor implementation, so float64
runs agree with it to the last few bits.
"""
from .. import backend, cpu_speed, fused
from ..tensor import Tensor
from .optimizer import Optimizer


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)``.

    Keywords: ``maximize``; ``decoupled_weight_decay=True`` makes it AdamW. ``foreach``,
    ``capturable``, ``differentiable`` and ``fused`` are accepted for PyTorch
    compatibility; minigrad has one implementation.
    """

    _param_shaped_state = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if capturable or differentiable or fused:
            raise NotImplementedError(f"minigrad's {type(self).__name__} has no capturable, "
                                      "differentiable or fused variant")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        weight_decay = group["weight_decay"]
        amsgrad = group["amsgrad"]
        maximize = group["maximize"]
        decoupled = group.get("decoupled_weight_decay", False)
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                self._init_state(p, state, amsgrad)
            g = p.grad._data
            if maximize:
                g = -g
            theta = p._data
            step_t = state["step"]
            step_t._data += 1
            step = float(step_t._data)

            if weight_decay != 0:
                if decoupled:
                    theta *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * theta

            step_size = lr / (1 - beta1 ** step)
            bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
            m = state["exp_avg"]._data
            v = state["exp_avg_sq"]._data
            v_max = state["max_exp_avg_sq"]._data if amsgrad else None
            if v_max is None and fused.use_kernels(theta):  # a GPU: one kernel, one pass
                w = 1 - beta1
                fused.ADAM(theta=theta, g=g, m=m, v=v, w=w, one_minus_w=1 - w,
                           w_small=float(abs(w) < 0.5), beta2=beta2, one_minus_beta2=1 - beta2,
                           neg_step_size=-step_size,
                           bias_correction2_sqrt=bias_correction2_sqrt, eps=eps)
                p._version += 1
                continue
            # Thirteen passes over the data: on large tensors, do them piece by piece
            # so each piece stays in the CPU cache between passes.
            for pieces in cpu_speed.cache_sized_pieces(theta, g, m, v, v_max):
                _adam_update(*pieces, beta1, beta2, eps, step_size, bias_correction2_sqrt)
            p._version += 1

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for state in self.state.values():  # a step saved as a plain number becomes a tensor
            if "step" in state and not isinstance(state["step"], Tensor):
                state["step"] = Tensor._make(
                    backend.CPU.xp.asarray(float(state["step"]), dtype="float32"), None)

    @staticmethod
    def _init_state(p, state, amsgrad):
        xp = p.device.xp
        state["step"] = Tensor._make(backend.CPU.xp.zeros((), dtype="float32"), None)
        state["exp_avg"] = Tensor._make(xp.zeros_like(p._data), None)
        state["exp_avg_sq"] = Tensor._make(xp.zeros_like(p._data), None)
        if amsgrad:
            state["max_exp_avg_sq"] = Tensor._make(xp.zeros_like(p._data), None)


def adam_reference(theta, g, m, v, v_max, t, lr, beta1, beta2, eps, weight_decay=0,
                   decoupled=False, maximize=False):
    """Adam's update at step ``t``, line for line as the module docstring writes it: the
    version to read. Returns the new ``(theta, m, v, v_max)`` (``v_max`` None without
    amsgrad) and changes nothing in place.

    ``Adam.step`` computes the same numbers with ``_adam_update`` (in place, a pass at a
    time, in cache-sized pieces: the speed boundary); a float64 test checks that the two
    agree (tests/test_optim.py).
    """
    xp = backend.device_of(theta).xp
    if maximize:
        g = -g
    if weight_decay != 0:
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
    m = m + (1 - beta1) * (g - m)
    v = beta2 * v + (1 - beta2) * g * g
    if v_max is not None:
        v_max = xp.maximum(v_max, v)
    step_size = lr / (1 - beta1 ** t)
    denom = xp.sqrt(v if v_max is None else v_max) / (1 - beta2 ** t) ** 0.5 + eps
    theta = theta - step_size * m / denom
    return theta, m, v, v_max


# ----------------------------------------------- speed boundary: what Adam.step runs


def _adam_update(theta, g, m, v, v_max, beta1, beta2, eps, step_size, bias_correction2_sqrt):
    """One Adam update of arrays in place, in PyTorch's order of floating-point operations:
    ``adam_reference``'s numbers, updating m, v and theta in place and each temporary in
    place too (``d *= w``), on cache-sized pieces of the arrays (``Adam._update_group``)."""
    xp = backend.device_of(theta).xp
    # m <- lerp(m, g, 1 - beta1), written the way torch.lerp computes it
    w = 1 - beta1
    d = g - m
    if abs(w) < 0.5:
        d *= w
        m += d
    else:
        d *= 1 - w
        m[...] = g - d
    # v <- beta2 * v + ((1 - beta2) * g) * g
    v *= beta2
    gg = g * (1 - beta2)
    gg *= g
    v += gg
    if v_max is not None:  # amsgrad: the largest v so far replaces v below
        v_max[...] = xp.maximum(v_max, v)
        v = v_max
    denom = xp.sqrt(v)
    denom /= bias_correction2_sqrt
    denom += eps
    # theta <- theta + (-step_size * m) / denom
    update = m * -step_size
    update /= denom
    theta += update


class AdamW(Adam):
    """Adam with decoupled weight decay: ``theta <- theta * (1 - lr * weight_decay)`` first.

    ``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # an AdamW stays AdamW whatever was saved
            group["decoupled_weight_decay"] = True
