"""autograd.grad and backward(create_graph=, retain_graph=, inputs=) behave as torch's.

Each test runs the same program on minigrad and on torch (float64) and compares what it
returns: gradient values, whether they require grad (create_graph keeps their graph), None
for unused inputs, and errors (their type always; their wording where torch is the pinned
version, since torch rewords messages between releases).
"""

import pytest
import torch

import minigrad
from conftest import TORCH_PINNED

pytestmark = pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")


def T(lib, values, requires_grad=True):
    return lib.tensor(values, dtype=lib.float64, requires_grad=requires_grad)


def plain(value):
    """A result as plain Python: tensors as (values, requires_grad), recursively."""
    if isinstance(value, (minigrad.Tensor, torch.Tensor)):
        return (value.detach().tolist(), value.requires_grad)
    if isinstance(value, (tuple, list)):
        return type(value)(plain(v) for v in value)
    return value


def outcome(program, lib):
    try:
        return "returned", plain(program(lib))
    except Exception as e:  # noqa: BLE001 (the error is what is compared)
        return type(e), str(e).replace("torch", "minigrad").replace("Backward0", "Backward")


def same_as_torch(program, message_prefix_only=False, compare_words=True):
    """Run ``program(lib)`` on both libraries; they must agree (errors: in type, and in
    words unless ``compare_words=False``). Returns minigrad's outcome."""
    mg, th = outcome(program, minigrad), outcome(program, torch)
    assert mg[0] is th[0], f"minigrad: {mg}\ntorch:    {th}"
    if mg[0] == "returned":
        assert close(mg[1], th[1]), f"minigrad: {mg}\ntorch:    {th}"
    elif TORCH_PINNED and compare_words:
        if message_prefix_only:  # minigrad adds the shapes after torch's words
            assert mg[1].startswith(th[1]), f"minigrad: {mg[1]}\ntorch:    {th[1]}"
        else:
            assert mg[1] == th[1], f"minigrad: {mg[1]}\ntorch:    {th[1]}"
    return mg


def close(a, b):
    """Equal structure and flags; floats equal to 1e-12 relative."""
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(close, a, b))
    return a == b


# ------------------------------------------------------------- accumulation


def test_backward_twice_accumulates_into_dot_grad():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        (x * x).sum().backward()
        (x * x * x).sum().backward()
        return x.grad
    assert same_as_torch(program) == ("returned", ([2.0 + 3.0, 4.0 + 12.0], False))


def test_create_graph_gradients_accumulate_as_new_tensors_that_keep_their_graph():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        (x * x).sum().backward(create_graph=True)
        first = x.grad
        (x * x * x).sum().backward(create_graph=True)
        second_derivative, = lib.autograd.grad(x.grad.sum(), x)
        return x.grad, x.grad is first, x.grad.is_leaf, second_derivative
    same_as_torch(program)
    assert same_as_torch(program)[1][3] == ([2.0 + 6.0, 2.0 + 12.0], False)


@pytest.mark.parametrize("first, then", [(False, True), (True, False)])
def test_plain_and_recorded_gradients_accumulate_into_the_same_dot_grad(first, then):
    def program(lib):
        x = T(lib, [1.0, 2.0])
        (x * x).sum().backward(create_graph=first)
        kept = x.grad
        (x * x * x).sum().backward(create_graph=then)
        return x.grad, x.grad is kept
    same_as_torch(program)


def test_retain_grad_keeps_a_recorded_gradient_with_its_graph():
    def program(lib):
        x = T(lib, [0.5, 1.5])
        h = x.sin()
        h.retain_grad()
        (h * h).sum().backward(create_graph=True)
        return h.grad, h.grad.grad_fn is not None
    assert same_as_torch(program)[1][1] is True


def test_autograd_grad_leaves_dot_grad_alone_but_fills_retained_non_leaf_grads():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        h = x * 2
        h.retain_grad()
        g, = lib.autograd.grad((h * h).sum(), x)
        return g, x.grad, h.grad
    assert same_as_torch(program)[1][1] is None


# ------------------------------------------------------ unused inputs, None


def test_an_unused_input_raises_naming_its_index_and_allow_unused():
    def program(lib):
        x, z = T(lib, [1.0]), T(lib, [2.0])
        return lib.autograd.grad((x * 2).sum(), [x, z])
    assert "index 1" in same_as_torch(program)[1]


