"""Fused element-wise kernels for the GPU: one pass over memory where NumPy makes several.

On a GPU every array operation is a kernel launch (several microseconds of Python and
driver time) and a full trip through memory. Adam's update is thirteen such operations
per parameter, ReLU's backward three: for the small networks of the tutorials the
launches, not the arithmetic, are the cost. So each chain that dominates a training step
is written once here as a few lines of arithmetic, in the small common subset of Python
and CUDA C++ (assignments ``name = expression``; + - * /; comparisons, & and |;
``sqrt``, ``exp``, ``log`` and ``where(c, a, b)``):

- on CuPy the lines become one ``ElementwiseKernel`` (one launch, one pass, compiled on
  first use and cached by CuPy);
- anywhere else, ``evaluate`` runs the very same lines with the array namespace's
  functions. That is how the CPU tests check each kernel's arithmetic against the engine's
  NumPy code without a GPU; on a GPU the tests compare the compiled kernel with it too.

The engine calls a kernel only for CuPy arrays (``use_kernels``); its NumPy paths,
tuned for the CPU, stay as they are. ``MINIGRAD_FUSED=0`` turns the kernels off (to
measure what they bring).

Scalars a kernel needs (``1 - beta2``, ``-lr``) are computed in Python before the call,
so that the array arithmetic is the same operation for operation on every device.
"""
import os
import re

from . import backend

_enabled = os.environ.get("MINIGRAD_FUSED", "1") != "0"


def use_kernels(array):
    """True when ``array`` is a CuPy array and the fused kernels are on."""
    return _enabled and type(array).__module__.startswith("cupy")


class Kernel:
    """A named element-wise kernel: ``inputs`` are read, ``outputs`` written (an output
    that is also an input is updated in place), ``scalars`` are Python numbers. Every
    array and scalar has the floating type T, unless its name says otherwise
    (``"t:I"``: another type I, here the integer class indices)."""

    def __init__(self, name, inputs, scalars, outputs, body):
        self.name = name
        self.types = dict(_typed(n) for n in inputs + scalars + outputs)
        self.inputs, self.scalars, self.outputs = ([_typed(n)[0] for n in names]
                                                   for names in (inputs, scalars, outputs))
        self.lines = [line.strip() for line in body.strip().splitlines()
                      if line.strip() and not line.strip().startswith("#")]
        self._compiled = None

    def __call__(self, **args):
        """Run on CuPy arrays, every input and scalar given by name; an output given by
        name is written in place, the others are allocated. Returns the kernel's
        output(s), as CuPy's ElementwiseKernel does."""
        if self._compiled is None:
            self._compiled = self._compile()
        read_only = [n for n in self.inputs if n not in self.outputs]
        given_out = []
        for n in self.outputs:
            if n not in args:
                break  # this one and those after it are allocated by CuPy
            given_out.append(args[n])
        return self._compiled(*(args[n] for n in read_only + self.scalars), *given_out)

    def _compile(self):
        import cupy
        read_only = [n for n in self.inputs if n not in self.outputs]
        in_params = ", ".join(f"{self.types[n]} {n}" for n in read_only + self.scalars)
        out_params = ", ".join(f"{self.types[n]} {n}" for n in self.outputs)
        known = set(self.types)
        body = []
        for line in self.lines:
            target, expr = (s.strip() for s in line.split("=", 1))
            expr = re.sub(r"\bwhere\(", "mg_where(", expr)
            body.append(f"{target} = {expr};" if target in known else f"T {target} = {expr};")
            known.add(target)
        return cupy.ElementwiseKernel(in_params, out_params, "\n".join(body),
                                      f"minigrad_{self.name}", preamble=_PREAMBLE)

    def evaluate(self, xp, **values):
        """The kernel's lines run with namespace ``xp`` (NumPy, array_api_strict, ...) on
        ``values`` (arrays and scalars by name); returns {output name: new array}."""
        env = dict(values, sqrt=xp.sqrt, exp=xp.exp, log=xp.log,
                   where=lambda c, a, b: xp.where(xp.asarray(c), *_as_arrays(xp, a, b)))
        for line in self.lines:
            target, expr = (s.strip() for s in line.split("=", 1))
            env[target] = eval(expr, {"__builtins__": {}}, env)  # noqa: S307 (our own lines)
        return {n: env[n] for n in self.outputs}


