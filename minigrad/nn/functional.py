"""``minigrad.nn.functional`` (``import minigrad.nn.functional as F``): the layers and
losses as plain functions, with PyTorch's names, arguments and defaults.

This file turns PyTorch's calling conventions (optional weights, reductions, target
layouts) into calls of the fused ops in ``minigrad.ops.nn`` and checks the inputs a
user most often gets wrong, with PyTorch's error types and wording.
"""
import warnings

from .. import backend
from ..autograd import is_grad_enabled
from ..ops import elementwise as E
from ..ops import nn as N
from ..ops import reduce as R
from ..ops.conv import conv2d, max_pool2d  # noqa: F401  (re-exported: F.conv2d, F.max_pool2d)
from ..promotion import KERNEL_NAMES
from ..tensor import Tensor

__all__ = ["linear", "conv2d", "max_pool2d", "relu", "sigmoid", "tanh", "softmax",
           "log_softmax", "dropout", "one_hot", "cross_entropy", "nll_loss",
           "binary_cross_entropy_with_logits", "mse_loss"]


# ----------------------------------------------------------------- layers


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``; input ``(*, in_features)``, weight ``(out, in)``."""
    if weight.ndim != 2 or input.ndim == 0:
        return _linear_unusual(input, weight, bias)
    return N.Linear.apply(input, weight, bias)


def _linear_unusual(input, weight, bias):
    """What torch does with a 0-d input or a weight that is not a matrix."""
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.ndim}D and {weight.ndim}D")
    if weight.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{weight.ndim}D")
    if bias is not None:
        raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
    return input @ weight  # a vector weight: one output feature, squeezed


def relu(input, inplace=False):
    """max(x, 0) element-wise (``inplace=True`` writes it into ``input`` and returns it)."""
    return input.relu_() if inplace else E.ReLU.apply(input)


def sigmoid(input):
    return E.Sigmoid.apply(input)


def tanh(input):
    return E.Tanh.apply(input)


def _softmax_dim(input, dim, name):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      "call to include dim=X as an argument.", stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return dim


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``."""
    if dtype is not None:
        input = input.to(dtype)
    return R.Softmax.apply(input, dim=_softmax_dim(input, dim, "softmax"))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along ``dim``, stable for logits of any magnitude."""
    if dtype is not None:
        input = input.to(dtype)
    return R.LogSoftmax.apply(input, dim=_softmax_dim(input, dim, "log_softmax"))


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (training
    only; returns ``input`` itself when not training or when p == 0)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    return N.Dropout.apply(input, p=p)


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding along a new last axis (no gradient)."""
    xp = tensor.device.xp
    data = tensor._data
    if tensor.dtype is not backend.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if data.size == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    elif int(xp.min(data)) < 0:
        raise RuntimeError("Class values must be non-negative.")
    elif num_classes == -1:
        num_classes = int(xp.max(data)) + 1
    elif int(xp.max(data)) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = xp.arange(num_classes, dtype=data.dtype)
    return Tensor._make(xp.astype(xp.expand_dims(data, axis=-1) == classes, xp.int64), None)


