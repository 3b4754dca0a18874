"""Reverse-mode automatic differentiation.

Every differentiable op is a subclass of ``Op`` with a ``forward`` and a ``backward``
written next to each other on raw arrays. ``Op.apply`` runs the forward and, when a
gradient will be needed, keeps the op object itself as the output's ``grad_fn``: the
op object *is* the graph node and the place where forward saves what backward needs.

``backward`` walks those nodes from the output back to the leaves in reverse
topological order (an explicit work list, no recursion, so a 1,000,000-op chain is
fine), calls each node's backward, and accumulates gradients into the leaves' ``.grad``.
"""
import contextlib

from . import backend
from .promotion import promote_args

Tensor = None  # minigrad.tensor.Tensor, set by tensor.py (which imports this module)

# --------------------------------------------------------------- gradient mode

_grad_enabled = True
_anomaly = False


def is_grad_enabled():
    return _grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets whether ops record the graph."""

    enabled = True

    def __enter__(self):
        global _grad_enabled
        self._prev = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._prev
        return False


class no_grad(_GradMode):
    """Ops inside build no graph: for evaluation and for in-place parameter updates."""

    enabled = False


class enable_grad(_GradMode):
    enabled = True


class inference_mode(_GradMode):
    """Like ``no_grad`` (minigrad has no separate inference tensors)."""

    def __init__(self, mode=True):
        self.enabled = not mode


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` as a call sets the mode; as a context it restores it."""

    def __init__(self, mode):
        global _grad_enabled
        self.enabled = bool(mode)
        self._before_call = _grad_enabled
        _grad_enabled = self.enabled

    def __enter__(self):
        global _grad_enabled
        self._prev = self._before_call
        _grad_enabled = self.enabled


class set_detect_anomaly:
    """When on, backward names the first op whose backward produced NaN or inf."""

    def __init__(self, mode):
        global _anomaly
        self._prev, _anomaly = _anomaly, bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        global _anomaly
        _anomaly = self._prev
        return False


class detect_anomaly(set_detect_anomaly):
    """``with detect_anomaly():`` turns anomaly detection on inside the block (also a decorator)."""

    def __init__(self, check_nan=True):
        self._mode = bool(check_nan)

    def __enter__(self):
        global _anomaly
        self._prev, _anomaly = _anomaly, self._mode
        return self

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with type(self)(self._mode):
                return fn(*args, **kwargs)
        return wrapped


def is_anomaly_enabled():
    return _anomaly


# ----------------------------------------------------------------------- ops


class Op:
    """A differentiable operation: ``forward`` and ``backward`` on arrays, side by side.

    Subclasses write ``forward(ctx, *args)`` returning an array and
    ``backward(ctx, grad)`` returning one gradient per positional argument (a tuple,
    or a single array for one argument; ``None`` where no gradient flows). ``ctx`` is
    the op object: store on it whatever backward needs (``ctx.mask = x > 0``).

    Gradients may have the broadcast shape of the output: the engine sums them back
    to each input's shape (``sum_to``), so no op has to undo broadcasting itself.
    """

    __slots__ = ("inputs", "needs_input_grad", "versions", "freed", "__dict__")

    promote = None  # the type promotion rule of the op's operands (see promotion.py)

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
                data = a.data
                if kind is None:
                    kind = type(data)
                elif type(data) is not kind:
                    _raise_device_mismatch(args)
                arrays.append(data)
                needs.append(a.requires_grad)
                any_grad = any_grad or a.requires_grad
            else:
                arrays.append(a)
                needs.append(False)
        record = any_grad and _grad_enabled
        ctx.needs_input_grad = needs
        try:
            out = ctx.forward(*arrays, **kwargs)
        except ValueError as e:  # NumPy/CuPy say "could not be broadcast": say it like torch
            if "broadcast" not in str(e):
                raise
            _raise_broadcast_error(arrays, e)
        if not record:
            return Tensor._make(out, None)
        ctx.inputs = args
        ctx.versions = [a._version if isinstance(a, Tensor) else 0 for a in args]
        ctx.freed = False
        return Tensor._make(out, ctx)

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
        return tuple((a.grad_fn if isinstance(a, Tensor) else None, 0) for a in self.inputs)

    def _release(self):
        """Drop what forward saved (frees memory once backward has used it)."""
        if self.__dict__:
            self.__dict__.clear()
            self.freed = True


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


def backward(root, gradient=None, retain_graph=False):
    """Accumulate d(root)/d(leaf) into every leaf's ``.grad`` (called by ``Tensor.backward``)."""
    if not root.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn")
    xp = root.device.xp
    if gradient is None:
        if root.numel() != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs (got "
                               f"a tensor of shape {tuple(root.shape)}; pass gradient=...)")
        grad = xp.ones_like(root.data)
    else:
        grad = gradient.data if isinstance(gradient, Tensor) else xp.asarray(gradient)
        if tuple(grad.shape) != tuple(root.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                               f"{tuple(grad.shape)} and output[0] has a shape of "
                               f"{tuple(root.shape)}.")
    if root.grad_fn is None:
        _accumulate(root, grad)
        return

    # Count, for every node, how many edges point into it: a node is ready once the
    # gradients of all its consumers have arrived.
    pending = {root.grad_fn: 0}
    stack = [root.grad_fn]
    while stack:
        node = stack.pop()
        if node.inputs is None:
            continue
        for inp in node.inputs:
            if isinstance(inp, Tensor) and inp.grad_fn is not None:
                f = inp.grad_fn
                if f in pending:
                    pending[f] += 1
                else:
                    pending[f] = 1
                    stack.append(f)

    grads = {root.grad_fn: grad}
    ready = [root.grad_fn]
    while ready:
        node = ready.pop()
        g = grads.pop(node)
        if node.freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time.")
        _check_versions(node)
        in_grads = node.backward(g)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        if _anomaly:
            _check_finite(node, in_grads)
        if not retain_graph:
            node._release()
        for inp, ig in zip(node.inputs, in_grads):
            if ig is None or not isinstance(inp, Tensor) or not inp.requires_grad:
                continue
            if ig.shape != inp.data.shape:
                ig = sum_to(ig, inp.data.shape)
            f = inp.grad_fn
            if f is None:
                _accumulate(inp, ig)
                continue
            if f in grads:
                grads[f] = grads[f] + ig
            else:
                grads[f] = ig
            pending[f] -= 1
            if pending[f] == 0:
                ready.append(f)


