"""How ``Module.register_full_backward_hook`` sees a module's gradients, as in torch.

A module with backward hooks runs its forward between two identity ops: one that its
positional inputs which require grad go through, one that its output tensors go through
(torch's BackwardHookFunction, one node for them all). Their backwards do nothing to the
gradient but hand it to the module: the output node's gradient is ``grad_output`` (one per
output, None for a non-tensor or an output that got no gradient; the backward pre-hooks see
it first and may replace it); the input node's is ``grad_input`` (one per positional input:
None for a non-tensor, zeros for a tensor that got no gradient), and the hooks
``hook(module, grad_input, grad_output)`` run and may replace it.

An op has one output, so several tensors go through one node joined: flattened into one
tensor (``_Join``), through the identity, and cut apart again. Its backward then receives
all their gradients at once (a marker identity on each piece notes which got one), and
``_Join``'s backward hands on what the node chose for each. The identities are ordinary
graph nodes, so this works under ``create_graph=True`` too (the hooks then see Tensors with
a graph). As in torch, a module whose output is not a tensor or a tuple (a list, a dict)
calls no hooks.
"""
from ..autograd import Op
from ..backend import device_of
from ..creation import zeros
from ..tensor import Tensor


class _HookIdentity(Op):
    """d x / d x = 1: the gradient passes through, seen by the module's hooks on the way."""

    def forward(ctx, x, *, state, slot):
        ctx.state, ctx.slot = state, slot
        return x

    def backward(ctx, grad):
        return ctx.state.arrived(ctx.slot, grad)


class _Join(Op):
    """Tensors flattened and joined into one (in their common dtype), for a hook node; its
    backward hands on the gradients the node chose for them (None: none, as in torch)."""

    def forward(ctx, *xs, node):
        xp = device_of(xs[0]).xp
        ctx.node, ctx.like = node, [(x.shape, x.dtype) for x in xs]
        dtype = xp.result_type(*xs)
        return xp.concat([xp.reshape(xp.astype(x, dtype), (-1,)) for x in xs])

    def backward(ctx, g):  # (g is what the node passed on: its chosen pieces, joined)
        return tuple(ctx.node.chosen)


def _as_tensor(g):
    return g if isinstance(g, Tensor) else Tensor._make(g, None)


def _like(g, t):
    """``t`` (what a hook returned) as the engine wants it: an array for an array."""
    return t if isinstance(g, Tensor) else t._data


def _check_size(hook, new, old):
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if tuple(new.shape) != tuple(old.shape):
        name = getattr(hook, "__name__", type(hook).__name__)
        raise RuntimeError(f"hook '{name}' has changed the size of value (from "
                           f"{list(old.shape)} to {list(new.shape)})")


class _Node:
    """Several tensors through one _HookIdentity (``slot`` "in" or "out"), and their
    gradients cut apart again (and joined) in its backward. Each of several pieces also
    passes a marker identity (slot ``(slot, k)``) that notes whether it got a gradient."""

    def __init__(self, tensors, state, slot):
        self.like = tensors  # (shape, dtype and device of each gradient)
        self.received, self.chosen = set(), None
        if len(tensors) == 1:
            self.outputs = [_HookIdentity.apply(tensors[0], state=state, slot=slot)]
            return
        joined = _HookIdentity.apply(_Join.apply(*tensors, node=self), state=state, slot=slot)
        self.outputs, start = [], 0
        for k, t in enumerate(tensors):
            piece = joined[start:start + t.numel()].reshape(t.shape).to(t.dtype)
            self.outputs.append(_HookIdentity.apply(piece, state=state, slot=(slot, k)))
            start += t.numel()

    def split(self, g):
        """The node's gradient (array or Tensor) as one Tensor per tensor, None for one
        that got no gradient."""
        g = _as_tensor(g)
        if len(self.like) == 1:
            return [g]
        pieces, start = [], 0
        for k, t in enumerate(self.like):
            got = k in self.received
            pieces.append(g[start:start + t.numel()].reshape(t.shape).to(t.dtype) if got else None)
            start += t.numel()
        self.received = set()
        return pieces

    def join(self, g, grads):
        """What the node passes on, like ``g``, for per-tensor gradients (None: no gradient
        for that tensor). Several: _Join's backward hands them on, one by one."""
        if len(grads) == 1:
            return None if grads[0] is None else _like(g, grads[0])
        self.chosen = [None if n is None else _like(g, n) for n in grads]
        return g


