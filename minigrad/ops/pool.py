"""Average pooling and adaptive pooling: each forward with its backward, the derivative on top.

Shapes are PyTorch's: input (N, C, H, W) (the functions in ``nn/pooling.py`` also take
unbatched (C, H, W)). Like max pooling (``ops/conv.py``), ``AvgPool2D`` looks at the
input through one strided view per kernel offset: a loop over the kh * kw offsets, each
step a whole-array operation.

Adaptive pooling picks its windows from the sizes alone (adaptive average pooling is a
product with two averaging matrices: ``resample.Separable2D``): output row i covers input rows
floor(i H / Ho) .. ceil((i + 1) H / Ho) - 1 (windows may differ in size and overlap).
"""
from ..autograd import Op
from ..backend import device_of, padded_hcwn, window_slice


def _xp(a):
    return device_of(a).xp


class AvgPool2D(Op):
    """d avg_pool2d(x) = g[window] / divisor[window] added to every pixel of each window

    ``divisor`` is a scalar or an (Ho, Wo) array: the window's size, counting the padding
    or not (``count_include_pad``), or ``divisor_override``.
    """

    constants = ("divisor",)  # window sizes: from the shapes alone

    def forward(ctx, x, kernel, stride, pads, out_size, divisor):
        xp = _xp(x)
        (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_size
        ctx.conf, ctx.shape, ctx.divisor = (kernel, stride, pads, out_size), x.shape, divisor
        if any(pads):  # zero borders: padding adds nothing to a sum
            x = xp.permute_dims(padded_hcwn(x, pads), (3, 1, 0, 2))
        total = None
        for i in range(kh):
            for j in range(kw):
                win = x[:, :, window_slice(i, 1, sh, ho), window_slice(j, 1, sw, wo)]
                total = win + 0 if total is None else total + win  # (win + 0: a copy)
        return total / divisor

    def backward(ctx, g):
        xp = _xp(g)
        (kh, kw), (sh, sw), pads, (ho, wo) = ctx.conf
        n, c, h, w = ctx.shape
        top, bottom, left, right = pads
        share = g / ctx.divisor  # what each pixel of a window receives
        dx = xp.zeros((n, c, top + h + bottom, left + w + right), dtype=g.dtype)
        for i in range(kh):
            for j in range(kw):
                dx[:, :, window_slice(i, 1, sh, ho), window_slice(j, 1, sw, wo)] += share
        return dx[:, :, top:top + h, left:left + w]


def adaptive_windows(size, out):
    """(starts, ends) of the ``out`` adaptive windows over ``size`` inputs."""
    starts = [(i * size) // out for i in range(out)]
    ends = [-((-(i + 1) * size) // out) for i in range(out)]  # ceil((i + 1) size / out)
    return starts, ends


def averaging_matrix(xp, size, out, dtype):
    """(out, size): row i holds 1/len at the inputs of window i, 0 elsewhere. Adaptive
    average pooling is ``resample.Separable2D`` with two of these (rows, then columns)."""
    starts, ends = adaptive_windows(size, out)
    rows = [[1 / (e - s) if s <= j < e else 0.0 for j in range(size)]
            for s, e in zip(starts, ends)]
    return xp.asarray(rows, dtype=dtype)


def _window_positions(xp, size, out):
    """(out, k) input positions of each adaptive window (k = the longest window), clipped
    into range, and a (out, k) mask of the positions that really are in the window."""
    starts, ends = adaptive_windows(size, out)
    k = max(e - s for s, e in zip(starts, ends))
    pos = [[s + d for d in range(k)] for s in starts]
    valid = [[s + d < e for d in range(k)] for s, e in zip(starts, ends)]
    return (xp.asarray([[min(p, size - 1) for p in row] for row in pos], dtype=xp.int64),
            xp.asarray(valid, dtype=xp.bool))


def _selection_matrix(xp, positions, size, dtype):
    """(size, len(positions)) of 0/1: column m has its 1 at row positions[m]. Its product
    sends values gathered from those positions back to them (adding repeats)."""
    return xp.astype(xp.reshape(xp.arange(size, dtype=positions.dtype), (size, 1))
                     == xp.reshape(positions, (1, -1)), dtype)


class AdaptiveMaxPool2D(Op):
    """d adaptive_max_pool2d(x) = g sent to the first maximal element of each window (the
    last NaN where there is one, as torch's loop picks)

    Forward gathers every window into a (N, C, Ho, Wo, kh*kw) array (short windows padded
    with -inf) and takes the first argmax; backward puts g at that offset and sends it
    back to the input pixels with two 0/1 selection matrices (the adjoint of the gather).
    ``index_out``, when given, receives the flat position (row * W + column) of each max.
    """

    def forward(ctx, x, out_size, index_out=None):
        xp = _xp(x)
        n, c, h, w = x.shape
        (ho, wo) = out_size
        rows, valid_r = _window_positions(xp, h, ho)        # (Ho, kh)
        cols, valid_c = _window_positions(xp, w, wo)        # (Wo, kw)
        kh, kw = rows.shape[1], cols.shape[1]
        win = xp.take(xp.take(x, xp.reshape(rows, (-1,)), axis=2), xp.reshape(cols, (-1,)),
                      axis=3)                                # (N, C, Ho*kh, Wo*kw)
        win = xp.permute_dims(xp.reshape(win, (n, c, ho, kh, wo, kw)), (0, 1, 2, 4, 3, 5))
        win = xp.reshape(win, (n, c, ho, wo, kh * kw))
        valid = (xp.reshape(valid_r, (ho, 1, kh, 1)) & xp.reshape(valid_c, (1, wo, 1, kw)))
        valid = xp.reshape(valid, (ho, wo, kh * kw))
        win = xp.where(valid, win, xp.asarray(-float("inf"), dtype=x.dtype))
        k = xp.argmax(win, axis=-1, keepdims=True)
        nan = xp.astype(xp.isnan(win), xp.int8)
        if bool(xp.any(nan)):  # torch's loop takes a NaN as the maximum: the last one
            last = kh * kw - 1 - xp.argmax(xp.flip(nan, axis=-1), axis=-1, keepdims=True)
            k = xp.where(xp.any(nan == 1, axis=-1, keepdims=True), xp.astype(last, k.dtype), k)
        ctx.k, ctx.kk, ctx.shape = k, kh * kw, x.shape
        ctx.rows, ctx.cols = rows, cols
        if index_out is not None:
            r = xp.take(xp.reshape(rows, (-1,)),
                        xp.reshape(xp.reshape(xp.arange(ho), (ho, 1)) * kh + k[..., 0] // kw,
                                   (-1,)))
            col = xp.take(xp.reshape(cols, (-1,)),
                          xp.reshape(xp.reshape(xp.arange(wo), (1, wo)) * kw + k[..., 0] % kw,
                                     (-1,)))
            index_out.append(xp.reshape(r * w + col, (n, c, ho, wo)))
        return xp.take_along_axis(win, k, axis=-1)[..., 0]

    def backward(ctx, g):
        xp = _xp(g)
        n, c, h, w = ctx.shape
        ho, wo = g.shape[-2:]
        kh, kw = ctx.rows.shape[1], ctx.cols.shape[1]
        offsets = xp.reshape(xp.arange(ctx.kk, dtype=ctx.k.dtype), (1, 1, 1, 1, ctx.kk))
        gw = xp.astype(offsets == ctx.k, g.dtype) * xp.expand_dims(g, axis=-1)
        gw = xp.permute_dims(xp.reshape(gw, (n, c, ho, wo, kh, kw)), (0, 1, 2, 4, 3, 5))
        gw = xp.reshape(gw, (n, c, ho * kh, wo * kw))
        sr = _selection_matrix(xp, xp.reshape(ctx.rows, (-1,)), h, g.dtype)  # (H, Ho*kh)
        sc = _selection_matrix(xp, xp.reshape(ctx.cols, (-1,)), w, g.dtype)  # (W, Wo*kw)
        return xp.matmul(xp.matmul(sr, gw), sc.mT)
