"""Reverse-mode automatic differentiation.

Every differentiable op is a subclass of ``Op`` with a ``forward`` and a ``backward``
written next to each other on raw arrays. ``Op.apply`` runs the forward and, when a
gradient will be needed, keeps the op object itself as the output's ``grad_fn``: the
op object *is* the graph node and the place where forward saves what backward needs.

``backward`` walks those nodes from the output back to the leaves in reverse
topological order (an explicit work list, no recursion, so a 1,000,000-op chain is
fine), calls each node's backward, and accumulates gradients into the leaves' ``.grad``.

The graph is a record, not a lookup
-----------------------------------
Everything backward needs is captured when the op runs (in ``Op.apply``), so that
later changes to the tensors (``detach_()``, ``requires_grad_()``, in-place writes)
cannot rewrite history. Each node records:

- ``edges``, one per input: where its gradient goes, i.e. the node that produced it,
  the leaf tensor itself (whose ``.grad`` collects it), or None (no gradient wanted).
  Every op has one output, so an edge is the node alone (torch's ``(node, 0)``).
- ``inputs`` (for their shapes and dtypes) with their ``versions`` at that moment, and
  ``outputs``: ``(version counter, version, array)`` of what it returned.
- whatever its forward stored on ``ctx``: its saved arrays, and only what its backward
  uses (``Linear`` keeps the weight only when the input's gradient is wanted).

Versions and views. A tensor's version counter is bumped by every in-place write. Views
(reshape, slices, transpose, expand, detach) share their base's counter, so a write
through any of them is seen by all. Before a node's backward runs, an input or output
whose version moved on, and whose memory the node saved, raises PyTorch's "modified by
an inplace operation" error, naming the op and both versions. Inputs the node did not
save are not checked: an optimizer step between forward and backward is fine exactly
when it is in PyTorch.

In-place ops in a graph (``h.relu_()``, ``out += x``, ``y[mask] = 0``, ``a[1] = w[0]``
on a plain tensor) run out of place, write the result back into the tensor's memory,
and make the new node the tensor's ``grad_fn``; the old one stays in the new node's
edges. A saved input about to be overwritten is copied first (PyTorch's "original
self"). A write through a view rewrites its base the same way (``base[key] = new``
for a slice, the new values un-reshaped or un-permuted otherwise) and the view's
history becomes a view of the new base.

Gradients. Every gradient that enters the engine (``gradient=``, a user ``Function``'s
backward, any op's backward) is checked (count, shape: equal or broadcast to the
input's) and cast to its input's dtype on its edge. Every edge is counted down, also
one whose gradient is None, so no node waits for a gradient that never comes. After a
node's backward its saved arrays are freed (unless ``retain_graph=True``); a node
that saved none can run again.

Gradients of gradients (``create_graph=True``): the same nodes run their same
backward with tensors instead of arrays, recording a graph of its own
(``Op._recorded_backward``). Hooks attach to nodes and leaves.

Grad mode (``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``) is
per thread, as in PyTorch.
"""
import functools
import inspect
import sys
import threading

from . import backend
from .promotion import promote_args

Tensor = None  # minigrad.tensor.Tensor, set by tensor.py (which imports this module)

# --------------------------------------------------------------- gradient mode


class _Mode(threading.local):
    """Grad mode, per thread: ``grad`` (is_grad_enabled), ``inference`` and ``record``
    (ops build the graph: grad mode on and inference mode off)."""

    grad = True
    inference = False
    record = True

    def set(self, grad, inference):
        self.grad, self.inference = grad, inference
        self.record = grad and not inference


_mode = _Mode()
_anomaly_enabled, _anomaly_check_nan = False, True  # torch's two flags
_anomaly = False  # anomaly mode with its NaN check on: what backward tests


def is_grad_enabled():
    return _mode.grad


def is_inference_mode_enabled():
    return _mode.inference


