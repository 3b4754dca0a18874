"""Tensor: an array, its gradient, and the op (``grad_fn``) that produced it.

Operators and methods delegate to the ops in ``minigrad.ops``; this file only turns
PyTorch's calling conventions (``dim``/``keepdim``, ``*shape``, Python scalars) into
op calls.
"""
import numbers
import operator

import numpy as np

from . import autograd, backend
from .backend import dtype_of
from . import promotion
from .promotion import COMMON, promote_args
from .dims import wrap_dim, wrap_dims
from .indexing import index_key
from .ops import elementwise as E, reduce as R, shape as S


class Tensor:
    # _requires_grad is what ops read (fast); ``requires_grad`` is the checked property.
    # _vc is the version counter, a one-element list shared by a tensor and its views
    # (None for an inference tensor); _view_of is (base, view op, its arguments) for a
    # view, set only on views.
    __slots__ = ("_data", "_grad", "_requires_grad", "grad_fn", "_vc", "_view_of", "hooks",
                 "__weakref__")

    __array_priority__ = 1000  # make numpy scalars defer to Tensor's reflected operators

    def __init__(self, *data):
        """``torch.Tensor(...)``, PyTorch's legacy constructor: ``Tensor(2, 3)`` (a shape:
        zeros here, uninitialised memory in torch), ``Tensor([1, 2])`` (values, converted to
        the default float dtype), ``Tensor(t)`` (``t`` itself, sharing memory), ``Tensor()``
        (empty). ``minigrad.tensor(data)`` is the constructor to use: it keeps the data's
        dtype and takes ``requires_grad``."""
        from .legacy import legacy_array
        self._init(legacy_array(data, None), False)

    @classmethod
    def _of(cls, data, requires_grad=False):
        """The engine's constructor: a tensor of ``data`` (an array, a tensor whose memory it
        shares, or anything NumPy converts), keeping its dtype."""
        t = cls.__new__(cls)
        t._init(data, requires_grad)
        return t

    def _init(self, data, requires_grad):
        if isinstance(data, Tensor):
            data = data._data
        elif not (backend.is_array(data) or isinstance(data, np.generic)):
            data = _to_array(data, None, backend.CPU)
        self._data = backend.coerce(data)
        self._grad = None
        self.grad_fn = None
        self._vc = None if autograd._mode.inference else [0]
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, grad_fn):
        """Fast constructor used by ops (no conversion or checks)."""
        t = cls.__new__(cls)
        t._data = data if type(data) in _ARRAY_TYPES else backend.coerce(data)
        t._grad = None
        t.grad_fn = grad_fn
        t._requires_grad = grad_fn is not None
        t._vc = [0]
        return t

    # ------------------------------------------------------------- properties
    @property
    def data(self):
        """The same values as a tensor cut from the graph, as PyTorch's ``.data``: it shares
        memory with this one but not its version counter, so a write through it (``p.data
        += -lr * p.grad``, ``w.data.normal_()``) is hidden from autograd. ``detach()`` is
        the safe form; ``torch.no_grad()`` the usual one for updates. (The array itself is
        ``_data``: the engine reads it there.)"""
        return Tensor._make(self._data, None)

    @data.setter
    def data(self, value):
        """``t.data = other`` makes ``t`` hold ``other``'s values (shape and dtype included),
        keeping its identity, its graph node and its gradient, as in PyTorch."""
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        return self.shape if dim is None else self._data.shape[wrap_dim(dim, self.ndim)]

    def dim(self):
        return self._data.ndim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        n = 1
        for s in self._data.shape:
            n *= s
        return n

    def nelement(self):
        return self.numel()

    @property
    def dtype(self):
        return dtype_of(self._data)

    @property
    def device(self):
        return backend.device_of(self._data)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_leaf(self):
        return self.grad_fn is None

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    def _set_requires_grad(self, requires_grad):
        """``t.requires_grad = flag``: only a floating-point leaf's flag can change (a
        non-leaf's is fixed by its graph), with PyTorch's errors."""
        requires_grad = bool(requires_grad)
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               f"gradients (got {self.dtype})")
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach().")
            return
        if requires_grad and self._vc is None and not autograd._mode.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = requires_grad

    requires_grad = property(operator.attrgetter("_requires_grad"), _set_requires_grad)

    def _set_grad(self, value):
        """``t.grad = g``: a gradient of t's shape, dtype and device, or None."""
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'{list(value.shape)}' to a tensor of size "
                                   f"'{list(self.shape)}'. Please ensure that the gradient and "
                                   "the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value.dtype}' to a tensor "
                    f"with dtype '{self.dtype}'. The gradient must match the tensor's dtype.")
            if value.device != self.device:
                raise RuntimeError(f"attempting to assign a gradient located on device "
                                   f"'{value.device}' to a tensor located on device "
                                   f"'{self.device}'. Please ensure that the gradient and the "
                                   "tensor are on the same device")
        self._grad = value

    grad = property(operator.attrgetter("_grad"), _set_grad)

    # ------------------------------------------------------------- versions and views
    @property
    def _version(self):
        if self._vc is None:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vc[0]

    @_version.setter
    def _version(self, value):  # optimizers bump it after writing ._data in place
        self._vc[0] = value

    def is_inference(self):
        return self._vc is None

    def _share_version(self, base, op, kwargs):
        """Make this tensor a view of ``base``: one version counter for both."""
        self._vc = base._vc
        self._view_of = (base, op, kwargs)

    # ------------------------------------------------------------- autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad`` (or only into
        ``inputs``'). ``create_graph=True`` records the backward pass, so the gradients
        can be differentiated again; ``retain_graph`` defaults to ``create_graph``."""
        if retain_graph is None:
            retain_graph = create_graph
        autograd.backward(self, gradient, bool(retain_graph), bool(create_graph), inputs)

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient has been computed, before it is
        used (accumulated into ``.grad`` for a leaf, passed on for a computed tensor); it
        may return a replacement gradient. Returns a handle: ``handle.remove()``."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        return autograd.register_hook(self.grad_fn or self, hook)

    def detach(self):
        """The same data, cut from the graph; shares the version counter (a write to it is
        seen by the graph that saved this tensor)."""
        t = Tensor._make(self._data, None)
        t._vc = self._vc
        return t

    def detach_(self):
        if getattr(self, "_view_of", None) is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        """Keep this computed tensor's gradient in ``.grad`` after backward, as a leaf's
        (a no-op for a leaf)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.retains_grad:
            return
        autograd.register_hook(self.grad_fn, _Retainer(self))

    @property
    def retains_grad(self):
        hooks = getattr(self.grad_fn, "hooks", None) or {}
        return any(getattr(h, "retains", False) and h.tensor() is self for h in hooks.values())

    # ------------------------------------------------------------- conversion
    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return backend.to_numpy(self._data).reshape(()).item()

    def tolist(self):
        return backend.to_numpy(self._data).tolist()

    def numpy(self, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self.device.type == "cuda" and not force:
            raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() "
                            "to copy the tensor to host memory first.")
        return backend.to_numpy(self._data)

    def __array__(self, dtype=None, copy=None):
        a = backend.to_numpy(self._data)
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
        """The legacy type name (``'minigrad.FloatTensor'``), or this tensor as ``dtype``: a
        dtype, a legacy type (``minigrad.LongTensor``) or its name."""
        if dtype is None:
            return f"minigrad.{_TYPE_NAMES[self.dtype.name]}"
        from .legacy import dtype_of_type
        return self.to(dtype_of_type(dtype))

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

    def is_contiguous(self):
        return backend.is_contiguous(self._data)

    def contiguous(self):
        """Self when already row-major in memory, else a row-major copy (as in PyTorch)."""
        if backend.is_contiguous(self._data):
            return self
        return _Contiguous.apply(self)

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

    def __truediv__(self, other):  # (an int does not wrap into the dtype: the result is float)
        return E.Div.apply(self, other if type(other) is int else _operand(other, self))

    def __rtruediv__(self, other):
        return E.Div.apply(other if type(other) is int else _operand(other, self), self)

    def __pow__(self, other):
        return E.Pow.apply(self, _operand(other, self))

    def __rpow__(self, other):
        return E.Pow.apply(_operand(other, self), self)

    def __neg__(self):
        return E.Neg.apply(self)

    def __pos__(self):
        if self.dtype is backend.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def __matmul__(self, other):
        if not isinstance(other, Tensor):
            return NotImplemented  # as torch: Python then raises TypeError
        return E.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        if not isinstance(other, Tensor):
            return NotImplemented
        return E.MatMul.apply(other, self)

    def add(self, other, alpha=1):
        return self + (other if alpha == 1 else _scaled(other, alpha, self))

    def sub(self, other, alpha=1):
        if self.dtype is backend.bool_ and (isinstance(other, bool) or isinstance(
                other, Tensor) and other.dtype is backend.bool_):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        return self - (other if alpha == 1 else _scaled(other, alpha, self))

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
        _refuse_bool_clamp(self, min, max)
        return E.Clamp.apply(self, *_checked_bounds(self, min, max))

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
            _check_same_device(self, other._data)
        a, b = promote_args((self, _operand(other, self)), COMMON)  # compared in a common dtype
        b = b._data if isinstance(b, Tensor) else b
        try:
            return Tensor._make(op(a._data, b), None)
        except ValueError as e:  # NumPy's "could not be broadcast": say it as torch does
            autograd._raise_broadcast_error([a._data, b], e)

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
        return Tensor._make(~self._data, None)

    def __and__(self, other):
        _check_bitwise(self, other, "bitwise_and_cpu")
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other):
        _check_bitwise(self, other, "bitwise_or_cpu")
        return self._compare(other, lambda a, b: a | b)

    __rand__, __ror__ = __and__, __or__  # (True & t: both commute)

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
        if dtype is not None and not dtype.is_floating_point and self.requires_grad and \
                autograd.is_grad_enabled():
            wrap_dims(dim, self.ndim)  # (a bad dim is named first)
            raise RuntimeError(f"Autograd not support dtype: {_TYPE_NAMES[dtype.name][:-6]}")
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
        name = "max" if largest else "min"
        if dim is None:
            return R.Amax.apply(self, dim=None, largest=largest, name=name)
        if self.ndim == 0:  # a scalar is its own max, at index 0 (as in torch)
            wrap_dim(dim, 0)
            pair = self.reshape(1)._extreme(0, True, largest)
            return type(pair)(pair[0].reshape(()), pair[1].reshape(()))
        if self._data.shape[wrap_dim(dim, self.ndim)] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {wrap_dim(dim, self.ndim)} to "
                             "have non-zero size.")
        values = R.MaxAlong.apply(self, dim=dim, keepdim=keepdim, largest=largest)
        node = values.grad_fn
        index = node.index if node is not None else _argextreme(self._data, dim, keepdim, largest)
        indices = Tensor._make(index, None)
        if node is not None:  # the indices are the node's second output, saved for backward
            node.outputs.append((indices._vc, 0, index))
        cls = return_types_max if largest else return_types_min
        return cls(values, indices)

    def amax(self, dim=(), keepdim=False):
        return R.Amax.apply(self, dim=dim, keepdim=keepdim)

    def amin(self, dim=(), keepdim=False):
        return R.Amax.apply(self, dim=dim, keepdim=keepdim, largest=False, name="amin")

    def argmax(self, dim=None, keepdim=False):
        if self.dtype is backend.bool_:
            raise RuntimeError("argmax(): does not support bool input")
        return Tensor._make(_argextreme(self._data, dim, keepdim, True), None)

    def argmin(self, dim=None, keepdim=False):
        if self.dtype is backend.bool_:
            raise RuntimeError("argmin(): does not support bool input")
        return Tensor._make(_argextreme(self._data, dim, keepdim, False), None)

    def all(self, dim=None, keepdim=False):
        xp = self.device.xp
        out = xp.all(self._data != 0, axis=_logical_axes(dim, self.ndim), keepdims=keepdim)
        return Tensor._make(_as_uint8_if(out, self), None)

    def any(self, dim=None, keepdim=False):
        xp = self.device.xp
        out = xp.any(self._data != 0, axis=_logical_axes(dim, self.ndim), keepdims=keepdim)
        return Tensor._make(_as_uint8_if(out, self), None)

    def logsumexp(self, dim, keepdim=False):
        return R.LogSumExp.apply(self, dim=dim, keepdim=keepdim)

    def softmax(self, dim):
        return R.Softmax.apply(self, dim=dim)

    def log_softmax(self, dim):
        return R.LogSoftmax.apply(self, dim=dim)

    # ------------------------------------------------------------- shapes
    def reshape(self, *shape):
        shape = _shape_args(shape)
        _check_reshape(self._data.shape, shape)
        return S.Reshape.apply(self, shape=shape)

    view = reshape

    def view_as(self, other):
        return self.reshape(_tensor_arg(other, "view_as", 1).shape)

    def reshape_as(self, other):
        return self.reshape(_tensor_arg(other, "reshape_as", 1).shape)

    def flatten(self, start_dim=0, end_dim=-1):
        shape = self._data.shape
        start, end = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if not shape:
            return self.reshape(1)
        if start == end:  # nothing to flatten: the input itself, as torch documents
            return self
        n = 1
        for s in shape[start:end + 1]:
            n *= s
        return self.reshape(shape[:start] + (n,) + shape[end + 1:])

    def squeeze(self, dim=None):
        shape = self._data.shape
        if dim is None:
            dims = [i for i, s in enumerate(shape) if s == 1]
        else:
            dims = [d for d in wrap_dims(dim, len(shape)) if shape[d] == 1] if dim != [] and \
                dim != () else []  # (an empty list of dims squeezes none)
        return self.reshape(tuple(s for i, s in enumerate(shape) if i not in dims))

    def unsqueeze(self, dim):
        shape = list(self._data.shape)
        shape.insert(wrap_dim(dim, len(shape) + 1), 1)
        return self.reshape(tuple(shape))

    def permute(self, *dims):
        dims = _shape_args(dims)
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input "
                               f"does not match the length of the desired ordering of dimensions "
                               f"i.e. input.dim() = {self.ndim} is not equal to len(dims) = "
                               f"{len(dims)}")
        dims = tuple(wrap_dim(d, self.ndim) for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return S.Permute.apply(self, dims=dims)

    def transpose(self, dim0, dim1):
        dim0, dim1 = wrap_dim(dim0, self.ndim), wrap_dim(dim1, self.ndim)
        if self.ndim == 0:
            return self.view(())
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return S.Permute.apply(self, dims=tuple(dims))

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self.ndim}D")
        return S.Permute.apply(self, dims=(1, 0) if self.ndim == 2 else tuple(range(self.ndim)))

    @property
    def T(self):
        return S.Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        if self.ndim < 2:
            if self.ndim == 0:
                return self  # (torch: deprecated, the identity)
            raise RuntimeError("tensor.mT is only supported on matrices or batches of "
                               f"matrices. Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1)

    def expand(self, *sizes):
        sizes = _shape_args(sizes)
        shape = self._data.shape
        lead = len(sizes) - len(shape)
        if lead < 0:
            raise RuntimeError(f"expand({self.type()}{{{list(shape)}}}, size={list(sizes)}): the "
                               f"number of sizes provided ({len(sizes)}) must be greater or "
                               f"equal to the number of dimensions in the tensor ({len(shape)})")
        for i, s_ in enumerate(sizes[:max(lead, 0)]):
            if s_ == -1:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
        full = tuple(s if s != -1 else shape[i - lead] for i, s in enumerate(sizes))
        return S.Expand.apply(self, shape=full)

    def expand_as(self, other):
        return self.expand(_tensor_arg(other, "expand_as", 1).shape)

    def __getitem__(self, key):
        select, key = index_key(key, self)
        x = self if select is None else S.Index.apply(self, key=select)
        return S.Index.apply(x, key=key)

    def __len__(self):
        if not self._data.shape:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if not self._data.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    # ------------------------------------------------------------- in place
    # A write to a tensor outside any graph (grad mode off, or nothing involved requires
    # grad) changes its memory and bumps its version. A write that a gradient must flow
    # through is recorded: computed out of place by an op, written back, and the tensor's
    # history moved to that op's node (``_rebase``).

    def _records(self, other=None):
        """Whether an in-place write to self with ``other`` must be recorded in the graph."""
        return autograd._mode.record and (self._requires_grad or (
            isinstance(other, Tensor) and other._requires_grad))

    def _inplace(self, name):
        """Checks before an unrecorded in-place write, and the version bump."""
        self._check_writable()
        if self._vc is not None:
            self._vc[0] += 1

    def _check_writable(self):
        """PyTorch's refusals of an in-place write: to an inference tensor outside inference
        mode, to an expanded view, and in grad mode to a leaf that requires grad (or a view
        of one), or to a view made under no_grad of a tensor that requires grad."""
        if self._vc is None and not autograd._mode.inference:
            raise RuntimeError("Inplace update to inference tensor outside InferenceMode is "
                               "not allowed.You can make a clone to get a normal tensor before "
                               "doing inplace update.")
        view = getattr(self, "_view_of", None)
        if view is not None and view[1] is S.Expand:
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
        if not autograd._mode.record:
            return
        if self.grad_fn is None and self._requires_grad:
            what = "a leaf Variable" if view is None else "a view of a leaf Variable"
            raise RuntimeError(f"{what} that requires grad is being used in an in-place "
                               "operation.")
        base = self
        while view is not None:
            base = view[0]
            view = getattr(base, "_view_of", None)
        if base is not self and base._requires_grad and not self._requires_grad:
            raise RuntimeError(
                "A view was created in no_grad mode and is being modified inplace with grad "
                "mode enabled. Given that this use case is ambiguous and error-prone, it is "
                "forbidden. You can clarify your code by moving both the view and the inplace "
                "either both inside the no_grad block (if you don't want the inplace to be "
                "tracked) or both outside (if you want the inplace to be tracked).")
        if base.grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")

    def _rebase(self, result):
        """Record ``self <- result``: write its values into self's memory and make its
        node self's history (for a view, the base's history changes too)."""
        self._check_writable()
        if result._data.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(result.shape)}")
        if result.dtype != self.dtype:
            if not self.dtype.is_floating_point and result.dtype.is_floating_point:
                raise RuntimeError(f"result type {_TYPE_NAMES[result.dtype.name][:-6]} can't "
                                   f"be cast to the desired output type "
                                   f"{_TYPE_NAMES[self.dtype.name][:-6]}")
            result = result.to(self.dtype)
        view = getattr(self, "_view_of", None)
        if view is not None:
            base, op, kwargs = view
            if op is S.Index:
                base._setitem(kwargs["key"], result)
            else:  # reshape / permute: the base's new value is the result, un-viewed
                inverse = (S.Reshape.apply(result, shape=base._data.shape) if op is S.Reshape
                           else S.Permute.apply(result, dims=_inverse(kwargs["dims"])))
                base._rebase(inverse)
            fresh = op.apply(base, **kwargs)  # the view's history: the view of the new base
            self.grad_fn, self._requires_grad = fresh.grad_fn, fresh._requires_grad
            return self
        node = result.grad_fn
        old = self._data
        if node is not None:
            saved = node.__dict__
            inputs = list(node.inputs)
            for k, v in saved.items():
                if v is result._data:  # the saved output is self's memory from now on
                    saved[k] = old
                elif backend.is_array(v) and backend.shares_memory(v, old):
                    saved[k] = copy = backend.owned_copy(v)  # an input about to be overwritten
                    for i, x in enumerate(inputs):  # that input's values are the copy now
                        if isinstance(x, Tensor) and x._data is v:
                            inputs[i] = Tensor._make(copy, None)
                            node.versions[i] = None
            node.inputs = inputs
        old[...] = result._data
        self._vc[0] += 1
        self.grad_fn, self._requires_grad = node, result._requires_grad
        if node is not None:
            # self is the node's output now; as an input its old values were copied above
            node.versions = [None if x is self else v for x, v in zip(node.inputs, node.versions)]
            node.outputs = [(self._vc, self._vc[0], old)]
        return self

    def __setitem__(self, key, value):
        select, key = index_key(key, self)
        if select is None:
            self._setitem(key, value)
        else:  # the ints first (a view that shares self's memory), then the index tensors
            S.Index.apply(self, key=select)._setitem(key, value)

    def _setitem(self, key, value):
        if self._records(value):
            if self.grad_fn is None and self._requires_grad:  # torch writes through a view
                raise RuntimeError("a view of a leaf Variable that requires grad is being "
                                   "used in an in-place operation.")
            self._rebase(_SetItem.apply(self, _operand(value, self), key=key))
            return
        self._inplace("__setitem__")
        self._data[key] = value._data if isinstance(value, Tensor) else value

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        if self._records(value):
            return self._rebase(_SetItem.apply(self, _operand(value, self), key=...))
        self._inplace("fill_")
        self._data[...] = value._data if isinstance(value, Tensor) else value
        return self

    def copy_(self, src):
        if self._records(src):
            src = src.to(self.device) if isinstance(src, Tensor) else src
            return self._rebase(_SetItem.apply(self, src, key=...))
        self._inplace("copy_")
        src = src._data if isinstance(src, Tensor) else src
        self._data[...] = backend.move(src, self.device) if backend.is_array(src) else src
        return self

    def add_(self, other, alpha=1):
        if self._records(other):
            return self._rebase(self + (other * alpha if alpha != 1 else other))
        self._inplace("add_")
        other = other._data if isinstance(other, Tensor) else other
        other = _scaled(other, alpha, self) if alpha != 1 else other
        self._data += _wrap_int(other, self) if type(other) is int else other
        return self

    def sub_(self, other, alpha=1):
        return self.add_(other, alpha=-alpha)

    def mul_(self, other):
        if self._records(other):
            return self._rebase(self * other)
        self._inplace("mul_")
        self._data *= other._data if isinstance(other, Tensor) else other
        return self

    def div_(self, other):
        if self._records(other):
            return self._rebase(self / other)
        self._inplace("div_")
        self._data /= other._data if isinstance(other, Tensor) else other
        return self

    def clamp_(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        _refuse_bool_clamp(self, min, max)
        for bound in (min, max):
            if isinstance(bound, float) and not self.dtype.is_floating_point or \
                    type(bound) is int and self.dtype is backend.bool_:
                raise RuntimeError(f"result type {'Float' if isinstance(bound, float) else 'Long'}"
                                   f" can't be cast to the desired output type "
                                   f"{_C_TYPE_NAMES[self.dtype.name]}")
        min, max = _checked_bounds(self, min, max)
        if self._records():
            return self._rebase(self.clamp(min, max))
        self._inplace("clamp_")
        min, max = (b._data if isinstance(b, Tensor) else b for b in (min, max))
        out = self.device.xp.clip(self._data, min, max)
        if out.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(out.shape)}")
        self._data[...] = out
        return self

    def relu_(self):
        if self._records():
            return self._rebase(self.relu())
        self._inplace("relu_")
        self._data[...] = E.ReLU.apply(self)._data
        return self

    def uniform_(self, a=0.0, b=1.0):
        values = backend.get_rng().uniform(a, b, size=self._data.shape)
        return self.copy_(Tensor._of(backend.from_numpy(values.astype(self.dtype.name),
                                                    self.device)))

    def normal_(self, mean=0.0, std=1.0):
        values = backend.get_rng().normal(mean, std, size=self._data.shape)
        return self.copy_(Tensor._of(backend.from_numpy(values.astype(self.dtype.name),
                                                    self.device)))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    # ------------------------------------------------------------- printing
    def __repr__(self):
        import numpy as np
        arr = backend.to_numpy(self._data)
        whole = arr.dtype.kind != "f" or bool(np.all(np.mod(arr[np.isfinite(arr)], 1) == 0))
        # like torch: "1., 2." for whole numbers, four decimals otherwise
        options = dict(PRINT_OPTIONS)
        if arr.dtype == np.bool_:  # torch pads True to False's width only when both appear
            width = 5 if arr.size and not arr.all() else 4
            options["formatter"] = {"bool": lambda b: str(bool(b)).rjust(width)}
        body = np.array2string(arr, separator=", ", prefix="tensor(", floatmode="maxprec" if
                               whole else "fixed", **options).replace(", ...,", ",  ...,")
        extras = []
        if arr.size == 0:
            body = "[]"
            if arr.ndim != 1:  # as torch: an empty tensor's shape is not in its brackets
                extras.append(f"size={tuple(arr.shape)}")
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        # the default float dtype goes unsaid, and int64 and bool too unless nothing shows them
        implied = (backend.default_float,) if arr.size == 0 else (
            backend.default_float, backend.int64, backend.bool_)
        if self.dtype not in implied:
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
backend.tensor_type = Tensor  # device_of(tensor) inside a backward that records its graph

