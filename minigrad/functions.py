"""The ``minigrad.xxx(tensor, ...)`` forms of the tensor methods, as in ``torch.xxx``."""
from . import backend
from .dims import wrap_dim
from .ops import elementwise as E, shape as S
from .promotion import KERNEL_NAMES
from .tensor import Tensor, _operand, _tensor_arg, maximum, minimum  # noqa: F401  (re-exported)


def _method(name, doc):
    def f(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    f.__name__ = name
    f.__doc__ = doc
    return f


exp = _method("exp", "Element-wise e^x.")
log = _method("log", "Element-wise natural logarithm.")
sqrt = _method("sqrt", "Element-wise square root.")
abs = _method("abs", "Element-wise absolute value.")
relu = _method("relu", "max(x, 0) element-wise.")
sigmoid = _method("sigmoid", "1 / (1 + e^-x) element-wise.")
tanh = _method("tanh", "Hyperbolic tangent element-wise.")
clamp = _method("clamp", "Limit values to [min, max].")
clip = clamp
sum = _method("sum", "Sum over all elements or over dim.")
mean = _method("mean", "Mean over all elements or over dim.")
max = _method("max", "Max of all elements, (values, indices) along dim, or maximum(a, b).")
min = _method("min", "Min of all elements, (values, indices) along dim, or minimum(a, b).")
amax = _method("amax", "Max over dims (ties share the gradient).")
amin = _method("amin", "Min over dims (ties share the gradient).")
argmax = _method("argmax", "Index of the (first) maximum.")
argmin = _method("argmin", "Index of the (first) minimum.")
logsumexp = _method("logsumexp", "log(sum(exp(x))) along dim, computed stably.")
softmax = _method("softmax", "exp(x) / sum(exp(x)) along dim.")
log_softmax = _method("log_softmax", "x - logsumexp(x) along dim.")
reshape = _method("reshape", "Same data, new shape.")
flatten = _method("flatten", "Merge dims start_dim..end_dim into one.")
squeeze = _method("squeeze", "Drop size-1 dims.")
unsqueeze = _method("unsqueeze", "Insert a size-1 dim.")
permute = _method("permute", "Reorder dims.")
transpose = _method("transpose", "Swap two dims.")
matmul = _method("matmul", "Matrix product (batched, with vectors).")
eq = _method("eq", "Element-wise ==, a bool tensor.")
ne = _method("ne", "Element-wise !=, a bool tensor.")
gt = _method("gt", "Element-wise >, a bool tensor.")
lt = _method("lt", "Element-wise <, a bool tensor.")
ge = _method("ge", "Element-wise >=, a bool tensor.")
le = _method("le", "Element-wise <=, a bool tensor.")
numel = _method("numel", "Number of elements.")
clone = _method("clone", "A copy that carries gradients back.")


def add(input, other, alpha=1):
    return input.add(other, alpha=alpha) if isinstance(input, Tensor) else input + other * alpha


def sub(input, other, alpha=1):
    return input.sub(other, alpha=alpha) if isinstance(input, Tensor) else input - other * alpha


def mul(input, other):
    return input * other


def div(input, other):
    return input / other


def pow(input, exponent):
    return input ** exponent if isinstance(input, Tensor) else _operand(input, exponent) ** exponent


def neg(input):
    return -input


def round(input, decimals=0):
    """Round half to even, as torch does (the gradient is 0)."""
    if input.dtype is backend.bool_ or decimals and not input.dtype.is_floating_point:
        raise NotImplementedError(f'"round_cpu" not implemented for '
                                  f"'{KERNEL_NAMES[input.dtype.name]}'")
    return E.Round.apply(input, decimals=decimals)


def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other`` (gradients follow the choice)."""
    like = input if isinstance(input, Tensor) else other
    cond = condition._data if isinstance(condition, Tensor) else condition
    return E.Where.apply(cond, _operand(input, like), _operand(other, like))


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    if any(t.ndim != 1 for t in tensors):  # torch's legacy: a (0,) tensor is left out
        tensors = [t for t in tensors if t.shape != (0,)] or tensors
    ref = tensors[0]
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    d = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} "
                               f"and {t.ndim}")
        if any(a != b for k, (a, b) in enumerate(zip(t.shape, ref.shape)) if k != d):
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                               f"{list(ref.shape)} but got {list(t.shape)} for tensor number "
                               f"{i} in the list.")
    return S.Cat.apply(*tensors, dim=d)


concat = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    dim = wrap_dim(dim, tensors[0].ndim + 1)  # (a bad dim is named first, as in torch)
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at "
                               f"entry {i}")
    return S.Stack.apply(*tensors, dim=dim)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    import numpy as np
    _tensor_arg(other, "allclose", 2)
    _same_dtype(input, other)
    try:
        np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    except ValueError as e:
        from .autograd import _raise_broadcast_error
        _raise_broadcast_error([input._data, other._data], e)
    return bool(np.allclose(backend.to_numpy(input._data), backend.to_numpy(other._data), rtol, atol,
                            equal_nan))


def _same_dtype(input, other):
    """isclose and allclose compare tensors of one dtype only (no promotion, as in torch)."""
    from .promotion import KERNEL_NAMES
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{KERNEL_NAMES[input.dtype.name]} did not match "
                           f"{KERNEL_NAMES[other.dtype.name]}")


def equal(input, other):
    import numpy as np
    _tensor_arg(other, "equal", 2)
    return bool(np.array_equal(backend.to_numpy(input._data), backend.to_numpy(other._data)))
