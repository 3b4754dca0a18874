"""Square-matrix ops with the backend's linear algebra: inverse, determinant, solve.

Each backward is written with ``xp.linalg`` and matmuls, so under ``create_graph`` (where
``xp.linalg`` is ``minigrad.linalg``, made of these very ops) it records a graph and the
second derivatives come out too.
"""
from ..autograd import Op
from ..backend import device_of
from ..promotion import SAME


def _mT(xp, x):
    """The transpose of each matrix in a batch (the last two dims swapped)."""
    axes = list(range(x.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return xp.permute_dims(x, tuple(axes))


def _singular(name, e):
    import numpy as np
    if isinstance(e, np.linalg.LinAlgError):
        raise RuntimeError(f"{name}: the input matrix is singular ({e})") from None
    raise e


class Inv(Op):
    """d inv(A) = -inv(A)^T g inv(A)^T"""

    promote = SAME

    def forward(ctx, a):
        try:
            ctx.out = device_of(a).xp.linalg.inv(a)
        except Exception as e:
            _singular("linalg.inv", e)
        return ctx.out

    def backward(ctx, g):
        xp = device_of(g).xp
        t = _mT(xp, ctx.out)
        return -xp.matmul(xp.matmul(t, g), t)


class Det(Op):
    """d det(A) = g * det(A) * inv(A)^T (A invertible: a singular A's gradient is refused)"""

    promote = SAME

    def forward(ctx, a):
        ctx.a = a
        ctx.out = device_of(a).xp.linalg.det(a)
        return ctx.out

    def backward(ctx, g):
        xp = device_of(g).xp
        try:
            inv_t = _mT(xp, xp.linalg.inv(ctx.a))
        except Exception as e:
            _singular("linalg.det backward", e)
        scale = g * ctx.out
        return xp.reshape(scale, tuple(scale.shape) + (1, 1)) * inv_t


class Solve(Op):
    """X = solve(A, B) (A X = B, B a batch of matrices): d B = solve(A^T, g), d A = -dB X^T"""

    promote = SAME

    def forward(ctx, a, b):
        ctx.a = a
        try:
            ctx.out = device_of(a).xp.linalg.solve(a, b)
        except Exception as e:
            _singular("torch.linalg.solve", e)
        return ctx.out

    def backward(ctx, g):
        xp = device_of(g).xp
        gb = xp.linalg.solve(_mT(xp, ctx.a), g)
        ga = -xp.matmul(gb, _mT(xp, ctx.out)) if ctx.needs_input_grad[0] else None
        return ga, gb