# --------------------------------------------------------------------- helpers


class _Retainer:
    """The hook ``retain_grad()`` adds: it stores the gradient in the tensor's ``.grad``
    (accumulating), after every other hook of the tensor has run."""

    retains = True

    def __init__(self, tensor):
        import weakref
        self.tensor = weakref.ref(tensor)

    def __call__(self, grad):
        t = self.tensor()
        if t is None:
            return
        if grad.grad_fn is None and not grad._requires_grad:
            grad = Tensor._make(backend.owned_copy(grad._data), None)
        t._grad = grad if t._grad is None else t._grad + grad

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
        arr = backend.to_numpy(data._data)
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
        if type(other) is int and not 0 <= other < 128:
            return _wrap_int(other, like)
        return other
    if backend.is_array(other):
        return Tensor._of(other)
    return Tensor._of(_to_array(other, None, like.device))


_INT_WRAP = {"uint8": (0, 1 << 8), "int32": (-(1 << 31), 1 << 32),  # (lowest, modulus)
             "int8": (-(1 << 7), 1 << 8), "int16": (-(1 << 15), 1 << 16)}
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
                 "uint8": "unsigned char", "bool": "bool"}


def _wrap_int(value, like):
    """A Python int wraps around into a uint8 or int32 tensor's range, as in PyTorch
    (NumPy refuses an out-of-range Python int)."""
    wrap = _INT_WRAP.get(like.dtype.name)
    if wrap is None:
        return value
    low, modulus = wrap
    return (value - low) % modulus + low


