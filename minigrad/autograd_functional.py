"""``minigrad.autograd.functional``: Jacobians, Hessians and their products with a vector,
as ``torch.autograd.functional`` computes them.

Everything here is a few calls of ``autograd.grad``:

- ``vjp`` (v^T J) is one backward pass with ``grad_outputs=v``;
- ``jacobian`` is one backward pass per output element (a one-hot ``v``), stacked;
- ``hessian`` is the Jacobian of the gradient (the gradient made with ``create_graph=True``);
- ``vhp`` (v^T H) is the backward pass of the gradient, with ``grad_outputs=v``;
- ``jvp`` (J v) and ``hvp`` (H v) are forward-mode products, which a reverse-mode engine
  gets with the *double-vjp trick*: ``u -> J^T u`` is linear in a dummy ``u``, so
  differentiating ``<J^T u, v>`` with respect to ``u`` gives ``J v`` (PyTorch does the same).

Arguments, return structures (a Tensor where torch gives a Tensor, tuples where it gives
tuples), ``create_graph``/``strict`` and the error messages follow torch's.
``vectorize=True`` is accepted and computes the same result row by row (torch would use vmap).
This module is registered as ``minigrad.autograd.functional`` (autograd is a module, not a
package), so ``import minigrad.autograd.functional`` works as it does with torch.
"""
from . import autograd

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ----------------------------------------------------------------- helpers


def _as_tuple(value, what, fn):
    """(whether ``value`` was a tuple, ``value`` as a tuple of Tensors)."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, autograd.Tensor):
            where = f"value at index {i}" if is_tuple else f"given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the {where} has type {type(v)}.")
    return is_tuple, values


def _unpack(result, was_tuple):
    """Undo ``_as_tuple``: a single Tensor in, a single Tensor out."""
    return result if was_tuple else result[0]


def _fresh(inputs, create_graph, need_graph):
    """New tensor objects for ``func`` to see: connected to the caller's graph when
    ``create_graph`` (a view), else detached leaves (requiring grad if ``need_graph``).
    Always new objects, so the inputs are told apart from tensors ``func`` captured."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else
                 t.detach().requires_grad_(need_graph) for t in inputs)


def _detached(values, create_graph):
    """What the caller gets: without ``create_graph``, no history."""
    if create_graph:
        return values
    return tuple(v.detach() if isinstance(v, autograd.Tensor) else _detached(v, False)
                 for v in values)


def _check_v(v, other, other_is_tuple):
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but "
                               f"got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.size() != b.size():
            where = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.size()} but got "
                               f"{a.size()}.")


def _v_or_scalar_default(v, against, against_is_tuple, fn, whose):
    """``v`` checked against ``against``; None is allowed for a single one-element tensor."""
    if v is not None:
        _, v = _as_tuple(v, "v", fn)
        v = tuple(t.detach() for t in v)
        _check_v(v, against, against_is_tuple)
        return v
    if len(against) != 1 or against[0].numel() != 1:
        raise RuntimeError(f"The vector v can only be None if {whose} a single Tensor with a "
                           f"single element.")
    return None


_NO_GRAD_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
               "outputs must be computed in a differentiable manner from the input when "
               "running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of "
                   "the user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
               "independent of the input. This is not allowed in strict mode. You should "
               "ensure that your function is thrice differentiable and that the hessian "
               "depends on the inputs.",
}


def _check_requires_grad(values, kind, strict):
    """In strict mode, every value must exist and depend on the inputs."""
    if not strict:
        return
    for i, v in enumerate(values):
        if v is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not v.requires_grad:
            raise RuntimeError(_NO_GRAD_MESSAGES[kind].format(i=i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad (None for an input no output
    depends on; all None when no output requires grad)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return autograd.grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                         retain_graph=retain_graph, create_graph=create_graph,
                         allow_unused=True)


_UNUSED_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward "
                         "mode AD.",
}


def _zeros_for_unused(grads, like, strict, create_graph, stage):
    """A gradient of zeros where none arrived (an error in strict mode)."""
    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_UNUSED_MESSAGES[stage].format(i=i))
            g = _zeros_like(like[i])
        elif strict and create_graph and not g.requires_grad:
            which = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {which} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               f"create_graph=True.")
        out.append(g)
    return tuple(out)


def _zeros_like(t, requires_grad=False):
    from .creation import zeros_like
    return zeros_like(t, requires_grad=requires_grad)


def _call(func, inputs, fn, strict):
    is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn)
    _check_requires_grad(outputs, "outputs", strict)
    return is_tuple, outputs


def _single_scalar(outputs, is_tuple, fn):
    if is_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain "
                           f"a single element")


def _grad_mode_for(create_graph):
    return autograd.set_grad_enabled(create_graph or autograd.is_grad_enabled())


