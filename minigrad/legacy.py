"""PyTorch's legacy tensor types, still common in older tutorials: ``torch.Tensor(2, 3)``,
``torch.FloatTensor([1, 2])``, ``x.type(torch.LongTensor)``, ``isinstance(x,
torch.FloatTensor)``. Each type is a dtype in disguise: calling it makes a CPU tensor of
that dtype, and ``isinstance`` checks the dtype."""
import numbers

from . import backend
from .promotion import get_default_dtype
from .tensor import Size, Tensor, _TYPE_NAMES


def legacy_array(args, dtype):
    """What ``torch.Tensor(*args)`` (``dtype`` None: the default float dtype) or
    ``torch.<Type>Tensor(*args)`` holds: sizes give zeros, a sequence or array its values
    converted, a tensor itself."""
    from .creation import tensor, zeros
    if len(args) == 1 and isinstance(args[0], Tensor):
        t = args[0]
        if dtype is not None and t.dtype is not dtype:
            raise TypeError(f"expected {dtype} (got {t.dtype})")
        return t
    dtype = dtype or get_default_dtype()
    if not args:
        return zeros(0, dtype=dtype)
    if len(args) == 1 and isinstance(args[0], Size) or all(
            isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args):
        return zeros(*args, dtype=dtype)
    if len(args) == 1 and not isinstance(args[0], (numbers.Number, str)):
        return tensor(args[0]).to(dtype)
    kind = type(args[0])
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    raise TypeError(f"new(): data must be a sequence (got {name})")


class _TensorType(type):
    """The metaclass of FloatTensor and friends: call to create, isinstance to check."""

    def __call__(cls, *args):
        return Tensor._of(legacy_array(args, cls.dtype))

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"

    def __repr__(cls):
        return f"<class 'minigrad.{cls.__name__}'>"


_TYPES = {name: _TensorType(name, (), {"dtype": getattr(backend, "bool_" if dtype == "bool"
                                                         else dtype)})
          for dtype, name in _TYPE_NAMES.items()}
FloatTensor, DoubleTensor, HalfTensor = (_TYPES[n] for n in ("FloatTensor", "DoubleTensor",
                                                              "HalfTensor"))
LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor = (
    _TYPES[n] for n in ("LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
                        "BoolTensor"))


def dtype_of_type(t):
    """A dtype for ``Tensor.type(t)``: a dtype, a legacy type, or a legacy type's name."""
    if isinstance(t, _TensorType):
        return t.dtype
    if isinstance(t, str):
        name = t.rsplit(".", 1)[-1]
        if name not in _TYPES:
            raise ValueError(f"invalid type: '{t}'")
        return _TYPES[name].dtype
    return t


__all__ = list(_TYPES)