_INT_LIMITS = {"int8": ("int8_t", 127), "uint8": ("uint8_t", 255), "int16": ("int16_t", 32767),
               "int32": ("int", (1 << 31) - 1)}  # (C name, largest)


def _checked_int(value, dtype):
    """A Python int converted to an integer dtype as torch converts alpha and clamp's bounds:
    out of the dtype's range it raises (an unsigned type also takes negatives down to minus
    its largest, which wrap around); in range it wraps like a tensor's element."""
    limits = _INT_LIMITS.get(dtype.name)
    if limits is None:
        return value
    name, largest = limits
    if not (-largest if dtype is backend.uint8 else -largest - 1) <= value <= largest:
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    low, modulus = _INT_WRAP[dtype.name]
    return (value - low) % modulus + low


def _checked_bounds(t, min, max):
    """clamp's Python int bounds for an integer tensor ``t``, converted as torch converts them
    (a tensor bound makes torch take its tensor overload, which does not check)."""
    if isinstance(min, Tensor) or isinstance(max, Tensor) or t.dtype.is_floating_point:
        return min, max
    return tuple(_checked_int(b, t.dtype) if type(b) is int else b for b in (min, max))


def _refuse_bool_clamp(t, min, max):
    """torch has no clamp kernel for bools with a bool number as a bound, or with two bool
    tensors as bounds (one bool tensor bound works)."""
    if t.dtype is not backend.bool_ or any(type(b) is float for b in (min, max)):
        return  # (a float bound makes the result float)
    if isinstance(min, bool) or isinstance(max, bool) or all(
            isinstance(b, Tensor) and b.dtype is backend.bool_ for b in (min, max)):
        kernel = "clamp" if min is not None and max is not None else \
            "clamp_min" if min is not None else "clamp_max"
        raise NotImplementedError(f"\"{kernel}_scalar_cpu\" not implemented for 'Bool'")