# ------------------------------------------------------------------ products


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product, one backward pass."""
    with autograd.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, True)
        outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _v_or_scalar_default(v, outputs, outputs_tuple, "vjp",
                                 "the user-provided function returns")
    with _grad_mode_for(create_graph):
        grads = _grad(outputs, inputs, v, create_graph=create_graph)
        result = _zeros_for_unused(grads, inputs, strict, create_graph, "back")
    return (_unpack(_detached(outputs, create_graph), outputs_tuple),
            _unpack(_detached(result, create_graph), inputs_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product by the double-vjp trick: the
    vjp ``u -> J^T u`` is linear in ``u``, and its own vjp with ``v`` is ``J v``."""
    with autograd.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, True)
        v = _v_or_scalar_default(v, inputs, inputs_tuple, "jvp",
                                 "the input to the user-provided function is")
        outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        # u's value never reaches the result (the vjp is linear in it): zeros will do
        u = tuple(_zeros_like(o, requires_grad=True) for o in outputs)
        jt_u = _grad(outputs, inputs, u, create_graph=True)
        _check_requires_grad(jt_u, "grad_inputs", strict)
    with _grad_mode_for(create_graph):
        grads = _grad(jt_u, u, v, create_graph=create_graph)
        result = _zeros_for_unused(grads, outputs, strict, create_graph, "back_trick")
    return (_unpack(_detached(outputs, create_graph), outputs_tuple),
            _unpack(_detached(result, create_graph), outputs_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar ``func``: the backward pass of its gradient."""
    with autograd.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _fresh(inputs, create_graph, True)
        v = _v_or_scalar_default(v, inputs, inputs_tuple, "vhp",
                                 "the input to the user-provided function is")
        outputs_tuple, outputs = _call(func, inputs, "vhp", strict)
        _single_scalar(outputs, outputs_tuple, "vhp")
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with _grad_mode_for(create_graph):
        grads = _grad(jac, inputs, v, create_graph=create_graph)
        result = _zeros_for_unused(grads, inputs, strict, create_graph, "double_back")
    return (_unpack(_detached(outputs, create_graph), outputs_tuple),
            _unpack(_detached(result, create_graph), inputs_tuple))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar ``func``: the double-vjp trick on the gradient
    (equal to ``vhp`` when the Hessian is symmetric, and slower, as in torch)."""
    with autograd.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _fresh(inputs, create_graph, True)
        v = _v_or_scalar_default(v, inputs, inputs_tuple, "hvp",
                                 "the input to the user-provided function is")
        outputs_tuple, outputs = _call(func, inputs, "hvp", strict)
        _single_scalar(outputs, outputs_tuple, "hvp")
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        u = tuple(_zeros_like(t, requires_grad=True) for t in inputs)
        h_u = _grad(jac, inputs, u, create_graph=True)  # H^T u, linear in u
        _check_requires_grad(jac, "hessian", strict)  # (torch checks jac here too)
    with _grad_mode_for(create_graph):
        grads = _grad(h_u, u, v, create_graph=create_graph)
        result = _zeros_for_unused(grads, inputs, strict, create_graph, "double_back_trick")
    return (_unpack(_detached(outputs, create_graph), outputs_tuple),
            _unpack(_detached(result, create_graph), inputs_tuple))


# ------------------------------------------------------------ full matrices


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """d func(inputs) / d inputs, one backward pass per output element. For output i and
    input j the block has shape ``outputs[i].shape + inputs[j].shape``; a Tensor for one
    output and one input, else tuples (of tuples) as in torch."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or '
                             '"reverse-mode".')
    if strategy == "forward-mode":
        raise NotImplementedError('minigrad.autograd.functional.jacobian: '
                                  'strategy="forward-mode" is not supported (minigrad has no '
                                  'forward-mode AD); use strategy="reverse-mode"')
    if vectorize and strict:
        raise RuntimeError("minigrad.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    from .functions import stack
    with autograd.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, True)
        outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        blocks = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]  # rows[j]: d out.flat[k] / d inputs[j], for each k
            flat = out.reshape(-1)
            for k in range(out.numel()):
                grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
                for j, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {j}. This is not allowed "
                                               f"in strict mode.")
                        g = _zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is "
                                           f"independent of input {i}. This is not allowed in "
                                           f"strict mode when create_graph=True.")
                    rows[j].append(g)
            blocks.append(tuple(
                _stack_rows(stack, r, tuple(out.shape) + tuple(inp.shape), inp)
                for r, inp in zip(rows, inputs)))
        result = _detached(tuple(blocks), create_graph)
    if not inputs_tuple:
        result = tuple(b[0] for b in result)
    return result if outputs_tuple else result[0]


def _stack_rows(stack, rows, shape, inp):
    if not rows:  # an output with no elements
        return _zeros_like(inp).reshape(-1)[:0].reshape(shape)
    return stack(rows, dim=0).view(shape)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The matrix of second derivatives of a scalar ``func``: the Jacobian of its gradient
    (the gradient recorded with ``create_graph=True``). For inputs i and j the block has
    shape ``inputs[i].shape + inputs[j].shape``."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or '
                             '"reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if is_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def gradient(*inp):
        jac = jacobian(scalar_func, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return result if inputs_tuple else result[0][0]
