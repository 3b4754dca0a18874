"""How ``Module.register_full_backward_hook`` sees a module's gradients, as in torch.

A module with backward hooks runs its forward between two identity ops: one on each
positional input that requires grad, one on the output. Their backwards do nothing to
the gradient but hand it to the module: the output's gradient is ``grad_output`` (after
the backward pre-hooks, which may replace it); once the gradients of all the inputs have
arrived they are ``grad_input``, and the hooks ``hook(module, grad_input, grad_output)``
run (and may replace ``grad_input``). The identities are ordinary graph nodes, so this
works under ``create_graph=True`` too (the hooks then see Tensors with a graph).

Limits: a module whose forward returns several tensors, and replacing ``grad_input`` of a
module with several inputs that require grad (the first input's gradient has gone on by
the time the last one arrives) raise NotImplementedError.
"""
from .. import backend
from ..autograd import Op
from ..tensor import Tensor


class _HookIdentity(Op):
    """d x / d x = 1: the gradient passes through, seen by the module's hooks on the way."""

    def forward(ctx, x, *, state, slot):
        ctx.state, ctx.slot = state, slot
        return x

    def backward(ctx, grad):
        return ctx.state.arrived(ctx.slot, grad)


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


class BackwardHook:
    """One call of a module with backward hooks: its inputs' and output's identities and
    the gradients they have seen."""

    def __init__(self, module):
        self.module = module
        self.grad_output = None
        self.grad_input = {}

    def setup_inputs(self, args):
        self.args = args
        self.waiting = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        return tuple(_HookIdentity.apply(a, state=self, slot=i) if i in self.waiting else a
                     for i, a in enumerate(args))

    def setup_output(self, out):
        if isinstance(out, Tensor):
            return _HookIdentity.apply(out, state=self, slot="out") if out.requires_grad else out
        if isinstance(out, (tuple, list)) and any(isinstance(o, Tensor) for o in out):
            raise NotImplementedError(
                f"minigrad: full backward hooks on {type(self.module).__name__}, whose forward "
                f"returns several tensors, are not supported")
        return out

    def arrived(self, slot, g):
        if slot == "out":
            return self._output_gradient(g)
        self.grad_input[slot] = g
        if len(self.grad_input) < len(self.waiting):
            return g
        return self._run_hooks(slot, g)

    def _output_gradient(self, g):
        grad = _as_tensor(g)
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, (grad,))
            if result is not None:
                result = result if isinstance(result, tuple) else (result,)
                if len(result) != 1:
                    raise RuntimeError(f"Backward pre hook returned an invalid number of "
                                       f"grad_output, got {len(result)}, but expected 1")
                _check_size(hook, result[0], grad)
                grad = result[0]
        self.grad_output = (grad,)
        if not self.waiting:  # no input needs a gradient: the hooks run now, with Nones
            self._call_hooks((None,) * len(self.args))
        return _like(g, grad)

    def _run_hooks(self, slot, g):
        xp_zeros = backend.device_of(g).xp.zeros_like if not isinstance(g, Tensor) else None
        grad_input = []
        for i, a in enumerate(self.args):
            if i in self.grad_input:
                grad_input.append(_as_tensor(self.grad_input[i]))
            elif isinstance(a, Tensor):  # a tensor input that needs no gradient: zeros
                grad_input.append(Tensor._make(xp_zeros(a._data), None) if xp_zeros else
                                  a.detach() * 0)
            else:
                grad_input.append(None)
        new = self._call_hooks(tuple(grad_input))
        if new is None:
            return g
        return None if new[slot] is None else _like(g, new[slot])

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
            if len(self.waiting) > 1:
                raise NotImplementedError(
                    f"minigrad: a backward hook of {type(self.module).__name__} replaced "
                    f"grad_input, but the module has several inputs that require grad; "
                    f"replacing grad_input is supported for one such input only")
            grad_input = replaced = result
        return replaced