def _zeros_like(g, t):
    """Zeros of tensor ``t``'s shape and dtype, on gradient ``g``'s device."""
    return zeros(tuple(t.shape), dtype=t.dtype, device=_as_tensor(g).device)


class BackwardHook:
    """One call of a module with backward hooks: its input and output nodes and the
    gradients they have seen."""

    def __init__(self, module):
        self.module = module
        self.grad_output = None  # set by the output node, used (and cleared) by the input's

    def setup_inputs(self, args):
        self.args = args
        self.waiting = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not self.waiting:
            return args
        self.inputs = _Node([args[i] for i in self.waiting], self, "in")
        args = list(args)
        for i, new in zip(self.waiting, self.inputs.outputs):
            args[i] = new
        return tuple(args)

    def setup_output(self, out):
        outs = out if isinstance(out, tuple) else (out,)
        self.n_outputs = len(outs)
        self.out_index = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not self.out_index or not isinstance(out, (Tensor, tuple)):
            return out
        self.outputs = _Node([outs[i] for i in self.out_index], self, "out")
        new = list(outs)
        for i, o in zip(self.out_index, self.outputs.outputs):
            new[i] = o
        if isinstance(out, Tensor):
            return new[0]
        return tuple(new) if type(out) is tuple else type(out)(*new)

    def arrived(self, slot, g):
        if slot == "out":
            return self._output_gradient(g)
        if slot == "in":
            return self._input_gradient(g)
        node, k = slot  # the marker of one of several tensors: it got a gradient
        (self.inputs if node == "in" else self.outputs).received.add(k)
        return g

    def _output_gradient(self, g):
        grad_output = [None] * self.n_outputs
        for i, grad in zip(self.out_index, self.outputs.split(g)):
            grad_output[i] = grad
        grad_output = tuple(grad_output)
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grad_output)
            if result is None:
                continue
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(grad_output):
                raise RuntimeError(f"Backward pre hook returned an invalid number of "
                                   f"grad_output, got {len(result)}, but expected "
                                   f"{len(grad_output)}")
            for new, old in zip(result, grad_output):
                if new is not None and old is not None:
                    _check_size(hook, new, old)
            grad_output = result
        self.grad_output = grad_output
        if not self.waiting:  # no input needs a gradient: the hooks run now, with Nones
            self._call_hooks((None,) * len(self.args))
            self.grad_output = None
        return self.outputs.join(g, [grad_output[i] for i in self.out_index])

    def _input_gradient(self, g):
        grads = dict(zip(self.waiting, self.inputs.split(g)))
        grad_input = tuple(grads[i] if grads.get(i) is not None else  # (zeros: a tensor that
                           _zeros_like(g, a) if isinstance(a, Tensor) else None  # needs or
                           for i, a in enumerate(self.args))                     # got none)
        new = None
        if self.grad_output is not None:  # (else the gradient came in without passing the
            new = self._call_hooks(grad_input)  # output node: no hooks then, as in torch)
            self.grad_output = None
        return self.inputs.join(g, [(new or grad_input)[i] for i in self.waiting])

    def _call_hooks(self, grad_input):
        replaced = None
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is None:
                continue
            result = tuple(result)
            if len(result) != len(grad_input):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                   f"got {len(result)}, but expected {len(grad_input)}")
            for new, old in zip(result, grad_input):
                if new is not None and old is not None:
                    _check_size(hook, new, old)
            grad_input = replaced = result
        return replaced
