"""Check an op's forward and backward against PyTorch's.

    from parity import check_op, strategies as S
    check_op(lambda x: x.tanh(), lambda x: x.tanh(), (3, 4))            # a shape
    check_op(lambda a, b: a * b, lambda a, b: a * b, S.arrays((2, 3)), S.arrays((2, 3)))

Each input may be a shape tuple (standard-normal float64 data), a NumPy array, a hypothesis
strategy (drawn afresh for every example), or any other value (passed to both functions as
it is: an int ``dim``, ``None`` ...). Float arrays become float64 tensors that require grad on
both sides. The outputs must match, and after backward with the same random upstream
gradient, so must every input's gradient. A mismatch raises ``OpMismatch`` saying which
output or input differs, by how much, where, and for which inputs; success returns an
``OpCheck`` that says what was compared (``print(check_op(...))``)::

    check_op <lambda>: 1 example(s), 1 output(s) and 1 gradient(s) each, agree with torch
    (rtol 1e-09, atol 1e-12); largest difference 1.1e-16 relative
"""
from dataclasses import dataclass

import numpy as np

DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 1e-12


class OpMismatch(AssertionError):
    """Raised when minigrad and PyTorch disagree on an op's value or gradient."""


@dataclass
class OpCheck:
    """What a successful ``check_op`` compared: how many examples, outputs and input
    gradients per example, and the largest relative difference it saw."""
    name: str
    examples: int = 0
    outputs: int = 0
    gradients: int = 0
    worst_rel: float = 0.0
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    order: int = 1

    def __str__(self):
        orders = "" if self.order == 1 else f" of orders 1 to {self.order}"
        return (f"check_op {self.name}: {self.examples} example(s), {self.outputs} output(s) "
                f"and {self.gradients} gradient(s){orders} each, agree with torch (rtol "
                f"{self.rtol:g}, atol {self.atol:g}); largest difference {self.worst_rel:.1e} "
                f"relative")


def check_op(minigrad_fn, torch_fn, *inputs, device="cpu", rtol=DEFAULT_RTOL,
             atol=DEFAULT_ATOL, max_examples=30, seed=0, name=None, order=1):
    """Compare ``minigrad_fn(*inputs)`` with ``torch_fn(*inputs)``, values and gradients.

    With hypothesis strategies among the inputs, ``max_examples`` inputs are drawn (and a
    failure is shrunk to a small example); otherwise the check runs once. Returns an
    ``OpCheck`` (print it to see what was checked); raises ``OpMismatch`` on a difference.

    ``order=2`` also compares second derivatives (and 3 third ...): the gradients are
    computed with ``create_graph=True``, weighted by fresh random tensors and summed, and
    that sum is differentiated again, on both sides (a Hessian-vector product, for
    order 2).
    """
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis.strategies import SearchStrategy

    label = name or _name(minigrad_fn)
    report = OpCheck(label, rtol=rtol, atol=atol, order=order)
    if not any(isinstance(i, SearchStrategy) for i in inputs):
        _compare_once(minigrad_fn, torch_fn, _concrete(inputs, seed), device, rtol, atol, label,
                      report)
        return report

    drawn = st.tuples(*(i if isinstance(i, SearchStrategy) else st.just(i) for i in inputs))

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(drawn)
    def run(values):
        _compare_once(minigrad_fn, torch_fn, _concrete(values, seed), device, rtol, atol, label,
                      report)

    run()
    return report


def _name(fn):
    """``Cube.apply`` for a Function's apply, else the function's own name."""
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, type):
        return f"{owner.__name__}.{fn.__name__}"
    return getattr(fn, "__name__", None) or "op"


def _concrete(inputs, seed):
    rng = np.random.default_rng(seed)
    out = []
    for i in inputs:
        if isinstance(i, tuple) and all(isinstance(n, int) for n in i):
            out.append(rng.standard_normal(i))
        else:
            out.append(i)
    return out


