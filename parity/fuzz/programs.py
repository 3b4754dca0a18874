"""Random programs: the choices (seeded or drawn by hypothesis), the inputs (shapes, dtypes,
special values), the arguments of each op (by parameter name, or an op's own generator),
and programs of one or two steps."""
import inspect
import math
import random
import warnings
from dataclasses import dataclass, field

import numpy as np

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
        # (np.asarray: astype(object) of a 0-d array can hand back a plain Python number)
        body = np.array2string(np.asarray(self.array.astype(object)) if self.dtype != "bool"
                               else self.array, separator=", ").replace("\n", "")
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


HOOKS = ("hooks: each leaf and y0..y(n-2) that requires grad gets register_hook(lambda g: "
         "g * 2), those y also retain_grad(); first derivatives by backward(create_graph=True), "
         "then the hooks are removed")


@dataclass
class Program:
    steps: list = field(default_factory=list)
    mixed: bool = False
    hooks: bool = False   # (order 2) hooks, retain_grad and backward(create_graph=True)

    def __repr__(self):
        text = "; ".join(f"y{i} = {s!r}" for i, s in enumerate(self.steps))
        return text + ("" if not self.hooks else f"  # {HOOKS}")

    @property
    def ops(self):
        return tuple(s.op.name for s in self.steps)


# ------------------------------------------------------------------ generating inputs

FLOAT_DTYPES = ("float64", "float32")
DTYPES = ("float64", "float64", "float64", "float32", "int64", "int32", "uint8", "bool")
DIFFERENTIABLE = ("float64", "float64", "float64", "float32")  # (the second-order mode's)
SPECIAL = (0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.0, math.inf, -math.inf, math.nan)


class Gen:
    """Draws the inputs of one program (its dtype, tensors, scalars, dims ...)."""

    def __init__(self, draw, mixed_dtypes=False, differentiable=False):
        self.draw = draw
        self.mixed_dtypes = mixed_dtypes
        self.dtype = draw.choice(DTYPES if not differentiable else DIFFERENTIABLE)
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
        elif dtype.startswith("int"):  # (int16 and int8 too: a step's output, like short())
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
            if self.draw.chance(0.1):
                return self.draw.int(-n - 1, n)  # (now and then out of range)
            return self.draw.int(-n, max(n - 1, 0))
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


def generator_for(param):
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
        gen = generator_for(p)
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
    on_input = ON_INPUT.get(op.name)
    if on_input is not None:
        return on_input(g, inp)
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

    from .compare import run  # (compare imports this module)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = run(prog, torch, backward=False)
    v = out.value
    if out.error is not None or not (isinstance(v, tuple) and v and v[0] == "tensor"):
        return None
    return TensorSpec(v[1], v[2])


def program(draw, ops, mixed_dtypes=False, n_steps=None, differentiable=False):
    """A random program of one or two steps over ``ops``; a second step takes the first
    one's result as its tensor input. ``differentiable`` (order 2): its dtype is a float
    one, and now and then it runs with hooks (see ``HOOKS``)."""
    g = Gen(draw, mixed_dtypes, differentiable)
    prog = Program()
    n = n_steps or (2 if draw.chance(0.3) else 1)
    hint = None
    for i in range(n):
        op = draw.choice(ops)
        # (in-place ops start from a fresh tensor, but for those of shaped.py, which chain
        # after a step: their gradients must reach the history of the tensor they write)
        if hint is None or op.name in PER_OP or _is_inplace(op) and op.name not in ON_INPUT:
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
    prog.hooks = differentiable and draw.chance(0.25)
    return prog


def programs(ops, mixed_dtypes=False, n_steps=None, differentiable=False):
    """A hypothesis strategy of programs (shrinks to fewer, smaller, plainer ones)."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        return program(HypothesisDraw(draw), ops, mixed_dtypes, n_steps, differentiable)
    return strategy()


# Ops whose arguments depend on the input's shape (gather's index, chunk's count, pooling's
# kernel ...): their generators, given the input, live in shaped.py.
from .shaped import ON_INPUT  # noqa: E402  (it builds on the pieces above)
