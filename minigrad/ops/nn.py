"""Neural-network ops, each fused into one forward/backward pair for speed.

A fused op does in one node what a chain of small ops would do in several: ``Linear``
is ``x @ W.T + b``; ``CrossEntropy`` is log-softmax followed by the negative log
likelihood, whose combined gradient is the famous ``softmax(x) - onehot(y)``. Fewer
nodes means fewer temporaries and less Python per training step.

Arguments arrive as arrays; ``g`` is the gradient of the output. A loss's reduction
(``'mean'``, ``'sum'``, ``'none'``) is undone at the top of its backward by
``_per_element(g)``: the gradient each element of the unreduced loss receives.
"""
from .. import backend
from ..autograd import Op
from ..backend import device_of


def _xp(a):
    return device_of(a).xp


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
               "uint8": "Byte", "bool": "Bool"}


def type_name(array):
    """PyTorch's short name of an array's dtype ('Float', 'Double', 'Long' ...)."""
    return _TYPE_NAMES[backend.dtype_of(array).name]


# ---------------------------------------------------------------------- linear


class Linear(Op):
    """d(x W^T + b) = (g W, g^T x, sum of g over all but the last axis)

    ``x`` may have any number of leading axes (``(*, in_features)``); they are folded
    into one batch axis so the whole layer is one matrix product each way.
    """

    def forward(ctx, x, weight, bias=None):
        if x.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
            other = x if x.dtype != weight.dtype else bias
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{type_name(other)} and {type_name(weight)}")
        xp = _xp(x)
        x2 = x if x.ndim == 2 else xp.reshape(x, (-1, x.shape[-1]))
        if x2.shape[1] != weight.shape[1]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x2.shape[0]}x"
                               f"{x2.shape[1]} and {weight.shape[1]}x{weight.shape[0]})")
        ctx.x2, ctx.weight, ctx.shape = x2, weight, x.shape
        out = xp.matmul(x2, weight.mT)  # BLAS reads the transposed view without a copy
        if bias is not None:
            out += bias
        return out if x.ndim == 2 else xp.reshape(out, x.shape[:-1] + (weight.shape[0],))

    def backward(ctx, g):
        xp = _xp(g)
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = g if g.ndim == 2 else xp.reshape(g, (-1, g.shape[-1]))
        gx = gw = gb = None
        if need_x:
            gx = xp.matmul(g2, ctx.weight)
            if len(ctx.shape) != 2:
                gx = xp.reshape(gx, ctx.shape)
        if need_w:
            gw = xp.matmul(g2.mT, ctx.x2)
        if need_b:
            gb = xp.sum(g2, axis=0)
        return gx, gw, gb


# ---------------------------------------------------------- reductions of losses


def _reduce(ctx, loss, reduction, denominator):
    """Reduce an element-wise loss and remember how to undo it in backward.

    'mean' divides the sum by ``denominator`` (the number of elements, or the total
    weight of the counted targets), 'sum' sums, 'none' returns ``loss`` as it is.
    """
    xp = _xp(loss)
    ctx.reduction, ctx.denominator, ctx.loss_shape = reduction, denominator, loss.shape
    if reduction == "none":
        return loss
    total = xp.sum(loss)
    if reduction == "sum":
        return total
    if isinstance(denominator, (int, float)):
        return total / denominator if denominator else total * float("nan")
    if float(denominator) == 0:  # every target ignored: 0/0, as in PyTorch
        return total * float("nan")
    return total / denominator


def _per_element(ctx, g):
    """The gradient that reaches each element of the unreduced loss."""
    if ctx.reduction == "none":
        return g
    if ctx.reduction == "mean":
        return g / ctx.denominator
    return g


# ----------------------------------------------------------- classification


def _class_axis(xp, a):
    """Insert the class axis (axis 1) into a target of shape (N, d1, ...)."""
    return xp.expand_dims(a, axis=1)


