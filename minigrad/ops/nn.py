"""Neural-network ops, each fused into one forward/backward pair for speed.

A fused op does in one node what a chain of small ops would do in several: ``Linear``
is ``x @ W.T + b``; ``CrossEntropy`` is log-softmax followed by the negative log
likelihood, whose combined gradient is the famous ``softmax(x) - onehot(y)``. Fewer
nodes means fewer temporaries and less Python per training step.

Reading for the maths: ``Linear.plain_backward`` (``g @ W``, ``g^T @ x``, ``g.sum(0)``) and
``CrossEntropy.plain_backward`` (``softmax - onehot``) are the plain reference versions; each
op's ``backward`` then continues, below a "fast path" line, with the same result computed
faster. The engine runs the plain one when the backward itself is differentiated
(``create_graph=True``, g a Tensor), where speed does not matter.

Arguments arrive as arrays; ``g`` is the gradient of the output. A loss's reduction
(``'mean'``, ``'sum'``, ``'none'``) is undone at the top of its backward by
``_per_element(g)``: the gradient each element of the unreduced loss receives.
"""
from .. import backend, fused
from ..autograd import Op
from ..backend import batch_fastest, device_of
from ..promotion import COMMON


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

    The product is computed transposed, ``out^T = W x^T`` with shape (out, batch), and
    returned as a transposed view: the output has the shape PyTorch gives it but lies
    *feature-major* in memory, each feature's values for the whole batch side by side.
    That is faster with NumPy for the tall, narrow batches of small networks: the bias
    is added along long rows (along a row of 8 to 64 features NumPy's loop barely gets
    going), element-wise ops such as ReLU keep the layout, the gradient coming back has
    it too, and the losses read their classes-first view without a copy. The price: an
    element-wise op mixing such an output with a row-major array of the same shape (a
    residual sum with the raw input, say) runs ~1.7x slower than with matching layouts.
    """

    def forward(ctx, x, weight, bias=None):
        if x.dtype != weight.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{type_name(x)} and {type_name(weight)}")
        if bias is not None and bias.dtype != weight.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                               f"{type_name(bias)} and {type_name(weight)}")
        xp = _xp(x)
        x2 = x if x.ndim == 2 else xp.reshape(x, (_numel(x.shape[:-1]), x.shape[-1]))
        if x2.shape[1] != weight.shape[1]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x2.shape[0]}x"
                               f"{x2.shape[1]} and {weight.shape[1]}x{weight.shape[0]})")
        need_x, need_w = ctx.needs_input_grad[:2]
        # only what backward uses (an optimizer step on the weight before backward is fine
        # when the input's gradient isn't wanted, as in PyTorch)
        ctx.x, ctx.x2 = (x, x2) if need_w else (None, None)
        ctx.weight = weight if need_x else None
        ctx.lead = x.shape[:-1]
        out_t = xp.matmul(weight, x2.mT)                 # (out, batch)
        if bias is not None:
            out_t += xp.reshape(bias, (-1, 1))
        return _batch_first(xp, out_t, ctx.lead)

    recomputed = ("x2",)  # the fast backward's 2-D view of x

    def plain_backward(ctx, g):
        """The reference: the three gradients as the formula reads, ``g @ W``, ``g^T @ x``
        and ``g.sum(0)``, with any leading axes of x folded into one batch axis. The
        engine runs it under create_graph (g a Tensor), where speed does not matter."""
        xp = _xp(g)
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = xp.reshape(g, (_numel(ctx.lead), g.shape[-1]))           # (batch, out)
        gx = gw = gb = None
        if need_x:
            gx = xp.reshape(xp.matmul(g2, ctx.weight), tuple(ctx.lead) + (ctx.weight.shape[1],))
        if need_w:
            gw = xp.matmul(g2.mT, xp.reshape(ctx.x, (_numel(ctx.lead), ctx.x.shape[-1])))
        if need_b:
            gb = xp.sum(g2, axis=0)
        return gx, gw, gb

    def backward(ctx, g):
        if backend.is_recording(g):
            return ctx.plain_backward(g)
        # ---- fast path: same result as plain_backward, laid out for NumPy and OpenBLAS ----
        xp = _xp(g)
        need_x, need_w, need_b = ctx.needs_input_grad
        g_t = _features_first(xp, g)                     # g^T, (out, batch): usually a view
        gx = gw = gb = None
        if need_x:  # g W, computed as its transpose W^T g^T, like the forward
            gx = _batch_first(xp, xp.matmul(ctx.weight.mT, g_t), ctx.lead)
        if need_w:  # g^T x
            gw = _sum_over_batch_of_products(xp, g_t, ctx.x2)
        if need_b:
            # the sum of g over the batch (g^T's row sums) as a matrix-vector product:
            # several times faster than NumPy's sum along rows
            gb = xp.matmul(g_t, backend.ones_vector(g_t, g_t.shape[1]))
        return gx, gw, gb


def _batch_first(xp, a_t, lead):
    """(features, batch) -> (*lead, features): a view with the features outermost in memory."""
    if len(lead) == 1:
        return a_t.mT
    a = xp.reshape(a_t, (a_t.shape[0],) + tuple(lead))
    return xp.permute_dims(a, tuple(range(1, a.ndim)) + (0,))


def _features_first(xp, g):
    """(*lead, features) -> (features, batch), the inverse of ``_batch_first`` (a view when
    ``g`` is feature-major, as the gradients reaching a Linear are; a copy otherwise)."""
    g_t = xp.permute_dims(g, (g.ndim - 1,) + tuple(range(g.ndim - 1)))
    return g_t if g.ndim == 2 else xp.reshape(g_t, (g.shape[-1], _numel(g.shape[:-1])))


def _numel(shape):
    """The product of ``shape`` (a reshape's -1 cannot be worked out when it is 0)."""
    n = 1
    for s in shape:
        n *= s
    return n


def _sum_over_batch_of_products(xp, g_t, x2):
    """g^T x = sum over the batch of g_n^T x_n: the weight gradient, (out, in).

    Two ways of running this one product that OpenBLAS does faster, both free of copies:

    - When the result is tiny (in * out <= 512) and the batch long, OpenBLAS computes it
      at a fraction of its speed; the same sum split into 8 products over consecutive
      slices of the batch, then added, runs about twice as fast.
    - When x is feature-major too (a hidden layer's input), both factors run along the
      batch in memory, and OpenBLAS is faster with the longer side first: with fewer
      outputs than inputs it computes (x^T g)^T (a 32x64 weight over a batch of 8,000:
      315 against 452 us, measured alone).
    """
    (n, n_in), n_out = x2.shape, g_t.shape[0]
    if n_out * n_in <= 512 and n >= 1024 and n % 8 == 0:
        g_parts = xp.permute_dims(xp.reshape(g_t, (n_out, 8, n // 8)), (1, 0, 2))
        x_parts = xp.reshape(x2, (8, n // 8, n_in))
        return xp.sum(xp.matmul(g_parts, x_parts), axis=0)
    if n_out < n_in and batch_fastest(x2):
        return xp.matmul(x2.mT, g_t.mT).mT
    return xp.matmul(g_t, x2)


# ---------------------------------------------------------- reductions of losses


def _reduce(ctx, loss, reduction, denominator):
    """Reduce an element-wise loss and remember how to undo it in backward.

    'mean' divides the sum by ``denominator`` (the number of elements, or the total
    weight of the counted targets), 'sum' sums, 'none' returns ``loss`` as it is.
    """
    xp = _xp(loss)
    ctx.reduction, ctx.denominator = reduction, denominator
    if reduction == "none":
        return loss
    total = xp.sum(loss)
    if reduction == "sum":
        return total
    if not backend.on_host(loss) and backend.is_array(denominator):
        # no float(denominator) on a GPU (a synchronisation): 0/0 is nan all the same,
        # and backward divides by inf where the denominator is 0
        inf = xp.asarray(float("inf"), dtype=denominator.dtype)
        ctx.denominator = xp.where(denominator == 0, inf, denominator)
        return total / denominator
    if float(denominator) == 0:
        # nothing counted (every target ignored): the loss is 0/0 = nan and the
        # gradient 0, as in PyTorch (g / inf = 0 in backward)
        ctx.denominator = float("inf")
        return total * float("nan")
    return total / denominator


def _per_element(ctx, g):
    """The gradient that reaches each element of the unreduced loss (a 0-d array that
    broadcasts, unless the reduction was 'none')."""
    if ctx.reduction == "none":
        return g
    if ctx.reduction == "mean":
        return g / ctx.denominator
    return g


# ----------------------------------------------------------- classification
#
# The classification losses work on a "classes first" copy of the logits: (N, C, d1, ...)
# becomes (C, M) with M = N * d1 * ... samples along the long, contiguous axis. The reason
# is speed: NumPy reduces and broadcasts along a short innermost axis one row at a time,
# so max/sum over the C classes of an (8000, 8) batch takes tens of times longer than the
# same reduction over the outer axis. With classes first every per-class reduction and
# every per-sample broadcast runs along M. The gradient goes back as a (transposed) view.


def _classes_first(xp, x):
    """(N, C, d1, ...) -> C-contiguous (C, M): row c holds class c of every sample."""
    moved = xp.permute_dims(x, (1, 0) + tuple(range(2, x.ndim)))
    return xp.reshape(xp.reshape(moved, (-1,)), (x.shape[1], -1))  # via 1-D: a C-order copy


def _classes_last(xp, g, shape):
    """Inverse of ``_classes_first``: (C, M) back to ``shape`` = (N, C, d1, ...) (a view)."""
    g = xp.reshape(g, (shape[1], shape[0]) + tuple(shape[2:]))
    return xp.permute_dims(g, (1, 0) + tuple(range(2, len(shape))))


def _per_sample(ctx, g):
    """The gradient reaching each sample's loss, as a (M,) vector or a broadcasting 0-d."""
    gs = _per_element(ctx, g)
    return _xp(gs).reshape(gs, (-1,)) if ctx.reduction == "none" else gs


def _target_weights(xp, target, weight, ignore_index, dtype, n_classes):
    """For flat class-index targets (M,): the targets to gather with (ignored ones point
    at class 0), each target's class weight (0 where ignored; None when all weights are
    1), and the 0/1 mask of counted targets (None when nothing is ignored).

    Off the host (a GPU) the targets were not range-checked in Python (that would
    synchronise): a target outside [0, C) then points at class 0 with weight nan, so the
    loss comes out nan instead of a silently wrong number."""
    keep = None
    if not backend.on_host(target):
        if ignore_index is None:
            ignore_index = -1  # never equal to a valid class
        if fused.use_kernels(target):
            keep, target = fused.CLASS_TARGETS(t=target, ignore_index=ignore_index,
                                               n_classes=n_classes,
                                               one=xp.ones((), dtype=dtype), nan=float("nan"))
        else:
            keep, target = _class_targets_on_device(xp, target, ignore_index, n_classes, dtype)
        w = None if weight is None else xp.take(weight, target)
        return target, keep if w is None else w * keep, keep
    if ignore_index is not None:
        keep = target != ignore_index
        target = xp.where(keep, target, xp.zeros_like(target))
        keep = xp.astype(keep, dtype)
    w = None if weight is None else xp.take(weight, target)
    if keep is not None:
        w = keep if w is None else w * keep
    return target, w, keep


def _class_targets_on_device(xp, t, ignore_index, n_classes, dtype):
    """What fused.CLASS_TARGETS computes, in Array API calls: the counted mask (1, 0 where
    ignored, nan where out of range) and the targets to gather with (0 where not valid)."""
    ignored = t == ignore_index
    valid = (t >= 0) & (t < n_classes)
    zero, one, nan = (xp.asarray(v, dtype=dtype) for v in (0.0, 1.0, float("nan")))
    keep = xp.where(ignored, zero, xp.where(valid, one, nan))
    return keep, xp.where(valid & ~ignored, t, xp.zeros_like(t))


def _one_hot(xp, target, n_classes, value, dtype):
    """(C, M) with ``value`` at row target[m] of column m and 0 elsewhere."""
    classes = xp.reshape(xp.arange(n_classes, dtype=target.dtype), (n_classes, 1))
    # a 0/1 float times the value: where() branches on every element, several times slower
    return xp.astype(classes == target, dtype) * value


def _pick(xp, xc, target):
    """xc[target[m], m] for every sample m: each sample's value at its target class."""
    return xc[target, xp.arange(target.shape[0])]


class CrossEntropy(Op):
    """d CE / dx = (softmax(x) * sum_c a_c - a) * g,  a = the weighted target distribution

    ``x`` has shape (N, C, d1, ...), ``target`` (N, d1, ...) of class indices. With
    eps = label_smoothing and w the class weights (1 when not given), each counted
    target y puts weight ``a_c = (1 - eps) w_y [c == y] + eps / C * w_c`` on class c and
    its loss is ``-sum_c a_c log_softmax(x)_c``; an ignored target has a = 0. 'mean'
    divides by the summed weight ``w_y`` of the counted targets, as PyTorch does.
    Without weights or smoothing the gradient is the familiar ``softmax(x) - onehot(y)``.
    """

    def forward(ctx, x, target, weight=None, ignore_index=None, reduction="mean",
                label_smoothing=0.0):
        xp = _xp(x)
        n_classes = x.shape[1]
        xc = _classes_first(xp, x)                        # (C, M)
        t, w_t, keep = _target_weights(xp, xp.reshape(target, (-1,)), weight, ignore_index,
                                       x.dtype, x.shape[1])
        shifted = xc - xp.max(xc, axis=0, keepdims=True)  # <= 0, so exp never overflows
        e = xp.exp(shifted)
        s = xp.sum(e, axis=0)                             # (M,) softmax denominators
        lse = xp.log(s)                                   # log_softmax = shifted - lse
        loss = lse - _pick(xp, shifted, t)                # -log_softmax at the target
        if w_t is not None:
            loss = loss * w_t
        eps = label_smoothing
        if eps:
            # the uniform part, -sum_c w_c log_softmax_c = sum_c w_c (lse - shifted_c):
            # lse >= 0 and shifted <= 0, so nothing cancels
            if weight is None:
                smooth = n_classes * lse - xp.sum(shifted, axis=0)
            else:
                smooth = (xp.sum(weight) * lse
                          - xp.sum(shifted * xp.reshape(weight, (n_classes, 1)), axis=0))
            if keep is not None:
                smooth = smooth * keep
            loss = (1 - eps) * loss + (eps / n_classes) * smooth
        ctx.e, ctx.s, ctx.t, ctx.w_t, ctx.keep = e, s, t, w_t, keep
        ctx.x, ctx.weight, ctx.eps, ctx.shape = x, weight, eps, x.shape
        count = t.shape[0] if w_t is None else xp.sum(w_t)
        return _reduce(ctx, xp.reshape(loss, target.shape), reduction, count)

    # from the targets and the class weights, which get no gradient
    constants = ("w_t", "keep", "denominator")
    recomputed = ("e", "s")  # exp(x - max x) and its sums, for the fast backward

    def plain_backward(ctx, g):
        """The reference: ``softmax(x) - onehot(y)``, times each sample's g. With class
        weights, ignored targets or label smoothing, the target distribution a is spelled
        out and the gradient is ``softmax(x) * sum_c a_c - a``. The engine runs this
        under create_graph (g a Tensor), where speed does not matter."""
        xp = _xp(g)
        eps, n_classes = ctx.eps, ctx.shape[1]
        xc = _classes_first(xp, ctx.x)                                  # (C, M)
        e = xp.exp(xc - xp.max(xc, axis=0, keepdims=True))
        softmax = e / xp.sum(e, axis=0, keepdims=True)
        onehot = _one_hot(xp, ctx.t, n_classes, 1.0, softmax.dtype)     # (C, M)
        if ctx.w_t is None and not eps:
            grad = softmax - onehot
        else:
            w_y = 1.0 if ctx.w_t is None else ctx.w_t        # the target's weight, 0 if ignored
            counted = 1.0 if ctx.keep is None else ctx.keep  # 0 if ignored
            w_c = 1.0 if ctx.weight is None else xp.reshape(ctx.weight, (n_classes, 1))
            a = (1 - eps) * w_y * onehot + (eps / n_classes) * w_c * counted
            grad = softmax * xp.sum(a, axis=0) - a
        return _classes_last(xp, grad * _per_sample(ctx, g), ctx.shape), None, None

    def backward(ctx, g):
        if backend.is_recording(g):
            return ctx.plain_backward(g)
        # ---- fast path: same result as plain_backward, from the exps forward saved ----
        xp = _xp(g)
        eps, n_classes = ctx.eps, ctx.shape[1]
        gs = _per_sample(ctx, g)
        # g times a_c at the target class, and g times sum_c a_c
        target_part = gs if ctx.w_t is None else gs * ctx.w_t
        total = target_part
        if eps:
            target_part = (1 - eps) * target_part
            counted = gs if ctx.keep is None else gs * ctx.keep
            w_sum = n_classes if ctx.weight is None else xp.sum(ctx.weight)
            total = target_part + (eps / n_classes * w_sum) * counted
        elif fused.use_kernels(g):  # a GPU: the lines below in one kernel
            cls = xp.reshape(xp.arange(n_classes, dtype=ctx.t.dtype), (n_classes, 1))
            grad = fused.CROSS_ENTROPY_BACKWARD(e=ctx.e, s=ctx.s, total=total,
                                                target_part=target_part, cls=cls, t=ctx.t)
            return _classes_last(xp, grad, ctx.shape), None, None
        grad = (ctx.e / ctx.s) * total                     # softmax(x) * sum_c a_c
        grad = grad - _one_hot(xp, ctx.t, n_classes, target_part, grad.dtype)
        if eps:
            w_c = 1.0 if ctx.weight is None else xp.reshape(ctx.weight, (n_classes, 1))
            grad = grad - (eps / n_classes) * w_c * counted
        return _classes_last(xp, grad, ctx.shape), None, None


class CrossEntropyProbs(Op):
    """d CE / dx = (softmax(x) * sum_c a_c - a) * g,  d CE / dp = -(1 - eps) w log_softmax(x) g,
    d CE / dw_c = -sum over samples of (a_c / w_c) log_softmax(x)_c g

    ``target`` holds class probabilities p with the shape of ``x``: the loss is
    ``-sum_c a_c log_softmax(x)_c`` with ``a_c = w_c ((1 - eps) p_c + eps / C)``;
    'mean' divides by the number of samples N * d1 * ... (weights do not enter it).
    """

    def forward(ctx, x, target, weight=None, reduction="mean", label_smoothing=0.0):
        xp = _xp(x)
        n_classes = x.shape[1]
        xc = _classes_first(xp, x)
        shifted = xc - xp.max(xc, axis=0, keepdims=True)
        logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=0, keepdims=True))
        eps = label_smoothing
        pc = _classes_first(xp, target)
        a = pc * (1 - eps) + eps / n_classes if eps else pc
        w = None if weight is None else xp.reshape(weight, (n_classes, 1))
        ctx.a_per_weight = a if ctx.needs_input_grad[2] else None
        if w is not None:
            a = a * w
        loss = -xp.sum(a * logp, axis=0)
        ctx.logp, ctx.a, ctx.w, ctx.eps, ctx.shape = logp, a, w, eps, x.shape
        ctx.x, ctx.target, ctx.weight = x, target, weight
        return _reduce(ctx, xp.reshape(loss, (x.shape[0],) + tuple(x.shape[2:])), reduction,
                       loss.shape[0])

    recomputed = ("logp", "a", "w", "a_per_weight")

    def plain_backward(ctx, g):
        """The same gradients with log_softmax(x) and a recomputed from the inputs (run
        under create_graph, where x, the target and the weights all may be differentiated)."""
        xp = _xp(g)
        n_classes, eps = ctx.shape[1], ctx.eps
        xc = _classes_first(xp, ctx.x)
        shifted = xc - xp.max(xc, axis=0, keepdims=True)
        logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=0, keepdims=True))
        a = (1 - eps) * _classes_first(xp, ctx.target) + eps / n_classes  # per unit weight
        w = 1.0 if ctx.weight is None else xp.reshape(ctx.weight, (n_classes, 1))
        gs = _per_sample(ctx, g)
        need_x, need_target, need_w = ctx.needs_input_grad
        gx = gt = gw = None
        if need_x:
            gx = _classes_last(xp, (xp.exp(logp) * xp.sum(w * a, axis=0) - w * a) * gs,
                               ctx.shape)
        if need_target:
            gt = _classes_last(xp, -(1 - eps) * w * logp * gs, ctx.shape)
        if need_w:
            gw = -xp.sum(a * logp * gs, axis=1)
        return gx, gt, gw

    def backward(ctx, g):
        if backend.is_recording(g):
            return ctx.plain_backward(g)
        xp = _xp(g)
        gs = _per_sample(ctx, g)
        need_x, need_target = ctx.needs_input_grad[:2]
        gx = gt = None
        if need_x:
            a_sum = xp.sum(ctx.a, axis=0)
            gx = _classes_last(xp, (xp.exp(ctx.logp) * a_sum - ctx.a) * gs, ctx.shape)
        if need_target:
            gt = -(1 - ctx.eps) * ctx.logp * gs
            if ctx.w is not None:
                gt = gt * ctx.w
            gt = _classes_last(xp, gt, ctx.shape)
        gw = None
        if ctx.needs_input_grad[2]:
            gw = -xp.sum(ctx.a_per_weight * ctx.logp * gs, axis=1)
        return gx, gt, gw


class NLLLoss(Op):
    """d NLL / dx = -w_y g at each target's class y, 0 elsewhere

    ``x`` holds log-probabilities (N, C, d1, ...), ``target`` class indices; the loss of
    a counted target is ``-w_y x_y``; 'mean' divides by the summed ``w_y``.
    """

    constants = ("w_t", "denominator")  # from the targets and the class weights

    def forward(ctx, x, target, weight=None, ignore_index=None, reduction="mean"):
        xp = _xp(x)
        t, w_t, _ = _target_weights(xp, xp.reshape(target, (-1,)), weight, ignore_index,
                                    x.dtype, x.shape[1])
        loss = -_pick(xp, _classes_first(xp, x), t)
        if w_t is not None:
            loss = loss * w_t
        ctx.t, ctx.w_t, ctx.shape, ctx.dtype = t, w_t, x.shape, x.dtype
        count = t.shape[0] if w_t is None else xp.sum(w_t)
        return _reduce(ctx, xp.reshape(loss, target.shape), reduction, count)

    def backward(ctx, g):
        xp = _xp(g)
        gs = _per_sample(ctx, g)
        value = -gs if ctx.w_t is None else -gs * ctx.w_t
        grad = _one_hot(xp, ctx.t, ctx.shape[1], value, ctx.dtype)  # (C, M)
        return _classes_last(xp, grad, ctx.shape), None, None


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
        softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0.0)
        if pos_weight is None:
            loss = (1 - target) * x + softplus_neg
        else:
            loss = (1 - target) * x + ((pos_weight - 1) * target + 1) * softplus_neg
        if weight is not None:
            loss = loss * weight
        ctx.x, ctx.target, ctx.sp = x, target, softplus_neg
        ctx.weight, ctx.pos_weight = weight, pos_weight
        return _reduce(ctx, loss, reduction, loss.size)

    recomputed = ("sp",)  # softplus(-x)

    def backward(ctx, g):
        xp = _xp(g)
        gs = _per_element(ctx, g)
        if ctx.weight is not None:
            gs = gs * ctx.weight
        x, y, sp, pw = ctx.x, ctx.target, ctx.sp, ctx.pos_weight
        if backend.is_recording(g):  # create_graph: softplus(-x) recorded, from x again
            sp = _softplus(xp, -x)
        need_x, need_y = ctx.needs_input_grad[:2]
        sig = xp.exp(-sp)  # sigmoid(x) = exp(-softplus(-x)), in (0, 1]
        gx = gy = None
        if need_x:
            if pw is None:
                gx = (sig - y) * gs
            else:
                gx = ((1 - y) - ((pw - 1) * y + 1) * (1 - sig)) * gs
        if need_y:
            gy = -x * gs if pw is None else ((pw - 1) * sp - x) * gs
        return gx, gy, None, None  # like PyTorch: no gradient for weight and pos_weight


def _softplus(xp, x):
    """log(1 + e^x) = log(1 + e^-|x|) + max(x, 0): never overflows."""
    return xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(x, xp.zeros_like(x))


class BinaryCrossEntropy(Op):
    """d/dx bce(x, y) = (x - y) / max(x (1 - x), 1e-12) g,  d/dy = (log(1 - x) - log(x)) g

    ``bce = -(y log(x) + (1 - y) log(1 - x))`` element-wise, each log clamped at -100 as in
    PyTorch; the gradients are PyTorch's formulas (its epsilon is the float32 1e-12), so
    x's is finite at x = 0 and x = 1 (the chain rule through the clamped logs would give
    0 * inf = NaN there) and y's is not clamped.
    """

    def forward(ctx, x, target):
        xp = _xp(x)
        ctx.x, ctx.target = x, target
        return -(target * _log_clamped(xp, x) + (1 - target) * _log_clamped(xp, 1 - x))

    def backward(ctx, g):
        xp = _xp(g)
        x, y = ctx.x, ctx.target
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - y) / xp.clip((1 - x) * x, _EPSILON_F32, None)
        if ctx.needs_input_grad[1]:
            gy = g * (xp.log(1 - x) - xp.log(x))
        return gx, gy


