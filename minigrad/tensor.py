"""Tensor: an array, its gradient, and the op (``grad_fn``) that produced it.

Operators and methods delegate to the ops in ``minigrad.ops``; this file only turns
PyTorch's calling conventions (``dim``/``keepdim``, ``*shape``, Python scalars) into
op calls.
"""
import numbers

import numpy as np

from . import autograd, backend
from .backend import dtype_of
from . import promotion
from .promotion import COMMON, promote_args
from .ops import elementwise as E, reduce as R, shape as S


class Tensor:
    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_version", "__weakref__")

    __array_priority__ = 1000  # make numpy scalars defer to Tensor's reflected operators

    def __init__(self, data, requires_grad=False):
        if isinstance(data, Tensor):
            data = data.data
        elif not (backend.is_array(data) or isinstance(data, np.generic)):
            data = _to_array(data, None, backend.CPU)
        self.data = backend.coerce(data)
        self.grad = None
        self.grad_fn = None
        self._version = 0
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, grad_fn):
        """Fast constructor used by ops (no conversion or checks)."""
        t = cls.__new__(cls)
        t.data = data if type(data) in _ARRAY_TYPES else backend.coerce(data)
        t.grad = None
        t.grad_fn = grad_fn
        t.requires_grad = grad_fn is not None
        t._version = 0
        return t

    # ------------------------------------------------------------- properties
    @property
    def shape(self):
        return Size(self.data.shape)

    def size(self, dim=None):
        return self.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    @property
    def ndim(self):
        return self.data.ndim

    def numel(self):
        n = 1
        for s in self.data.shape:
            n *= s
        return n

    def nelement(self):
        return self.numel()

    @property
    def dtype(self):
        return dtype_of(self.data)

    @property
    def device(self):
        return backend.device_of(self.data)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_leaf(self):
        return self.grad_fn is None

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def requires_grad_(self, requires_grad=True):
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients "
                               f"(got {self.dtype})")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        self.requires_grad = requires_grad
        return self

    # ------------------------------------------------------------- autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        if create_graph:
            raise NotImplementedError("minigrad does not build graphs of gradients "
                                      "(create_graph=True)")
        autograd.backward(self, gradient, bool(retain_graph))

    def detach(self):
        return Tensor._make(self.data, None)

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        raise NotImplementedError("minigrad keeps .grad for leaf tensors only")

    # ------------------------------------------------------------- conversion
    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return backend.to_numpy(self.data).reshape(()).item()

    def tolist(self):
        return backend.to_numpy(self.data).tolist()

    def numpy(self, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self.device.type == "cuda" and not force:
            raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() "
                            "to copy the tensor to host memory first.")
        return backend.to_numpy(self.data)

    def __array__(self, dtype=None, copy=None):
        a = backend.to_numpy(self.data)
        return a if dtype is None else a.astype(dtype)

    def to(self, *args, **kwargs):
        """``to(device)``, ``to(dtype)`` or ``to(device, dtype)``: a differentiable copy."""
        dev, dt = to_args(args, kwargs)
        out = self
        if dev is not None and backend.device(dev) != self.device:
            out = _ToDevice.apply(out, device=backend.device(dev))
        if dt is not None and dt is not out.dtype:
            # only floating-point results carry gradients (x.long() is a plain tensor)
            out = _Cast.apply(out if dt.is_floating_point else out.detach(), dtype=dt)
        return out

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else backend.device("cuda", device))

    def type(self, dtype=None):
        if dtype is None:
            return f"minigrad.{_TYPE_NAMES[self.dtype.name]}"
        return self.to(dtype)

    def float(self):
        return self.to(backend.float32)

    def double(self):
        return self.to(backend.float64)

    def long(self):
        return self.to(backend.int64)

    def int(self):
        return self.to(backend.int32)

    def bool(self):
        return self.to(backend.bool_)

    def clone(self):
        return _Clone.apply(self)

    def contiguous(self):
        return self

    # ------------------------------------------------------------- arithmetic
    def __add__(self, other):
        return E.Add.apply(self, _operand(other, self))

    def __radd__(self, other):
        return E.Add.apply(_operand(other, self), self)

    def __sub__(self, other):
        return E.Sub.apply(self, _operand(other, self))

    def __rsub__(self, other):
        return E.Sub.apply(_operand(other, self), self)

    def __mul__(self, other):
        return E.Mul.apply(self, _operand(other, self))

    def __rmul__(self, other):
        return E.Mul.apply(_operand(other, self), self)

    def __truediv__(self, other):
        return E.Div.apply(self, _operand(other, self))

    def __rtruediv__(self, other):
        return E.Div.apply(_operand(other, self), self)

    def __pow__(self, other):
        return E.Pow.apply(self, _operand(other, self))

    def __rpow__(self, other):
        return E.Pow.apply(_operand(other, self), self)

    def __neg__(self):
        return E.Neg.apply(self)

    def __pos__(self):
        return self

    def __matmul__(self, other):
        return E.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return E.MatMul.apply(other, self)

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    pow = __pow__
    neg = __neg__
    matmul = __matmul__

    def exp(self):
        return E.Exp.apply(self)

    def log(self):
        return E.Log.apply(self)

    def sqrt(self):
        return E.Sqrt.apply(self)

    def abs(self):
        return E.Abs.apply(self)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return E.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def relu(self):
        return E.ReLU.apply(self)

    def sigmoid(self):
        return E.Sigmoid.apply(self)

    def tanh(self):
        return E.Tanh.apply(self)

    # ------------------------------------------------------------- comparisons (no grad)
    def _compare(self, other, op):
        if isinstance(other, Tensor):
            _check_same_device(self, other.data)
        a, b = promote_args((self, _operand(other, self)), COMMON)  # compared in a common dtype
        return Tensor._make(op(a.data, b.data if isinstance(b, Tensor) else b), None)

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b)

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __invert__(self):
        return Tensor._make(~self.data, None)

    def __and__(self, other):
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other):
        return self._compare(other, lambda a, b: a | b)

    __hash__ = object.__hash__

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    # ------------------------------------------------------------- reductions
    def sum(self, dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if not x.dtype.is_floating_point and x.dtype is not backend.int64:
            x = x.to(backend.int64)  # like torch: sums of bool/int are int64
        return R.Sum.apply(x, dim=dim, keepdim=keepdim)

    def mean(self, dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if not x.dtype.is_floating_point:
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                               f"a floating point or complex dtype. Got: {_TYPE_NAMES[x.dtype.name][:-6]}")
        return R.Mean.apply(x, dim=dim, keepdim=keepdim)

    def max(self, dim=None, keepdim=False):
        return self._extreme(dim, keepdim, True)

    def min(self, dim=None, keepdim=False):
        return self._extreme(dim, keepdim, False)

    def _extreme(self, dim, keepdim, largest):
        if isinstance(dim, Tensor):  # torch.max(a, b): element-wise maximum
            return maximum(self, dim) if largest else minimum(self, dim)
        if dim is None:
            return R.Amax.apply(self, dim=None, largest=largest)
        if self.ndim == 0:  # a scalar is its own max, at index 0 (as in torch)
            pair = self.reshape(1)._extreme(0, True, largest)
            return type(pair)(pair[0].reshape(()), pair[1].reshape(()))
        values = R.MaxAlong.apply(self, dim=dim, keepdim=keepdim, largest=largest)
        node = values.grad_fn
        index = node.index if node is not None else _argextreme(self.data, dim, keepdim, largest)
        cls = return_types_max if largest else return_types_min
        return cls(values, Tensor._make(index, None))

    def amax(self, dim=(), keepdim=False):
        return R.Amax.apply(self, dim=dim if dim != () else None, keepdim=keepdim)

    def amin(self, dim=(), keepdim=False):
        return R.Amax.apply(self, dim=dim if dim != () else None, keepdim=keepdim, largest=False)

    def argmax(self, dim=None, keepdim=False):
        return Tensor._make(_argextreme(self.data, dim, keepdim, True), None)

    def argmin(self, dim=None, keepdim=False):
        return Tensor._make(_argextreme(self.data, dim, keepdim, False), None)

    def all(self, dim=None, keepdim=False):
        xp = self.device.xp
        return Tensor._make(xp.all(self.data != 0, axis=dim, keepdims=keepdim), None)

    def any(self, dim=None, keepdim=False):
        xp = self.device.xp
        return Tensor._make(xp.any(self.data != 0, axis=dim, keepdims=keepdim), None)

    def logsumexp(self, dim, keepdim=False):
        return R.LogSumExp.apply(self, dim=dim, keepdim=keepdim)

    def softmax(self, dim):
        return R.Softmax.apply(self, dim=dim)

    def log_softmax(self, dim):
        return R.LogSoftmax.apply(self, dim=dim)

    # ------------------------------------------------------------- shapes
    def reshape(self, *shape):
        shape = _shape_args(shape)
        _check_reshape(self.data.shape, shape)
        return S.Reshape.apply(self, shape=shape)

    view = reshape

    def view_as(self, other):
        return self.reshape(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        shape = self.data.shape
        if not shape:
            return self.reshape(1)
        start, end = start_dim % len(shape), end_dim % len(shape)
        n = 1
        for s in shape[start:end + 1]:
            n *= s
        return self.reshape(shape[:start] + (n,) + shape[end + 1:])

    def squeeze(self, dim=None):
        shape = self.data.shape
        if dim is None:
            dims = [i for i, s in enumerate(shape) if s == 1]
        else:
            dims = [d % max(len(shape), 1) for d in (dim if isinstance(dim, tuple) else (dim,))]
            dims = [d for d in dims if len(shape) and shape[d] == 1]
        return self.reshape(tuple(s for i, s in enumerate(shape) if i not in dims))

    def unsqueeze(self, dim):
        shape = list(self.data.shape)
        shape.insert(dim % (len(shape) + 1), 1)
        return self.reshape(tuple(shape))

    def permute(self, *dims):
        dims = tuple(d % self.ndim for d in _shape_args(dims))
        if sorted(dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input "
                               f"does not match the length of the desired ordering of dimensions "
                               f"i.e. input.dim() = {self.ndim} is not equal to len(dims) = "
                               f"{len(dims)}")
        return S.Permute.apply(self, dims=dims)

    def transpose(self, dim0, dim1):
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return S.Permute.apply(self, dims=tuple(dims))

    def t(self):
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def T(self):
        return S.Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def expand(self, *sizes):
        sizes = _shape_args(sizes)
        shape = self.data.shape
        lead = len(sizes) - len(shape)
        full = tuple(s if s != -1 else shape[i - lead] for i, s in enumerate(sizes))
        return S.Expand.apply(self, shape=full)

    def expand_as(self, other):
        return self.expand(other.shape)

    def __getitem__(self, key):
        return S.Index.apply(self, key=_index_key(key, self))

    def __len__(self):
        if not self.data.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if not self.data.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    # ------------------------------------------------------------- in place (no graph)
    def _inplace(self, name):
        if autograd.is_grad_enabled() and self.requires_grad:
            what = "a leaf Variable that requires grad" if self.is_leaf else "a tensor in a graph"
            raise RuntimeError(f"{what} is being used in an in-place operation ({name}); "
                               "minigrad records no in-place ops: wrap the update in "
                               "minigrad.no_grad() or write it out of place")
        self._version += 1

    def __setitem__(self, key, value):
        self._inplace("__setitem__")
        self.data[_index_key(key, self)] = value.data if isinstance(value, Tensor) else value

    def zero_(self):
        self._inplace("zero_")
        self.data[...] = 0
        return self

    def fill_(self, value):
        self._inplace("fill_")
        self.data[...] = value
        return self

    def copy_(self, src):
        self._inplace("copy_")
        src = src.data if isinstance(src, Tensor) else src
        self.data[...] = backend.move(src, self.device) if backend.is_array(src) else src
        return self

    def add_(self, other, alpha=1):
        self._inplace("add_")
        other = other.data if isinstance(other, Tensor) else other
        self.data += other * alpha if alpha != 1 else other
        return self

    def sub_(self, other, alpha=1):
        return self.add_(other, alpha=-alpha)

    def mul_(self, other):
        self._inplace("mul_")
        self.data *= other.data if isinstance(other, Tensor) else other
        return self

    def div_(self, other):
        self._inplace("div_")
        self.data /= other.data if isinstance(other, Tensor) else other
        return self

    def clamp_(self, min=None, max=None):
        self._inplace("clamp_")
        self.data[...] = self.device.xp.clip(self.data, min, max)
        return self

    def uniform_(self, a=0.0, b=1.0):
        self._inplace("uniform_")
        values = backend.get_rng().uniform(a, b, size=self.data.shape)
        self.data[...] = backend.from_numpy(values.astype(self.dtype.name), self.device)
        return self

    def normal_(self, mean=0.0, std=1.0):
        self._inplace("normal_")
        values = backend.get_rng().normal(mean, std, size=self.data.shape)
        self.data[...] = backend.from_numpy(values.astype(self.dtype.name), self.device)
        return self

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    # ------------------------------------------------------------- printing
    def __repr__(self):
        import numpy as np
        arr = backend.to_numpy(self.data)
        whole = arr.dtype.kind != "f" or bool(np.all(np.mod(arr[np.isfinite(arr)], 1) == 0))
        # like torch: "1., 2." for whole numbers, four decimals otherwise
        body = np.array2string(arr, separator=", ", prefix="tensor(", floatmode="maxprec" if
                               whole else "fixed", **PRINT_OPTIONS)
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self.dtype not in (backend.default_float, backend.int64, backend.bool_):
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def __format__(self, spec):
        if self.ndim == 0 or (self.numel() == 1 and spec):  # f"{loss}" prints the number
            return format(self.item(), spec)
        return format(repr(self), spec)


autograd.Tensor = Tensor  # the engine checks isinstance(arg, Tensor) on every op
promotion.Tensor = Tensor

# --------------------------------------------------------------------- helpers

_ARRAY_TYPES = backend._device_by_type  # types known to be arrays (NumPy scalars are not)
_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
               "int32": "IntTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
               "float16": "HalfTensor", "int16": "ShortTensor", "int8": "CharTensor"}


# what set_printoptions changes (NumPy's array2string arguments, with torch's defaults)
PRINT_OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "max_line_width": 80}


