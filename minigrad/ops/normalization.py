"""Batch normalisation in training mode: one fused op, forward and backward side by side.

(Layer and group normalisation, and batch normalisation with running statistics in
eval mode, are short composites in ``nn/normalization.py``.)
"""
from .. import backend
from ..autograd import Op
from ..backend import device_of
from ..cpu_speed import channel_sums


def _xp(a):
    return device_of(a).xp


class BatchNorm(Op):
    """d bn(x) = (invstd / M * (M dxh - sum(dxh) - xh * sum(dxh * xh)), sum(g * xh), sum(g))

    with xh = (x - mean) * invstd, invstd = 1 / sqrt(var + eps), dxh = g * weight, and the
    sums, the mean and the (biased) variance taken per channel (dim 1) over the M values
    of the other dims. Forward: ``y = xh * weight + bias``.

    A primitive, not a composite of mean/sub/sqrt/div ops, for speed: the composite is
    nine graph nodes and as many passes over the activations each way (measured on a
    float32 (64, 32, 14, 14) batch, forward + backward with a multiply-and-sum loss: 15.6 ms
    composite, 9.2 ms fused, one thread; 4.9 ms once the per-channel sums became matrix
    products, see ``cpu_speed.channel_sums``). ``stats_out``, when given, receives (mean, biased
    variance) per channel, for the running statistics.
    """

    def forward(ctx, x, weight, bias, eps=1e-5, stats_out=None):
        xp = _xp(x)
        m = x.size // x.shape[1]
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)  # broadcasts along the channels
        mean = xp.reshape(channel_sums(x) / m, shape)
        centred = x - mean
        var = xp.reshape(channel_sums(centred * centred) / m, shape)
        invstd = 1 / xp.sqrt(var + eps)
        ctx.centred, ctx.invstd, ctx.weight, ctx.m = centred, invstd, weight, m
        ctx.x, ctx.eps = x, eps
        if stats_out is not None:
            stats_out.append((xp.reshape(mean, (-1,)), xp.reshape(var, (-1,))))
        scale = invstd if weight is None else invstd * xp.reshape(weight, shape)
        out = centred * scale                           # xh * weight, in one pass
        return out if bias is None else out + xp.reshape(bias, shape)

    recomputed = ("centred", "invstd")  # what the fast backward reuses from forward

    def plain_backward(ctx, g):
        """The reference: the same formula with every per-channel statistic recomputed
        from x by plain sums (run under create_graph, where speed does not matter)."""
        xp = _xp(g)
        x, weight, m = ctx.x, ctx.weight, ctx.m
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        axes = (0,) + tuple(range(2, x.ndim))       # all but the channels
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)

        def mean(a):
            return xp.sum(a, axis=axes, keepdims=True) / m

        centred = x - mean(x)
        invstd = 1 / xp.sqrt(mean(centred * centred) + ctx.eps)
        xh = centred * invstd
        dxh = g if weight is None else g * xp.reshape(weight, shape)
        gx = gw = gb = None
        if need_x:
            gx = invstd * (dxh - mean(dxh) - xh * mean(dxh * xh))
        if need_w:
            gw = xp.sum(g * xh, axis=axes)
        if need_b:
            gb = xp.sum(g, axis=axes)
        return gx, gw, gb

    def backward(ctx, g):
        if backend.is_recording(g):
            return ctx.plain_backward(g)
        # ---- fast path: same result as plain_backward, from forward's statistics ----
        xp = _xp(g)
        centred, invstd, weight, m = ctx.centred, ctx.invstd, ctx.weight, ctx.m
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        shape = invstd.shape
        sum_g = channel_sums(g)                                   # (C,)
        sum_g_xh = channel_sums(g * centred) * xp.reshape(invstd, (-1,))
        gx = gw = gb = None
        if need_x:
            scale = invstd if weight is None else invstd * xp.reshape(weight, shape)
            # (g - mean(g) - xh mean(g xh)) * invstd * weight, with xh = centred * invstd
            gx = g - xp.reshape(sum_g / m, shape)
            gx -= centred * (invstd * xp.reshape(sum_g_xh / m, shape))
            gx *= scale
        if need_w:
            gw = sum_g_xh
        if need_b:
            gb = sum_g
        return gx, gw, gb
