"""Embedding lookup: forward and backward side by side, the derivative on top."""
from .. import backend
from ..autograd import Op
from ..backend import device_of


def _xp(a):
    return device_of(a).xp


class Embedding(Op):
    """d weight[idx] = g added to row idx[i] for every i (repeats add up), except row
    ``padding_idx``; with ``scale_grad_by_freq`` each row's share is divided by how often
    its index occurs in ``idx``."""

    def forward(ctx, weight, idx, padding_idx=None, scale_grad_by_freq=False):
        xp = _xp(weight)
        flat = xp.reshape(idx, (-1,))
        ctx.flat, ctx.shape, ctx.dtype = flat, weight.shape, weight.dtype
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        out = xp.take(weight, flat, axis=0)
        return xp.reshape(out, tuple(idx.shape) + (weight.shape[1],))

    def backward(ctx, g):
        xp = _xp(g)
        flat = ctx.flat
        rows = xp.reshape(g, (flat.shape[0], ctx.shape[1]))  # (not -1: a width of 0)
        if ctx.scale:
            counts = backend.scatter_add(xp.zeros((ctx.shape[0],), dtype=ctx.dtype), flat,
                                         xp.ones(flat.shape, dtype=ctx.dtype))
            rows = rows / xp.reshape(xp.take(counts, flat), (-1, 1))
        grad = backend.scatter_add(xp.zeros(ctx.shape, dtype=ctx.dtype), flat, rows)
        if ctx.padding_idx is not None:
            grad[ctx.padding_idx, ...] = 0
        return grad, None
