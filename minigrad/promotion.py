"""Type promotion: which dtype an op's result has, decided here and nowhere else, as PyTorch does.

The table (``promote_types``): bool < integers < floating point; within a category the
wider type wins (uint8 with int8 needs int16); any float beats any integer, so
``int64 + float16`` is float16 (NumPy would say float64).

The rule (``result_type``): operands come in three priorities, as in torch,

    dimensioned tensors  >  0-d tensors  >  Python numbers

and a lower-priority operand only matters when its *category* is higher: a float32 vector
plus a float64 scalar tensor stays float32, an int64 vector times 2.5 becomes the default
float dtype (a Python float counts as the default dtype), an int32 vector plus 7 stays int32.

The engine applies the rule before an op runs: an op class declares ``promote`` (``COMMON``,
``FLOAT``, ``WHERE``, ``SUBTRACT`` or ``SAME``) and ``Op.apply`` calls ``promote_args``,
which casts the tensor operands to the result dtype (a recorded, differentiable cast, so a
float32 input of a float64 result gets its gradient back in float32). The common case,
operands already of one dtype, is a short loop that casts nothing.
"""
from . import backend
from .backend import bool_, dtype_of, int8, int16, int64, uint8

COMMON = "common"  # the promoted dtype (add, mul, maximum, remainder, comparisons ...)
FLOAT = "float"    # the promoted dtype, integers and bool going to the default float
                   # (true division, and unary functions like exp, sin, sqrt)
WHERE = "where"    # COMMON over where's two value operands (the condition stays bool)
SUBTRACT = "subtract"  # COMMON, but no bool operand (torch refuses True - x)
SAME = "same"      # no promotion: the operands must share a dtype (matmul, as in torch)

# ----------------------------------------------------------------- the table

def _category(d):
    return 2 if d.is_floating_point else 0 if d is bool_ else 1


def promote_types(type1, type2):
    """The smallest dtype that both ``type1`` and ``type2`` convert to (``torch.promote_types``)."""
    if type1 is type2:
        return type1
    c1, c2 = _category(type1), _category(type2)
    if c1 != c2:
        return type1 if c1 > c2 else type2
    if c1 == 1 and uint8 in (type1, type2):  # unsigned with signed: the next wider signed type
        other = type2 if type1 is uint8 else type1
        return int16 if other is int8 else other
    return type1 if type1.itemsize >= type2.itemsize else type2


# ------------------------------------------------------------ default dtype

def get_default_dtype():
    """The dtype of Python floats turned into tensors (float32 unless changed)."""
    return backend.default_float


def set_default_dtype(d):
    """Make ``d`` (float32 or float64 ...) the dtype of new float tensors and of Python floats."""
    if not (isinstance(d, backend.dtype) and d.is_floating_point):
        raise TypeError(f"only floating-point types are supported as the default type (got {d})")
    backend.default_float = d


# ------------------------------------------------------------- the rule

