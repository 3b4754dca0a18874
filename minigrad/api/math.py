"""Element-wise math with torch's names: trigonometry, logarithms, rounding, division modes,
interpolation, and the tests for nan, inf and closeness."""
from .. import backend, functions, promotion
from ..autograd import _raise_broadcast_error
from ..ops import elementwise as E, math as M
from ..tensor import Tensor, _checked_bounds, _operand, _refuse_bool_clamp


def _unary(op, name, doc):
    def f(input):
        return op.apply(input)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


sin = _unary(M.Sin, "sin", "Element-wise sine.")
cos = _unary(M.Cos, "cos", "Element-wise cosine.")
tan = _unary(M.Tan, "tan", "Element-wise tangent.")
asin = _unary(M.Asin, "asin", "Element-wise arcsine.")
acos = _unary(M.Acos, "acos", "Element-wise arccosine.")
atan = _unary(M.Atan, "atan", "Element-wise arctangent.")
sinh = _unary(M.Sinh, "sinh", "Element-wise hyperbolic sine.")
cosh = _unary(M.Cosh, "cosh", "Element-wise hyperbolic cosine.")
asinh = _unary(M.Asinh, "asinh", "Element-wise inverse hyperbolic sine.")
acosh = _unary(M.Acosh, "acosh", "Element-wise inverse hyperbolic cosine.")
atanh = _unary(M.Atanh, "atanh", "Element-wise inverse hyperbolic tangent.")
log2 = _unary(M.Log2, "log2", "Element-wise base-2 logarithm.")
log10 = _unary(M.Log10, "log10", "Element-wise base-10 logarithm.")
log1p = _unary(M.Log1p, "log1p", "log(1 + x), accurate for small x.")
exp2 = _unary(M.Exp2, "exp2", "Element-wise 2^x.")
expm1 = _unary(M.Expm1, "expm1", "e^x - 1, accurate for small x.")
rsqrt = _unary(M.Rsqrt, "rsqrt", "1 / sqrt(x).")
erf = _unary(M.Erf, "erf", "The error function, 2 / sqrt(pi) * integral of exp(-t^2) from 0 to x.")
erfc = _unary(M.Erfc, "erfc", "1 - erf(x), computed directly (accurate where erf(x) is near 1).")
reciprocal = _unary(M.Reciprocal, "reciprocal", "1 / x (integers give floats).")
floor = _unary(M.Floor, "floor", "Largest integer <= x (zero gradient).")
ceil = _unary(M.Ceil, "ceil", "Smallest integer >= x (zero gradient).")
trunc = _unary(M.Trunc, "trunc", "x rounded toward zero (zero gradient).")
fix = trunc
frac = _unary(M.Frac, "frac", "x - trunc(x).")
sign = _unary(M.Sign, "sign", "-1, 0 or 1 (zero gradient).")
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


round = functions.round  # half to even, to ``decimals`` places, zero gradient


def square(input):
    """x * x (bools square to int64, as in torch)."""
    if input.dtype is backend.bool_:
        input = input.to(backend.int64)
    return input * input


def atan2(input, other):
    """The angle of the point (other, input): atan(input / other) in the right quadrant."""
    return M.Atan2.apply(input, _operand(other, input))


arctan2 = atan2


def remainder(input, other):
    """input - other * floor(input / other): the sign of ``other``, like Python's ``%``."""
    if not isinstance(input, Tensor):
        return M.Remainder.apply(input, other)
    return M.Remainder.apply(input, _operand(other, input))


def fmod(input, other):
    """input - other * trunc(input / other): the sign of ``input``, like C's fmod."""
    return M.Fmod.apply(input, _operand(other, input))


def floor_divide(input, other):
    """floor(input / other), like Python's ``//``."""
    if not isinstance(input, Tensor):
        return M.FloorDivide.apply(input, other)
    return M.FloorDivide.apply(input, _operand(other, input))


def div(input, other, *, rounding_mode=None):
    """input / other; ``rounding_mode`` "trunc" or "floor" rounds the quotient (and keeps
    integer dtypes), as torch.div does."""
    if rounding_mode is None:
        return input / other
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode != "trunc":
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")
    if promotion.result_type(input, other).is_floating_point:
        return trunc(input / other)
    return floor_divide(input - fmod(input, other), other)  # exact for integers


divide = true_divide = div


def lerp(input, end, weight):
    """input + weight * (end - input), computed as torch's kernel does: from ``end`` when
    |weight| >= 0.5 (end - (end - input) (1 - weight)), which is exact at weight = 1 and
    decides where infinities give NaN. Float tensors only, as in torch."""
    promotion.refuse_integral("lerp_kernel_tensor" if isinstance(weight, Tensor)
                              else "lerp_kernel_scalar", input)
    diff = end - input
    if not isinstance(weight, Tensor):
        return input + weight * diff if abs(weight) < 0.5 else end - diff * (1 - weight)
    small = weight.abs() < 0.5
    return functions.where(small, input + weight * diff, end - diff * (1 - weight))


def clamp(input, min=None, max=None):
    """Limit values to [min, max]; the bounds may be numbers or tensors (broadcast)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    _refuse_bool_clamp(input, min, max)
    if not isinstance(min, Tensor) and not isinstance(max, Tensor) and (
            isinstance(min, float) or isinstance(max, float)):
        input = input.to(promotion.result_type(input, *(b for b in (min, max) if b is not None)))
    return E.Clamp.apply(input, *_checked_bounds(input, min, max))


clip = clamp


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> ``nan``, inf -> ``posinf`` (default: the dtype's largest), -inf -> ``neginf``."""
    if not input.dtype.is_floating_point:
        return input.clone()
    xp = input.device.xp
    info = xp.finfo(backend.backend_dtype(input.dtype, xp))
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    return E.NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