_EPSILON_F32 = 9.999999960041972e-13  # float(np.float32(1e-12)), PyTorch's BCE epsilon


def _log_clamped(xp, x):
    """log(x), at least -100 (PyTorch's BCE: a probability of 0 costs 100, not inf)."""
    return xp.clip(xp.log(x), -100.0, None)


class MSELoss(Op):
    """d (x - y)^2 = (2 (x - y) g, -2 (x - y) g)   (times w when weighted)

    'mean' divides by the number of elements, or by S = sum(w) when weights are given;
    then the weights also get a gradient: d L / d w_i = ((x_i - y_i)^2 - L) / S * g.
    """

    promote = COMMON  # an integer target counts in the input's float dtype

    def forward(ctx, x, target, weight=None, reduction="mean"):
        xp = _xp(x)
        diff = x - target
        loss = diff * diff
        ctx.diff, ctx.weight, ctx.squared = diff, weight, loss
        ctx.x, ctx.target = x, target
        if weight is None:
            return _reduce(ctx, loss, reduction, loss.size)
        out = _reduce(ctx, loss * weight, reduction, xp.sum(weight))
        ctx.mean = out if reduction == "mean" else None
        return out

    recomputed = ("diff", "squared", "denominator")

    def backward(ctx, g):
        diff, squared = ctx.diff, ctx.squared
        if backend.is_recording(g):  # create_graph: what forward computed, recorded afresh
            diff = ctx.x - ctx.target
            squared = diff * diff
            ctx.denominator = (_numel(squared.shape) if ctx.weight is None
                               else _xp(g).sum(ctx.weight))
        gs = _per_element(ctx, g)
        need_x, need_y, need_w = ctx.needs_input_grad
        scaled = 2 * diff * (gs if ctx.weight is None else gs * ctx.weight)
        gw = None
        if need_w:  # the weights appear in the denominator of a weighted mean too
            gw = (squared if ctx.mean is None else squared - ctx.mean) * gs
        return (scaled if need_x else None, -scaled if need_y else None, gw)


# ------------------------------------------------------------------ dropout


class Dropout(Op):
    """d dropout(x) = g * mask / (1 - p)   (the same mask as the forward pass)

    Inverted dropout: each element is kept with probability 1 - p and scaled by
    1 / (1 - p), so the expected output equals x and evaluation needs no rescaling.
    The mask comes from minigrad's global generator (``minigrad.manual_seed``).
    """

    constants = ("mask",)  # random, not a function of x

    def forward(ctx, x, p):
        xp = _xp(x)
        if p == 1:
            ctx.mask = xp.zeros_like(x)
        else:
            u = backend.get_rng().random(x.shape, dtype=backend.dtype_of(x).name)
            keep = backend.from_numpy(u, device_of(x)) >= p
            ctx.mask = xp.astype(keep, x.dtype) * (1 / (1 - p))
        return x * ctx.mask

    def backward(ctx, g):
        return g * ctx.mask
