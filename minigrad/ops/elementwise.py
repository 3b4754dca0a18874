"""Element-wise ops and matmul: each forward with its backward, the derivative on top.

Arguments arrive as arrays (a Python scalar may stand in for either side of a binary
op); ``xp`` is the array namespace of the data. Broadcasting is undone by the engine
(``autograd.sum_to``), so a backward may return gradients of the output's shape.
"""
import math

from .. import backend, fused
from ..autograd import Op
from ..backend import backend_dtype, default_float, device_of, dtype_of
from ..cpu_speed import positive_mask, relu
from ..promotion import COMMON, FLOAT, SAME, SUBTRACT, WHERE, refuse_bool


def _xp(a):
    return device_of(a).xp




class Add(Op):
    """d(a + b) = (g, g)"""

    promote = COMMON

    def forward(ctx, a, b):
        return a + b

    def backward(ctx, g):
        return g, g


class Sub(Op):
    """d(a - b) = (g, -g)"""

    promote = SUBTRACT

    def forward(ctx, a, b):
        try:
            return a - b
        except TypeError:  # NumPy refuses bool - bool as well, with another error
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.") \
                from None

    def backward(ctx, g):
        return g, -g


class Mul(Op):
    """d(a * b) = (g * b, g * a)"""

    promote = COMMON

    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.a, ctx.b = (a if need_b else None), (b if need_a else None)  # only what's used
        return a * b

    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (g * ctx.b if need_a else None), (g * ctx.a if need_b else None)


class Div(Op):
    """d(a / b) = (g / b, -g * a / b^2)"""

    promote = FLOAT

    def forward(ctx, a, b):
        ctx.a, ctx.b = (a if ctx.needs_input_grad[1] else None), b  # only what's used
        return a / b

    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        ga = g / ctx.b if need_a else None
        gb = -g * (ctx.a / ctx.b / ctx.b) if need_b else None  # torch's order: signs of 0 and inf
        return ga, gb


class Pow(Op):
    """d(a ** b) = (g * b * a^(b-1), g * a^b * log(a))

    As in PyTorch, the first is 0 where b = 0 and the second 0 where a = 0 and b >= 0 (the
    limits of 0 * inf, 0 * log 0; g stays outside the mask: differentiated again, NaN there).
    """

    promote = COMMON

    def forward(ctx, a, b):
        if b is True:  # x ** True is x, in any dtype (torch's shortcut for exponent 1)
            return _xp(a).asarray(a, copy=True)
        if b is False:  # x ** False is all ones, in any dtype (bools too), as in torch
            return _xp(a).ones_like(a)
        refuse_bool("pow", a, b)
        if type(b) is int and b < 0 and not _xp(a).isdtype(a.dtype, "real floating"):
            _integer_pow(a, b)  # (raises, even for an empty a, where NumPy would not)
        try:
            out = a ** b
        except ValueError as e:  # NumPy refuses every negative power of an integer
            if "negative integer powers" not in str(e):
                raise
            out = _integer_pow(a, b)
        ctx.a, ctx.b = a, b
        ctx.out = out if ctx.needs_input_grad[1] else None  # only d/db uses the output
        return out

    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        a, b = ctx.a, ctx.b
        xp = _xp(g)
        ga = gb = None
        if need_a:
            if isinstance(b, (int, float)):
                ga = g * b * a ** (b - 1) if b != 0 else xp.zeros_like(g)
            else:
                ga = xp.where(b == 0, xp.zeros((), dtype=g.dtype), g * b * a ** (b - 1))
        if need_b:
            if isinstance(a, (int, float)):
                log_a = math.log(a) if a > 0 else -math.inf if a == 0 else math.nan
            else:
                log_a = xp.log(a)
            # (g times the masked factor, as torch: an infinite g at a masked 0 gives NaN)
            gb = g * xp.where((a == 0) & (b >= 0), xp.zeros((), dtype=g.dtype), ctx.out * log_a)
        return ga, gb