def test_allow_unused_gives_none_and_materialize_grads_gives_zeros():
    def program(lib):
        x, z = T(lib, [1.0]), T(lib, [2.0, 3.0])
        return (lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=True, retain_graph=True),
                lib.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True))
    assert same_as_torch(program)[1] == ((([2.0], False), None),
                                         (([2.0], False), ([0.0, 0.0], False)))


def test_materialize_grads_refuses_allow_unused_false():
    def program(lib):
        x = T(lib, [1.0])
        return lib.autograd.grad((x * 2).sum(), [x], materialize_grads=True, allow_unused=False)
    assert same_as_torch(program)[0] is ValueError


def test_backward_with_inputs_leaves_an_unused_input_without_grad():
    def program(lib):
        x, z = T(lib, [1.0, 2.0]), T(lib, [1.0])
        (x * 2).sum().backward(inputs=[z])
        return z.grad, x.grad
    assert same_as_torch(program)[1] == (None, None)


# ---------------------------------------------------------------- grad_outputs


def test_grad_outputs_that_require_grad_are_differentiated_under_create_graph():
    def program(lib):
        x, v = T(lib, [1.0, 2.0]), T(lib, [3.0, 4.0])
        g, = lib.autograd.grad(x * x, x, v, create_graph=True)  # 2 x v
        dv, = lib.autograd.grad(g.sum(), v)
        return g, dv
    assert same_as_torch(program)[1] == (([6.0, 16.0], True), ([2.0, 4.0], False))


def test_grad_outputs_that_require_grad_leave_no_graph_without_create_graph():
    def program(lib):
        x, v = T(lib, [1.0, 2.0]), T(lib, [3.0, 4.0])
        return lib.autograd.grad(x * x, x, v)
    assert same_as_torch(program)[1] == (([6.0, 16.0], False),)


def test_several_outputs_and_inputs_sum_the_weighted_vector_jacobian_products():
    def program(lib):
        x, y = T(lib, [1.0, 2.0]), T(lib, [3.0])
        a, b = x * y, (x * x * y).sum()
        return lib.autograd.grad([a, b], [y, x], [lib.ones(2, dtype=lib.float64), None])
    # d/dy: sum(x) + sum(x^2) = 3 + 5;  d/dx: y + 2 x y = [3 + 6, 3 + 12]
    assert same_as_torch(program)[1] == (([8.0], False), ([9.0, 15.0], False))


def test_a_grad_output_of_another_dtype_is_cast_to_the_output_dtype():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        g, = lib.autograd.grad(x * 2, x, lib.ones(2, dtype=lib.float32))
        return g, str(g.dtype).split(".")[-1]
    same_as_torch(program)


@pytest.mark.parametrize("case", ["one gradient for two outputs", "gradient of a wrong shape",
                                  "no gradient for a non-scalar output",
                                  "a gradient that is not a tensor"])
def test_wrong_grad_outputs_raise_torchs_error(case):
    def program(lib):
        x = T(lib, [1.0, 2.0, 3.0])
        if case == "one gradient for two outputs":
            return lib.autograd.grad([(x * 2).sum(), (x * 3).sum()], [x], [T(lib, 1.0, False)])
        if case == "gradient of a wrong shape":
            return lib.autograd.grad(x * 2, x, T(lib, [1.0, 2.0], False))
        if case == "no gradient for a non-scalar output":
            return lib.autograd.grad(x * 2, x)
        return lib.autograd.grad((x * 2).sum(), [x], [1.0])
    same_as_torch(program, message_prefix_only=True)


# ------------------------------------------------------------ non-leaf inputs


def test_gradients_with_respect_to_non_leaf_tensors_stop_there():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        h = x * 3
        return lib.autograd.grad((h * h).sum(), [h, x]), x.grad
    assert same_as_torch(program)[1][0] == (([6.0, 12.0], False), ([18.0, 36.0], False))


def test_non_leaf_gradients_under_create_graph_can_be_differentiated_again():
    def program(lib):
        x = T(lib, [0.5, 1.5])
        h = x.sin()
        gh, gx = lib.autograd.grad((h * h * x).sum(), [h, x], create_graph=True)
        return gh, gx, lib.autograd.grad((gh * gx).sum(), x)
    same_as_torch(program)


