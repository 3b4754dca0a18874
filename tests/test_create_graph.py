"""The engine's higher-order core: autograd.grad, create_graph, hooks and retain_grad.

Each op's own second derivative is checked in the op tests (check_op(..., order=2)).
"""
import numpy as np
import pytest
import torch

import minigrad
from parity import check_op


def both(values, **kw):
    return (minigrad.tensor(values, dtype=minigrad.float64, **kw),
            torch.tensor(values, dtype=torch.float64, **kw))


def test_third_derivative_of_tanh_matches_torch():
    report = check_op(lambda x: x.tanh(), lambda x: x.tanh(), (3, 4), order=3)
    assert report.order == 3 and report.gradients == 3


def test_grad_of_grad_of_a_cube_is_six_x():
    x, _ = both([1.0, -2.0, 3.0], requires_grad=True)
    g, = minigrad.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert g.requires_grad and np.allclose(g.detach().numpy(), [3, 12, 27])
    h, = minigrad.autograd.grad(g.sum(), x)
    assert not h.requires_grad and np.allclose(h.numpy(), [6, -12, 18])


def test_backward_with_create_graph_leaves_a_differentiable_grad():
    mx, tx = both([0.5, -1.5], requires_grad=True)
    for x, lib in ((mx, minigrad), (tx, torch)):
        (x.sin() * x).sum().backward(create_graph=True)
        g = x.grad
        x.grad = None
        g.sum().backward()
    assert np.allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_grad_does_not_touch_dot_grad_and_sums_over_outputs_with_grad_outputs():
    mx, tx = both([1.0, 2.0], requires_grad=True)
    res = []
    for x, lib in ((mx, minigrad), (tx, torch)):
        y1, y2 = x * x, x.exp()
        w = lib.tensor([1.0, -1.0], dtype=x.dtype)
        res.append(lib.autograd.grad([y1, y2], [x], [w, w]))
        assert x.grad is None
    assert np.allclose(res[0][0].numpy(), res[1][0].numpy(), rtol=1e-12)


def test_grad_of_an_unused_input_raises_unless_allowed():
    x = minigrad.tensor([1.0], requires_grad=True)
    z = minigrad.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        minigrad.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = minigrad.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx.tolist() == [2.0]
    _, gz = minigrad.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    assert gz.tolist() == [0.0]


def test_grad_with_respect_to_a_computed_tensor_stops_there():
    x = minigrad.tensor([3.0], requires_grad=True)
    h = x * x
    y = (h * 5).sum()
    g, = minigrad.autograd.grad(y, h)
    assert g.tolist() == [5.0] and x.grad is None


def test_a_second_grad_through_freed_buffers_names_retain_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()
    minigrad.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        minigrad.autograd.grad(y, x)


def test_hooks_replace_the_gradient_and_retain_grad_keeps_it_on_non_leaves():
    out = []
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        handle = x.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        first = (x.grad.tolist(), y.grad.tolist())
        handle.remove()
        x.grad = None
        (x * 1).sum().backward()
        out.append((first, x.grad.tolist(), y.retains_grad))
    assert out[0] == out[1]


def test_an_op_whose_backward_uses_an_unconnected_saved_array_refuses_create_graph():
    class Opaque(minigrad.autograd.Op):  # saves a float array computed from x: unknowable
        def forward(ctx, x):
            ctx.twice = 2 * x
            return x * x

        def backward(ctx, g):
            return g * ctx.twice

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = Opaque.apply(x).sum()
    assert minigrad.autograd.grad(y, x, retain_graph=True)[0].tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="OpaqueBackward cannot record its backward"):
        minigrad.autograd.grad(y, x, create_graph=True)


def test_a_user_function_is_differentiated_twice_through_its_tensor_backward():
    class Cube(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * g

    x = minigrad.tensor([2.0], dtype=minigrad.float64, requires_grad=True)
    g, = minigrad.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    h, = minigrad.autograd.grad(g.sum(), x)
    assert g.tolist() == [12.0] and h.tolist() == [12.0]


@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("create_graph", [False, True])
def test_relu_passes_the_gradient_at_nan_as_torch_also_for_a_0d_tensor(shape, create_graph):
    """A 0-d op's first-order gradient is a NumPy scalar, not a Tensor: it takes the fast
    path, not the recording one (the fuzzer found the two confused)."""
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor(np.full(shape, np.nan), dtype=lib.float64, requires_grad=True)
        g, = lib.autograd.grad((x.relu() * 3).sum(), x, create_graph=create_graph)
        grads.append(g.detach().numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