# ----------------------------------------------------------------- losses

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction, size_average=None, reduce=None):
    """The reduction string, from the current argument or the deprecated pair."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
        return reduction
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _check_weight(weight, input, n_classes):
    if weight is None:
        return
    if weight.ndim != 1 or weight.shape[0] != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {N.type_name(input._data)} but found "
                           f"{N.type_name(weight._data)}")


def _check_weight_not_differentiated(weight, function="nll_loss_forward", argument="weight"):
    """Weights that get no gradient (of the class-index losses, of BCE): say so, as PyTorch
    does, rather than silently give none."""
    if weight is not None and weight.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           f"argument '{argument}'. This input cannot have requires_grad True.")


def _check_class_targets(input, target, ignore_index, name):
    """Validate class-index targets for (N, C, d1, ...) logits; return the ignore_index
    that the op needs to honour (None when no target equals it)."""
    if target.dtype not in (backend.int64, backend.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {N.type_name(target._data)} "
            f"({name}: class-index targets must be integers; float targets are class "
            f"probabilities and must have the input's shape {list(input.shape)}, but target "
            f"has shape {list(target.shape)})")
    target_batch = target.shape[0] if target.ndim else 0
    if input.shape[0] != target_batch:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target_batch}).")
    if input.ndim == 2 and target.ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported "
                           f"(input {list(input.shape)}, target {list(target.shape)})")
    if input.ndim > 2 and tuple(target.shape) != (input.shape[0],) + tuple(input.shape[2:]):
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: "
                           f"{list(target.shape)}")
    n_classes = input.shape[1]
    data = target._data
    if data.size == 0:
        return None
    if not backend.on_host(data):
        # Reading min and max back would synchronise a GPU at every step: the op checks
        # the targets on the device instead (one out of range makes the loss nan).
        return ignore_index
    xp = target.device.xp
    low, high = int(xp.min(data)), int(xp.max(data))
    if low < 0 or high >= n_classes:  # out of range, unless it is the ignored value
        bad = (data != ignore_index) & ((data < 0) | (data >= n_classes))
        if bool(xp.any(bad)):
            value = int(backend.to_numpy(data)[backend.to_numpy(bad)][0])
            raise IndexError(f"Target {value} is out of bounds. (class indices must lie in "
                             f"[0, {n_classes - 1}] for input with {n_classes} classes, or "
                             f"equal ignore_index={ignore_index})")
    return ignore_index if low <= ignore_index <= high else None


def _as_index(target):
    """Class indices as int64 arrays (PyTorch also accepts uint8)."""
    if target.dtype is backend.int64:
        return target
    return Tensor._make(target.device.xp.astype(target._data, target.device.xp.int64), None)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross entropy between logits ``input`` (N, C, d1, ...) or (C,) and ``target``:
    class indices (N, d1, ...) or class probabilities of the input's shape.

    One fused op: log-softmax + negative log likelihood, with class ``weight``,
    ``ignore_index``, ``label_smoothing`` and ``reduction`` as PyTorch documents them.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    unbatched = input.ndim == 1
    if unbatched:  # (C,) logits with a 0-d class index or a (C,) distribution
        input = input.reshape(1, -1)
        target = target.reshape(1, -1) if target.ndim == 1 else target.reshape(1)
    if input.ndim < 2:
        raise RuntimeError(f"cross_entropy expects input of shape (N, C, ...) or (C,), "
                           f"got {list(input.shape)}")
    _check_weight(weight, input, input.shape[1])
    if tuple(target.shape) == tuple(input.shape) and target.dtype.is_floating_point:
        if ignore_index != -100:
            raise RuntimeError("ignore_index is not supported for floating point target")
        out = N.CrossEntropyProbs.apply(input, target, weight, reduction=reduction,
                                        label_smoothing=float(label_smoothing))
    else:
        if tuple(target.shape) == tuple(input.shape) and target.dtype is not backend.bool_:
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {N.type_name(target._data)}")
        ignore = _check_class_targets(input, target, ignore_index, "cross_entropy")
        _check_weight_not_differentiated(weight)
        out = N.CrossEntropy.apply(input, _as_index(target), weight, ignore_index=ignore,
                                   reduction=reduction, label_smoothing=float(label_smoothing))
    if unbatched and reduction == "none":
        out = out.reshape(())
    return out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood of class-index ``target`` under log-probabilities ``input``
    (N, C, d1, ...) or (C,): ``-weight[y] * input[n, y]``, averaged over the weights."""
    reduction = _reduction(reduction, size_average, reduce)
    unbatched = input.ndim == 1
    if unbatched:
        input, target = input.reshape(1, -1), target.reshape(1)
    _check_weight(weight, input, input.shape[1])
    ignore = _check_class_targets(input, target, ignore_index, "nll_loss")
    _check_weight_not_differentiated(weight)
    out = N.NLLLoss.apply(input, _as_index(target), weight, ignore_index=ignore,
                          reduction=reduction)
    if unbatched and reduction == "none":
        out = out.reshape(())
    return out


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable op; ``pos_weight`` (broadcast along
    the last axis) weighs the positive term, ``weight`` each element."""
    reduction = _reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape!r}) must be the same as input size "
                         f"({input.shape!r})")
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{N.type_name(target._data)} (binary_cross_entropy_with_logits "
                           f"needs float targets: use target.float())")
    for name, w in (("weight", weight), ("pos_weight", pos_weight)):
        _check_weight_not_differentiated(w, "binary_cross_entropy_with_logits", name)
    return N.BCEWithLogits.apply(input, target, weight, pos_weight, reduction=reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(input - target)^2`` (optionally times ``weight``), reduced."""
    reduction = _reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape!r}) that is different to the input "
                      f"size ({input.shape!r}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=2)
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    return N.MSELoss.apply(input, target, weight, reduction=reduction)



