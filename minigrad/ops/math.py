"""More element-wise math: trigonometry, logarithms, rounding, integer division.

Each op is a forward with its backward, the derivative on top (``g`` is the upstream
gradient). ``promote = FLOAT`` makes an integer input compute in the default float dtype,
as torch does (``torch.sin(int_tensor)`` is float32); rounding ops keep integer inputs.
"""
import math

from .. import backend
from ..autograd import Op
from ..backend import device_of, erf, erfc, fmod
from ..promotion import COMMON, FLOAT, refuse_bool, refuse_integral


def _xp(a):
    return device_of(a).xp


# ------------------------------------------------------------------ trigonometry

class Sin(Op):
    """d sin(x) = g * cos(x)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).sin(x)

    def backward(ctx, g):
        return g * _xp(g).cos(ctx.x)


class Cos(Op):
    """d cos(x) = -g * sin(x)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).cos(x)

    def backward(ctx, g):
        return -g * _xp(g).sin(ctx.x)


class Tan(Op):
    """d tan(x) = g * (1 + tan(x)^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).tan(x)
        return ctx.out

    def backward(ctx, g):
        return g * (1 + ctx.out * ctx.out)


class Asin(Op):
    """d asin(x) = g / sqrt(1 - x^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).asin(x)

    def backward(ctx, g):
        return g / _xp(g).sqrt(1 - ctx.x * ctx.x)


class Acos(Op):
    """d acos(x) = -g / sqrt(1 - x^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).acos(x)

    def backward(ctx, g):
        return -g / _xp(g).sqrt(1 - ctx.x * ctx.x)


class Atan(Op):
    """d atan(x) = g / (1 + x^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).atan(x)

    def backward(ctx, g):
        return g / (1 + ctx.x * ctx.x)


class Atan2(Op):
    """d atan2(a, b) = (g * b / (a^2 + b^2), -g * a / (a^2 + b^2))   (0 at a = b = 0, as
    in PyTorch: there 1 / (a^2 + b^2) counts as 0)"""

    promote = FLOAT

    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return _xp(a).atan2(a, b)

    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        xp = _xp(g)
        r2 = a * a + b * b
        recip = xp.where(r2 == 0, xp.zeros((), dtype=g.dtype), 1 / r2)
        return g * b * recip, -g * a * recip


class Sinh(Op):
    """d sinh(x) = g * cosh(x)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).sinh(x)

    def backward(ctx, g):
        return g * _xp(g).cosh(ctx.x)


class Cosh(Op):
    """d cosh(x) = g * sinh(x)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).cosh(x)

    def backward(ctx, g):
        return g * _xp(g).sinh(ctx.x)


class Asinh(Op):
    """d asinh(x) = g / sqrt(x^2 + 1)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).asinh(x)

    def backward(ctx, g):
        return g / _xp(g).sqrt(ctx.x * ctx.x + 1)


class Acosh(Op):
    """d acosh(x) = g / sqrt(x^2 - 1)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).acosh(x)

    def backward(ctx, g):
        return g / _xp(g).sqrt(ctx.x * ctx.x - 1)


class Atanh(Op):
    """d atanh(x) = g / (1 - x^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).atanh(x)

    def backward(ctx, g):
        return g / (1 - ctx.x * ctx.x)


class Erf(Op):
    """d erf(x) = g * 2 / sqrt(pi) * exp(-x^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return erf(x)

    def backward(ctx, g):
        x = ctx.x
        return g * (2 / math.sqrt(math.pi)) * _xp(g).exp(-x * x)


class Erfc(Op):
    """d erfc(x) = -g * 2 / sqrt(pi) * exp(-x^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return erfc(x)

    def backward(ctx, g):
        x = ctx.x
        return g * (-2 / math.sqrt(math.pi)) * _xp(g).exp(-x * x)


# ------------------------------------------------------- exponentials and logarithms

class Log2(Op):
    """d log2(x) = g / (x ln 2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).log2(x)

    def backward(ctx, g):
        return g / (ctx.x * math.log(2))


class Log10(Op):
    """d log10(x) = g / (x ln 10)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).log10(x)

    def backward(ctx, g):
        return g / (ctx.x * math.log(10))


class Log1p(Op):
    """d log(1 + x) = g / (1 + x)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).log1p(x)

    def backward(ctx, g):
        return g / (1 + ctx.x)


class Exp2(Op):
    """d 2^x = g * 2^x ln 2"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).pow(2.0, x)
        return ctx.out

    def backward(ctx, g):
        return g * ctx.out * math.log(2)


class Expm1(Op):
    """d (e^x - 1) = g * e^x"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).expm1(x)
        return ctx.out

    def backward(ctx, g):
        return g * (ctx.out + 1)


class Rsqrt(Op):
    """d x^(-1/2) = -g x^(-3/2) / 2"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = 1 / _xp(x).sqrt(x)
        return ctx.out

    def backward(ctx, g):
        out = ctx.out
        return -0.5 * g * out * out * out


class Reciprocal(Op):
    """d (1 / x) = -g / x^2"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = 1 / x
        return ctx.out

    def backward(ctx, g):
        return -g * ctx.out * ctx.out


