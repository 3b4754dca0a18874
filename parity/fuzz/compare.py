"""Running a program on torch and on minigrad, and comparing what comes out: whether both
raise (and the error's type), values (NaN-aware), shapes, dtypes and gradients.

``order=2`` differentiates twice: the gradients of the weighted output are taken with
``autograd.grad(create_graph=True)`` and compared (kind "cg-grad" when only these differ from
the plain backward's), then a random weighting of them is differentiated again and those
second derivatives are compared (kind "grad2")."""
import warnings
from dataclasses import dataclass, replace

import numpy as np

from .programs import DtypeSpec, Program, Ref, TensorSpec

@dataclass
class Outcome:
    error: BaseException = None
    value: object = None          # canonical form of the result
    grads: list = None            # canonical gradients of the inputs, or an error
    grad_error: BaseException = None
    requires_grad: bool = False
    grads2: list = None           # second derivatives of the inputs (order 2)
    grad2_error: BaseException = None
    order2: bool = False          # whether the gradients depend on the inputs (order 2)
    retained: list = None         # retain_grad's gradients of the intermediate results


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


def run(prog, lib, backward=True, order=1):
    """Run ``prog`` on ``lib`` (torch or minigrad): the result, or the error raised; with
    ``order=2`` also the second derivatives (the gradients then come from autograd.grad
    with create_graph=True)."""
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
    if order == 1:
        if floats and backward:
            try:
                _weighted_sum(floats, lib, 0).backward()
            except Exception as e:  # noqa: BLE001
                result.grad_error = e
        result.grads = [None if t.grad is None else _canonical(t.grad, lib) for t in leaves]
        return result
    return _second_order(result, floats, leaves, lib, outs[:-1] if prog.hooks else None)


def _add_hooks(leaves, inner, lib):
    """The program's ``HOOKS``: a doubling hook on every leaf and intermediate result that
    requires grad; the intermediate ones also retain their gradient. Returns the handles."""
    handles = []
    for t in leaves + [t for t in inner if isinstance(t, lib.Tensor)]:
        if t.requires_grad:
            handles.append(t.register_hook(lambda g: g * 2))
            if not t.is_leaf:
                t.retain_grad()
    return handles


def _weighted_sum(tensors, lib, seed):
    """sum_k (t_k * w_k).sum() with fixed random weights w_k (seeded by seed + k), or None
    when no tensor is given (a None in ``tensors`` keeps its k, so both libraries weight the
    same tensor with the same w)."""
    loss = None
    for k, t in enumerate(tensors):
        if t is None:
            continue
        w = np.random.default_rng(seed + k).standard_normal(tuple(t.shape))
        term = (t * lib.tensor(w, dtype=t.dtype)).sum()
        loss = term if loss is None else loss + term
    return loss


def _second_order(result, floats, leaves, lib, inner=None):
    """The gradients of the weighted output with create_graph=True, then the gradients of
    their weighted sum: the second derivatives (a Hessian-vector product). With ``inner``
    (the hooks' program) the first ones come from backward(create_graph=True), and the
    intermediate results' retained gradients are kept too."""
    grad = lib.autograd.grad
    result.grads = [None] * len(leaves)
    if not (floats and leaves):
        return result
    try:
        loss = _weighted_sum(floats, lib, 0)
        if inner is None:
            firsts = grad(loss, leaves, allow_unused=True, create_graph=True)
        else:
            handles = _add_hooks(leaves, inner, lib)
            loss.backward(create_graph=True)
            firsts = [t.grad for t in leaves]
            # (the second backward runs without them: how often a hook on an intermediate
            # result fires again there depends on whether the op's backward formula reuses
            # that result, which differs between torch's formulas and minigrad's)
            for h in handles:
                h.remove()
            result.retained = [_canonical(t.grad, lib) if isinstance(t, lib.Tensor) and
                               t.grad is not None else None for t in inner]
        result.grads = [None if g is None else _canonical(g, lib) for g in firsts]
    except Exception as e:  # noqa: BLE001
        result.grad_error = e
        return result
    # the gradients that depend on the inputs, weighted (seeded apart from the first weights)
    varying = [g if g is not None and g.requires_grad else None for g in firsts]
    result.grads2 = [None] * len(leaves)
    if not any(g is not None for g in varying):
        return result
    result.order2 = True
    try:
        seconds = grad(_weighted_sum(varying, lib, 1000), leaves, allow_unused=True)
        result.grads2 = [None if g is None else _canonical(g, lib) for g in seconds]
    except Exception as e:  # noqa: BLE001
        result.grad2_error = e
    return result


def _tensors(out, lib):
    if isinstance(out, lib.Tensor):
        return [out] if out.dtype.is_floating_point else []
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o, lib)]
    return []


_FORCE = {"torch": {"force": True}}  # (torch's double backward may return a ZeroTensor)


def _canonical(out, lib):
    """A library-neutral form of a result: arrays with dtype names, tuples, numbers."""
    if isinstance(out, lib.Tensor):
        arr = out.detach().numpy(**_FORCE.get(lib.__name__, {}))
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
    kind: str      # "raise", "error type", "value", "shape", "dtype", "grad", "requires_grad";
    detail: str    # order 2: "cg-grad" (gradients with create_graph=True), "grad2"
    program: Program
    nonfinite: bool = False  # grad2: they differ only where one side is infinite or NaN

    def __str__(self):
        return f"[{self.kind}] {self.program!r}\n    {self.detail}"