def _target_weights(xp, target, weight, ignore_index, dtype):
    """For class-index targets (with a class axis of size 1): the index to gather with
    (ignored targets point at class 0), the weight of each target's class (0 where
    ignored; None when every weight is 1), and the mask of counted targets (or None).
    """
    keep = None
    if ignore_index is not None:
        keep = target != ignore_index
        target = xp.where(keep, target, xp.zeros_like(target))
    w = None
    if weight is not None:
        w = xp.reshape(xp.take(weight, xp.reshape(target, (-1,))), target.shape)
    if keep is not None:
        keep = xp.astype(keep, dtype)
        w = keep if w is None else w * keep
    return target, w, keep


def _one_hot_where(xp, target, n_classes, value, like):
    """``value`` at each target's class, 0 elsewhere (shape of ``like``)."""
    shape = [1] * like.ndim
    shape[1] = n_classes
    classes = xp.reshape(xp.arange(n_classes, dtype=target.dtype), tuple(shape))
    return xp.where(classes == target, value, xp.zeros((), dtype=like.dtype))


def _log_softmax(xp, x):
    """log softmax over axis 1, stable for any magnitude: the shifted logits are <= 0."""
    shifted = x - xp.max(x, axis=1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


class CrossEntropy(Op):
    """d CE / dx = (softmax(x) * sum_c a_c - a) * g,  a = the weighted target distribution

    ``x`` has shape (N, C, d1, ...), ``target`` (N, d1, ...) of class indices. With
    eps = label_smoothing and w the class weights (1 when not given), each counted
    target y puts weight ``a_c = (1 - eps) w_y [c == y] + eps / C * w_c`` on class c and
    its loss is ``-sum_c a_c log_softmax(x)_c``; an ignored target has a = 0. 'mean'
    divides by the summed weight ``w_y`` of the counted targets, as PyTorch does.
    """

    def forward(ctx, x, target, weight=None, ignore_index=None, reduction="mean",
                label_smoothing=0.0):
        xp = _xp(x)
        n_classes = x.shape[1]
        logp = _log_softmax(xp, x)
        t, w_t, keep = _target_weights(xp, _class_axis(xp, target), weight, ignore_index,
                                       x.dtype)
        loss = -xp.take_along_axis(logp, t, axis=1)  # -log p(target), shape (N, 1, ...)
        if w_t is not None:
            loss = loss * w_t
        eps = label_smoothing
        if eps:
            # the uniform part: -sum_c w_c log p_c, for counted targets only
            wlogp = logp if weight is None else logp * _broadcast_classes(xp, weight, x.ndim)
            smooth = -xp.sum(wlogp, axis=1, keepdims=True)
            if keep is not None:
                smooth = smooth * keep
            loss = (1 - eps) * loss + (eps / n_classes) * smooth
        ctx.logp, ctx.t, ctx.w_t, ctx.keep, ctx.weight = logp, t, w_t, keep, weight
        ctx.eps = eps
        count = t.size // t.shape[0] * t.shape[0] if w_t is None else xp.sum(w_t)
        return _reduce(ctx, xp.reshape(loss, target.shape), reduction, count)

    def backward(ctx, g):
        xp = _xp(g)
        logp, eps, n_classes = ctx.logp, ctx.eps, ctx.logp.shape[1]
        gs = _class_axis(xp, xp.broadcast_to(_per_element(ctx, g), ctx.loss_shape))
        # a_c (target part) and sum_c a_c, both times the incoming gradient
        target_part = gs if ctx.w_t is None else gs * ctx.w_t
        if eps:
            target_part = (1 - eps) * target_part
            counted = gs if ctx.keep is None else gs * ctx.keep
            w_sum = n_classes if ctx.weight is None else xp.sum(ctx.weight)
            total = target_part + (eps / n_classes * w_sum) * counted
        else:
            total = target_part
        grad = xp.exp(logp) * total  # softmax(x) * sum_c a_c
        grad = grad - _one_hot_where(xp, ctx.t, n_classes, target_part, logp)
        if eps:
            w_c = 1.0 if ctx.weight is None else _broadcast_classes(xp, ctx.weight, logp.ndim)
            grad = grad - (eps / n_classes) * w_c * counted
        return grad, None, None


class CrossEntropyProbs(Op):
    """d CE / dx = (softmax(x) * sum_c a_c - a) * g,  d CE / dp = -(1 - eps) w log_softmax(x) g

    ``target`` holds class probabilities p with the shape of ``x``: the loss is
    ``-sum_c a_c log_softmax(x)_c`` with ``a_c = w_c ((1 - eps) p_c + eps / C)``;
    'mean' divides by the number of samples N * d1 * ... (weights do not enter it).
    """

    def forward(ctx, x, target, weight=None, reduction="mean", label_smoothing=0.0):
        xp = _xp(x)
        n_classes = x.shape[1]
        logp = _log_softmax(xp, x)
        eps = label_smoothing
        a = target * (1 - eps) + eps / n_classes if eps else target
        w = None if weight is None else _broadcast_classes(xp, weight, x.ndim)
        if w is not None:
            a = a * w
        loss = -xp.sum(a * logp, axis=1)
        ctx.logp, ctx.a, ctx.w, ctx.eps = logp, a, w, eps
        return _reduce(ctx, loss, reduction, loss.size)

    def backward(ctx, g):
        xp = _xp(g)
        gs = _class_axis(xp, xp.broadcast_to(_per_element(ctx, g), ctx.loss_shape))
        need_x, need_target = ctx.needs_input_grad[:2]
        gx = gt = None
        if need_x:
            a_sum = xp.sum(ctx.a, axis=1, keepdims=True)
            gx = (xp.exp(ctx.logp) * a_sum - ctx.a) * gs
        if need_target:
            gt = -(1 - ctx.eps) * ctx.logp * gs
            if ctx.w is not None:
                gt = gt * ctx.w
        return gx, gt, None


class NLLLoss(Op):
    """d NLL / dx = -w_y g at each target's class y, 0 elsewhere

    ``x`` holds log-probabilities (N, C, d1, ...), ``target`` class indices; the loss of
    a counted target is ``-w_y x_y``; 'mean' divides by the summed ``w_y``.
    """

    def forward(ctx, x, target, weight=None, ignore_index=None, reduction="mean"):
        xp = _xp(x)
        t, w_t, _ = _target_weights(xp, _class_axis(xp, target), weight, ignore_index,
                                    x.dtype)
        loss = -xp.take_along_axis(x, t, axis=1)
        if w_t is not None:
            loss = loss * w_t
        ctx.t, ctx.w_t, ctx.shape, ctx.dtype = t, w_t, x.shape, x.dtype
        count = t.size if w_t is None else xp.sum(w_t)
        return _reduce(ctx, xp.reshape(loss, target.shape), reduction, count)

    def backward(ctx, g):
        xp = _xp(g)
        gs = _class_axis(xp, xp.broadcast_to(_per_element(ctx, g), ctx.loss_shape))
        value = -gs if ctx.w_t is None else -gs * ctx.w_t
        like = xp.zeros(ctx.shape, dtype=ctx.dtype)
        return _one_hot_where(xp, ctx.t, ctx.shape[1], value, like), None, None


def _broadcast_classes(xp, weight, ndim):
    """Class weights of shape (C,) as (1, C, 1, ...) to broadcast against (N, C, d1, ...)."""
    return xp.reshape(weight, (1, weight.shape[0]) + (1,) * (ndim - 2))


# --------------------------------------------------------------- regression


class BCEWithLogits(Op):
    """d BCE / dx = w ((1 - y) - L (1 - sigmoid(x))) g,  L = 1 + (pos_weight - 1) y

    ``loss = w ((1 - y) x + L softplus(-x))``: the same as
    ``-w (pos_weight y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))`` but computed with
    ``softplus(-x) = log(1 + e^-|x|) + max(-x, 0)``, which never overflows. Without
    pos_weight (L = 1) the gradient is the familiar ``w (sigmoid(x) - y) g``.
    """

    def forward(ctx, x, target, weight=None, pos_weight=None, reduction="mean"):
        xp = _xp(x)
        softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, xp.zeros((), dtype=x.dtype))
        if pos_weight is None:
            loss = (1 - target) * x + softplus_neg
        else:
            log_weight = (pos_weight - 1) * target + 1
            loss = (1 - target) * x + log_weight * softplus_neg
        unweighted = loss
        if weight is not None:
            loss = loss * weight
        ctx.x, ctx.target, ctx.sp = x, target, softplus_neg
        ctx.weight, ctx.pos_weight = weight, pos_weight
        ctx.unweighted = unweighted if ctx.needs_input_grad[2] else None
        return _reduce(ctx, loss, reduction, loss.size)

    def backward(ctx, g):
        xp = _xp(g)
        gs = _per_element(ctx, g)
        if ctx.weight is not None:
            gs = gs * ctx.weight
        x, y, sp, pw = ctx.x, ctx.target, ctx.sp, ctx.pos_weight
        need_x, need_y, need_w, need_pw = ctx.needs_input_grad
        sig = xp.exp(-sp)  # sigmoid(x) = exp(-softplus(-x)), in (0, 1]
        gx = gy = gw = gpw = None
        if need_x:
            gx = (sig - y) * gs if pw is None else ((1 - y) - ((pw - 1) * y + 1) * (1 - sig)) * gs
        if need_y:
            gy = -x * gs if pw is None else ((pw - 1) * sp - x) * gs
        if need_w:
            gw = ctx.unweighted * _per_element(ctx, g)
        if need_pw:
            gpw = y * sp * gs
        return gx, gy, gw, gpw