def _scaled(other, alpha, like):
    """``other * alpha`` for ``add``/``sub``, with PyTorch's checks on alpha."""
    if isinstance(alpha, float) and not like.dtype.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(alpha, bool) and like.dtype is not backend.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, bool) and isinstance(other, bool):
        return other and alpha  # (a Python bool times a bool is an int)
    if type(alpha) is int:
        alpha = _checked_int(alpha, promotion.result_type(like, other))
    return other * alpha


def _check_bitwise(a, other, kernel):
    """& and | are for integers and bools: torch has no kernel for floats."""
    for t in (a, other):
        if isinstance(t, float) or isinstance(t, Tensor) and t.dtype.is_floating_point:
            name = "Double" if not isinstance(t, Tensor) or t.dtype is backend.float64 else "Float"
            raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')


def _check_same_device(a, other):
    if backend.is_array(other) and backend.device_of(other) != a.device:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                           f"two devices, {a.device} and {backend.device_of(other)}!")


def _argextreme(data, dim, keepdim, largest):
    xp = backend.device_of(data).xp
    pick = xp.argmax if largest else xp.argmin
    name = "argmax" if largest else "argmin"
    if dim is None:
        if data.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        out = pick(xp.reshape(data, (-1,)))
        return xp.reshape(out, (1,) * data.ndim) if keepdim else out
    axis = wrap_dim(dim, data.ndim)
    if data.ndim == 0:
        return xp.zeros((), dtype=xp.int64)
    if data.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    return pick(data, axis=axis, keepdims=keepdim)


