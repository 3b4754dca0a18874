"""Differential fuzzing: random small programs run on minigrad and on PyTorch, compared.

    python -m parity.fuzz --cases 5000 --seed 0     # the long run, with a summary line
    python -m parity.fuzz --cases 500 --mixed-dtypes

A program is one or two calls of ops that minigrad exports and torch also has, found by
reflection (top-level functions, ``Tensor`` methods and operators, ``nn.functional``): an
op added to minigrad joins the fuzzer by being exported. Arguments are generated from the
parameters' names (``input``, ``other``, ``dim``, ``keepdim``, ``key`` ...), with a
generator of its own only for the few ops whose arguments depend on each other (``linear``,
the losses, ``conv2d``); an op with a required parameter of unknown name is skipped and
listed in the summary, never silently left out.

Inputs: shapes with 0 to 3 dims of sizes 0 to 3 (broadcast partners derived from them),
values mixing ties, +-0, +-1, +-inf and NaN with random normals, dtypes float64 (mostly),
float32, int64, int32, uint8 and bool. Both libraries run the program in the same dtypes;
the results must agree in whether they raise (and the error's type), values (NaN-aware:
float64 to 1e-9 relative), shapes, dtypes, and the gradients of every float input after a
backward pass through a fixed random weighting of the float outputs.

Type promotion (an int tensor with a float one, a float scalar with an int tensor) is
another issue's work: by default every tensor of a program has one dtype and scalars are
of its kind, so dtypes are compared exactly. ``mixed_dtypes=True`` (``--mixed-dtypes``)
lets programs mix them, for when promotion follows torch.

Known disagreements that are not fixed (missing features, promotion, minigrad's own
memory layouts) are listed in ``KNOWN`` with the reason; they are reported, not counted
as failures. ``tests/test_fuzz.py`` runs a fixed number of programs under hypothesis,
which shrinks a failure to a minimal program.
"""
import argparse
import inspect
import math
import random
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

# ------------------------------------------------------------------ drawing choices


class RandomDraw:
    """Choices from a seeded ``random.Random`` (the long run)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def int(self, lo, hi):
        return self.rng.randint(lo, hi)

    def choice(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p):
        """True with probability p (an optional feature of the program)."""
        return self.rng.random() < p


class HypothesisDraw:
    """The same choices drawn by hypothesis (``draw`` of a composite strategy, or
    ``data.draw``), so that a failing program shrinks."""

    def __init__(self, draw):
        self.draw = draw

    def int(self, lo, hi):
        from hypothesis import strategies as st
        return self.draw(st.integers(lo, hi))

    def choice(self, seq):
        from hypothesis import strategies as st
        return self.draw(st.sampled_from(seq))

    def chance(self, p):
        from hypothesis import strategies as st
        return self.draw(st.integers(0, 999)) >= 1000 * (1 - p)  # shrinks to False


# ------------------------------------------------------------------ program pieces


@dataclass
class TensorSpec:
    """A tensor input: NumPy data, a dtype name, whether it requires grad."""
    array: np.ndarray
    dtype: str
    requires_grad: bool = False

    def __repr__(self):
        body = np.array2string(self.array.astype(object) if self.dtype != "bool" else self.array,
                               separator=", ").replace("\n", "")
        grad = ", requires_grad=True" if self.requires_grad else ""
        shape = f".reshape{self.array.shape}" if self.array.size == 0 else ""
        return f"tensor({body}, dtype={self.dtype}{grad}){shape}"


@dataclass
class DtypeSpec:
    name: str

    def __repr__(self):
        return self.name


@dataclass
class Ref:
    """The result of an earlier step of the program."""
    step: int

    def __repr__(self):
        return f"y{self.step}"


@dataclass
class Step:
    op: "OpInfo"
    args: list
    kwargs: dict

    def __repr__(self):
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return self.op.call_repr(parts)


@dataclass
class Program:
    steps: list = field(default_factory=list)
    mixed: bool = False

    def __repr__(self):
        return "; ".join(f"y{i} = {s!r}" for i, s in enumerate(self.steps))

    @property
    def ops(self):
        return tuple(s.op.name for s in self.steps)


# ------------------------------------------------------------------ discovering ops

# What is exported but is not an op to compare: creation from nothing random, devices,
# modes, files, Python protocol. Each with the reason it is left out (printed by --list).
NOT_OPS = {
    "rand": "random", "randn": "random", "randint": "random", "randperm": "random",
    "empty": "uninitialised memory in torch", "manual_seed": "random state",
    "Generator": "random state", "dropout": "random", "uniform_": "random",
    "normal_": "random", "tensor": "constructor (every program uses it)",
    "as_tensor": "constructor", "from_numpy": "constructor", "Tensor": "constructor",
    "Size": "constructor", "device": "device object", "dtype": "dtype object",
    "cuda": "device", "cpu": "device", "to": "device/dtype conversion, several signatures",
    "is_cuda": "device", "save": "files", "load": "files", "set_flush_denormal": "CPU mode",
    "no_grad": "grad mode", "enable_grad": "grad mode", "inference_mode": "grad mode",
    "set_grad_enabled": "grad mode", "is_grad_enabled": "grad mode",
    "backward": "run by the harness itself", "grad": "autograd state",
    "grad_fn": "autograd state", "data": "raw storage", "requires_grad": "autograd state",
    "requires_grad_": "autograd state", "retain_grad": "autograd state",
    "detach_": "autograd state", "is_leaf": "autograd state", "type": "string output",
    "numpy": "NumPy bridge", "is_tensor": "Python type check",
}
# Python protocol methods of Tensor: not ops of their own.
PROTOCOL = {"__init__", "__new__", "__repr__", "__str__", "__hash__", "__array__",
            "__array_priority__", "__slots__", "__weakref__", "__class__", "__doc__",
            "__module__", "__dict__", "__getattribute__", "__getattr__", "__setattr__",
            "__delattr__", "__reduce__", "__reduce_ex__", "__sizeof__", "__init_subclass__",
            "__subclasshook__", "__dir__", "__format__", "__iter__", "__len__", "__bool__",
            "__float__", "__int__", "__index__", "__getstate__", "__setstate__",
            "__deepcopy__", "__copy__", "__contains__", "__reversed__", "__array_wrap__",
            "__dlpack__", "__dlpack_device__", "__torch_function__", "__annotations__"}


@dataclass
class OpInfo:
    name: str          # as exported: "sum", "Tensor.sum", "F.linear", "Tensor.__add__"
    kind: str          # "function", "method", "property"
    params: list       # inspect.Parameter list (without self)
    where: str         # "minigrad" | "Tensor" | "F"

    def call_repr(self, parts):
        if self.kind == "property":
            return f"{parts[0]}.{self.name.split('.')[-1]}"
        if self.kind == "method":
            return f"{parts[0]}.{self.name.split('.')[-1]}({', '.join(parts[1:])})"
        return f"{self.name}({', '.join(parts)})"


def discover():
    """(ops, skipped): every exported op torch also has, and {name: reason} of the rest."""
    import torch
    import torch.nn.functional as TF

    import minigrad
    import minigrad.nn.functional as F

    ops, skipped = [], {}

    def consider(name, obj, where, kind, torch_has):
        short = name.split(".")[-1]
        if not torch_has:
            return
        if short in NOT_OPS:
            skipped[name] = NOT_OPS[short]
            return
        if kind == "property":
            ops.append(OpInfo(name, kind, [], where))
            return
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            skipped[name] = "no signature"
            return
        params = list(sig.parameters.values())
        if kind == "method":
            params = params[1:]  # self
        if _is_forwarder(params) and hasattr(minigrad.Tensor, short):
            params = list(inspect.signature(getattr(minigrad.Tensor, short)).parameters.values())[1:]
            params.insert(0, inspect.Parameter("input", inspect.Parameter.POSITIONAL_OR_KEYWORD))
        unknown = [p.name for p in params if p.default is inspect.Parameter.empty
                   and p.kind not in (p.VAR_KEYWORD,) and _generator_for(name, p) is None]
        if unknown and name not in PER_OP:
            skipped[name] = f"no generator for required parameter(s) {', '.join(unknown)}"
            return
        ops.append(OpInfo(name, kind, params, where))

    for name in sorted(dir(minigrad)):
        obj = getattr(minigrad, name)
        if name.startswith("_") or inspect.ismodule(obj) or not callable(obj) or \
                isinstance(obj, (type,)) and name not in ("Tensor",):
            continue
        if isinstance(obj, minigrad.dtype):
            continue
        consider(name, obj, "minigrad", "function", hasattr(torch, name))
    for name in sorted(vars(minigrad.Tensor)) + sorted(
            n for n in dir(minigrad.Tensor) if n not in vars(minigrad.Tensor)):
        if name in PROTOCOL or (name.startswith("_") and not name.startswith("__")):
            continue
        attr = inspect.getattr_static(minigrad.Tensor, name)
        if any(o.name == f"Tensor.{name}" for o in ops) or f"Tensor.{name}" in skipped:
            continue
        kind = "property" if isinstance(attr, property) else "method"
        if kind == "method" and not callable(getattr(minigrad.Tensor, name)):
            continue
        consider(f"Tensor.{name}", getattr(minigrad.Tensor, name), "Tensor", kind,
                 hasattr(torch.Tensor, name))
    for name in sorted(getattr(F, "__all__", dir(F))):
        obj = getattr(F, name, None)
        if name.startswith("_") or obj is None or not callable(obj) or inspect.isclass(obj):
            continue
        consider(f"F.{name}", obj, "F", "function", hasattr(TF, name))
    return ops, skipped


def _is_forwarder(params):
    """``def f(input, *args, **kwargs)``: minigrad's torch.xxx forms of Tensor methods."""
    kinds = [p.kind for p in params]
    return inspect.Parameter.VAR_POSITIONAL in kinds and inspect.Parameter.VAR_KEYWORD in kinds


