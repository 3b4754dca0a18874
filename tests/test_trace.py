"""Watching backward run: ``minigrad.autograd.trace()`` prints each node as the backward
pass reaches it, and a broken backward is named, input and element, by gradcheck and
check_op (the tour's exercise)."""
import io

import pytest

import minigrad
from minigrad.autograd import gradcheck, trace
from minigrad.ops.elementwise import Mul
from parity import check_op
from parity.opcheck import OpMismatch


def traced(fn):
    out = io.StringIO()
    with trace(file=out):
        fn()
    return out.getvalue()


def test_trace_prints_each_node_with_its_g_its_input_gradients_and_pending_counts():
    x = minigrad.tensor(0.5, dtype=minigrad.float64, requires_grad=True)
    y = (x * x).tanh()
    assert traced(y.backward) == (
        "backward: 2 node(s); gradients each waits for: TanhBackward 0, MulBackward 1\n"
        "TanhBackward: g ()\n"
        "    input 0: () -> MulBackward (ready)\n"
        "MulBackward: g ()\n"
        "    input 0: () -> leaf .grad\n"
        "    input 1: () -> leaf .grad\n")


def test_trace_shows_a_node_with_several_consumers_waiting_until_the_last_gradient():
    x = minigrad.tensor(0.5, dtype=minigrad.float64, requires_grad=True)
    h = x * 2          # h feeds three edges: h * h (twice) and + h
    z = h * h + h
    text = traced(z.backward)
    assert "MulBackward#2 3" in text.splitlines()[0]
    assert text.splitlines()[1:] == [
        "AddBackward: g ()",
        "    input 0: () -> MulBackward#1 (ready)",
        "    input 1: () -> MulBackward#2 (waits for 2 more)",
        "MulBackward#1: g ()",
        "    input 0: () -> MulBackward#2 (waits for 1 more)",
        "    input 1: () -> MulBackward#2 (ready)",
        "MulBackward#2: g ()",
        "    input 0: () -> leaf .grad",
        "    input 1: no gradient wanted"]


def test_trace_shows_a_broadcast_gradient_summed_back_to_its_input_shape():
    x = minigrad.randn(4, 3, requires_grad=True)
    b = minigrad.zeros(3, requires_grad=True)
    text = traced((x + b).sum().backward)
    assert "    input 1: (4, 3) summed to (3,) -> leaf .grad" in text


def test_trace_says_where_gradients_go_when_autograd_grad_asks_for_some_inputs():
    x = minigrad.tensor(0.5, dtype=minigrad.float64, requires_grad=True)
    w = minigrad.tensor(2.0, dtype=minigrad.float64, requires_grad=True)
    text = traced(lambda: minigrad.autograd.grad((x * w).tanh(), x, create_graph=True))
    assert "    input 0: () -> leaf, one of the inputs" in text
    assert "    input 1: () -> leaf, not wanted" in text


def test_nothing_is_printed_outside_trace_and_a_nested_trace_restores_the_outer(capsys):
    x = minigrad.randn(3, requires_grad=True)
    x.sum().backward()
    assert capsys.readouterr().out == ""
    outer, inner = io.StringIO(), io.StringIO()
    with trace(file=outer):
        with trace(file=inner):
            x.sum().backward()
        (x * 2).sum().backward()
    x.sum().backward()
    assert "SumBackward" in inner.getvalue() and "MulBackward" not in inner.getvalue()
    assert "MulBackward" in outer.getvalue()
    assert minigrad.autograd._tracing is None
    assert capsys.readouterr().out == ""


# ------------------------------------------- the tour's exercise: break Mul.backward


def broken_mul_backward(ctx, g):
    """Mul's backward with a bug: b's gradient uses b instead of a."""
    need_a, need_b = ctx.needs_input_grad
    return (g * ctx.b if need_a else None), (g * ctx.b if need_b else None)


def test_gradcheck_names_the_input_and_element_of_a_broken_backward(monkeypatch):
    a = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=minigrad.float64, requires_grad=True)
    b = minigrad.tensor([[5.0, 6.0], [7.0, 8.0]], dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(lambda a, b: a * b, (a, b))
    monkeypatch.setattr(Mul, "backward", broken_mul_backward)
    with pytest.raises(RuntimeError, match=r"with respect to input 1: d out\[0\] / d in\[0\] "
                                           r"is 5.0 by backward but 1.0\d* by finite"):
        gradcheck(lambda a, b: a * b, (a, b))


def test_check_op_names_the_input_and_element_of_a_broken_backward(monkeypatch):
    shapes = ((2, 3), (2, 3))
    check_op(lambda a, b: a * b, lambda a, b: a * b, *shapes)
    monkeypatch.setattr(Mul, "backward", broken_mul_backward)
    with pytest.raises(OpMismatch, match=r"gradient of input 1: .*index \(0, 0\)"):
        check_op(lambda a, b: a * b, lambda a, b: a * b, *shapes)