class Size(tuple):
    """A tensor's shape: a tuple that prints like ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


def to_args(args, kwargs):
    """(device, dtype) from the arguments of ``to``: devices, dtypes, or a tensor to match."""
    dev = kwargs.get("device")
    dt = kwargs.get("dtype")
    for a in args:
        if isinstance(a, backend.dtype):
            dt = a
        elif isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif a is not None:
            dev = a
    return dev, dt


def _shape_args(args):
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def _check_reshape(shape, new):
    n = 1
    for s in shape:
        n *= s
    known = 1
    for s in new:
        if s != -1:
            known *= s
    free = sum(1 for s in new if s == -1)
    if free > 1:
        raise RuntimeError("only one dimension can be inferred")
    if (free == 0 and known != n) or (free == 1 and (known == 0 or n % known)):
        raise RuntimeError(f"shape '{list(new)}' is invalid for input of size {n}")


def _to_array(data, dtype, dev):
    """Python numbers, (nested) lists, NumPy arrays -> an array on ``dev``."""
    import numpy as np
    if isinstance(data, Tensor):
        arr = backend.to_numpy(data.data)
    elif backend.is_array(data):
        arr = backend.to_numpy(data)
    elif isinstance(data, np.generic):  # a NumPy scalar keeps its dtype, as in torch
        arr = np.asarray(data)
    else:
        arr = np.asarray(data)
        if dtype is None and arr.dtype.kind == "f":
            arr = arr.astype(backend.default_float.name)  # Python floats: the default dtype
        if dtype is None and arr.dtype.kind in "iu" and not isinstance(data, np.ndarray):
            arr = arr.astype(np.int64)
    if dtype is not None:
        arr = arr.astype(dtype.name)
    elif arr.dtype.name not in backend.DTYPES:
        arr = arr.astype(np.float32 if arr.dtype.kind == "f" else np.int64)
    if not arr.flags.c_contiguous:
        arr = np.array(arr, order="C")  # (np.ascontiguousarray would turn 0-d into 1-d)
    return backend.from_numpy(arr, backend.device(dev))


def _operand(other, like):
    """Python numbers stay scalars (they take the tensor's dtype); Tensors pass through."""
    if isinstance(other, Tensor):
        return other
    if isinstance(other, numbers.Number):
        return other
    if backend.is_array(other):
        return Tensor(other)
    return Tensor(_to_array(other, None, like.device))


def _check_same_device(a, other):
    if backend.is_array(other) and backend.device_of(other) != a.device:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                           f"two devices, {a.device} and {backend.device_of(other)}!")