def _compare_once(minigrad_fn, torch_fn, values, device, rtol, atol, label, report):
    import torch

    import minigrad

    def is_float_array(v):
        return isinstance(v, np.ndarray) and v.dtype.kind == "f"

    mg_args, th_args = [], []
    for v in values:
        if is_float_array(v):
            mg_args.append(minigrad.tensor(v.astype(np.float64), device=device,
                                           requires_grad=True))
            th_args.append(torch.tensor(v.astype(np.float64), requires_grad=True))
        elif isinstance(v, np.ndarray):
            mg_args.append(minigrad.tensor(v, device=device))
            th_args.append(torch.tensor(v))
        else:
            mg_args.append(v)
            th_args.append(v)
    shapes = [tuple(v.shape) if isinstance(v, np.ndarray) else v for v in values]

    mg_out = _as_tuple(minigrad_fn(*mg_args))
    th_out = _as_tuple(torch_fn(*th_args))
    if len(mg_out) != len(th_out):
        raise OpMismatch(f"{label}: minigrad returned {len(mg_out)} outputs, torch "
                         f"{len(th_out)} (inputs {shapes})")
    rng = np.random.default_rng(1)
    mg_loss, th_loss = None, None
    for k, (m, t) in enumerate(zip(mg_out, th_out)):
        m_np = _to_numpy(m)
        t_np = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        _assert_close(m_np, t_np, rtol, atol, f"{label}: output {k}", shapes)
        report.worst_rel = max(report.worst_rel, _rel(m_np, t_np))
        if isinstance(t, torch.Tensor) and t.requires_grad and t.dtype.is_floating_point:
            up = rng.standard_normal(t_np.shape)
            th_term = (t * torch.tensor(up)).sum()
            mg_term = (m * minigrad.tensor(up, device=device)).sum()
            th_loss = th_term if th_loss is None else th_loss + th_term
            mg_loss = mg_term if mg_loss is None else mg_loss + mg_term
    report.examples += 1
    report.outputs = len(th_out)
    if th_loss is None:
        return
    if report.order > 1:
        _compare_orders(mg_args, th_args, mg_loss, th_loss, rtol, atol, label, shapes, report,
                        rng)
        return
    th_loss.backward()
    if mg_loss.requires_grad:
        mg_loss.backward()
    gradients = 0
    for i, (m, t) in enumerate(zip(mg_args, th_args)):
        if not (isinstance(t, torch.Tensor) and t.requires_grad):
            continue
        t_grad = t.grad.numpy() if t.grad is not None else np.zeros(t.shape)
        m_grad = _to_numpy(m.grad) if m.grad is not None else None
        if m_grad is None:
            if np.any(t_grad != 0):
                raise OpMismatch(f"{label}: input {i} (shape {shapes[i]}) got no gradient from "
                                 f"minigrad, torch's is non-zero (inputs {shapes})")
            continue
        _assert_close(m_grad, t_grad, rtol, atol, f"{label}: gradient of input {i}", shapes)
        report.worst_rel = max(report.worst_rel, _rel(m_grad, t_grad))
        gradients += 1
    report.gradients = gradients


_ORDINALS = {1: "gradient", 2: "second derivative", 3: "third derivative"}