def _is_bool(v):
    return backend.is_array(v) and dtype_of(v) is backend.bool_


def _integer_pow(a, b):
    """a ** b for integers with some b < 0, as PyTorch computes it: 1 ** b = 1,
    (-1) ** b = +-1, any other a ** b = 0 (an exponent given as a Python int must not be
    negative)."""
    if isinstance(b, int):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    xp = _xp(b)
    negative = b < 0
    out = a ** xp.where(negative, xp.zeros((), dtype=b.dtype), b)
    one = xp.ones((), dtype=out.dtype)
    odd = (b % 2) != 0
    small = xp.where(a == 1, one, xp.where(a == -1, xp.where(odd, -one, one), 0 * one))
    return xp.where(negative, small, out)


class Round(Op):
    """d round(x) = 0   (a step function: flat wherever it has a derivative)"""

    def forward(ctx, x, decimals=0):
        xp = _xp(x)
        if decimals == 0:
            return xp.round(x)
        if decimals > 0:  # as torch computes it, scaling up by a power of ten ...
            return xp.round(x * 10.0 ** decimals) / 10.0 ** decimals
        return xp.round(x / 10.0 ** -decimals) * 10.0 ** -decimals  # ... or down

    def backward(ctx, g):
        return _xp(g).zeros_like(g)


class Neg(Op):
    """d(-x) = -g"""

    def forward(ctx, x):
        if dtype_of(x) is backend.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return -x

    def backward(ctx, g):
        return -g


class Exp(Op):
    """d exp(x) = g * exp(x)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).exp(x)
        return ctx.out

    def backward(ctx, g):
        return g * ctx.out


class Log(Op):
    """d log(x) = g / x"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.x = x
        return _xp(x).log(x)

    def backward(ctx, g):
        return g / ctx.x