def _no_grad(fn, name, doc):
    def f(input):
        return Tensor._make(fn(input.device.xp, input._data), None)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


isnan = _no_grad(lambda xp, x: xp.isnan(x), "isnan", "True where x is NaN.")
isinf = _no_grad(lambda xp, x: xp.isinf(x), "isinf", "True where x is +inf or -inf.")
isfinite = _no_grad(lambda xp, x: xp.isfinite(x), "isfinite",
                    "True where x is neither inf nor NaN.")
isposinf = _no_grad(lambda xp, x: x == float("inf"), "isposinf", "True where x is +inf.")
isneginf = _no_grad(lambda xp, x: x == float("-inf"), "isneginf", "True where x is -inf.")
signbit = _no_grad(lambda xp, x: xp.signbit(x) if xp.isdtype(x.dtype, "real floating")
                   else x < 0, "signbit", "True where the sign bit is set (-0.0 included).")


def _logical(name, doc, fn):
    def f(input, other):
        xp = input.device.xp
        a = input._data if input._data.dtype == xp.bool else input._data != 0
        b = other._data if isinstance(other, Tensor) else xp.asarray(other)
        b = b if b.dtype == xp.bool else b != 0
        try:
            return Tensor._make(fn(xp, a, b), None)
        except ValueError as e:  # shapes that do not broadcast: torch's RuntimeError
            _raise_broadcast_error((a, b), e)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


logical_and = _logical("logical_and", "True where both are non-zero.",
                       lambda xp, a, b: xp.logical_and(a, b))
logical_or = _logical("logical_or", "True where either is non-zero.",
                      lambda xp, a, b: xp.logical_or(a, b))
logical_xor = _logical("logical_xor", "True where exactly one is non-zero.",
                       lambda xp, a, b: xp.logical_xor(a, b))


def logical_not(input):
    """True where input is zero."""
    return Tensor._make(input._data == 0 if input._data.dtype != input.device.xp.bool else
                        input.device.xp.logical_not(input._data), None)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| element-wise (an infinity: only to itself)."""
    if isinstance(other, Tensor):
        functions._same_dtype(input, other)
    a, b = promotion.promote_args((input, _operand(other, input)), promotion.COMMON)
    xp = input.device.xp
    a, b = a._data, (b._data if isinstance(b, Tensor) else b)
    if backend.is_array(b):
        try:
            xp.broadcast_shapes(a.shape, b.shape)
        except ValueError as e:  # torch's RuntimeError
            _raise_broadcast_error((a, b), e)
    if a.dtype == xp.bool:  # (no subtraction of bools: close means equal)
        return Tensor._make(a == b, None)
    near = xp.abs(a - b) <= atol + rtol * xp.abs(b)
    if xp.isdtype(a.dtype, "real floating"):
        near = near & xp.isfinite(a) & xp.isfinite(b)  # an infinity is close only to itself
    close = (a == b) | near
    if equal_nan:
        close = close | (xp.isnan(a) & xp.isnan(b))
    return Tensor._make(close, None)


allclose = functions.allclose  # True when every element of input is close to other's


def logit(input, eps=None):
    """log(z / (1 - z)) with z = x clamped to [eps, 1 - eps] (no clamp when eps is None);
    the gradient 1 / (z (1 - z)) is 0 outside the clamp, as in torch."""
    from ..ops.special import Logit
    return Logit.apply(input, eps=eps)


def clamp_min(input, min):
    """max(x, min): clamp with only a lower bound."""
    return clamp(input, min=min)


def clamp_max(input, max):
    """min(x, max): clamp with only an upper bound."""
    return clamp(input, max=max)


def xlogy(input, other):
    """x * log(y), and 0 where x == 0 (unless y is NaN)."""
    from .. import creation
    from ..ops.special import XLogY
    like = input if isinstance(input, Tensor) else other
    input, y = (t if isinstance(t, Tensor) else creation.full_like(
        like, t, dtype=promotion.result_type(input, other)) for t in (input, other))
    return XLogY.apply(input, y)


def erfinv(input):
    """The inverse error function: y with erf(y) = x, for x in [-1, 1]."""
    from ..ops.special import Erfinv
    return Erfinv.apply(input)


METHODS = {name: globals()[name] for name in (
    "sin cos tan asin acos atan sinh cosh asinh acosh atanh arcsin arccos arctan arcsinh "
    "arccosh arctanh log2 log10 log1p exp2 expm1 rsqrt erf erfc reciprocal floor ceil trunc "
    "fix frac "
    "sign round square atan2 arctan2 remainder fmod floor_divide div divide true_divide lerp "
    "clamp clip nan_to_num isnan isinf isfinite isposinf isneginf signbit isclose allclose "
    "logical_and logical_or logical_xor logical_not logit clamp_min clamp_max xlogy erfinv"
).split()}
METHODS.update(__mod__=remainder, __floordiv__=floor_divide,
               __rmod__=lambda self, other: remainder(_operand(other, self), self),
               __rfloordiv__=lambda self, other: floor_divide(_operand(other, self), self))
__all__ = [name for name in METHODS if not name.startswith("_")]