class MSELoss(Op):
    """d (x - y)^2 = (2 (x - y) g, -2 (x - y) g)   (times w when weighted)

    'mean' divides by the number of elements, or by sum(w) when weights are given.
    """

    def forward(ctx, x, target, weight=None, reduction="mean"):
        xp = _xp(x)
        diff = x - target
        loss = diff * diff
        ctx.diff, ctx.weight = diff, weight
        ctx.squared = loss if weight is not None and ctx.needs_input_grad[2] else None
        if weight is not None:
            loss = loss * weight
            return _reduce(ctx, loss, reduction, xp.sum(weight))
        return _reduce(ctx, loss, reduction, loss.size)

    def backward(ctx, g):
        gs = _per_element(ctx, g)
        need_x, need_y, need_w = ctx.needs_input_grad
        scaled = 2 * ctx.diff * (gs if ctx.weight is None else gs * ctx.weight)
        return (scaled if need_x else None, -scaled if need_y else None,
                ctx.squared * gs if need_w else None)


# ------------------------------------------------------------------ dropout


class Dropout(Op):
    """d dropout(x) = g * mask / (1 - p)   (the same mask as the forward pass)

    Inverted dropout: each element is kept with probability 1 - p and scaled by
    1 / (1 - p), so the expected output equals x and evaluation needs no rescaling.
    The mask comes from minigrad's global generator (``minigrad.manual_seed``).
    """

    def forward(ctx, x, p):
        xp = _xp(x)
        dev = device_of(x)
        if p == 1:
            ctx.mask = xp.zeros_like(x)
            return ctx.mask
        u = backend.get_rng().random(x.shape, dtype=backend.dtype_of(x).name)
        keep = backend.from_numpy(u, dev) >= p
        ctx.mask = xp.astype(keep, x.dtype) * (1 / (1 - p))
        return x * ctx.mask

    def backward(ctx, g):
        return g * ctx.mask