# ------------------------------------------------------------------ rounding
# Piecewise constant: the gradient is 0 everywhere (as torch defines it at the jumps too).

class _Step(Op):
    """d step(x) = 0"""

    def backward(ctx, g):
        return _xp(g).zeros_like(g)


class Floor(_Step):
    """d floor(x) = 0"""

    def forward(ctx, x):
        refuse_bool("floor_vml_cpu", x)
        return _xp(x).floor(x)


class Ceil(_Step):
    """d ceil(x) = 0"""

    def forward(ctx, x):
        refuse_bool("ceil_vml_cpu", x)
        return _xp(x).ceil(x)


class Trunc(_Step):
    """d trunc(x) = 0"""

    def forward(ctx, x):
        refuse_bool("trunc_vml_cpu", x)
        return _xp(x).trunc(x)


class Sign(_Step):
    """d sign(x) = 0"""

    def forward(ctx, x):
        xp = _xp(x)
        if x.dtype == xp.bool:
            return x
        return xp.where(x != x, xp.zeros((), dtype=x.dtype), xp.sign(x))  # sign(NaN) is 0


class Frac(Op):
    """d (x - trunc(x)) = g"""

    def forward(ctx, x):
        refuse_integral("frac_cpu", x)
        return x - _xp(x).trunc(x)

    def backward(ctx, g):
        return g


# ------------------------------------------------------------ integer division

class FloorDivide(Op):
    """d floor(a / b) = (0, 0)   (torch does not differentiate it)"""

    promote = COMMON

    def forward(ctx, a, b):
        refuse_bool("div_floor_cpu", a, b)
        _check_integer_divisor(a, b)
        return _xp(a if hasattr(a, "shape") else b).floor_divide(a, b)

    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class Remainder(Op):
    """d (a - b floor(a / b)) = (g, -g * floor(a / b))   (the sign of b, like Python's %)"""

    promote = COMMON

    def forward(ctx, a, b):
        refuse_bool("remainder_cpu", a, b)
        _check_integer_divisor(a, b)
        xp = _xp(a if hasattr(a, "shape") else b)
        ctx.a, ctx.b = a, b
        r = xp.remainder(a, b)
        if not xp.isdtype(r.dtype, "real floating"):
            return r
        # torch adds b to fmod(a, b) where their signs differ, so a zero keeps fmod's sign,
        # which is a's (NumPy's remainder gives a zero b's sign)
        return xp.where(r == 0, xp.copysign(r, a), r)

    def backward(ctx, g):
        a, b = _quotient_operands(ctx, g)
        return g, -g * _xp(g).floor(a / b)


class Fmod(Op):
    """d (a - b trunc(a / b)) = (g, -g * trunc(a / b))   (the sign of a, like C's fmod)"""

    promote = COMMON

    def forward(ctx, a, b):
        refuse_bool("fmod_cpu", a, b)
        _check_integer_divisor(a, b)
        ctx.a, ctx.b = a, b
        return fmod(a, b)

    def backward(ctx, g):
        a, b = _quotient_operands(ctx, g)
        return g, -g * _xp(g).trunc(a / b)


def _quotient_operands(ctx, g):
    """a and b, held constant under create_graph: torch's backward takes the rounded quotient
    as a constant (its second derivatives are 0, not 0 * inf where b = 0 or a / b is NaN)."""
    if not backend.is_recording(g):
        return ctx.a, ctx.b
    return tuple(v.detach() if hasattr(v, "detach") else v for v in (ctx.a, ctx.b))


def _check_integer_divisor(a, b):
    """Integer division by zero raises, as in torch (floats give inf or nan; an empty result
    divides nothing)."""
    if isinstance(b, (int, float)):
        if b == 0 and not isinstance(b, float) and not _is_floating(a) and getattr(a, "size", 1):
            raise RuntimeError("ZeroDivisionError")
        return
    if not getattr(a, "size", 1):
        return
    xp = _xp(b)
    if not xp.isdtype(b.dtype, "real floating") and bool(xp.any(b == 0)):
        raise RuntimeError("ZeroDivisionError")


def _is_floating(a):
    return isinstance(a, float) or (hasattr(a, "dtype") and _xp(a).isdtype(a.dtype,
                                                                             "real floating"))


class SafeSqrt(Op):
    """d sqrt(s) = g / (2 sqrt(s)), and 0 at s = 0   (how torch differentiates std and norm)

    For the square root of a sum of squares (a norm, a standard deviation) whose value is 0:
    torch defines the gradient there as 0, where plain sqrt's would be inf (and nan after
    the chain rule multiplies it by the zero derivative of the sum).
    """

    promote = FLOAT

    def forward(ctx, s):
        ctx.out = _xp(s).sqrt(s)
        return ctx.out

    def backward(ctx, g):
        xp = _xp(g)
        zero = ctx.out == 0
        return xp.where(zero, xp.zeros((), dtype=g.dtype), g / (2 * xp.where(zero, 1, ctx.out)))