def _compare_orders(mg_args, th_args, mg_loss, th_loss, rtol, atol, label, shapes, report, rng):
    """Differentiate ``report.order`` times on both sides with ``autograd.grad``: at each
    level the gradients must agree, then their sum weighted by random tensors is the next
    level's scalar (a gradient that does not depend on the inputs ends the chain: all its
    higher derivatives are zero, on both sides)."""
    import torch

    import minigrad

    wanted = [i for i, t in enumerate(th_args) if isinstance(t, torch.Tensor) and t.requires_grad]
    gradients = 0
    for level in range(1, report.order + 1):
        create = level < report.order
        th_grads = (torch.autograd.grad(th_loss, [th_args[i] for i in wanted], allow_unused=True,
                                        create_graph=create)
                    if th_loss is not None and th_loss.requires_grad else [None] * len(wanted))
        mg_grads = (minigrad.autograd.grad(mg_loss, [mg_args[i] for i in wanted],
                                           allow_unused=True, create_graph=create)
                    if mg_loss is not None and mg_loss.requires_grad else [None] * len(wanted))
        what = _ORDINALS.get(level, f"derivative of order {level}")
        th_next = mg_next = None
        for i, m, t in zip(wanted, mg_grads, th_grads):
            t_np = (t.detach().numpy(force=True) if t is not None  # (force: a ZeroTensor)
                    else np.zeros(th_args[i].shape))
            if m is None:
                if np.any(t_np != 0):
                    raise OpMismatch(f"{label}: input {i} (shape {shapes[i]}) got no {what} "
                                     f"from minigrad, torch's is non-zero (inputs {shapes})")
            else:
                m_np = _to_numpy(m)
                _assert_close(m_np, t_np, rtol, atol, f"{label}: {what} of input {i}", shapes)
                report.worst_rel = max(report.worst_rel, _rel(m_np, t_np))
            gradients += 1
            if create:
                w = rng.standard_normal(t_np.shape)
                if t is not None and t.requires_grad:
                    term = (t * torch.tensor(w)).sum()
                    th_next = term if th_next is None else th_next + term
                if m is not None and m.requires_grad:
                    term = (m * minigrad.tensor(w, device=m.device)).sum()
                    mg_next = term if mg_next is None else mg_next + term
        th_loss, mg_loss = th_next, mg_next
    report.gradients = gradients


def _rel(actual, expected):
    """Largest |a - e| / max|e| of two float arrays (0 for others): the report's figure."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.dtype.kind != "f" or expected.size == 0:
        return 0.0
    both = np.isfinite(actual) & np.isfinite(expected)
    if not both.any():
        return 0.0
    scale = max(float(np.abs(expected[both]).max()), 1e-300)
    return float(np.abs(actual[both] - expected[both]).max()) / scale


def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _to_numpy(x):
    import minigrad
    if isinstance(x, minigrad.Tensor):
        return minigrad.backend.to_numpy(x._data)
    return np.asarray(x)


def _assert_close(actual, expected, rtol, atol, what, shapes):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        raise OpMismatch(f"{what}: shape {actual.shape} but torch's is {expected.shape} "
                         f"(inputs {shapes})")
    if actual.dtype.kind != "f" or expected.dtype.kind != "f":
        if not np.array_equal(actual, expected):
            bad = tuple(int(i) for i in np.argwhere(actual != expected)[0])
            raise OpMismatch(f"{what}: differs at index {bad}: {actual[bad]} vs "
                             f"torch {expected[bad]} (inputs {shapes})")
        return
    err = np.abs(actual - expected)
    tol = atol + rtol * np.abs(expected)
    bad = ~(err <= tol)  # NaN counts as bad unless both are NaN
    bad |= np.isinf(expected) & (actual != expected)  # (an infinity's tolerance is inf)
    bad &= ~(np.isnan(actual) & np.isnan(expected))
    bad &= ~(actual == expected)  # (equal infinities: their difference is NaN)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])  # (plain ints and floats print plainly)
        raise OpMismatch(
            f"{what}: differs from torch at index {idx}: {actual[idx].item()!r} vs "
            f"{expected[idx].item()!r} "
            f"(max abs err {np.nanmax(err):.3e}, rtol {rtol}, atol {atol}; inputs {shapes})")


def max_rel_error(actual, expected, floor=1e-12):
    """max |a - e| / max(|e|, floor), the figure the reports quote."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.size == 0:
        return 0.0
    return float(np.max(np.abs(actual - expected) / np.maximum(np.abs(expected), floor)))