def _scalar_dtype(x):
    """A Python number's dtype for promotion (a float counts as the default dtype)."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return backend.default_float
    raise TypeError(f"result_type: expected a Tensor or a Python number, got {type(x).__name__}")


def _combine(higher, lower):
    """A lower-priority result changes a higher one only when its category is higher."""
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def _array(x):
    """The backend array of a Tensor or of an array, else None (a number)."""
    if isinstance(x, Tensor):
        return x._data
    return x if backend.is_array(x) else None


def _operand_dtypes(operands):
    """(dtype, priority) of each operand: 2 dimensioned, 1 zero-dimensional, 0 a number."""
    for x in operands:
        data = _array(x)
        if data is not None:
            yield dtype_of(data), (2 if data.ndim else 1)
        else:
            yield _scalar_dtype(x), 0


def result_type(*operands):
    """The dtype of an arithmetic op on ``operands`` (tensors, arrays, Python numbers)."""
    best = [None, None, None]  # per priority: numbers, 0-d tensors, dimensioned tensors
    for d, priority in _operand_dtypes(operands):
        best[priority] = d if best[priority] is None else promote_types(best[priority], d)
    out = _combine(best[2], _combine(best[1], best[0]))
    if out is None:
        raise TypeError("result_type needs at least one operand")
    return out


def can_cast(from_, to):
    """True when ``torch.can_cast`` allows it: never down a category (float -> int, int -> bool)."""
    return _category(from_) <= _category(to)


def float_result(d):
    """``d`` if it is floating point, else the default float dtype (for true division, exp ...)."""
    return d if d.is_floating_point else backend.default_float


# --------------------------------------------------------------- the engine's hook

Tensor = None  # minigrad.tensor.Tensor, set by tensor.py (which imports this module)
# id of a backend dtype object -> "f", "i" or "b", filled as dtypes are first seen. Keyed by
# id: NumPy's and array_api_strict's dtype objects must never be compared with each other.
_KINDS = {}
_SEEN = []  # those dtype objects, kept alive so that their ids stay theirs


def promote_args(args, rule):
    """``args`` of an op, with every tensor cast to the op's result dtype under ``rule``.

    Returns ``args`` itself when nothing needs a cast: all tensors share one floating or
    integer dtype that the rule keeps, and every Python number is a float or an int that
    this dtype absorbs. That check is the fast path of every op in a training step.
    """
    first = None
    floats = rule is FLOAT
    for a in args:
        if isinstance(a, Tensor):
            dt = a._data.dtype
            if first is None:
                first = dt
            elif dt is not first:
                break
        elif type(a) is float:
            floats = True
        elif type(a) is not int and a is not None:  # (None: an optional operand left out)
            break
    else:
        kind = _KINDS.get(id(first))
        if kind == "f" or (kind == "i" and not floats):
            return args
    return _promote_slow(args, rule, 1 if rule is WHERE else 0)


def _promote_slow(args, rule, start):
    operands = [a for a in args[start:] if a is not None]
    for a in operands:
        data = _array(a)
        if data is not None and id(data.dtype) not in _KINDS:
            d = dtype_of(data)
            _KINDS[id(data.dtype)] = "f" if d.is_floating_point else "b" if d is bool_ else "i"
            _SEEN.append(data.dtype)
    if rule is SAME:
        _check_same_dtype(operands)
        return args
    if rule is SUBTRACT:
        _check_no_bool(operands)
    target = result_type(*operands)
    if rule is FLOAT:
        target = float_result(target)
    out = list(args)
    for i in range(start, len(args)):
        a = args[i]
        if a is None:
            continue
        if isinstance(a, (bool, int, float)):
            # a number joins in the result's own kind (the Array API mixes no kinds)
            out[i] = (float(a) if target.is_floating_point else
                      bool(a) if target is bool_ else int(a))
        elif isinstance(a, Tensor):
            if dtype_of(a._data) is not target:
                out[i] = a.to(target)
        elif backend.is_array(a):
            if dtype_of(a) is not target:
                out[i] = backend.device_of(a).xp.astype(a, backend.backend_dtype(
                    target, backend.device_of(a).xp))
        else:  # a NumPy scalar (np.float64(2.0)): a number of its own dtype, as in torch
            out[i] = float(a) if target.is_floating_point else int(a)
    return tuple(out)


_TORCH_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                "uint8": "unsigned char", "bool": "bool"}


_C_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _check_same_dtype(operands):
    arrays = [_array(a) for a in operands if _array(a) is not None]
    dts = [dtype_of(a) for a in arrays]
    if len(dts) == 2 and dts[0] is not dts[1]:
        if arrays[0].ndim == 1 and arrays[1].ndim == 1:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{_C_NAMES[dts[0].name]} and {_C_NAMES[dts[1].name]}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_TORCH_NAMES[dts[0].name]} != {_TORCH_NAMES[dts[1].name]}")


def _check_no_bool(operands):
    bools = sum(1 for a in operands if isinstance(a, bool) or (
        _array(a) is not None and dtype_of(_array(a)) is bool_))
    if bools == 2:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if bools:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


KERNEL_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                 "uint8": "Byte", "bool": "Bool", "float64": "Double", "float32": "Float",
                 "float16": "Half"}


def refuse_integral(kernel, t):
    """Ops that torch has only floating kernels for (elu, gelu, frac ...) refuse integer and
    bool tensors as torch does, instead of computing in float64."""
    d = dtype_of(t) if backend.is_array(t) else t.dtype  # (a Tensor or an array)
    if not d.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{KERNEL_NAMES[d.name]}\'')


def refuse_bool(name, *operands):
    """Arithmetic that torch does not define on bool (pow, remainder ...) raises as torch's does."""
    for a in operands:
        if backend.is_array(a) and dtype_of(a) is bool_:
            raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')