# ------------------------------------------------------------------ generating inputs

FLOAT_DTYPES = ("float64", "float32")
DTYPES = ("float64", "float64", "float64", "float32", "int64", "int32", "uint8", "bool")
SPECIAL = (0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.0, math.inf, -math.inf, math.nan)


class Gen:
    """Draws the inputs of one program (its dtype, tensors, scalars, dims ...)."""

    def __init__(self, draw, mixed_dtypes=False):
        self.draw = draw
        self.mixed_dtypes = mixed_dtypes
        self.dtype = draw.choice(DTYPES)
        self.mixed = False

    # shapes and tensors
    def shape(self, max_ndim=3):
        ndim = self.draw.int(0, max_ndim)
        return tuple(self.draw.choice((1, 2, 3, 2, 0) if not self.draw.chance(0.9) else
                                      (2, 3, 1, 2)) for _ in range(ndim))

    def partner_shape(self, shape):
        """A shape that broadcasts with ``shape`` (now and then one that does not)."""
        if self.draw.chance(0.08):
            return self.shape()
        out = list(shape)
        if out and self.draw.chance(0.3):
            out = out[self.draw.int(0, len(out)):]
        for i in range(len(out)):
            if self.draw.chance(0.2):
                out[i] = 1
        if self.draw.chance(0.1):
            out = [self.draw.choice((1, 2))] + out
        return tuple(out)

    def values(self, shape, dtype):
        n = int(np.prod(shape)) if shape else 1
        if dtype == "bool":
            vals = [self.draw.chance(0.5) for _ in range(n)]
        elif dtype == "uint8":
            vals = [self.draw.choice((0, 1, 2, 3, 127, 200, 255)) for _ in range(n)]
        elif dtype in ("int64", "int32"):
            vals = [self.draw.int(-3, 3) for _ in range(n)]
        else:
            vals = []
            for _ in range(n):
                if self.draw.chance(0.3):
                    vals.append(self.draw.choice(SPECIAL))
                else:  # a few values per tensor, so that ties happen
                    vals.append(self.draw.choice((-1.5, -0.7, 0.3, 1.1, 2.5, -3.2, 0.9)) *
                                (1 + self.draw.int(0, 3) / 7))
        return np.array(vals, dtype=np.dtype(dtype)).reshape(shape)

    def tensor(self, shape=None, dtype=None, grad=True):
        dtype = dtype or self.tensor_dtype()
        shape = self.shape() if shape is None else shape
        requires = grad and dtype in FLOAT_DTYPES and self.draw.chance(0.8)
        return TensorSpec(self.values(shape, dtype), dtype, requires)

    def tensor_dtype(self):
        if self.mixed_dtypes and self.draw.chance(0.2):
            self.mixed = True
            return self.draw.choice(DTYPES)
        return self.dtype

    def scalar(self):
        """A Python number of the program's kind (any kind with mixed dtypes)."""
        kind = self.dtype
        if self.mixed_dtypes and self.draw.chance(0.3):
            self.mixed = True
            kind = self.draw.choice(("float64", "int64", "bool"))
        if kind == "bool":
            return self.draw.chance(0.5)
        if kind in FLOAT_DTYPES:
            return self.draw.choice((0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 3.0, math.inf, math.nan))
        return self.draw.choice((0, 1, 2, -1, 3, -2, 300) if kind != "uint8" else (0, 1, 2, 3))

    def dim(self, ndim, allow_none=False, allow_seq=False):
        if allow_none and self.draw.chance(0.2):
            return None
        if allow_seq and self.draw.chance(0.25):
            k = self.draw.int(0, max(ndim, 1))
            dims = [self.draw.int(-ndim - 1, max(ndim - 1, 0)) for _ in range(k)]
            return tuple(dims) if self.draw.chance(0.6) else dims
        lo, hi = -max(ndim, 1), max(ndim, 1) - 1
        if self.draw.chance(0.08):
            return self.draw.choice((lo - 1, hi + 1, hi + 2))
        return self.draw.int(lo, hi)

    def index(self, shape):
        """A key for ``x[key]``: ints, slices, None, ..., lists, bool lists, index tensors."""
        parts = []
        for axis in range(self.draw.int(1, max(len(shape), 1) + (1 if self.draw.chance(0.1)
                                                                 else 0))):
            n = shape[axis] if axis < len(shape) else 1
            parts.append(self.index_part(n))
        if self.draw.chance(0.1):
            parts.insert(self.draw.int(0, len(parts)), self.draw.choice((None, Ellipsis)))
        if len(parts) == 1 and self.draw.chance(0.7):
            return parts[0]
        return tuple(parts)

    def index_part(self, n):
        k = self.draw.int(0, 9)
        if k <= 2:
            return self.draw.int(-n - 1, n) if self.draw.chance(0.1) else self.draw.int(-n, max(n - 1, 0))
        if k <= 4:
            start = self.draw.choice((None, 0, 1, -1))
            stop = self.draw.choice((None, 2, -1, n))
            step = self.draw.choice((None, None, 1, 2)) if not self.draw.chance(0.05) else \
                self.draw.choice((-1, 0))
            return slice(start, stop, step)
        if k == 5:
            return [self.draw.int(-n, max(n - 1, 0)) for _ in range(self.draw.int(0, 3))]
        if k == 6:
            return [self.draw.chance(0.5) for _ in range(n)]
        if k == 7:
            idx = np.array([self.draw.int(-n, max(n - 1, 0)) for _ in range(self.draw.int(0, 3))],
                           dtype=np.int64)
            return TensorSpec(idx, "int64") if self.draw.chance(0.7) else \
                TensorSpec(np.array(self.draw.int(-n, max(n - 1, 0)), dtype=np.int64), "int64")
        if k == 8:
            mask = np.array([self.draw.chance(0.5) for _ in range(n)])
            return TensorSpec(mask, "bool") if self.draw.chance(0.7) else \
                TensorSpec(mask.astype(np.uint8), "uint8")
        return [[self.draw.int(0, max(n - 1, 0)) for _ in range(2)] for _ in range(2)]