# ------------------------------------------- more losses and distances (composites)
# Each is a short formula of existing ops; the engine differentiates it.


def _reduce_loss(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_same_size(input, target, name):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape!r}) that is different to the input "
                      f"size ({input.shape!r}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (y log(x) + (1 - y) log(1 - x)) for probabilities ``input`` in [0, 1]; each log
    is clamped at -100, as in PyTorch (so a 0 or 1 gives a finite loss)."""
    reduction = _reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape!r}) that is different to the "
                         f"input size ({input.shape!r}) is deprecated. Please ensure they "
                         f"have the same size.")
    xp = input.device.xp
    if input._data.size and not bool(xp.all((input._data >= 0) & (input._data <= 1))):
        raise RuntimeError("all elements of input should be between 0 and 1")  # (NaN too)
    if target._data.size and not bool(xp.all((target._data >= 0) & (target._data <= 1))):
        raise RuntimeError("all elements of target should be between 0 and 1")
    loss = N.BinaryCrossEntropy.apply(input, target)
    try:
        wide = weight is not None and tuple(xp.broadcast_shapes(
            tuple(weight.shape), tuple(input.shape))) != tuple(input.shape)
    except ValueError:
        wide = True
    if wide:
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast "
                           f"shape {list(weight.shape)}")
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error |input - target| (optionally times ``weight``), reduced."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_same_size(input, target, "l1_loss")
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target)."""
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _check_same_size(input, target, "smooth_l1_loss")
    d = input - target
    if beta == 0:
        return _reduce_loss(d.abs(), reduction)
    a = d.abs()
    small = input.device.xp.logical_not(a._data >= beta)  # (NaN too: its gradient is NaN)
    d_small = _where(small, d, 0.0)  # (so that an infinite d's gradient is sign(d), not NaN)
    loss = _where(small, d_small * d_small * (0.5 / beta), a - 0.5 * beta)
    return _reduce_loss(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta) (d = input - target).

    At |d| = delta both pieces have the same value and slope; the linear one is taken, so
    the second derivative there is 0, as in PyTorch."""
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_same_size(input, target, "huber_loss")
    d = input - target
    a = d.abs()
    small = input.device.xp.logical_not(a._data >= delta)  # (NaN too: its gradient is NaN)
    d_small = _where(small, d, 0.0)  # (so that an infinite d's gradient is delta sign(d))
    loss = _where(small, d_small * d_small * 0.5, (a - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce_loss(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target || exp(input)) element-wise, ``input`` holding log-probabilities:
    ``target * (log(target) - input)`` (0 where target is 0), or with ``log_target``,
    ``exp(target) * (target - input)``. ``'batchmean'`` divides the sum by the batch size
    (the true KL divergence); ``'mean'`` by the number of elements, as in PyTorch."""
    if not input.dtype.is_floating_point or not target.dtype.is_floating_point:
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if reduction == "batchmean":
        if size_average is not None or reduce is not None:
            reduction = _reduction("mean", size_average, reduce)
    else:
        reduction = _reduction(reduction, size_average, reduce)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = (target > 0)._data
        safe = _where(positive, target, 1.0)  # log(1) = 0 where the target is 0
        loss = target * safe.log() - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce_loss(loss, reduction)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``, after x1 and x2
    broadcast against each other (as PyTorch's: ``dim`` counts in the broadcast shape)."""
    from ..api.shape import broadcast_tensors
    if not (x1.dtype.is_floating_point or x2.dtype.is_floating_point):
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{KERNEL_NAMES[x1.dtype.name]}")
    x1, x2 = broadcast_tensors(x1, x2)
    n1 = _norm_at_least(x1, dim, eps)
    n2 = _norm_at_least(x2, dim, eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim`` (unit vectors along that dim)."""
    if out is not None:
        raise NotImplementedError("minigrad's normalize has no out= argument")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {KERNEL_NAMES[input.dtype.name]}")
    if p == 2:  # (the norm's gradient at a zero vector is 0, as torch defines it)
        norm = R.EuclideanNorm.apply(input, dim=dim, keepdim=True)
    else:
        norm = (input.abs() ** p).sum(dim, keepdim=True) ** (1.0 / p)
    return input / norm.clamp(min=eps)


def _norm_at_least(x, dim, eps):
    """max(||x||, eps) along ``dim`` (kept) as torch's cosine_similarity takes it: clamped
    without autograd, so the gradient is the norm's own, also below eps."""
    norm = R.EuclideanNorm.apply(x, dim=dim, keepdim=True)
    return norm + (norm.detach().clamp(min=eps) - norm.detach())


def _where(condition, input, other):
    from ..functions import where
    return where(condition, input, other)


# The activations, normalisation, pooling, embedding and channel dropout live in the
# topic files beside their modules; the functional forms are re-exported here.
from .activation import (celu, elu, gelu, hardswish, hardtanh, leaky_relu, mish,  # noqa: E402
                         prelu, relu6, selu, silu, softplus, softsign)
from .attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402,I001
from .conv import conv1d, conv_transpose2d  # noqa: E402
from .padding import pad  # noqa: E402
from .upsampling import interpolate, upsample  # noqa: E402
from .dropout import dropout2d  # noqa: E402
from .normalization import batch_norm, group_norm, layer_norm  # noqa: E402
from .pooling import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d  # noqa: E402
from .sparse import embedding  # noqa: E402

__all__ += ["binary_cross_entropy", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
            "cosine_similarity", "normalize", "celu", "elu", "gelu", "hardswish", "hardtanh",
            "leaky_relu", "mish", "prelu", "relu6", "selu", "silu", "softplus", "softsign",
            "dropout2d", "batch_norm", "group_norm", "layer_norm", "adaptive_avg_pool2d",
            "adaptive_max_pool2d", "avg_pool2d", "embedding", "conv1d", "conv_transpose2d",
            "pad", "interpolate", "upsample", "scaled_dot_product_attention",
            "multi_head_attention_forward"]
from .fold import fold, pixel_shuffle, pixel_unshuffle, unfold  # noqa: E402


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps along the last dim (batch dims broadcast); a 0-d result
    for two vectors."""
    from ..api.reduce import norm
    return norm(x1 - x2 + eps, p, dim=-1, keepdim=keepdim)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) along ``dim`` with g drawn from Gumbel(0, 1); ``hard``
    returns the one-hot of its argmax, with the soft sample's gradient (straight-through)."""
    from .. import creation
    from ..api.creation import empty_like
    gumbels = -empty_like(logits).exponential_().log()
    y = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y
    index = y.argmax(dim, keepdim=True)
    y_hard = creation.zeros_like(logits).scatter(dim, index, value=1.0)
    return y_hard - y.detach() + y


__all__ += ["fold", "unfold", "pixel_shuffle", "pixel_unshuffle", "pairwise_distance",
            "gumbel_softmax"]