class Sqrt(Op):
    """d sqrt(x) = g / (2 sqrt(x))"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).sqrt(x)
        return ctx.out

    def backward(ctx, g):
        return g / (2 * ctx.out)


class Abs(Op):
    """d |x| = g * sign(x)   (0 at x = 0 and at NaN, as in PyTorch)"""

    def forward(ctx, x):
        if dtype_of(x) is backend.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        ctx.x = x
        return _xp(x).abs(x)

    def backward(ctx, g):
        xp, x = _xp(g), ctx.x
        return g * (xp.astype(x > 0, g.dtype) - xp.astype(x < 0, g.dtype))


class Clamp(Op):
    """d clamp(x, lo, hi) = (g * 1[lo <= x <= hi], g * 1[x < lo], g * 1[x > hi])

    ``lo`` and ``hi`` are numbers, tensors or None; the result is min(max(x, lo), hi), so
    where lo > hi it is hi, and hi takes the gradient (as in PyTorch).
    """

    def forward(ctx, x, min=None, max=None):
        xp = _xp(x)
        inside = xp.ones_like(x, dtype=xp.bool)
        if min is not None:
            inside = inside & (x >= min)
        if max is not None:
            inside = inside & (x <= max)
        ctx.inside = inside
        if backend.is_array(min) or backend.is_array(max):  # tensor bounds: keep for backward
            ctx.x, ctx.min, ctx.max = x, min, max
            out = x if min is None else xp.maximum(x, min)  # (a NaN bound gives NaN)
            return out if max is None else xp.minimum(out, max)
        return xp.clip(x, min, max)

    def backward(ctx, g):
        xp = _xp(g)
        zero = xp.zeros((), dtype=g.dtype)
        g_x = xp.where(ctx.inside, g, zero)  # selected: 0 outside even where g is infinite
        if not any(ctx.needs_input_grad[1:]):
            return g_x, None, None
        x, lo, hi = ctx.x, ctx.min, ctx.max
        g_lo = g_hi = None
        if lo is not None:  # lo wins where x is below it (and below hi, when there is one)
            g_lo = xp.where(x < lo if hi is None else (x < lo) & (lo < hi), g, zero)
        if hi is not None:  # hi wins where x is above it, and wherever hi < lo
            g_hi = xp.where(x > hi if lo is None else (x > hi) | (hi < lo), g, zero)
        return g_x, g_lo, g_hi


class ReLU(Op):
    """d relu(x) = g * 1[x > 0]   (0 at x = 0, as in PyTorch)"""

    def forward(ctx, x):
        # max(x, 0), on the CPU by NumPy's fast loop (cpu_speed.relu);
        # the output (kept alive by the graph anyway) says where x > 0, as in PyTorch
        ctx.out = relu(x)
        return ctx.out

    def plain_backward(ctx, g):
        """The reference, ``g * (x > 0)``, read off the output: relu(x) is never negative,
        so it is non-zero exactly where x > 0, or x is NaN (where PyTorch passes g). Run
        under create_graph (g a Tensor); its own derivative is 0 almost everywhere."""
        xp = _xp(g)
        return g * xp.astype(ctx.out != 0, g.dtype)

    def backward(ctx, g):
        if backend.is_recording(g):
            return ctx.plain_backward(g)
        # ---- fast path: same result as plain_backward (and g at NaN, as in PyTorch) ----
        # A 0/1 float mask, multiplied in place: two cheap passes, where NumPy's where()
        # (a branch per element on random signs) is ten times slower than both.
        if fused.use_kernels(g):  # a GPU: one kernel instead of three
            return fused.RELU_BACKWARD(x=ctx.out, g=g)
        mask = positive_mask(ctx.out)
        mask *= g
        return mask


class Sigmoid(Op):
    """d sigmoid(x) = g * s * (1 - s),  s = sigmoid(x)"""

    promote = FLOAT

    def forward(ctx, x):
        xp = _xp(x)
        # exp of a non-positive number never overflows: use e^-|x| on both sides.
        e = xp.exp(-xp.abs(x))
        ctx.out = xp.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return ctx.out

    def backward(ctx, g):
        s = ctx.out
        return g * s * (1 - s)


class Tanh(Op):
    """d tanh(x) = g * (1 - tanh(x)^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = _xp(x).tanh(x)
        return ctx.out

    def backward(ctx, g):
        t = ctx.out
        return g * (1 - t * t)


class Maximum(Op):
    """d maximum(a, b) = (g * 1[a > b], g * 1[b > a]), a tie splits g in half (as in PyTorch)

    Written as PyTorch writes it, g except where the other side wins, so that a NaN
    (neither larger, smaller nor equal) passes g to both sides, as in PyTorch.
    """

    promote = COMMON

    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return _xp(a).maximum(a, b)

    def backward(ctx, g):
        return _share_extreme(g, ctx.a < ctx.b, ctx.a > ctx.b, ctx.a == ctx.b)


class Minimum(Op):
    """d minimum(a, b) = (g * 1[a < b], g * 1[b < a]), a tie splits g in half (NaN: both g)"""

    promote = COMMON

    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return _xp(a).minimum(a, b)

    def backward(ctx, g):
        return _share_extreme(g, ctx.a > ctx.b, ctx.a < ctx.b, ctx.a == ctx.b)


def _share_extreme(g, a_loses, b_loses, tie):
    """(g where a does not lose, g where b does not lose), each halved at a tie (selected,
    not multiplied, so that the loser gets 0 even where g is NaN or infinite)."""
    xp = _xp(g)
    zero = xp.zeros((), dtype=g.dtype)
    shared = xp.where(tie, g / 2, g)
    return xp.where(a_loses, zero, shared), xp.where(b_loses, zero, shared)


class MatMul(Op):
    """d(a @ b) = (g @ b^T, a^T @ g)   (a vector operand is treated as a 1-row/1-column matrix)"""

    promote = SAME

    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                               f"{a.ndim}D and {b.ndim}D")
        if a.dtype != b.dtype:
            _raise_matmul_dtypes(a, b)
        _check_matmul_shapes(a.shape, b.shape)
        need_a, need_b = ctx.needs_input_grad
        ctx.a, ctx.b = (a if need_b else None), (b if need_a else None)  # only what's used
        ctx.ndims = a.ndim, b.ndim
        return _xp(a).matmul(a, b)

    def backward(ctx, g):
        xp = _xp(g)
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.needs_input_grad
        a_ndim, b_ndim = ctx.ndims
        if a_ndim == 1 and b_ndim == 1:  # dot product
            return (g * b if need_a else None), (g * a if need_b else None)
        # Promote vectors to matrices so one pair of formulas covers every case.
        g2 = g
        if a_ndim == 1:
            g2 = xp.expand_dims(g2, axis=-2)
        if b_ndim == 1:
            g2 = xp.expand_dims(g2, axis=-1)
        ga = gb = None
        if need_a:
            b2 = xp.expand_dims(b, axis=-1) if b_ndim == 1 else b
            ga = xp.matmul(g2, b2.mT)
            if a_ndim == 1:
                ga = xp.reshape(ga, ga.shape[:-2] + (ga.shape[-1],))
        if need_b:
            a2 = xp.expand_dims(a, axis=0) if a_ndim == 1 else a
            gb = xp.matmul(a2.mT, g2)
            if b_ndim == 1:
                gb = xp.reshape(gb, gb.shape[:-1])
        return ga, gb


