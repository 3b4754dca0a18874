"""The array namespace an op's backward sees when its own gradient is being recorded.

Every op's backward is written once, against ``xp``, the array namespace of its gradient
``g`` (``xp = device_of(g).xp``). On a first-order backward ``g`` is an array, so ``xp`` is
NumPy, CuPy or array_api_strict and the backward runs at full speed. Under
``create_graph=True`` the engine hands the backward Tensors instead (``g``, and what
forward saved), and ``device_of(g).xp`` is this namespace: the same Array API names,
each computed by minigrad's own differentiable ops. The very same backward then builds
a graph, and differentiating that graph gives second derivatives (and third ...).

Only the names the ops' backwards use are here; a backward that needs another one
fails loudly (AttributeError), never silently.
"""
from . import backend


def _dtype(d):
    """A minigrad dtype from a minigrad, NumPy, CuPy or array_api_strict dtype."""
    if d is None or isinstance(d, backend.dtype):
        return d
    return backend.DTYPES[str(d).rsplit(".", 1)[-1]]


def _array(k):
    """An index key's part as the array library reads it (a constant Tensor's array)."""
    from .tensor import Tensor
    return k._data if isinstance(k, Tensor) else k


class TensorNamespace:
    """``xp`` over Tensors on one device (see the module docstring)."""

    def __init__(self, dev):
        self.device = dev
        self.bool = backend.bool_
        for d in backend.DTYPES.values():
            setattr(self, d.name, d)

    # ----------------------------------------------------------- making tensors
    def tensor(self, v):
        """``v`` as a Tensor: Tensors pass, arrays become constants (no gradient)."""
        from .tensor import Tensor
        if isinstance(v, Tensor):
            return v
        if backend.is_array(v):
            return Tensor._make(v, None)
        import numpy as np  # a Python number or a NumPy scalar: a constant on this device
        return Tensor._make(backend.from_numpy(np.asarray(v), self.device), None)

    def asarray(self, v, dtype=None, copy=None):
        t = self.tensor(v)
        if copy:  # (a copy, not the same tensor: backend.owned_copy's callers write into it)
            t = t.clone()
        return t if dtype is None else t.to(_dtype(dtype))

    def zeros(self, shape, dtype=None):
        from . import creation
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return creation.zeros(shape, dtype=_dtype(dtype), device=self.device)

    def ones(self, shape, dtype=None):
        from . import creation
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return creation.ones(shape, dtype=_dtype(dtype), device=self.device)

    def full(self, shape, fill_value, dtype=None):
        from . import creation
        return creation.full(tuple(shape), fill_value, dtype=_dtype(dtype), device=self.device)

    def zeros_like(self, x, dtype=None):
        x = self.tensor(x)
        return self.zeros(x.shape, dtype=dtype or x.dtype)

    def ones_like(self, x, dtype=None):
        x = self.tensor(x)
        return self.ones(x.shape, dtype=dtype or x.dtype)

    def arange(self, *args, dtype=None):
        from . import creation
        return creation.arange(*args, dtype=_dtype(dtype), device=self.device)

    def eye(self, n, m=None, k=0, dtype=None):
        import minigrad
        out = minigrad.eye(n, m if m is not None else n, dtype=_dtype(dtype), device=self.device)
        return out if k == 0 else self.tensor(
            backend.device_of(out._data).xp.eye(n, m, k=k, dtype=out._data.dtype))

    # ----------------------------------------------------------- element-wise
    def where(self, cond, a, b):
        import minigrad
        return minigrad.where(self.tensor(cond), a, b)

    def astype(self, x, dtype, copy=True):
        return self.tensor(x).to(_dtype(dtype))

    def __getattr__(self, name):
        """Element-wise functions with the same name in both (exp, log, abs, sign ...)."""
        import minigrad
        fn = _SAME_NAME.get(name) and getattr(minigrad, name)
        if fn is None:
            raise AttributeError(f"the create_graph namespace has no {name!r}: add it to "
                                 f"minigrad/tensor_xp.py")
        return lambda *args, **kwargs: fn(*(self.tensor(a) if backend.is_array(a) else a
                                            for a in args), **kwargs)

    def maximum(self, a, b):
        import minigrad
        return minigrad.maximum(self.tensor(a), self.tensor(b))

    def minimum(self, a, b):
        import minigrad
        return minigrad.minimum(self.tensor(a), self.tensor(b))

    def clip(self, x, lo=None, hi=None):
        return self.tensor(x).clamp(lo, hi)

    # ----------------------------------------------------------- shapes and moves
    def reshape(self, x, shape):
        return self.tensor(x).reshape(tuple(shape))

    def permute_dims(self, x, axes):
        return self.tensor(x).permute(tuple(axes))

    def expand_dims(self, x, axis):
        return self.tensor(x).unsqueeze(axis)

    def squeeze(self, x, axis):
        return self.tensor(x).squeeze(axis)

    def broadcast_to(self, x, shape):
        return self.tensor(x).expand(tuple(shape))

    def flip(self, x, axis=None):
        x = self.tensor(x)
        axes = range(x.ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
        return x.flip(tuple(axes))

    def concat(self, xs, axis=0):
        import minigrad
        return minigrad.cat([self.tensor(x) for x in xs], dim=axis)

    def stack(self, xs, axis=0):
        import minigrad
        return minigrad.stack([self.tensor(x) for x in xs], dim=axis)

    def take(self, x, indices, axis=None):
        x = self.tensor(x)
        if axis is None:
            x, axis = x.reshape(-1), 0
        return x.index_select(axis, self.tensor(indices).reshape(-1)).reshape(
            x.shape[:axis] + tuple(indices.shape) + x.shape[axis + 1:])

    def add_at(self, x, key, values):
        """x with values added at [key], repeats adding up (backend.scatter_add on Tensors)."""
        from .ops.shape import AddAt
        key = tuple(_array(k) for k in key) if type(key) is tuple else _array(key)
        return AddAt.apply(self.tensor(x), self.tensor(values), key=key)

    def take_along_axis(self, x, indices, axis=-1):
        return self.tensor(x).gather(axis, self.tensor(indices))

    def roll(self, x, shift, axis=None):
        import minigrad
        return minigrad.roll(self.tensor(x), shift, axis)

    def triu(self, x, k=0):
        return self.tensor(x).triu(k)

    def tril(self, x, k=0):
        return self.tensor(x).tril(k)

    # ----------------------------------------------------------- reductions and products
    def sum(self, x, axis=None, keepdims=False, dtype=None):
        x = self.tensor(x)
        out = x.sum() if axis is None and not keepdims else x.sum(
            dim=tuple(range(x.ndim)) if axis is None else axis, keepdim=keepdims)
        return out if dtype is None else out.to(_dtype(dtype))

    def max(self, x, axis=None, keepdims=False):
        x = self.tensor(x)
        return x.amax(dim=tuple(range(x.ndim)) if axis is None else axis, keepdim=keepdims)

    def any(self, x, axis=None, keepdims=False):
        import minigrad
        x = self.tensor(x)
        return minigrad.any(x) if axis is None and not keepdims else minigrad.any(
            x, dim=axis, keepdim=keepdims)

    def matmul(self, a, b):
        return self.tensor(a) @ self.tensor(b)

    @property
    def linalg(self):
        """inv, det, solve over Tensors (the matrix ops' backwards): minigrad.linalg itself."""
        from . import linalg
        return linalg

    def cumulative_sum(self, x, axis=None):
        return self.tensor(x).cumsum(axis)

    def cumulative_prod(self, x, axis=None):
        return self.tensor(x).cumprod(axis)


# Array API names that are also minigrad function names, with the same meaning.
_SAME_NAME = dict.fromkeys((
    "exp", "log", "sqrt", "abs", "sign", "sin", "cos", "tan", "tanh", "sinh", "cosh", "square",
    "expm1", "log1p", "floor", "ceil", "trunc", "isnan", "isinf", "isfinite", "logical_not",
    "logical_and", "logical_or", "round", "sigmoid", "erf", "asin", "acos", "atan", "atan2",
    "reciprocal", "rsqrt", "log2", "log10", "exp2", "asinh", "acosh", "atanh"), True)

_namespaces = {}


def namespace(dev):
    ns = _namespaces.get(dev)
    if ns is None:
        ns = _namespaces[dev] = TensorNamespace(dev)
    return ns