class _GradMode:
    """A context manager that is also a decorator, bare (``@no_grad``) or called
    (``@no_grad()``): each call of the decorated function (each step of a generator)
    runs in a fresh context, so recursion and generators work."""

    def __new__(cls, func=None, *args, **kwargs):
        if callable(func):
            return cls()(func)  # used bare: @no_grad
        return object.__new__(cls)

    def _state(self):
        return _mode.grad, _mode.inference

    def __enter__(self):
        self._prev = (_mode.grad, _mode.inference)
        _mode.set(*self._state())
        return self

    def __exit__(self, *exc):
        _mode.set(*self._prev)
        return False

    def clone(self):
        return type(self)()

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator(*args, **kwargs):
                gen = func(*args, **kwargs)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException:
                            with self.clone():
                                response = gen.throw(*sys.exc_info())
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as stop:
                    return stop.value
            return generator

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops inside build no graph: for evaluation and for in-place parameter updates."""

    def _state(self):
        return False, _mode.inference


class enable_grad(_GradMode):
    """Ops inside record the graph again (not inside ``inference_mode``, as in PyTorch)."""

    def _state(self):
        return True, _mode.inference


class inference_mode(_GradMode):
    """Like ``no_grad``, and tensors made inside are inference tensors: they have no
    version counter and can't be saved for backward (``inference_mode(False)`` is a no-op
    context)."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def _state(self):
        if not self.mode:
            return _mode.grad, False
        return False, True

    def clone(self):
        return type(self)(self.mode)


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` as a call sets the mode; as a context or a decorator it
    restores the previous mode afterwards."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self.mode = bool(mode)
        self._prev = (_mode.grad, _mode.inference)
        _mode.set(self.mode, _mode.inference)

    def __enter__(self):
        return self

    def clone(self):
        return type(self)(self.mode)

    def __call__(self, func):
        _mode.set(*self._prev)  # decorating must not leave the mode changed
        return super().__call__(func)


class set_detect_anomaly:
    """Anomaly detection on or off (as a call, a context or a decorator): when on (with
    ``check_nan``), backward names the first op whose backward produced NaN, as torch's.
    Infinite gradients pass (d sqrt(x) at 0 is inf), as in torch."""

    def __init__(self, mode, check_nan=True):
        self._prev = (_anomaly_enabled, _anomaly_check_nan)
        _set_anomaly(bool(mode), bool(check_nan))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _set_anomaly(*self._prev)
        return False


def _set_anomaly(enabled, check_nan):
    global _anomaly, _anomaly_enabled, _anomaly_check_nan
    _anomaly_enabled, _anomaly_check_nan = enabled, check_nan
    _anomaly = enabled and check_nan


class detect_anomaly(set_detect_anomaly):
    """``with detect_anomaly():`` turns anomaly detection on inside the block (minigrad's
    is also a decorator, which torch's is not)."""

    def __init__(self, check_nan=True):
        self._check_nan = bool(check_nan)

    def __enter__(self):
        self._prev = (_anomaly_enabled, _anomaly_check_nan)
        _set_anomaly(True, self._check_nan)
        return self

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with type(self)(self._check_nan):
                return fn(*args, **kwargs)
        return wrapped


def is_anomaly_enabled():
    return _anomaly_enabled


def is_anomaly_check_nan_enabled():
    return _anomaly_check_nan


# ----------------------------------------------------------------------- ops


class Op:
    """A differentiable operation: ``forward`` and ``backward`` on arrays, side by side.

    The contract (the notation of every op's docstring). L is the number backward
    started from (the loss). ``backward(ctx, g)`` receives ``g = dL/d(output)``, an
    array of the output's shape, and returns ``dL/d(input)`` for each positional input:
    a tuple (or one array for one input; ``None`` where no gradient flows). By the chain
    rule ``dL/dx_j = sum_i g_i * d out_i / d x_j``: g times the op's Jacobian, a
    vector-Jacobian product, computed without ever forming the Jacobian. The one-line
    docstring on top of each op writes it: ``d(a * b) = (g * b, g * a)``.

    Subclasses write ``forward(ctx, *args)`` returning an array. ``ctx`` is the op
    object: store on it what backward needs (``ctx.out = ...``), and only that:
    ``ctx.needs_input_grad[k]`` says whether input k wants a gradient, so ``Mul`` keeps
    ``b`` only when ``a``'s gradient is wanted. Gradients may have the broadcast shape of
    the output: the engine sums them back to each input's shape (``sum_to``), so no op
    undoes broadcasting itself.

    Two kinds of attributes, kept apart on purpose. The engine's bookkeeping is in
    ``__slots__`` (where gradients go, versions, hooks); what forward saved is exactly
    ``__dict__``. So the engine handles the saved state without the op declaring
    anything: it frees it after backward (``_release`` clears ``__dict__``: the
    activations go as soon as backward is past them), it checks before backward that
    nothing saved was overwritten in place (``_check_saved`` looks only there), and with
    ``create_graph=True`` it swaps the saved arrays for tensors during the call
    (``_recorded_backward``).
    """

    __slots__ = ("inputs", "needs_input_grad", "edges", "versions", "outputs", "freed",
                 "hooks", "__dict__")

    is_view = False  # True for ops whose output may share its first input's memory

    promote = None  # the type promotion rule of the op's operands (see promotion.py)

    # Names of saved float arrays that do not depend on the inputs (a dropout mask): under
    # create_graph they enter the backward as constants (see _recorded_backward).
    constants = ()

    # Names of saved float arrays that only the fast (array) backward reads: a backward that
    # has a plain reference for Tensors (``plain_backward``, recomputing them from the inputs)
    # lists them here, and under create_graph they enter that backward as None.
    recomputed = ()

    @classmethod
    def apply(cls, *args, **kwargs):
        if cls.promote is not None:
            args = promote_args(args, cls.promote)
        ctx = cls.__new__(cls)
        arrays = []
        needs = []
        any_grad = False
        kind = None
        for a in args:
            if isinstance(a, Tensor):
                data = a._data
                if kind is None:
                    kind = type(data)
                elif type(data) is not kind:
                    _raise_device_mismatch(args)
                arrays.append(data)
                needs.append(a._requires_grad)
                any_grad = any_grad or a._requires_grad
            else:
                arrays.append(a)
                needs.append(False)
        mode = _mode
        record = any_grad and mode.record
        ctx.needs_input_grad = needs
        try:
            out = ctx.forward(*arrays, **kwargs)
        except ValueError as e:  # NumPy/CuPy say "could not be broadcast": say it like torch
            if "broadcast" not in str(e):
                raise
            _raise_broadcast_error(arrays, e)
        if type(out) not in _ARRAY_TYPES:  # NumPy returns 0-d results as scalars
            out = _coerce_output(ctx, out)
        if not record:
            t = Tensor._make(out, None)
            if mode.inference:
                t._vc = None  # an inference tensor: no version counter
        else:  # record, for each input, where its gradient goes and its version now
            edges, versions = [], []
            for a in args:
                if isinstance(a, Tensor):
                    edges.append(a.grad_fn or (a if a._requires_grad else None))
                    vc = a._vc
                    versions.append(vc[0] if vc is not None else _inference_input(ctx, a))
                else:
                    edges.append(None)
                    versions.append(None)
            ctx.inputs, ctx.edges, ctx.versions, ctx.freed = args, edges, versions, False
            t = Tensor._make(out, ctx)
        if cls.is_view and isinstance(args[0], Tensor) and backend.shares_memory(
                t._data, arrays[0]):
            t._share_version(args[0], cls, kwargs)
        if record:
            vc = t._vc
            ctx.outputs = [(vc, vc[0] if vc is not None else 0, t._data)]
        return t

    def forward(ctx, *args):
        raise NotImplementedError

    def backward(ctx, grad):
        raise NotImplementedError

    def name(self):
        return type(self).__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def next_functions(self):
        """The nodes (or leaves) this node sends gradients to, like torch's."""
        return tuple((e if isinstance(e, Op) else None, 0) for e in self.edges)

    def _recorded_backward(self, g):
        """``backward(g)`` on Tensors, recording its graph (``create_graph=True``).

        The backward is the same code: its ``g`` is a Tensor, so ``device_of(g).xp`` is
        the Array API over Tensors (tensor_xp.py), and what forward saved is swapped for
        Tensors for the time of the call: an input's array for a tensor on the input's
        edge, the output's array for a tensor whose node is this one, integer and bool
        arrays (indices, masks) for constants. A saved float array that is none of these
        was computed by forward, and the engine cannot tell how it depends on the inputs:
        that raises, rather than a silently wrong second derivative, unless the op lists it
        in ``constants``.
        """
        saved = self.__dict__
        original = dict(saved)
        known = self._saved_as_tensors()
        for k, v in original.items():
            if type(v) in (tuple, list):
                saved[k] = type(v)(self._as_tensor(k, s, known) for s in v)
            else:
                saved[k] = self._as_tensor(k, v, known)
        try:
            with enable_grad():
                return self.backward(g)
        finally:
            saved.clear()
            saved.update(original)

    def _saved_as_tensors(self):
        """{id(array): tensor} for the node's output and inputs (see _recorded_backward)."""
        out = self.outputs[0][2]
        known = {id(out): Tensor._make(out, self)}
        for inp, edge in zip(self.inputs, self.edges):
            if isinstance(inp, Tensor):
                if edge is None or isinstance(edge, Op):
                    known[id(inp._data)] = Tensor._make(inp._data, edge)
                else:  # a leaf: the tensor itself, whose .grad and hooks are its own
                    known[id(inp._data)] = edge
        return known

    def _as_tensor(self, name, v, known):
        if not backend.is_array(v):
            if not isinstance(v, backend.np.generic):
                return v
            v = backend.coerce(v)  # a NumPy scalar forward computed: a 0-d array
        t = known.get(id(v))
        if t is not None:
            return t
        if name in self.recomputed:
            return None
        if backend.dtype_of(v).is_floating_point and name not in self.constants:
            raise RuntimeError(
                f"{self.name()} cannot record its backward (create_graph=True): it uses "
                f"'{name}', an array its forward computed, and minigrad cannot tell how that "
                f"depends on the inputs. Save an input or the output instead, or list "
                f"'{name}' in {type(self).__name__}.constants if it does not depend on them.")
        return Tensor._make(v, None)

    def _saves(self, array):
        """Whether what forward saved overlaps ``array``'s memory."""
        for v in self.__dict__.values():
            for s in (v if type(v) in (tuple, list) else (v,)):
                if backend.is_array(s) and backend.shares_memory(s, array):
                    return True
        return False

    def _check_saved(self):
        """Raise if a saved input or output was modified in place since forward."""
        if not self.__dict__:
            return  # nothing saved, so nothing can have gone stale
        for inp, v in zip(self.inputs, self.versions):
            if v is not None and inp._vc[0] != v and self._saves(inp._data):
                _raise_modified(inp, inp._vc[0], v)
        for k, (vc, v, array) in enumerate(self.outputs):
            if vc is not None and vc[0] != v and self._saves(array):
                _raise_modified(None, vc[0], v, array, self if k == 0 else None)

    def _release(self):
        """Drop what forward saved, once backward has used it (frees memory). A node that
        saved no arrays (only shapes, axes...) keeps it and can run again, as in PyTorch."""
        d = self.__dict__
        if d and _holds_arrays(d.values()):
            d.clear()
            self.freed = True


_ARRAY_TYPES = backend._device_by_type  # the array types seen so far (NumPy, CuPy, strict)


def _coerce_output(ctx, out):
    """A NumPy scalar output as a 0-d array, also where forward saved it (so that the
    saved output is the output's array, as _recorded_backward expects)."""
    array = backend.coerce(out)
    d = ctx.__dict__
    for k, v in d.items():
        if v is out:
            d[k] = array
    return array


def _holds_arrays(values):
    for v in values:
        t = type(v)
        if t in _ARRAY_TYPES or ((t is tuple or t is list) and any(
                type(s) in _ARRAY_TYPES for s in v)):
            return True
    return False


def _inference_input(ctx, a):
    """An inference tensor has no version to record, so it must not have been saved."""
    if ctx._saves(a._data):
        raise RuntimeError(
            "Inference tensors cannot be saved for backward. Please do not use Tensors "
            "created in inference mode in computation tracked by autograd. To work around "
            "this, you can make a clone to get a normal tensor and use it in autograd, or use "
            "`minigrad.no_grad()` instead of `minigrad.inference_mode()`.")
    return None


def _raise_modified(tensor, version, expected, array=None, node=None):
    """PyTorch's error for a saved tensor written in place before backward used it."""
    if tensor is not None:
        array, node = tensor._data, tensor.grad_fn
    from .tensor import _TYPE_NAMES
    dtype = backend.dtype_of(array).name
    where = "" if node is None else f", which is output 0 of {node.name()[:-len('Backward')]},"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [minigrad.{_TYPE_NAMES.get(dtype, dtype)} {list(array.shape)}]"
        f"{where} is at version {version}; expected version {expected} instead. Hint: "
        "enable anomaly detection to find the operation that failed to compute its "
        "gradient, with minigrad.autograd.set_detect_anomaly(True).")


def _raise_device_mismatch(args):
    devices = []
    for a in args:
        if isinstance(a, Tensor) and str(a.device) not in devices:
            devices.append(str(a.device))
    raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                       f"devices, {devices[0]} and {devices[1]}!")


def _raise_broadcast_error(arrays, cause):
    shapes = [tuple(a.shape) for a in arrays if backend.is_array(a)]
    detail = ""
    if len(shapes) >= 2:
        a, b = shapes[-2], shapes[-1]
        for i in range(1, min(len(a), len(b)) + 1):
            if a[-i] != b[-i] and 1 not in (a[-i], b[-i]):
                detail = (f"The size of tensor a ({a[-i]}) must match the size of tensor b "
                          f"({b[-i]}) at non-singleton dimension {max(len(a), len(b)) - i}: ")
                break
    listed = " and ".join(str(s) for s in shapes)
    raise RuntimeError(f"{detail}shapes {listed} cannot be broadcast together") from cause


def sum_to(grad, shape):
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched.

    If ``y = f(x)`` broadcast ``x`` from ``shape`` up to ``grad.shape``, every copy of an
    element of ``x`` got its own gradient; the element's gradient is their sum.
    """
    if grad.shape == shape:
        return grad
    xp = backend.device_of(grad).xp
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    if axes:
        grad = xp.sum(grad, axis=axes, keepdims=True)
    return xp.reshape(grad, shape)


# ------------------------------------------------------------------ backward


def backward(root, gradient=None, retain_graph=False, create_graph=False, inputs=None):
    """Accumulate d(root)/d(leaf) into every leaf's ``.grad`` (called by ``Tensor.backward``);
    with ``inputs``, into those tensors' ``.grad`` only."""
    if not root.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn")
    grad = _root_gradient(root, gradient, create_graph)
    if inputs is None:
        _execute([root], [grad], retain_graph, create_graph)
        return
    inputs = _as_tensor_list(inputs, "inputs")
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for t in inputs:
        if not t.requires_grad:  # (torch's words: it retains the grads of inputs)
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    for t, g in zip(inputs, _execute([root], [grad], retain_graph, create_graph, inputs)):
        if g is not None:
            _accumulate(t, g, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (a tuple, one per
    input) instead of accumulated into ``.grad``: sum over outputs of
    ``grad_outputs[i]``-weighted vector-Jacobian products, as ``torch.autograd.grad``.

    ``create_graph=True`` records the backward pass itself, so the gradients can be
    differentiated again; ``retain_graph`` defaults to ``create_graph``.
    """
    if is_grads_batched:
        raise NotImplementedError("minigrad.autograd.grad: is_grads_batched=True is not "
                                  "supported")
    outputs = _as_tensor_list(outputs, "outputs")
    inputs = _as_tensor_list(inputs, "inputs")
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    else:
        grad_outputs = list(grad_outputs)
    if len(grad_outputs) < len(outputs):  # (torch ignores extra ones)
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               f"have a grad_fn")
        roots.append(out)
        root_grads.append(_root_gradient(out, g, create_graph))
    for t in inputs:  # (after the outputs, as torch checks them)
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    found = _execute(roots, root_grads, retain_graph, create_graph, inputs)
    results = []
    for k, (t, g) in enumerate(zip(inputs, found)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {k} appears to not have "
                                   f"been used in the graph. Set allow_unused=True if this is "
                                   f"the desired behavior.")
            if materialize_grads:
                g = t.device.xp.zeros_like(t._data)
        if g is not None and not isinstance(g, Tensor):
            g = Tensor._make(backend.owned_copy(g), None)  # an array no graph node holds
        results.append(g)
    return tuple(results)


def _as_tensor_list(value, what):
    if isinstance(value, Tensor):
        return [value]
    value = list(value)
    for v in value:
        if not isinstance(v, Tensor):
            if what == "inputs":  # torch's words
                raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got "
                                   f"{type(v).__name__}")
            raise TypeError(f"{what} must be Tensors or a sequence of Tensors, got "
                            f"{type(v).__name__}")
    return value


def _execute(roots, root_grads, retain_graph, create_graph, targets=None):
    """The backward pass from ``roots`` (seeded with ``root_grads``).

    The order is Kahn's algorithm: count, for every node, the edges that point into it
    (``pending``: how many gradients it waits for); a node whose count is 0 is ready,
    runs once with the sum of its gradients, and counts down each node it sends to. So
    every node runs after all of its consumers, with no recursion anywhere: micrograd's
    recursive topological sort stops at Python's recursion limit (1,000 deep), this
    walks a 1,000,000-op chain.

    Without ``targets`` every leaf that requires grad accumulates its gradient into
    ``.grad``. With ``targets`` (tensors, leaves or not) nothing is accumulated: the list
    of their gradients is returned (None where none arrived), and only the nodes that
    lead to a target run. Gradients are arrays, or Tensors when ``create_graph``.
    """
    capture = results = needed = None
    if targets is not None:  # a leaf's gradient arrives on an edge, a non-leaf's at its node
        capture, results = {}, [None] * len(targets)
        for k, t in enumerate(targets):
            capture.setdefault(id(t.grad_fn or t), []).append(k)

    # Count, for every node, how many edges point into it: a node is ready once the
    # gradients (or Nones) of all its consumers have arrived.
    pending, stack, grads = {}, [], {}
    held = {} if _hooks_registered else None  # leaves with hooks: id -> [leaf, summed grad]
    for root, g in zip(roots, root_grads):
        f = root.grad_fn
        if f is None:  # a leaf as an output: its gradient is the one given
            _deliver(root, g, capture, results, create_graph, held)
            continue
        grads[f] = grads[f] + g if f in grads else g
        if f not in pending:
            pending[f] = 0
            stack.append(f)
    while stack:
        node = stack.pop()
        for f in node.edges:
            if isinstance(f, Op):
                if f in pending:
                    pending[f] += 1
                else:
                    pending[f] = 1
                    stack.append(f)
    if capture is not None:
        needed = _leading_to(pending, capture)
    if _tracing is not None:
        _tracing.counted(pending, capture)

    ready = [f for f, n in pending.items() if n == 0]
    while ready:
        node = ready.pop()
        g = grads.pop(node, None)
        if g is not None and _hooks_registered:
            g = _run_hooks(node, g, create_graph)
        if capture is not None and g is not None and id(node) in capture:
            for k in capture[id(node)]:
                results[k] = g
        if g is None or (needed is not None and node not in needed):
            # no gradient reached this node (or none is wanted beyond it): nothing
            # reaches its inputs either
            in_grads = (None,) * len(node.edges)
        elif create_graph:
            in_grads = _run_backward_recorded(node, g, retain_graph)
        else:
            in_grads = _run_backward(node, g, retain_graph)
        for inp, f, ig in zip(node.inputs, node.edges, in_grads):
            if f is None:
                continue
            if ig is not None and not create_graph:  # (recorded ones are checked already)
                data = inp._data
                if type(ig) is not type(data):
                    _check_device(node, ig, data, inp)
                if ig.shape != data.shape:
                    ig = _sum_to_input(node, ig, data.shape, inp)
                if ig.dtype != data.dtype:
                    ig = backend.device_of(ig).xp.astype(ig, data.dtype)
            if not isinstance(f, Op):
                if ig is not None and f._requires_grad:
                    _deliver(f, ig, capture, results, create_graph, held)
                continue
            if ig is not None:
                if f in grads:
                    grads[f] = grads[f] + ig
                else:
                    grads[f] = ig
            pending[f] -= 1
            if pending[f] == 0:
                ready.append(f)
        if _tracing is not None:  # one test per node while no trace() is open
            _tracing.ran(node, g, in_grads, pending)
    if held:  # a leaf's hooks run once, on the sum of the gradients that reached it
        for leaf, g in held.values():
            _deliver(leaf, _run_hooks(leaf, g, create_graph), capture, results, create_graph)
    return results


def _deliver(leaf, g, capture, results, create_graph, held=None):
    """A leaf's gradient: into its ``.grad``, or into the results when it is a target
    (held back, and summed, while the leaf has hooks: they run once, at the end)."""
    if held is not None and getattr(leaf, "hooks", None):
        h = held.get(id(leaf))
        if h is None:
            held[id(leaf)] = [leaf, g]
        else:
            h[1] = h[1] + g
        return
    if capture is None:
        _accumulate(leaf, g, create_graph)
    else:
        for k in capture.get(id(leaf), ()):
            results[k] = g if results[k] is None else results[k] + g


def _leading_to(pending, capture):
    """The nodes whose backward must run for the targets in ``capture``: those with an
    edge to a target leaf, or to a target node or a node that must run (a depth-first
    walk with an explicit stack, children before parents)."""
    needed, seen = set(), set()
    for start in pending:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(start.edges))]
        while stack:
            node, edges = stack[-1]
            for e in edges:
                if isinstance(e, Op) and e not in seen:
                    seen.add(e)
                    stack.append((e, iter(e.edges)))
                    break
            else:
                stack.pop()
                for e in node.edges:
                    if e is not None and (id(e) in capture or (
                            isinstance(e, Op) and e in needed)):
                        needed.add(node)
                        break
    return needed


def _run_backward(node, g, retain_graph):
    """One node's backward: checks before it, its input gradients counted after it."""
    _check_runnable(node)
    in_grads = _counted(node, node.backward(g))
    if _anomaly:
        _check_finite(node, in_grads)
    if not retain_graph:
        node._release()
    return in_grads


def _run_backward_recorded(node, g, retain_graph):
    """One node's backward on Tensors, recording its own graph (``create_graph=True``):
    the gradients it returns are Tensors that can be differentiated again."""
    _check_runnable(node)
    in_grads = list(_counted(node, node._recorded_backward(g)))
    for k, (inp, ig) in enumerate(zip(node.inputs, in_grads)):
        if ig is None or node.edges[k] is None:
            continue
        if not isinstance(ig, Tensor):  # an array: a constant (a zero, say)
            ig = Tensor._make(backend.coerce(ig), None)
        if ig.device != inp.device:
            _check_device(node, ig._data, inp._data, inp)
        if tuple(ig.shape) != tuple(inp.shape):
            _sum_to_input(node, ig._data, inp._data.shape, inp)  # (the shape check)
            ig = _sum_to_tensor(ig, tuple(inp.shape))
        if ig.dtype is not inp.dtype:
            ig = ig.to(inp.dtype)
        in_grads[k] = ig
    if _anomaly:
        _check_finite(node, [None if ig is None else ig._data for ig in in_grads])
    if not retain_graph:
        node._release()
    return in_grads


def _sum_to_tensor(t, shape):
    """``sum_to`` for a Tensor: a differentiable sum over the broadcast axes."""
    lead = t.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and t.shape[lead + i] != 1)
    if axes:
        t = t.sum(dim=axes, keepdim=True)
    return t.reshape(shape)


def _check_runnable(node):
    if node.freed:
        raise RuntimeError(
            "Trying to backward through the graph a second time (or directly access saved "
            "tensors after they have already been freed). Saved intermediate values of the "
            "graph are freed when you call .backward() or autograd.grad(). Specify "
            "retain_graph=True if you need to backward through the graph a second time or "
            "if you need to access saved tensors after calling backward.")
    node._check_saved()


def _counted(node, in_grads):
    """A backward's gradients as a tuple, one per input (extra Nones are fine)."""
    if type(in_grads) is not tuple:
        in_grads = (in_grads,)
    n = len(node.edges)
    if len(in_grads) != n:
        if len(in_grads) < n or any(x is not None for x in in_grads[n:]):
            raise RuntimeError(f"function {node.name()} returned an incorrect number of "
                               f"gradients (expected {n}, got {len(in_grads)})")
        in_grads = in_grads[:n]
    return in_grads


# ----------------------------------------------------------------------- trace

_tracing = None  # the innermost open trace(), or None (the engine then tests just this)


class trace:
    """``with minigrad.autograd.trace(): loss.backward()`` prints each node as the
    backward pass reaches it: the gradient ``g`` it receives (dL/d its output), the
    gradient it sends to each input (dL/d that input) and where that goes, and how many
    gradients the receiving node still waits for (its pending count; at 0 it is ready).
    The first line lists every node's count before the walk starts.

    For learning and debugging: shapes, not values (print a hook's tensor for values).
    One switch for the whole program, not per thread; ``file`` defaults to stdout.
    """

    def __init__(self, file=None):
        self.file = file
        self.labels = {}

    def __enter__(self):
        global _tracing
        self._prev, _tracing = _tracing, self
        return self

    def __exit__(self, *exc):
        global _tracing
        _tracing = self._prev
        return False

    def _print(self, line):
        print(line, file=self.file if self.file is not None else sys.stdout)

    def counted(self, pending, capture):
        """Name the nodes (MulBackward#2 where there are several of a kind), print counts."""
        self.capture = capture
        kinds = {}
        for node in pending:
            kinds.setdefault(node.name(), []).append(node)
        self.labels = {}
        for name, nodes in kinds.items():
            for k, node in enumerate(nodes, 1):
                self.labels[node] = name if len(nodes) == 1 else f"{name}#{k}"
        counts = ", ".join(f"{self.labels[n]} {c}" for n, c in pending.items())
        self._print(f"backward: {len(pending)} node(s); gradients each waits for: {counts}")

    def ran(self, node, g, in_grads, pending):
        """One node done: what it received and what it sent along each edge."""
        label = self.labels.get(node, node.name())
        if g is None:
            self._print(f"{label}: no gradient arrived; its inputs get None")
        else:
            self._print(f"{label}: g {_shape(g)}")
        left = {}  # pending counts as they were before this node's edges counted down
        for f in node.edges:
            if isinstance(f, Op):
                left[f] = left.get(f, pending[f]) + 1
        for k, (inp, f, ig) in enumerate(zip(node.inputs, node.edges, in_grads)):
            if f is None:  # a constant, or a tensor that needs no gradient
                self._print(f"    input {k}: no gradient wanted")
                continue
            sent = "None" if ig is None else _shape(ig)
            if ig is not None and tuple(ig.shape) != tuple(inp.shape):
                sent += f" summed to {_shape(inp)}"
            if isinstance(f, Op):
                left[f] -= 1
                wait = "ready" if left[f] == 0 else f"waits for {left[f]} more"
                to = f"{self.labels.get(f, f.name())} ({wait})"
            else:
                to = ("leaf, not wanted" if not f._requires_grad or (
                    self.capture is not None and id(f) not in self.capture) else
                      "leaf .grad" if self.capture is None else "leaf, one of the inputs")
            self._print(f"    input {k}: {sent} -> {to}")


def _shape(a):
    return str(tuple(a.shape))


# ----------------------------------------------------------------------- hooks
# A hook sees the gradient of one tensor during backward and may return a replacement.
# A leaf's hooks live on the tensor, a computed tensor's on the node that made it (its
# gradient is the one that node receives). ``_hooks_registered`` keeps the cost at one
# test per node until the first hook is registered.

_hooks_registered = 0


class RemovableHandle:
    """What every ``register_*_hook`` returns: ``handle.remove()`` takes the hook off
    again (also on leaving a ``with`` block). Also ``minigrad.utils.hooks.RemovableHandle``."""

    _next_id = 0

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _HookHandle(RemovableHandle):
    def remove(self):
        global _hooks_registered
        if self.hooks.pop(self.id, None) is not None:
            _hooks_registered -= 1


def register_hook(holder, hook):
    """Add ``hook`` to a node's or a leaf tensor's hooks; return its handle."""
    global _hooks_registered
    hooks = getattr(holder, "hooks", None)
    if hooks is None:
        hooks = holder.hooks = {}
    handle = _HookHandle(hooks)
    hooks[handle.id] = hook
    _hooks_registered += 1
    return handle


def _run_hooks(holder, g, create_graph):
    """The gradient after ``holder``'s hooks, in the order they were registered (a hook
    returning None leaves it as it is); a retained gradient is stored last."""
    hooks = getattr(holder, "hooks", None)
    if not hooks:
        return g
    as_tensor = g if create_graph else Tensor._make(g, None)
    for hook in list(hooks.values()):
        if getattr(hook, "retains", False):
            continue
        new = hook(as_tensor)
        if new is not None:
            if not isinstance(new, Tensor):
                raise TypeError(f"expected Variable, but hook returned "
                                f"'{type(new).__name__}'")
            if tuple(new.shape) != tuple(as_tensor.shape):
                name = getattr(hook, "__name__", type(hook).__name__)
                raise RuntimeError(f"hook '{name}' has changed the size of value (from "
                                   f"{list(as_tensor.shape)} to {list(new.shape)})")
            as_tensor = new
    for hook in hooks.values():
        if getattr(hook, "retains", False):
            hook(as_tensor)
    return as_tensor if create_graph else as_tensor._data


def _sum_to_input(node, ig, shape, inp):
    """A gradient of a broadcast shape summed back to its input's; any other shape is an
    invalid gradient (PyTorch's message)."""
    gs = tuple(ig.shape)
    lead = len(gs) - len(shape)
    if lead < 0 or any(s != n and s != 1 for s, n in zip(shape, gs[lead:])):
        k = next(i for i, x in enumerate(node.inputs) if x is inp)
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {k} "
                           f"- got {list(gs)} but expected shape compatible with "
                           f"{list(shape)}")
    return sum_to(ig, shape)


def _check_device(node, ig, data, inp):
    got, expected = backend.device_of(ig), backend.device_of(data)
    if got != expected:
        k = next(i for i, x in enumerate(node.inputs) if x is inp)
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {k} "
                           f"- expected device {expected} but got {got}")


def _root_gradient(root, gradient, create_graph=False):
    """The gradient backward starts from: ones for a scalar, else ``gradient`` checked
    against the root's shape and cast to its dtype. Recording (``create_graph``), it is a
    Tensor, and may itself require grad."""
    if gradient is None:
        if root.numel() != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs (got "
                               f"a tensor of shape {tuple(root.shape)}; pass gradient=...)")
        ones = root.device.xp.ones_like(root._data)
        return Tensor._make(ones, None) if create_graph else ones
    if isinstance(gradient, (list, tuple)) and len(gradient) == 1:
        gradient = gradient[0]  # torch takes one gradient per output
    if not isinstance(gradient, Tensor):
        first = gradient[0] if isinstance(gradient, (list, tuple)) and gradient else gradient
        kind = first.dtype.name if backend.is_array(first) else type(first).__name__
        raise TypeError(f"gradients can be either Tensors or None, but got {kind}")
    grad = gradient._data
    if gradient.device != root.device:
        raise RuntimeError(f"invalid gradient at index 0 - expected device {root.device} but got "
                           f"{gradient.device}")
    if tuple(grad.shape) != tuple(root.shape):
        from .tensor import Size
        raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                           f"{Size(grad.shape)!r} and output[0] has a shape of "
                           f"{Size(root.shape)!r}.")
    if create_graph:
        return gradient if gradient.dtype is root.dtype else gradient.to(root.dtype)
    if grad.dtype != root._data.dtype:
        grad = root.device.xp.astype(grad, root._data.dtype)
    return grad


def _accumulate(leaf, g, create_graph=False):
    """leaf.grad += g (the first gradient is copied: it may be shared with another leaf).
    A recorded gradient (``create_graph``) is a Tensor kept with its graph: the sum is a
    new tensor, as in PyTorch, so that it can be differentiated."""
    if create_graph:
        if g.dtype is not leaf.dtype:
            g = g.to(leaf.dtype)
        leaf._grad = g.clone() if leaf._grad is None else leaf._grad + g
        return
    g = backend.coerce(g)
    if g.dtype != leaf._data.dtype:
        g = backend.device_of(g).xp.astype(g, leaf._data.dtype)
    if leaf._grad is None:
        leaf._grad = Tensor._of(backend.owned_copy(g))
    else:
        leaf._grad._data += g


def _check_finite(node, in_grads):
    """Anomaly mode: a backward that returned NaN is named (as torch's, inf passes)."""
    for i, g in enumerate(in_grads):
        if g is None or not backend.device_of(g).xp.isdtype(g.dtype, "real floating"):
            continue
        xp = backend.device_of(g).xp
        if bool(xp.any(xp.isnan(g))):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                               f"{i}th output.")


# ------------------------------------------------------- user-defined functions


class FunctionCtx:
    """The ``ctx`` a user-defined Function sees: save tensors for backward, as in PyTorch."""

    _saved = ()
    _freed = False

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._versions = [t._vc[0] if isinstance(t, Tensor) and t._vc is not None else None
                          for t in tensors]

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError("Trying to backward through the graph a second time (or "
                               "directly access saved tensors after they have already been "
                               "freed). Specify retain_graph=True if you need to backward "
                               "through the graph a second time or if you need to access "
                               "saved tensors after calling backward.")
        return self._saved


class Function:
    """Write your own op, exactly as with ``torch.autograd.Function``::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad_output):
                x, = ctx.saved_tensors
                return 3 * x ** 2 * grad_output

        y = Cube.apply(x)

    ``forward`` and ``backward`` receive and return Tensors (with gradient recording off
    inside them); ``forward`` sees the very tensors passed to ``apply``. The gradients
    backward returns are checked like PyTorch's (one per input, each of its input's shape
    or one that sums to it) and cast to their input's dtype. ``parity.check_op`` compares
    your backward with PyTorch's.
    """

    @classmethod
    def apply(cls, *args):
        out = _UserOp.apply(*args, fn=cls, tensors=args)
        node = out.grad_fn
        result = node.__dict__.pop("result", None) if node is not None else None
        if result is not None:  # the tensor forward returned and the one apply returns
            out._vc = result._vc  # are one: in-place writes to either are seen by both
            node.outputs = [(out._vc, out._vc[0] if out._vc else 0, out._data)]
        return out


class _UserOp(Op):
    """Adapts a tensor-level ``Function`` to the engine's array-level ``Op``."""

    def forward(ctx, *arrays, fn, tensors):
        ctx.fn = fn
        ctx.user_ctx = FunctionCtx()
        ctx.user_ctx.needs_input_grad = tuple(ctx.needs_input_grad)
        args = [t if isinstance(t, Tensor) else
                (Tensor._of(a) if backend.is_array(a) else a) for t, a in zip(tensors, arrays)]
        with no_grad():
            out = fn.forward(ctx.user_ctx, *args)
        ctx.result = out
        return out._data

    def backward(ctx, grad):
        with no_grad():
            grads = ctx.fn.backward(ctx.user_ctx, Tensor._of(grad))
        if not isinstance(grads, tuple):
            grads = (grads,)
        return tuple(g._data if isinstance(g, Tensor) else None for g in grads)

    def _recorded_backward(self, g):
        """The user's backward with grad mode on: its tensor code records its own graph."""
        with enable_grad():
            grads = self.fn.backward(self.user_ctx, g)
        return grads if isinstance(grads, tuple) else (grads,)

    def _check_saved(self):
        u = self.__dict__.get("user_ctx")
        for t, v in zip(u._saved, getattr(u, "_versions", ())):
            if v is not None and t._vc[0] != v:
                _raise_modified(t, t._vc[0], v)

    def _release(self):
        u = self.__dict__.get("user_ctx")
        if u is not None and u._saved:
            u._saved, u._freed, self.freed = (), True, True

    def name(self):
        fn = self.__dict__.get("fn")
        return (fn.__name__ if fn else "Function") + "Backward"


# ----------------------------------------------------------------- gradcheck


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, *,
              _describe=None):
    """Compare ``func``'s backward with central finite differences (float64 inputs).

    For every input element x_i and every output element y_j, the analytical
    d y_j / d x_i (from backward with a one-hot output gradient) must match
    (f(x + eps e_i) - f(x - eps e_i)) / (2 eps). Returns True, or raises (or returns
    False when ``raise_exception=False``) naming the input and element that disagree.
    """
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in diff:
        if t.dtype.name != "float64":
            raise ValueError(f"gradcheck expects float64 inputs, got {t.dtype}")

    def outputs():
        out = func(*inputs)
        return out if isinstance(out, tuple) else (out,)

    with no_grad():
        outs = [o._data for o in outputs()]
    for k, out in enumerate(outs):
        n_out = int(backend.to_numpy(out).size)
        for j in range(n_out):
            # analytical row j: gradients of y_j with respect to every input
            for t in diff:
                t.grad = None
            y = outputs()[k]
            onehot = backend.to_numpy(out).copy().reshape(-1) * 0
            onehot[j] = 1
            if y.requires_grad:  # (else this row of the Jacobian is zero)
                y.backward(Tensor._of(backend.from_numpy(onehot.reshape(out.shape), y.device)))
            for i, t in enumerate(inputs):
                if not (isinstance(t, Tensor) and t.requires_grad):
                    continue
                analytic = (backend.to_numpy(t.grad._data).reshape(-1) if t.grad is not None
                            else None)
                flat = backend.to_numpy(t._data).reshape(-1)
                for e in range(flat.size):
                    numeric = _numeric_derivative(outputs, t, e, k, j, eps)
                    a = 0.0 if analytic is None else float(analytic[e])
                    if abs(a - numeric) > atol + rtol * abs(numeric):
                        msg = (f"Jacobian mismatch for output {k} with respect to input {i}: "
                               f"d out[{j}] / d in[{e}] is {a} by backward but {numeric} by "
                               f"finite differences")
                        if _describe is not None:
                            msg = _describe(k, i, j, e, a, numeric)
                        if raise_exception:
                            raise RuntimeError(msg)
                        return False
    for t in diff:
        t.grad = None
    return True


def _numeric_derivative(outputs, t, e, k, j, eps):
    host = backend.to_numpy(t._data).copy()
    flat = host.reshape(-1)
    orig = flat[e]
    values = []
    for delta in (eps, -eps):
        flat[e] = orig + delta
        t._data = backend.from_numpy(host.copy(), t.device)
        with no_grad():
            values.append(float(backend.to_numpy(outputs()[k]._data).reshape(-1)[j]))
    flat[e] = orig
    t._data = backend.from_numpy(host, t.device)
    return (values[0] - values[1]) / (2 * eps)



# ------------------------------------------------- minigrad.autograd.functional
# Jacobians, Hessians and their vector products live in their own file; registered under
# torch's name so that ``import minigrad.autograd.functional`` works (autograd is a module).
from . import autograd_functional as functional  # noqa: E402

sys.modules[__name__ + ".functional"] = functional


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, gen_non_contig_grad_outputs=False, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Check second derivatives against finite differences of the first (float64).

    The first-order gradients ``g_i = autograd.grad(func(inputs), inputs[i], grad_outputs,
    create_graph=True)`` are a function of the inputs and of ``grad_outputs`` (random,
    requiring grad, when not given); ``gradcheck`` compares that function's backward (the
    recorded backward of ``func``'s ops) with its finite differences. Returns True, or
    raises (returns False with ``raise_exception=False``) naming the gradient, the input
    and the elements that disagree. (torch's other options are accepted; they change nothing.)
    """
    from .creation import randn
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    with no_grad():
        outs = func(*inputs)
    outs = outs if isinstance(outs, tuple) else (outs,)
    if grad_outputs is None:  # random ones, whose own derivatives are checked too
        grad_outputs = tuple(randn(*o.shape, dtype=o.dtype, device=o.device, requires_grad=True)
                             for o in outs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    grad_outputs = tuple(grad_outputs)
    n = len(inputs)

    def first_derivatives(*args):
        xs, vs = args[:n], args[n:]
        with enable_grad():
            ys = func(*xs)
            ys = ys if isinstance(ys, tuple) else (ys,)
            pairs = [(y, v) for y, v in zip(ys, vs) if y.requires_grad]
            grads = grad([y for y, _ in pairs], [xs[i] for i in diff], [v for _, v in pairs],
                         create_graph=True, materialize_grads=True)
        return tuple(grads)

    def describe(k, i, j, e, analytic, numeric):
        wrt = (f"input {i}" if i < n else f"grad_outputs[{i - n}]")
        return (f"Gradgrad check failed: the derivative of the gradient with respect to input "
                f"{diff[k]} (its element {j}) with respect to {wrt} (its element {e}) is "
                f"{analytic} by double backward but {numeric} by finite differences")

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, _describe=describe)


def Variable(data, requires_grad=False, volatile=False):
    """PyTorch's legacy ``Variable(tensor, requires_grad=...)``: today a Tensor itself, so
    this returns a new leaf sharing ``data``'s values (as torch does)."""
    return data.detach().requires_grad_(requires_grad)