def _ndim(x):
    return x.array.ndim if isinstance(x, TensorSpec) else 1


def _shape(x):
    return x.array.shape if isinstance(x, TensorSpec) else (2,)


# Generators by parameter name: (gen, op name, the input drawn so far) -> a value.
# A parameter with a default is drawn only now and then (otherwise left out).


def _gen_other(g, name, inp):
    if g.draw.chance(0.3):
        return g.scalar()
    return g.tensor(g.partner_shape(_shape(inp)), g.tensor_dtype())


def _gen_matmul_other(g, name, inp):
    shape = _shape(inp)
    k = shape[-1] if shape else 2
    if g.draw.chance(0.1):
        k = g.draw.int(0, 3)
    tail = g.draw.choice(((k,), (k, 2), (k, 3), (2, k, 1)))
    return g.tensor(tail, g.tensor_dtype())


NAMED = {
    "input": lambda g, name, inp: g.tensor(),
    "self": lambda g, name, inp: g.tensor(),
    "tensor": lambda g, name, inp: g.tensor(),
    "other": _gen_other,
    "exponent": _gen_other,
    "value": lambda g, name, inp: g.scalar() if g.draw.chance(0.5) else g.tensor(
        (), g.tensor_dtype()),
    "src": lambda g, name, inp: g.tensor(g.partner_shape(_shape(inp)), g.tensor_dtype()),
    "condition": lambda g, name, inp: g.tensor(_shape(inp), "bool" if g.draw.chance(0.9)
                                               else g.draw.choice(DTYPES), grad=False),
    "tensors": lambda g, name, inp: [inp] + [
        g.tensor(g.draw.choice((_shape(inp), g.shape())), g.tensor_dtype())
        for _ in range(g.draw.int(0, 2))],
    "dim": lambda g, name, inp: g.dim(_ndim(inp), allow_none=True, allow_seq=True),
    "dim0": lambda g, name, inp: g.dim(_ndim(inp)),
    "dim1": lambda g, name, inp: g.dim(_ndim(inp)),
    "start_dim": lambda g, name, inp: g.dim(_ndim(inp)),
    "end_dim": lambda g, name, inp: g.dim(_ndim(inp)),
    "keepdim": lambda g, name, inp: g.draw.chance(0.5),
    "alpha": lambda g, name, inp: g.scalar(),
    "min": lambda g, name, inp: None if g.draw.chance(0.2) else g.scalar()
    if g.draw.chance(0.7) else g.tensor(g.partner_shape(_shape(inp)), g.tensor_dtype()),
    "max": lambda g, name, inp: None if g.draw.chance(0.3) else g.scalar()
    if g.draw.chance(0.7) else g.tensor(g.partner_shape(_shape(inp)), g.tensor_dtype()),
    "decimals": lambda g, name, inp: g.draw.int(-1, 2),
    "num_classes": lambda g, name, inp: g.draw.int(-1, 4),
    "key": lambda g, name, inp: g.index(_shape(inp)),
    "dtype": lambda g, name, inp: None if g.draw.chance(0.5) else DtypeSpec(
        g.draw.choice(("float64", "float32", "int64"))),
    "reduction": lambda g, name, inp: g.draw.choice(("mean", "sum", "none")),
    "fill_value": lambda g, name, inp: g.scalar(),
    "size": lambda g, name, inp: g.shape(),
    "start": lambda g, name, inp: g.draw.int(-3, 3),
    "end": lambda g, name, inp: g.draw.int(-3, 5),
    "step": lambda g, name, inp: g.draw.choice((1, 2, -1, 1)),
    "steps": lambda g, name, inp: g.draw.int(0, 4),
}
# *args parameters: a tuple of ints passed spread out or as one tuple
VARARGS = {
    "shape": lambda g, inp: _reshape_target(g, _shape(inp)),
    "size": lambda g, inp: g.shape(),
    "sizes": lambda g, inp: _expand_target(g, _shape(inp)),
    "dims": lambda g, inp: _permutation(g, _ndim(inp)),
}