_C_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "uint8": "unsigned char", "bool": "bool", "int16": "short int", "int8": "signed char",
            "float16": "c10::Half"}
_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
          "uint8": "Byte", "bool": "Bool", "int16": "Short", "int8": "Char", "float16": "Half"}


def _raise_matmul_dtypes(a, b):
    da, db = dtype_of(a).name, dtype_of(b).name
    if a.ndim == 1 and b.ndim == 1:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_NAMES[da]} and {_NAMES[db]}")
    raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_NAMES[da]} != "
                       f"{_C_NAMES[db]}")


def _check_matmul_shapes(sa, sb):
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka == kb:
        return
    if len(sa) == 2 and len(sb) == 2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
    if len(sa) == 1 and len(sb) == 1:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                           f"[{sb[0]}] to have the same number of elements, but got {sa[0]} "
                           f"and {sb[0]} elements respectively")
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to match: "
                       f"matmul got shapes {tuple(sa)} and {tuple(sb)}, whose inner "
                       f"dimensions {ka} and {kb} differ")


class Where(Op):
    """d where(c, a, b) = (-, g * c, g * (1 - c))"""

    promote = WHERE

    def forward(ctx, cond, a, b):
        if dtype_of(cond) is not backend.bool_:
            if dtype_of(cond) is not backend.uint8:
                raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                                   f"tensor with dtype {_NAMES[dtype_of(cond).name]}")
            cond = cond != 0
        ctx.cond = cond
        return _xp(cond).where(cond, a, b)

    def backward(ctx, g):
        xp = _xp(g)
        zero = xp.zeros_like(g)
        return None, xp.where(ctx.cond, g, zero), xp.where(ctx.cond, zero, g)


class NanToNum(Op):
    """d nan_to_num(x) = g * 1[x is finite]

    A product with the mask, as torch computes it (not a select): an infinite g at a NaN or
    infinite x gives NaN there, as in torch.
    """

    def forward(ctx, x, nan, posinf, neginf):
        xp = _xp(x)
        ctx.x = x
        out = xp.where(xp.isnan(x), nan, x)
        out = xp.where(x == float("inf"), posinf, out)
        return xp.where(x == float("-inf"), neginf, out)

    def backward(ctx, g):
        xp = _xp(g)
        return g * xp.astype(xp.isfinite(ctx.x), g.dtype)