def _argextreme(data, dim, keepdim, largest):
    xp = backend.device_of(data).xp
    pick = xp.argmax if largest else xp.argmin
    if dim is None:
        out = pick(xp.reshape(data, (-1,)))
        return xp.reshape(out, (1,) * data.ndim) if keepdim else out
    return pick(data, axis=dim, keepdims=keepdim)


def _index_key(key, like):
    """Tensors inside an index become arrays; lists become integer arrays."""
    parts = key if isinstance(key, tuple) else (key,)
    out = []
    for k in parts:
        if isinstance(k, Tensor):
            _check_same_device(like, k.data)
            k = k.data
        elif isinstance(k, list):
            k = backend.from_numpy(__import__("numpy").asarray(k, dtype="int64"), like.device)
        out.append(k)
    if len(out) == 1 and backend.is_array(out[0]):
        return out[0]  # a single index array (integer or boolean mask)
    if len(out) < like.ndim and not any(k is Ellipsis or backend.is_array(k) for k in out):
        out.append(Ellipsis)  # the Array API wants every axis spelled out
    return tuple(out)


def maximum(a, b):
    return E.Maximum.apply(a, _operand(b, a))


def minimum(a, b):
    return E.Minimum.apply(a, _operand(b, a))


class return_types_max(tuple):
    """``(values, indices)`` of ``max(dim)``, with the names torch uses."""

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"minigrad.return_types.max(\nvalues={self[0]!r},\nindices={self[1]!r})"


class return_types_min(return_types_max):
    def __repr__(self):
        return f"minigrad.return_types.min(\nvalues={self[0]!r},\nindices={self[1]!r})"


# --------------------------------------------------- conversions that carry gradients


class _ToDevice(autograd.Op):
    """d to(device) x = g moved back to x's device"""

    def forward(ctx, x, device):
        ctx.source = backend.device_of(x)
        return backend.move(x, device)

    def backward(ctx, g):
        return backend.move(g, ctx.source)


class _Cast(autograd.Op):
    """d x.to(dtype) = g cast back to x's dtype"""

    def forward(ctx, x, dtype):
        xp = backend.device_of(x).xp
        ctx.source = x.dtype
        return xp.astype(x, backend.backend_dtype(dtype, xp))

    def backward(ctx, g):
        return backend.device_of(g).xp.astype(g, ctx.source)


class _Clone(autograd.Op):
    """d clone(x) = g"""

    def forward(ctx, x):
        return backend.device_of(x).xp.asarray(x, copy=True)

    def backward(ctx, g):
        return g