def _reshape_target(g, shape):
    n = int(np.prod(shape)) if shape else 1
    options = [(n,), (-1,), (1, n), (n, 1), (-1, 1)]
    if n % 2 == 0 and n:
        options += [(2, n // 2), (2, -1)]
    if g.draw.chance(0.1):
        options = [(n + 1,), (-1, -1), (0,)]
    return g.draw.choice(options)


def _expand_target(g, shape):
    out = [s if s != 1 or g.draw.chance(0.5) else 3 for s in shape]
    if g.draw.chance(0.3):
        out = [2] + out
    if out and g.draw.chance(0.3):
        out[g.draw.int(0, len(out) - 1)] = -1
    return tuple(out)


def _permutation(g, ndim):
    dims = list(range(ndim))
    for i in range(ndim - 1, 0, -1):
        j = g.draw.int(0, i)
        dims[i], dims[j] = dims[j], dims[i]
    if dims and g.draw.chance(0.3):
        dims[0] -= ndim
    if g.draw.chance(0.05):
        dims.append(0)
    return tuple(dims)


def _generator_for(op_name, param):
    if param.kind == param.VAR_POSITIONAL:
        return VARARGS.get(param.name)
    return NAMED.get(param.name)


# Ops whose arguments depend on one another: a generator of their own.


def _gen_linear(g):
    n_in = g.draw.int(0, 3)
    x = g.tensor(g.draw.choice(((2, n_in), (n_in,), (1, 2, n_in))))
    w = g.tensor((g.draw.int(1, 3), n_in if not g.draw.chance(0.05) else n_in + 1), x.dtype)
    b = g.tensor((w.array.shape[0],), x.dtype) if g.draw.chance(0.6) else None
    return [x, w, b], {}


def _class_logits(g):
    n, c = g.draw.int(1, 3), g.draw.int(1, 4)
    return g.tensor((n, c), g.draw.choice(FLOAT_DTYPES)), n, c


def _gen_class_loss(g):
    x, n, c = _class_logits(g)
    t = TensorSpec(np.array([g.draw.int(0, c - 1) for _ in range(n)], dtype=np.int64), "int64")
    kwargs = {}
    if g.draw.chance(0.3):
        kwargs["reduction"] = g.draw.choice(("mean", "sum", "none"))
    if g.draw.chance(0.2):
        kwargs["ignore_index"] = g.draw.int(0, c - 1)
    return [x, t], kwargs


def _gen_cross_entropy(g):
    args, kwargs = _gen_class_loss(g)
    if g.draw.chance(0.3):
        kwargs["label_smoothing"] = g.draw.choice((0.1, 0.5))
    if g.draw.chance(0.3):  # class probabilities
        x = args[0]
        p = np.abs(g.values(x.array.shape, x.dtype))
        args[1] = TensorSpec(np.nan_to_num(p, nan=0.5, posinf=1.0), x.dtype)
    return args, kwargs


def _gen_elementwise_loss(g):
    x = g.tensor(g.shape(), g.draw.choice(FLOAT_DTYPES))
    t = g.tensor(x.array.shape, x.dtype, grad=False)
    t.array = np.nan_to_num(t.array, nan=0.5, posinf=1.0, neginf=0.0)
    return [x, t], {"reduction": g.draw.choice(("mean", "sum", "none"))}


def _gen_conv2d(g):
    c, groups = g.draw.int(1, 2), 1
    x = g.tensor((g.draw.int(1, 2), c, g.draw.int(2, 4), g.draw.int(2, 4)),
                 g.draw.choice(FLOAT_DTYPES))
    w = g.tensor((g.draw.int(1, 2), c // groups, g.draw.int(1, 2), g.draw.int(1, 2)), x.dtype)
    kwargs = {}
    if g.draw.chance(0.3):
        kwargs["stride"] = g.draw.int(1, 2)
    if g.draw.chance(0.3):
        kwargs["padding"] = g.draw.int(0, 1)
    return [x, w], kwargs


def _gen_max_pool2d(g):
    x = g.tensor((g.draw.int(1, 2), g.draw.int(1, 2), g.draw.int(2, 4), g.draw.int(2, 4)),
                 g.draw.choice(FLOAT_DTYPES))
    return [x, g.draw.int(1, 2)], {}


PER_OP = {
    "F.linear": _gen_linear,
    "F.cross_entropy": _gen_cross_entropy,
    "F.nll_loss": _gen_class_loss,
    "F.mse_loss": _gen_elementwise_loss,
    "F.binary_cross_entropy_with_logits": _gen_elementwise_loss,
    "F.conv2d": _gen_conv2d,
    "F.max_pool2d": _gen_max_pool2d,
}
TENSOR_FIRST = ("input", "self", "tensor")  # a function whose first parameter is a tensor


def _args_for(g, op, inp):
    """Positional args and kwargs for one call of ``op`` with first argument ``inp``."""
    per_op = PER_OP.get(op.name)
    if per_op is not None:
        return per_op(g)
    if op.kind == "property":
        return [inp], {}
    args, kwargs = [inp], {}
    params = op.params
    if op.kind == "function":
        if params and params[0].name in TENSOR_FIRST:
            params = params[1:]
        else:  # a creation function: every argument drawn by its name
            args = []
    for p in params:
        if p.kind == p.VAR_KEYWORD or p.name.startswith("_"):
            continue
        if op.name.endswith("matmul") and p.name == "other":
            args.append(_gen_matmul_other(g, op.name, inp))
            continue
        gen = _generator_for(op.name, p)
        if p.kind == p.VAR_POSITIONAL:  # torch.reshape(x, (2, 3)), x.reshape(2, 3) or ((2, 3))
            values = gen(g, inp)
            spread = op.kind == "method" and values and g.draw.chance(0.6)
            args.extend(values if spread else [values])
            continue
        required = p.default is inspect.Parameter.empty
        if gen is None or not (required or g.draw.chance(0.5)):
            continue
        if p.name == "keepdim" and "dim" not in kwargs and len(args) < 2 and \
                not g.draw.chance(0.1):
            continue  # (torch's parser refuses keepdim without dim: now and then is enough)
        value = gen(g, op.name, inp)
        if required and p.kind != p.KEYWORD_ONLY:
            args.append(value)
        else:
            kwargs[p.name] = value
    return args, kwargs


def _is_inplace(op):
    short = op.name.split(".")[-1]
    return op.kind == "method" and (short.endswith("_") and not short.endswith("__") or
                                    short.startswith("__i") or short == "__setitem__")


def _call_args(g, op, inp):
    """Arguments of one call of ``op``, with ``inp`` as its tensor input."""
    per_op = PER_OP.get(op.name)
    if per_op is not None:
        return per_op(g)
    first = op.params[0].name if op.params and op.kind == "function" else None
    if first == "condition":
        return [NAMED["condition"](g, op.name, inp), inp, _gen_other(g, op.name, inp)], {}
    args, kwargs = _args_for(g, op, inp)
    if first == "tensors":
        args[0] = NAMED["tensors"](g, op.name, inp)
    return args, kwargs


def _replace(obj, old, new):
    if obj is old:
        return new
    if isinstance(obj, list):
        return [_replace(o, old, new) for o in obj]
    return obj


def _result_hint(prog):
    """What the program so far returns (run on torch), as a TensorSpec to draw the next
    step's arguments against; None when it raises or returns no tensor."""
    import torch
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = run(prog, torch, backward=False)
    v = out.value
    if out.error is not None or not (isinstance(v, tuple) and v and v[0] == "tensor"):
        return None
    return TensorSpec(v[1], v[2])


def program(draw, ops, mixed_dtypes=False, n_steps=None):
    """A random program of one or two steps over ``ops``; a second step takes the first
    one's result as its tensor input."""
    g = Gen(draw, mixed_dtypes)
    prog = Program()
    n = n_steps or (2 if draw.chance(0.3) else 1)
    hint = None
    for i in range(n):
        op = draw.choice(ops)
        if hint is None or op.name in PER_OP or _is_inplace(op):
            inp = g.tensor(grad=not _is_inplace(op))
            args, kwargs = _call_args(g, op, inp)
        else:
            args, kwargs = _call_args(g, op, hint)
            args = [_replace(a, hint, Ref(i - 1)) for a in args]
        prog.steps.append(Step(op, args, kwargs))
        if i + 1 < n:
            hint = _result_hint(prog)
            if hint is None:
                break
            g.dtype = hint.dtype  # scalars of the next step match what it computes on
    prog.mixed = g.mixed
    return prog


def programs(ops, mixed_dtypes=False, n_steps=None):
    """A hypothesis strategy of programs (shrinks to fewer, smaller, plainer ones)."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        return program(HypothesisDraw(draw), ops, mixed_dtypes, n_steps)
    return strategy()


# ------------------------------------------------------------------ running


@dataclass
class Outcome:
    error: BaseException = None
    value: object = None          # canonical form of the result
    grads: list = None            # canonical gradients of the inputs, or an error
    grad_error: BaseException = None
    requires_grad: bool = False


def _materialize(obj, lib, steps_out, leaves):
    if isinstance(obj, TensorSpec):
        t = lib.tensor(obj.array, dtype=getattr(lib, obj.dtype))
        if obj.requires_grad:
            t.requires_grad_(True)
            leaves.append(t)
        return t
    if isinstance(obj, DtypeSpec):
        return getattr(lib, obj.name)
    if isinstance(obj, Ref):
        return steps_out[obj.step]
    if isinstance(obj, list):
        return [_materialize(o, lib, steps_out, leaves) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_materialize(o, lib, steps_out, leaves) for o in obj)
    return obj


def _callable(op, lib):
    short = op.name.split(".")[-1]
    if op.where == "F":
        return getattr(lib.nn.functional, short)
    if op.where == "Tensor":
        return None
    return getattr(lib, short)


def run(prog, lib, backward=True):
    """Run ``prog`` on ``lib`` (torch or minigrad): the result, or the error raised."""
    leaves, outs = [], []
    try:
        for step in prog.steps:
            args = [_materialize(a, lib, outs, leaves) for a in step.args]
            kwargs = {k: _materialize(v, lib, outs, leaves) for k, v in step.kwargs.items()}
            short = step.op.name.split(".")[-1]
            if step.op.kind == "property":
                out = getattr(args[0], short)
            elif step.op.where == "Tensor":
                if not isinstance(args[0], lib.Tensor):
                    raise TypeError(f"{short} needs a tensor, got {type(args[0]).__name__}")
                out = getattr(args[0], short)(*args[1:], **kwargs)
                if short == "__setitem__":
                    out = args[0]
            else:
                out = _callable(step.op, lib)(*args, **kwargs)
            outs.append(out)
        value = _canonical(outs[-1], lib)  # (a result of a dtype minigrad lacks raises here)
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return Outcome(error=e)
    result = Outcome(value=value)
    floats = [t for t in _tensors(outs[-1], lib) if t.requires_grad]
    result.requires_grad = bool(floats)
    if floats and backward:
        try:
            loss = None
            for k, t in enumerate(floats):
                w = np.random.default_rng(k).standard_normal(tuple(t.shape))
                term = (t * lib.tensor(w, dtype=t.dtype)).sum()
                loss = term if loss is None else loss + term
            loss.backward()
        except Exception as e:  # noqa: BLE001
            result.grad_error = e
    result.grads = [None if t.grad is None else _canonical(t.grad, lib) for t in leaves]
    return result


def _tensors(out, lib):
    if isinstance(out, lib.Tensor):
        return [out] if out.dtype.is_floating_point else []
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o, lib)]
    return []


def _canonical(out, lib):
    """A library-neutral form of a result: arrays with dtype names, tuples, numbers."""
    if isinstance(out, lib.Tensor):
        arr = out.detach().numpy() if hasattr(out, "detach") else out.numpy()
        return ("tensor", np.array(arr), str(out.dtype).split(".")[-1])
    if isinstance(out, (tuple, list)):
        return tuple(_canonical(o, lib) for o in out)
    if isinstance(out, lib.dtype):
        return ("dtype", str(out).split(".")[-1])
    if isinstance(out, np.ndarray):
        return ("tensor", out, str(out.dtype))
    if isinstance(out, (bool, int, float, type(None), str)):
        return out
    return ("object", type(out).__name__)


# ------------------------------------------------------------------ comparing


@dataclass
class Disagreement:
    kind: str      # "raise", "error type", "value", "shape", "dtype", "grad", "requires_grad"
    detail: str
    program: Program

    def __str__(self):
        return f"[{self.kind}] {self.program!r}\n    {self.detail}"


def compare(prog, rtol=1e-9, atol=1e-11):
    """None when minigrad and torch agree on ``prog``, else the first Disagreement."""
    import torch

    import minigrad
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        th = run(prog, torch)
        mg = run(prog, minigrad)
    if _uses(prog, "float32") or not _uses(prog, "float64"):
        # float32 steps (also the float results of int programs) round as float32 does
        rtol, atol = max(rtol, 1e-5), max(atol, 1e-6)
    return _compare_outcomes(th, mg, prog, rtol, atol)


def _uses(obj, dtype):
    """Whether a tensor or a dtype argument of the program is ``dtype``."""
    if isinstance(obj, Program):
        return any(_uses(a, dtype) for s in obj.steps for a in (*s.args, *s.kwargs.values()))
    if isinstance(obj, (TensorSpec, DtypeSpec)):
        return (obj.dtype if isinstance(obj, TensorSpec) else obj.name) == dtype
    if isinstance(obj, (list, tuple)):
        return any(_uses(o, dtype) for o in obj)
    return False


def _compare_outcomes(th, mg, prog, rtol, atol):
    def bad(kind, detail):
        return Disagreement(kind, detail, prog)

    if (th.error is None) != (mg.error is None):
        if th.error is not None:
            return bad("raise", f"torch raises {type(th.error).__name__}: "
                       f"{_first_line(th.error)}; minigrad returns {_short(mg.value)}")
        return bad("raise", f"minigrad raises {type(mg.error).__name__}: "
                   f"{_first_line(mg.error)}; torch returns {_short(th.value)}")
    if th.error is not None:
        if not isinstance(mg.error, type(th.error)) and not _same_family(th.error, mg.error):
            return bad("error type", f"torch raises {type(th.error).__name__}: "
                       f"{_first_line(th.error)}; minigrad {type(mg.error).__name__}: "
                       f"{_first_line(mg.error)}")
        return None
    problem = _compare_values(th.value, mg.value, rtol, atol, check_dtype=not prog.mixed)
    if problem:
        return bad(*problem)
    if th.requires_grad != mg.requires_grad:
        return bad("requires_grad", f"torch's result requires grad: {th.requires_grad}, "
                   f"minigrad's: {mg.requires_grad}")
    if (th.grad_error is None) != (mg.grad_error is None):
        which = "torch" if th.grad_error is not None else "minigrad"
        err = th.grad_error or mg.grad_error
        return bad("grad", f"{which}'s backward raises {type(err).__name__}: "
                   f"{_first_line(err)}")
    for i, (a, b) in enumerate(zip(th.grads, mg.grads)):
        if a is None and b is None:
            continue
        a = a if a is not None else ("tensor", np.zeros_like(b[1]), b[2])
        b = b if b is not None else ("tensor", np.zeros_like(a[1]), a[2])
        problem = _compare_values(a, b, rtol, atol, check_dtype=True)
        if problem:
            return bad("grad", f"gradient of input {i}: {problem[1]}")
    return None


def _same_family(a, b):
    """torch's NotImplementedError for a dtype it lacks a kernel for is a RuntimeError."""
    return isinstance(a, RuntimeError) and isinstance(b, RuntimeError)


def _compare_values(a, b, rtol, atol, check_dtype):
    if isinstance(a, tuple) and a and a[0] == "tensor":
        if not (isinstance(b, tuple) and b and b[0] == "tensor"):
            return "value", f"torch returns a tensor, minigrad {_short(b)}"
        (_, x, dx), (_, y, dy) = a, b
        if x.shape != y.shape:
            return "shape", f"torch shape {x.shape}, minigrad {y.shape}"
        if check_dtype and dx != dy:
            return "dtype", f"torch dtype {dx}, minigrad {dy}"
        if not _close(x, y, rtol, atol, dx):
            return "value", f"torch {_fmt(x)}, minigrad {_fmt(y)}"
        return None
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return "value", f"torch returns {len(a)} items, minigrad {len(b)}"
        for u, v in zip(a, b):
            p = _compare_values(u, v, rtol, atol, check_dtype)
            if p:
                return p
        return None
    if isinstance(a, float) and isinstance(b, (int, float)):
        # a Python float (item, tolist) may come from float32: compare to float32's precision
        if not _close(np.array(a), np.array(float(b)), max(rtol, 1e-6), max(atol, 1e-7),
                      "float64"):
            return "value", f"torch {a!r}, minigrad {b!r}"
        return None
    if a != b or type(a) is not type(b) and not (isinstance(a, int) and isinstance(b, int)):
        return "value", f"torch {_short(a)}, minigrad {_short(b)}"
    return None


def _close(x, y, rtol, atol, dtype):
    if x.dtype.kind in "fc" or y.dtype.kind in "fc":
        if dtype == "float32":
            rtol, atol = max(rtol, 1e-5), max(atol, 1e-6)
        x, y = x.astype(np.float64), y.astype(np.float64)
        return bool(np.all((np.isnan(x) == np.isnan(y)))) and bool(
            np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(x, y))


def _fmt(a):
    return np.array2string(np.asarray(a), threshold=12, precision=6).replace("\n", "")


def _short(v):
    if isinstance(v, tuple) and v and v[0] == "tensor":
        return f"tensor {_fmt(v[1])} ({v[2]})"
    text = repr(v)
    return text if len(text) < 120 else text[:117] + "..."


def _first_line(e):
    text = str(e).strip().split("\n")[0]
    return text if len(text) < 160 else text[:157] + "..."


# ------------------------------------------------------------------ known disagreements


INPLACE = ("Tensor.add_", "Tensor.sub_", "Tensor.mul_", "Tensor.div_", "Tensor.copy_",
           "Tensor.fill_", "Tensor.zero_", "Tensor.clamp_", "Tensor.__iadd__", "Tensor.__isub__",
           "Tensor.__imul__", "Tensor.__itruediv__", "Tensor.__setitem__")
RELU = ("relu", "Tensor.relu", "F.relu")
ARGUMENT_PARSING = ("received an invalid combination of arguments", "missing 1 required",
                    "positional argument", "must be tuple of ints, not", "must be int, not",
                    "must be Tensor, not")


@dataclass
class Known:
    """A disagreement minigrad keeps on purpose (or leaves to another issue), and why."""
    ops: tuple     # any of these ops in the program ("*": any op)
    kinds: tuple   # "raise", "error type", "dtype", "grad", "requires_grad" ...
    reason: str
    details: tuple = ("",)  # the disagreement's detail contains one of these
    when: object = None     # and, if given, when(disagreement) holds

    def matches(self, d):
        return ((self.ops == "*" or any(op in d.program.ops for op in self.ops)) and
                d.kind in self.kinds and any(t in d.detail for t in self.details) and
                (self.when is None or self.when(d)))


KNOWN = [
    Known("*", ("raise", "error type"), "torch's argument parser rejects some calls that "
          "minigrad's Python signatures accept (keepdim without dim, dim=None for max/min/"
          "squeeze, torch.permute(x, 0, 1) or torch.reshape(x, -1) spread out, a number "
          "where a tensor is due): minigrad is lenient there, not wrong",
          details=ARGUMENT_PARSING),
    Known("*", ("dtype",), "type promotion (issue 13): integer inputs to true division and to "
          "tanh/sqrt-like ops of mixed programs give float64 here, torch's default float32",
          details=("torch dtype float32, minigrad float64",)),
    Known(INPLACE, ("requires_grad", "grad"), "in-place ops record no graph in minigrad yet "
          "(the in-place and version semantics issue, worked on separately)"),
    Known(INPLACE, ("error type",), "in-place ops leak NumPy's errors (casting, broadcasting "
          "into the output); they are being rewritten by the in-place semantics issue"),
    Known(("Tensor.view", "Tensor.view_as"), ("raise",), "minigrad keeps its own memory "
          "layouts (a Linear's output is feature-major), so whether a view needs a copy "
          "differs from torch; view reshapes (copying when it must) instead of raising",
          details=("view size is not compatible",)),
    Known(RELU, ("raise",), "relu of a bool tensor returns it (torch has no kernel); checking "
          "the dtype would add work to ReLU's forward, a hot path", details=("Boolean",)),
    Known(RELU, ("grad",), "relu's backward multiplies by a 0/1 mask (30x faster than a "
          "select on random signs), so an infinite or NaN gradient reaching a unit that is off "
          "gives NaN where torch gives 0", when=lambda d: d.program.ops[-1] not in RELU),
    Known(("Tensor.__rtruediv__",), ("grad",), "torch computes other / x as other * "
          "x.reciprocal(), so at x = +-0 its gradient sums the upstream gradient before "
          "meeting the infinity; minigrad's division meets it per element (inf - inf = NaN)",
          when=lambda d: "nan" in d.detail or "inf" in d.detail),
    Known(("round",), ("raise",), "torch's round of an int32 or uint8 tensor raises or not "
          "depending on which kernel runs (a 0-d or row tensor: 'round_vml_cpu' is missing); "
          "minigrad returns the integers", details=("round_vml_cpu",)),
    Known(("Tensor.__setitem__",), ("raise",), "torch writes a number through a uint8 mask "
          "with masked_fill_, which takes only bool masks; minigrad reads uint8 as a mask "
          "everywhere", details=("masked_fill_ only supports boolean masks",)),
    Known(("F.cross_entropy", "F.nll_loss"), ("value", "grad"), "the fused losses multiply "
          "an ignored sample's loss by 0 (no select in the hot path), so a NaN or infinite "
          "logit there makes the loss NaN where torch skips the sample",
          when=lambda d: "ignore_index" in repr(d.program) and "nan" in d.detail),
    Known(("add", "sub", "Tensor.add", "Tensor.sub"), ("grad",), "with an infinite or NaN "
          "alpha the gradient of `other` depends on whether the broadcast sum comes before "
          "the scaling (minigrad) or after it (torch)",
          when=lambda d: "alpha=inf" in repr(d.program) or "alpha=nan" in repr(d.program)),
    Known(("Tensor.__getitem__", "Tensor.__setitem__", "amax", "amin", "Tensor.amax",
           "Tensor.amin"), ("error type",), "an argument with two faults (a zero step and too "
          "many indices, a repeated dim of size 0): torch and minigrad name different ones "
          "first"),
    Known(("Tensor.pow", "Tensor.__pow__", "pow"), ("grad", "value"), "pow with exponent 0.5 "
          "at -0 and -inf: torch and NumPy take their sqrt and rsqrt shortcuts in different "
          "cases (a number or a 0-d tensor exponent), which differ there: sqrt(-inf) is NaN, "
          "pow(-inf, 0.5) is inf, rsqrt(-0) is -inf, pow(-0, -0.5) is +inf",
          when=lambda d: "0.5" in repr(d.program) and ("inf" in d.detail or "nan" in d.detail)),
    Known(("F.cross_entropy", "F.nll_loss", "F.mse_loss", "F.binary_cross_entropy_with_logits"),
          ("grad",), "the fused losses spread the gradient with a one-hot multiply (no select "
          "in the hot path): an infinite upstream gradient gives NaN where torch gives 0",
          when=lambda d: len(d.program.steps) > 1 and "inf" in repr(d.program.steps[1]) and
          "nan" in d.detail),
    Known("*", ("raise", "error type", "value", "grad"), "a first step whose dtype differs by "
          "type promotion (int / int is float64 here, float32 in torch) makes the second one "
          "meet different dtypes: issue 13", when=lambda d: len(d.program.steps) > 1 and
          d.program.ops[0] in ("Tensor.__truediv__", "Tensor.__rtruediv__", "div",
                               "Tensor.div", "Tensor.tanh", "tanh", "F.tanh") and
          "float32" in repr(d.program) + d.detail or "dtype" in d.detail and "Double" in d.detail
          and len(d.program.steps) > 1 and "float32" not in repr(d.program)),
    Known("*", ("value",), "the sign of a zero loss (torch -0., minigrad +0.), seen only "
          "through a division by it", when=lambda d: d.program.ops[0] in (
              "F.cross_entropy", "F.nll_loss", "F.mse_loss",
              "F.binary_cross_entropy_with_logits") and "inf" in d.detail),
    Known(("F.max_pool2d",), ("grad",), "max pooling's backward multiplies g by each "
          "offset's 0/1 mask (no select in the hot path; see MaxPool2DWithIndices): a NaN or "
          "infinite upstream gradient spreads NaN over its window where torch puts 0",
          when=lambda d: len(d.program.steps) > 1 and "nan" in d.detail),
    Known(("F.conv2d",), ("value", "grad"), "with infinite or NaN inputs, torch's convolution "
          "(oneDNN's algorithms) and minigrad's im2col + one matrix product meet the "
          "infinities in different sums, so inf and NaN land in different places",
          when=lambda d: "inf" in repr(d.program) or "nan" in repr(d.program)),
    Known(("Tensor.copy_",), ("raise",), "copy_ broadcasts as NumPy does (a 1-element source "
          "into a 0-d tensor); in-place semantics are another issue's",
          details=("doesn't match the broadcast shape",)),
    Known(("F.linear", "matmul", "Tensor.matmul", "Tensor.__matmul__", "Tensor.__rmatmul__"),
          ("raise",), "products of bool matrices work in minigrad (torch has no kernel); a "
          "dtype check would add work to Linear's forward", details=(
              "not implemented for 'Bool'", "can't be cast to the desired output type Bool")),
]


def known_reason(d):
    for k in KNOWN:
        if k.matches(d):
            return k.reason
    return None


# ------------------------------------------------------------------ the long run


def fuzz(cases, seed=0, mixed_dtypes=False, ops=None, progress=False):
    """Run ``cases`` random programs; return (agreed, known, new, skipped ops)."""
    all_ops, skipped = discover()
    ops = all_ops if ops is None else [o for o in all_ops if o.name in ops]
    agreed, known, new = 0, [], []
    for i in range(cases):
        prog = program(RandomDraw(seed * 1_000_003 + i), ops, mixed_dtypes)
        d = compare(prog)
        if d is None:
            agreed += 1
        elif known_reason(d):
            known.append(d)
        else:
            new.append(d)
        if progress and (i + 1) % 500 == 0:
            print(f"  {i + 1} programs, {len(new)} disagreements", file=sys.stderr)
    return agreed, known, new, skipped


def shrink(d, ops, mixed_dtypes=False, max_examples=100):
    """A minimal program over the same ops that disagrees in the same way (hypothesis)."""
    from hypothesis import HealthCheck, find, settings

    chosen = [o for o in ops if o.name in d.program.ops]
    n = len(d.program.steps)

    def disagrees(data_prog):
        got = compare(data_prog)
        return got is not None and got.kind == d.kind and not known_reason(got)

    try:
        prog = find(programs(chosen, mixed_dtypes, n_steps=n), disagrees, settings=settings(
            max_examples=max_examples, database=None, deadline=None,
            suppress_health_check=list(HealthCheck)))
    except Exception:  # noqa: BLE001 - not found again: show the original
        return d
    return compare(prog) or d


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m parity.fuzz", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mixed-dtypes", action="store_true",
                        help="let programs mix dtypes (compares type promotion)")
    parser.add_argument("--show", type=int, default=5, help="disagreements to shrink and show")
    parser.add_argument("--ops", nargs="*", help="only these ops (names as listed by --list)")
    parser.add_argument("--list", action="store_true", help="list the ops and the skipped ones")
    args = parser.parse_args(argv)
    ops, skipped = discover()
    if args.list:
        print(f"{len(ops)} ops: " + ", ".join(o.name for o in ops))
        print(f"{len(skipped)} skipped:")
        for name, why in sorted(skipped.items()):
            print(f"  {name}: {why}")
        return 0
    agreed, known, new, skipped = fuzz(args.cases, args.seed, args.mixed_dtypes, args.ops,
                                       progress=True)
    pct = 100.0 * agreed / max(args.cases, 1)
    print(f"fuzz: {agreed} of {args.cases} programs agreed with torch ({pct:.1f}%); "
          f"{len(known)} known disagreements (allowlisted), {len(new)} new; "
          f"{len(ops)} ops, {len(skipped)} skipped")
    print("skipped ops: " + ", ".join(f"{n} ({w})" for n, w in sorted(skipped.items())))
    if known:
        kinds = {}
        for d in known:
            r = known_reason(d)
            kinds[r] = kinds.get(r, 0) + 1
        print("known:")
        for r, n in kinds.items():
            print(f"  {n} x {r}")
    seen = set()
    shown = 0
    for d in new:
        sig = (d.program.ops, d.kind)
        if sig in seen or shown >= args.show:
            continue
        seen.add(sig)
        shown += 1
        print(f"disagreement {shown} (shrunk):\n  {shrink(d, ops, args.mixed_dtypes)}")
    by_kind = {}
    for d in new:
        key = f"{'+'.join(d.program.ops)} [{d.kind}]"
        by_kind[key] = by_kind.get(key, 0) + 1
    if by_kind:
        print("new disagreements by op and kind: " + ", ".join(
            f"{k} x{n}" for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1])))
    return 0 if not new else 1


if __name__ == "__main__":
    sys.exit(main())