def _accumulate(leaf, g):
    """leaf.grad += g (the first gradient is copied: it may be shared with another leaf)."""
    g = backend.coerce(g)
    if g.dtype != leaf.data.dtype:
        g = backend.device_of(g).xp.astype(g, leaf.data.dtype)
    if leaf.grad is None:
        leaf.grad = Tensor(backend.owned_copy(g))
    else:
        leaf.grad.data += g


def _check_versions(node):
    if not node.__dict__:
        return  # nothing saved, so nothing can have gone stale
    for inp, v in zip(node.inputs, node.versions):
        if isinstance(inp, Tensor) and inp._version != v:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{inp.dtype} {list(inp.shape)}], which is output 0 of "
                f"{inp.grad_fn!r}, is at version {inp._version}; expected version {v} instead.")


def _check_finite(node, in_grads):
    for i, g in enumerate(in_grads):
        if g is None or not backend.device_of(g).xp.isdtype(g.dtype, "real floating"):
            continue
        xp = backend.device_of(g).xp
        if not bool(xp.all(xp.isfinite(g))):
            raise RuntimeError(f"Function '{node.name()}' returned nan or inf values in its "
                               f"{i}th output.")


# ------------------------------------------------------- user-defined functions


class FunctionCtx:
    """The ``ctx`` a user-defined Function sees: save tensors for backward, as in PyTorch."""

    def save_for_backward(self, *tensors):
        self._saved = tensors

    @property
    def saved_tensors(self):
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
    inside them); ``parity.check_op`` compares your backward with PyTorch's.
    """

    @classmethod
    def apply(cls, *args):
        return _UserOp.apply(*args, fn=cls)


class _UserOp(Op):
    """Adapts a tensor-level ``Function`` to the engine's array-level ``Op``."""

    def forward(ctx, *arrays, fn):
        from .tensor import Tensor
        ctx.fn = fn
        ctx.user_ctx = FunctionCtx()
        ctx.user_ctx.needs_input_grad = tuple(ctx.needs_input_grad)
        args = [Tensor(a) if backend.is_array(a) else a for a in arrays]
        with no_grad():
            out = fn.forward(ctx.user_ctx, *args)
        return out.data

    def backward(ctx, grad):
        from .tensor import Tensor
        with no_grad():
            grads = ctx.fn.backward(ctx.user_ctx, Tensor(grad))
        if not isinstance(grads, tuple):
            grads = (grads,)
        return tuple(g.data if isinstance(g, Tensor) else None for g in grads)

    def name(self):
        fn = self.__dict__.get("fn")
        return (fn.__name__ if fn else "Function") + "Backward"


# ----------------------------------------------------------------- gradcheck


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Compare ``func``'s backward with central finite differences (float64 inputs).

    For every input element x_i and every output element y_j, the analytical
    d y_j / d x_i (from backward with a one-hot output gradient) must match
    (f(x + eps e_i) - f(x - eps e_i)) / (2 eps). Returns True, or raises (or returns
    False when ``raise_exception=False``) naming the input and element that disagree.
    """
    from .tensor import Tensor
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
        outs = [o.data for o in outputs()]
    for k, out in enumerate(outs):
        n_out = int(backend.to_numpy(out).size)
        for j in range(n_out):
            # analytical row j: gradients of y_j with respect to every input
            for t in diff:
                t.grad = None
            y = outputs()[k]
            onehot = backend.to_numpy(out).copy().reshape(-1) * 0
            onehot[j] = 1
            y.backward(Tensor(backend.from_numpy(onehot.reshape(out.shape), y.device)))
            for i, t in enumerate(inputs):
                if not (isinstance(t, Tensor) and t.requires_grad):
                    continue
                analytic = (backend.to_numpy(t.grad.data).reshape(-1) if t.grad is not None
                            else None)
                flat = backend.to_numpy(t.data).reshape(-1)
                for e in range(flat.size):
                    numeric = _numeric_derivative(outputs, t, e, k, j, eps)
                    a = 0.0 if analytic is None else float(analytic[e])
                    if abs(a - numeric) > atol + rtol * abs(numeric):
                        msg = (f"Jacobian mismatch for output {k} with respect to input {i}: "
                               f"d out[{j}] / d in[{e}] is {a} by backward but {numeric} by "
                               f"finite differences")
                        if raise_exception:
                            raise RuntimeError(msg)
                        return False
    for t in diff:
        t.grad = None
    return True


def _numeric_derivative(outputs, t, e, k, j, eps):
    host = backend.to_numpy(t.data).copy()
    flat = host.reshape(-1)
    orig = flat[e]
    values = []
    for delta in (eps, -eps):
        flat[e] = orig + delta
        t.data = backend.from_numpy(host.copy(), t.device)
        with no_grad():
            values.append(float(backend.to_numpy(outputs()[k].data).reshape(-1)[j]))
    flat[e] = orig
    t.data = backend.from_numpy(host, t.device)
    return (values[0] - values[1]) / (2 * eps)