def test_backward_with_a_non_leaf_in_inputs_fills_its_grad_only():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        h = x * 2
        (h * h).sum().backward(inputs=[h])
        return h.grad, x.grad
    assert same_as_torch(program)[1] == (([4.0, 8.0], False), None)


def test_an_input_listed_twice_gets_its_gradient_twice_and_an_output_is_its_own_input():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        return (lib.autograd.grad((x * x).sum(), [x, x]),
                lib.autograd.grad(x, x, lib.ones(2, dtype=lib.float64)))
    same_as_torch(program)


def test_third_derivative_of_tanh_through_three_grad_calls():
    def program(lib):
        x = T(lib, [0.5])
        g, = lib.autograd.grad(x.tanh().sum(), x, create_graph=True)
        h, = lib.autograd.grad(g.sum(), x, create_graph=True)
        return g.requires_grad, h.requires_grad, lib.autograd.grad(h.sum(), x)[0].requires_grad
    same_as_torch(program)
    m = minigrad.autograd.grad
    x = T(minigrad, [0.5])
    g, = m(x.tanh().sum(), x, create_graph=True)
    h, = m(g.sum(), x, create_graph=True)
    k, = m(h.sum(), x)
    tx = T(torch, [0.5])
    tg, = torch.autograd.grad(tx.tanh().sum(), tx, create_graph=True)
    th, = torch.autograd.grad(tg.sum(), tx, create_graph=True)
    tk, = torch.autograd.grad(th.sum(), tx)
    assert k.tolist() == pytest.approx(tk.tolist(), rel=1e-12)


# ------------------------------------------------------------ retain_graph


def test_a_second_pass_through_freed_buffers_names_retain_graph():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        y = x.exp().sum()
        lib.autograd.grad(y, x)
        return lib.autograd.grad(y, x)
    assert "retain_graph=True" in same_as_torch(program)[1]

    def program_backward(lib):
        x = T(lib, [1.0, 2.0])
        y = x.exp().sum()
        y.backward()
        y.backward()
    assert "retain_graph=True" in same_as_torch(program_backward)[1]


@pytest.mark.parametrize("entry", ["grad", "backward"])
def test_retain_graph_defaults_to_create_graph(entry):
    def program(lib):
        x = T(lib, [1.0, 2.0])
        y = x.exp().sum()
        if entry == "grad":
            lib.autograd.grad(y, x, create_graph=True)
            return lib.autograd.grad(y, x)  # the graph was kept
        y.backward(create_graph=True)
        y.backward()
        return x.grad
    assert same_as_torch(program)[0] == "returned"


def test_create_graph_with_retain_graph_false_frees_the_graph():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        y = x.exp().sum()
        lib.autograd.grad(y, x, create_graph=True, retain_graph=False)
        return lib.autograd.grad(y, x)
    assert same_as_torch(program)[0] is RuntimeError


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("case", ["grad of a tensor that needs none", "input needs none",
                                  "output needs none", "input is not a tensor", "no inputs",
                                  "backward with no inputs", "backward input needs none"])
def test_misuse_raises_torchs_error_type_and_words(case):
    def program(lib):
        x, c = T(lib, [1.0, 2.0]), T(lib, [1.0, 2.0], requires_grad=False)
        y = (x * 2).sum()
        if case == "grad of a tensor that needs none":
            return lib.autograd.grad((c * 2).sum(), [c])
        if case == "input needs none":
            return lib.autograd.grad(y, [x, c])
        if case == "output needs none":
            return lib.autograd.grad([y, c.sum()], [x])
        if case == "input is not a tensor":
            return lib.autograd.grad(y, [x, 3.0])
        if case == "no inputs":
            return lib.autograd.grad(y, [])
        if case == "backward with no inputs":
            return y.backward(inputs=[])
        return y.backward(inputs=[c])
    assert same_as_torch(program)[0] != "returned"


def test_create_graph_inside_no_grad_still_records_the_backward():
    def program(lib):
        x = T(lib, [1.0, 2.0])
        y = (x ** 3).sum()
        with lib.no_grad():
            g, = lib.autograd.grad(y, x, create_graph=True)
        return g
    same_as_torch(program)