def _typed(entry):
    """"name" -> ("name", "T"); "name:I" -> ("name", "I")."""
    name, _, ctype = entry.partition(":")
    return name, ctype or "T"


def _as_arrays(xp, a, b):
    """where() operands as arrays of the array operand's dtype (Python numbers allowed)."""
    like = a if backend.is_array(a) else b
    return tuple(x if backend.is_array(x) else xp.asarray(x, dtype=like.dtype) for x in (a, b))


# The C++ side of where(): its result has the type of a + b (where(c, 0, x) is a float
# for a float x), as NumPy's where would promote. Named mg_where in C++, away from CUDA's.
_PREAMBLE = """
template <typename C, typename A, typename B>
__device__ auto mg_where(C c, A a, B b) -> decltype(a + b) {
    return c ? (decltype(a + b))a : (decltype(a + b))b;
}
"""

# ------------------------------------------------------------------------ kernels

# Adam's update (minigrad/optim/adam.py writes it out), the moments and the parameter in
# one pass. m <- lerp(m, g, w) the way torch.lerp computes it: from m when the weight w is
# small, from g otherwise (``w_small`` is 1 or 0).
ADAM = Kernel(
    "adam", inputs=["theta", "g", "m", "v"],
    scalars=["w", "one_minus_w", "w_small", "beta2", "one_minus_beta2", "neg_step_size",
             "bias_correction2_sqrt", "eps"],
    outputs=["theta", "m", "v"],
    body="""
        d = g - m
        m = where(w_small != 0, m + d * w, g - d * one_minus_w)
        v = v * beta2 + (g * one_minus_beta2) * g
        denom = sqrt(v) / bias_correction2_sqrt + eps
        theta = theta + (m * neg_step_size) / denom
    """)

# SGD with momentum after its first step: b <- momentum b + (1 - dampening) g, then
# theta <- theta - lr (g + momentum b) with Nesterov (``nesterov`` is 1), else - lr b.
SGD_MOMENTUM = Kernel(
    "sgd_momentum", inputs=["theta", "g", "b"],
    scalars=["momentum", "one_minus_dampening", "nesterov", "lr"],
    outputs=["theta", "b"],
    body="""
        b = b * momentum + g * one_minus_dampening
        theta = theta - lr * where(nesterov != 0, g + momentum * b, b)
    """)

# Plain SGD: theta <- theta - lr g.
SGD = Kernel("sgd", inputs=["theta", "g"], scalars=["lr"], outputs=["theta"],
             body="theta = theta - lr * g")

# ReLU's backward, g where x > 0 and 0 elsewhere; as torch's threshold_backward, only
# x <= 0 blocks g, so a NaN input lets it through.
RELU_BACKWARD = Kernel("relu_backward", inputs=["x", "g"], scalars=[], outputs=["gx"],
                       body="gx = where(x <= 0, 0, g)")

# Class-index targets of cross_entropy and nll_loss checked on the device: the counted
# mask (1; 0 where the target is ignore_index; nan where it is outside [0, n_classes),
# so the loss comes out nan) and the targets to gather with (0 where not a valid class).
CLASS_TARGETS = Kernel(
    "class_targets", inputs=["t:I"], scalars=["ignore_index:I", "n_classes:I", "one", "nan"],
    outputs=["keep", "t_safe:I"],
    body="""
        keep = where(t == ignore_index, 0, where((t >= 0) & (t < n_classes), one, nan))
        t_safe = where((t == ignore_index) | (t < 0) | (t >= n_classes), 0, t)
    """)

# Cross-entropy's backward (classes first: e and the gradient are (C, M)): softmax times
# each sample's total target weight, minus the target weight at the target class.
CROSS_ENTROPY_BACKWARD = Kernel(
    "cross_entropy_backward", inputs=["e", "s", "total", "target_part", "cls:I", "t:I"],
    scalars=[], outputs=["gx"],
    body="gx = (e / s) * total - where(cls == t, target_part, 0)")