def _as_uint8_if(out, like):
    """all/any of a uint8 tensor are uint8, as in torch (bool otherwise)."""
    if like.dtype is backend.uint8:
        return like.device.xp.astype(out, like.device.xp.uint8)
    return out


def _logical_axes(dim, ndim):
    """The axes ``all``/``any`` reduce: like a sum's, except that () and [] reduce none
    (as in PyTorch)."""
    if isinstance(dim, (tuple, list)) and not dim:
        return ()
    return wrap_dims(dim, ndim)


def _tensor_arg(other, fn, position):
    """``other`` itself when it is a Tensor, else torch's TypeError for a number."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{fn}(): argument 'other' (position {position}) must be Tensor, not "
                        f"{type(other).__name__}")
    return other


def maximum(input, other):
    return E.Maximum.apply(input, _tensor_arg(other, "maximum", 2))


def minimum(input, other):
    return E.Minimum.apply(input, _tensor_arg(other, "minimum", 2))


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
        if backend.is_recording(g):  # (create_graph: the move back is recorded too)
            return g.to(ctx.source)
        return backend.move(g, ctx.source)


class _Cast(autograd.Op):
    """d x.to(dtype) = g cast back to x's dtype"""

    def forward(ctx, x, dtype):
        xp = backend.device_of(x).xp
        ctx.source = x.dtype
        return xp.astype(x, backend.backend_dtype(dtype, xp))

    def backward(ctx, g):
        return backend.device_of(g).xp.astype(g, ctx.source)


class _SetItem(autograd.Op):
    """d (x with x[key] = v) = (g with g[key] = 0, g[key])   (a recorded ``x[key] = v``)"""

    def forward(ctx, x, value, key):
        ctx.key = key
        out = backend.owned_copy(x)
        out[key] = value
        return out

    def backward(ctx, g):
        gx = backend.owned_copy(g)
        gx[ctx.key] = 0
        gv = g[ctx.key] if ctx.needs_input_grad[1] else None
        return gx, gv

    def name(self):
        return "CopySlicesBackward"


def _inverse(dims):
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return tuple(inverse)


class _Contiguous(autograd.Op):
    """d contiguous(x) = g   (a row-major copy)"""

    def forward(ctx, x):
        return backend.owned_copy(x)

    def backward(ctx, g):
        return g

    def name(self):
        return "CloneBackward"


class _Clone(autograd.Op):
    """d clone(x) = g"""

    def forward(ctx, x):
        return backend.device_of(x).xp.asarray(x, copy=True)

    def backward(ctx, g):
        return g
