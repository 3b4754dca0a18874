"""erfinv, the inverse of the error function (torch.erfinv / torch.special.erfinv)."""
import math

import numpy as np

from .. import backend
from ..autograd import Op
from ..promotion import FLOAT


def _erfinv_host(x):
    """erfinv on a NumPy array: Giles' single-precision approximation ("Approximating the
    erfinv function", 2010), then Newton steps on erf(y) = x to full float64 precision;
    +-1 give +-inf, |x| > 1 gives NaN."""
    x64 = x.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1 - x64) * (1 + x64))
        central, tail = w - 2.5, np.sqrt(w) - 3
        pc = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
            pc = c + pc * central
        pt = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
            pt = c + pt * tail
        y = np.where(w < 5, pc, pt) * x64
        inside = np.abs(x64) < 1
        for _ in range(3):
            step = (backend.erf(np.where(inside, y, 0.0)) - x64) / (
                2 / math.sqrt(math.pi) * np.exp(-y * y))
            y = np.where(inside, y - step, y)
        y = np.where(np.abs(x64) == 1, np.copysign(np.inf, x64), y)
        y = np.where(np.abs(x64) > 1, np.nan, y)
    return y.astype(x.dtype)


class Erfinv(Op):
    """d erfinv(x) = g * sqrt(pi) / 2 * exp(erfinv(x)^2)"""

    promote = FLOAT

    def forward(ctx, x):
        ctx.out = backend.from_numpy(_erfinv_host(backend.to_numpy(x)), backend.device_of(x))
        return ctx.out

    def backward(ctx, g):
        xp = backend.device_of(g).xp
        return g * (math.sqrt(math.pi) / 2) * xp.exp(ctx.out * ctx.out)


class Logit(Op):
    """d logit(x) = g / (x (1 - x)); NaN outside [0, 1] without eps, 0 outside [eps, 1 - eps]
    with it (where the clamp holds z constant), as torch defines it"""

    promote = FLOAT

    def forward(ctx, x, eps=None):
        xp = backend.device_of(x).xp
        ctx.x, ctx.eps = x, eps
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        return xp.log(z / (1 - z))

    def backward(ctx, g):
        xp = backend.device_of(g).xp
        x, eps = ctx.x, ctx.eps
        d = g / (x * (1 - x))
        if eps is None:
            return xp.where((x < 0) | (x > 1), xp.full(d.shape, float("nan"), dtype=d.dtype), d)
        return xp.where((x < eps) | (x > 1 - eps), xp.zeros_like(d), d)


class XLogY(Op):
    """d xlogy(x, y) = (g * log(y), g * x / y), with x * log(y) and g * log(y) counted as 0
    where x == 0 (resp. g == 0) unless y is NaN, and d/dx also 0 where x == 0 and y <= 0,
    as torch defines them"""

    promote = FLOAT

    def forward(ctx, x, y):
        xp = backend.device_of(x).xp
        ctx.x, ctx.y = x, y
        zero = (x == 0) & ~xp.isnan(y)
        return x * xp.log(xp.where(zero, xp.ones_like(y), y))

    def backward(ctx, g):
        xp = backend.device_of(g).xp
        x, y = ctx.x, ctx.y
        zero = ((x == 0) & (y <= 0)) | ((g == 0) & ~xp.isnan(y))
        return g * xp.log(xp.where(zero, xp.ones_like(y), y)), g * x / y
