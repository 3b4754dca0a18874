"""einsum: a product of tensors summed over the subscripts that the output leaves out.

(mm, bmm, mv, dot and outer are matmul or broadcasting with torch's checks: see api/linalg.py.)
"""
from .. import backend
from ..autograd import Op
from ..backend import device_of
from ..promotion import SAME


class Einsum(Op):
    """d einsum(s_1, ..., s_n -> out) / d x_i = einsum(out, s_j (j != i) -> s_i) of g and the others

    Subscripts of x_i found nowhere else are summed in forward: their gradient is g's,
    broadcast back along them.
    """

    promote = SAME

    def forward(ctx, *xs, inputs, output):
        ctx.xs, ctx.subscripts, ctx.output = xs, inputs, output
        return backend.einsum(f"{','.join(inputs)}->{output}", *xs)

    def backward(ctx, g):
        xp = device_of(g).xp
        grads = []
        for i, (x, sub) in enumerate(zip(ctx.xs, ctx.subscripts)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(ctx.subscripts) if j != i]
            seen = set(ctx.output).union(*others)
            kept = "".join(c for c in sub if c in seen)
            spec = ",".join([ctx.output] + others) + "->" + kept
            part = backend.einsum(spec, g, *(x for j, x in enumerate(ctx.xs) if j != i))
            shape = tuple(n if c in seen else 1 for c, n in zip(sub, x.shape))
            grads.append(xp.broadcast_to(xp.reshape(part, shape), x.shape))
        return tuple(grads)
