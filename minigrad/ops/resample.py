"""Resampling an image along its two last axes by two small matrices, and padding one
axis: forward and backward side by side, the derivative on top.

Bilinear and nearest interpolation and adaptive average pooling all map each output row
to a weighted sum of input rows (and likewise columns): out = A x B^T, with A (Ho, H) and
B (Wo, W) holding the weights. Each row of A has one 1 (nearest), two weights summing to
1 (bilinear) or 1/len over a window (adaptive average). ``nn/upsampling.py`` and
``nn/pooling.py`` build the matrices.
"""
from ..autograd import Op
from ..backend import device_of


def _xp(a):
    return device_of(a).xp


class Separable2D(Op):
    """d (A x B^T) = A^T g B"""

    constants = ("rows", "cols")  # made from the sizes alone (nn/upsampling.py, nn/pooling.py)

    def forward(ctx, x, rows, cols):
        xp = _xp(x)
        ctx.rows, ctx.cols = rows, cols
        return xp.matmul(xp.matmul(rows, x), cols.mT)

    def backward(ctx, g):
        xp = _xp(g)
        return xp.matmul(xp.matmul(ctx.rows.mT, g), ctx.cols), None, None


class PadAxis(Op):
    """d pad(x) = g's middle (the part that is x), plus, for 'reflect' and 'replicate', the
    border values of g added back onto the elements they copied

    Pads one ``axis`` with ``before`` and ``after`` elements (both >= 0): 'constant' with
    ``value``, 'reflect' with the mirror image excluding the edge (d c b | a b c d | c b a),
    'replicate' with copies of the edge (a a | a b c d | d d).
    """

    def forward(ctx, x, axis, before, after, mode="constant", value=0.0):
        xp = _xp(x)
        n = x.shape[axis]
        ctx.axis, ctx.before, ctx.after, ctx.mode, ctx.n = axis, before, after, mode, n

        def part(start, stop):
            return x[(slice(None),) * axis + (slice(start, stop), ...)]

        def block(size):
            shape = x.shape[:axis] + (size,) + x.shape[axis + 1:]
            return xp.full(shape, value, dtype=x.dtype)

        if mode == "constant":
            pieces = [block(before), x, block(after)]
        elif mode == "reflect":
            pieces = [xp.flip(part(1, before + 1), axis=axis), x,
                      xp.flip(part(n - 1 - after, n - 1), axis=axis)]
        else:  # replicate
            edge_shape = lambda size: x.shape[:axis] + (size,) + x.shape[axis + 1:]  # noqa: E731
            pieces = [xp.broadcast_to(part(0, 1), edge_shape(before)), x,
                      xp.broadcast_to(part(n - 1, n), edge_shape(after))]
        return xp.concat(pieces, axis=axis)

    def backward(ctx, g):
        xp = _xp(g)
        axis, before, after, n = ctx.axis, ctx.before, ctx.after, ctx.n

        def at(start, stop):
            return (slice(None),) * axis + (slice(start, stop), ...)

        gx = xp.asarray(g[at(before, before + n)], copy=True)
        if ctx.mode == "reflect":
            gx[at(1, before + 1)] += xp.flip(g[at(0, before)], axis=axis)
            gx[at(n - 1 - after, n - 1)] += xp.flip(g[at(before + n, before + n + after)],
                                                    axis=axis)
        elif ctx.mode == "replicate":
            gx[at(0, 1)] += xp.sum(g[at(0, before)], axis=axis, keepdims=True)
            gx[at(n - 1, n)] += xp.sum(g[at(before + n, before + n + after)], axis=axis,
                                       keepdims=True)
        return gx