def compare(prog, rtol=1e-9, atol=1e-11, order=1, stats=None):
    """None when minigrad and torch agree on ``prog``, else the first Disagreement.

    ``order=2`` compares second derivatives too; ``stats`` (a dict), if given, counts the
    programs whose second derivatives were compared ("order2") and those where torch's are
    not all zero ("order2_nonzero")."""
    import torch

    import minigrad
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        th = run(prog, torch, order=order)
        mg = run(prog, minigrad, order=order)
    if _uses(prog, "float32") or not _uses(prog, "float64"):
        # float32 steps (also the float results of int programs) round as float32 does
        rtol, atol = max(rtol, 1e-5), max(atol, 1e-6)
    for low in _casts_down(prog):  # (x.half() in a float64 program: what follows rounds so)
        rtol, atol = max(rtol, RTOL[low]), max(atol, RTOL[low] / 10)
    d = _compare_outcomes(th, mg, prog, rtol, atol)
    if order == 1:
        return d
    return _compare_order2(th, mg, prog, d, rtol, atol, stats)


def _compare_order2(th, mg, prog, d, rtol, atol, stats):
    """The verdict of an order-2 run, given ``d``, what its first-order results say."""
    plain = replace(prog, hooks=False)  # (a first-order disagreement: shown without hooks)
    if d is not None and d.kind == "grad":
        # the gradients with create_graph=True differ: the plain backward's may already
        first = compare(plain, rtol, atol)
        if first is not None:
            return first
        return Disagreement("cg-grad", d.detail.replace("backward", "backward with "
                            "create_graph=True").replace("gradient of", "gradient "
                            "(create_graph=True) of"), prog)
    if d is not None:
        return Disagreement(d.kind, d.detail, plain)
    problem = _compare_grads(th.retained or [], mg.retained or [], rtol, atol)
    if problem:
        # a retained gradient is a first-order one: the first-order allowlist applies to it
        as_first = Disagreement("grad", f"retained gradient of y{problem[0]}: {problem[1]}", prog)
        from .known import KNOWN
        if any(k.matches(as_first) for k in KNOWN):
            return as_first
        return Disagreement("cg-grad", as_first.detail, prog)
    if stats is not None and (th.order2 or mg.order2):
        stats["order2"] = stats.get("order2", 0) + 1
        if th.grads2 and any(g is not None and np.any(g[1] != 0) for g in th.grads2):
            stats["order2_nonzero"] = stats.get("order2_nonzero", 0) + 1
    return _compare_second(th, mg, prog, rtol, atol)


def _compare_second(th, mg, prog, rtol, atol):
    if (th.grad2_error is None) != (mg.grad2_error is None):
        which = "torch" if th.grad2_error is not None else "minigrad"
        err = th.grad2_error or mg.grad2_error
        return Disagreement("grad2", f"{which}'s second backward raises "
                            f"{type(err).__name__}: {_first_line(err)}", prog)
    if th.grad2_error is not None:
        return None
    # below float64, a second derivative is a longer chain of roundings (and torch's formula
    # for it is not minigrad's): ten times the tolerance of the values
    if rtol > 1e-9:
        rtol, atol = rtol * 10, atol * 10
    problem = _compare_grads(th.grads2 or [], mg.grads2 or [], rtol, atol)
    if problem:
        i, detail = problem
        return Disagreement("grad2", f"second derivative of input {i}: {detail}"
                            f"{_zero_note(th, mg)}", prog,
                            nonfinite=_differ_only_nonfinite(th.grads2[i], mg.grads2[i], rtol,
                                                             atol))
    return None


# Casts that lower the precision of what follows, and the relative tolerance of a dtype
CASTS = {"Tensor.float": "float32", "Tensor.half": "float16", "Tensor.bfloat16": "bfloat16"}
RTOL = {"float32": 1e-5, "float16": 5e-3, "bfloat16": 3e-2}


def _casts_down(prog):
    return [CASTS[op] for op in prog.ops if op in CASTS]


def _differ_only_nonfinite(a, b, rtol, atol):
    """Whether two gradients agree wherever both are finite (None is zero)."""
    if a is None or b is None:
        return False
    x, y = np.asarray(a[1], dtype=np.float64), np.asarray(b[1], dtype=np.float64)
    if x.shape != y.shape:
        return False
    both = np.isfinite(x) & np.isfinite(y)
    return bool(np.allclose(x[both], y[both], rtol=rtol, atol=atol))


def _zero_note(th, mg):
    """Say so when one side's gradients did not depend on the inputs (no second backward)."""
    if th.order2 != mg.order2:
        return (f" ({'minigrad' if th.order2 else 'torch'}'s gradients do not require grad:"
                f" its second derivatives are zero)")
    return ""


def _compare_grads(th_grads, mg_grads, rtol, atol):
    """(input index, problem) of the first gradient that differs (None is zero), or None."""
    for i, (a, b) in enumerate(zip(th_grads, mg_grads)):
        if a is None and b is None:
            continue
        a = a if a is not None else ("tensor", np.zeros_like(b[1]), b[2])
        b = b if b is not None else ("tensor", np.zeros_like(a[1]), a[2])
        problem = _compare_values(a, b, rtol, atol, check_dtype=True)
        if problem:
            return i, problem[1]
    return None


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
    problem = _compare_grads(th.grads, mg.grads, rtol, atol)
    if problem:
        return bad("grad", f"gradient of input {problem[0]}: {problem[1]}")
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
        elif dtype in ("float16", "bfloat16"):  # (one unit in the last place apart)
            rtol, atol = max(rtol, 5e-3 if dtype == "float16" else 3e-2), max(atol, 1e-3)
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
