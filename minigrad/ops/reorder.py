"""Flip and roll: the same elements in another order; backward puts the gradient back in the
original order (flip is its own inverse, roll's inverse rolls the other way)."""
from ..autograd import Op
from ..backend import device_of, owned_copy


class Flip(Op):
    """d flip(x, dims) = flip(g, dims)"""

    def forward(ctx, x, dims):
        ctx.dims = dims
        return owned_copy(device_of(x).xp.flip(x, axis=dims))  # (a copy, as torch's flip)

    def backward(ctx, g):
        return device_of(g).xp.flip(g, axis=ctx.dims)


class Roll(Op):
    """d roll(x, shifts, dims) = roll(g, -shifts, dims)"""

    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return device_of(x).xp.roll(x, shift=shifts, axis=dims)

    def backward(ctx, g):
        return device_of(g).xp.roll(g, shift=tuple(-s for s in ctx.shifts), axis=ctx.dims)
