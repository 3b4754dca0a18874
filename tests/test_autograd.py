"""The backward pass: accumulation, graph lifetime, grad modes, custom Functions, gradcheck."""
import gc
import weakref

import numpy as np
import pytest
import torch

import minigrad
from minigrad.autograd import Function, gradcheck
from parity.opcheck import OpMismatch, check_op


def test_gradients_accumulate_across_backward_calls_like_torch():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [3 + 2, 3 + 4]


def test_first_gradient_is_not_shared_between_leaves():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0]


def test_backward_on_a_non_scalar_needs_a_gradient():
    x = minigrad.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad can be implicitly created only for scalar "
                                           r"outputs.*\(2, 3\)"):
        (x * 2).backward()
    (x * 2).backward(minigrad.ones(2, 3))
    assert x.grad.tolist() == [[2.0] * 3] * 2


def test_backward_with_a_wrongly_shaped_gradient_names_both_shapes():
    y = minigrad.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"Size\(\[3\]\).*Size\(\[2, 3\]\)"):
        y.backward(minigrad.ones(3))


def test_backward_on_a_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        minigrad.ones(3).sum().backward()


def test_backward_twice_through_a_freed_graph_is_an_error_unless_retained():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0]))))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_saved_arrays_are_released_after_backward():
    x = minigrad.randn(100, 100, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node.__dict__ == {}


def test_no_grad_builds_no_graph_and_holds_no_references():
    x = minigrad.randn(10, requires_grad=True)
    with minigrad.no_grad():
        y = (x * 2).exp()
    assert y.grad_fn is None and not y.requires_grad
    ref = weakref.ref(x)
    del x
    gc.collect()
    assert ref() is None  # y kept no path back to x


def test_grad_modes_nest_and_work_as_decorators():
    x = minigrad.ones(2, requires_grad=True)
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        with minigrad.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert minigrad.is_grad_enabled()

    @minigrad.inference_mode()
    def predict(t):
        return t * 2

    assert not predict(x).requires_grad
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minigrad.is_grad_enabled()


def test_detach_cuts_the_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = (y.detach() * x).sum()
    z.backward()
    assert x.grad.tolist() == [2.0, 4.0]
    assert y.detach().is_leaf and not y.detach().requires_grad


def test_leaf_and_non_leaf_flags_match_torch():
    x = minigrad.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn is not None and y.requires_grad
    assert minigrad.ones(2).is_leaf
    assert repr(y.grad_fn) == "<MulBackward>"


def test_a_200000_op_chain_backpropagates_without_recursion():
    x = minigrad.tensor(1.0, dtype=minigrad.float64, requires_grad=True)
    y = x
    for _ in range(200_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0000001 ** 200_000, rel=1e-9)
    del y
    gc.collect()  # tearing down the deep graph must not overflow the C stack either


def test_diamond_graph_waits_for_all_consumers_before_propagating():
    def f(x):
        a = x * 2
        b = a.exp()
        c = a * 3
        return (b * c + a).sum()

    check_op(f, f, (4,))


def test_in_place_change_of_a_saved_input_is_detected():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    x = minigrad.tensor([3.0, 4.0])
    y = (w * x).sum()
    x.add_(1.0)  # backward of w * x needs the old x
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_optimizer_style_update_under_no_grad_is_allowed_but_not_with_grad():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with minigrad.no_grad():
        w -= 0.1 * minigrad.ones(2)
    assert w.tolist() == pytest.approx([0.9, 1.9])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad.*in-place"):
        w.add_(1.0)


def test_mixing_devices_in_one_op_is_an_error_naming_both(strict_device):
    a = minigrad.ones(2)
    b = minigrad.ones(2, device=strict_device)
    with pytest.raises(RuntimeError, match="same device.*cpu and strict"):
        a + b


def test_to_device_and_back_carries_gradients(device):
    x = minigrad.tensor([1.0, -2.0], dtype=minigrad.float64, requires_grad=True)
    y = (x.to(device) * 3).relu().to("cpu").sum()
    y.backward()
    assert x.grad.tolist() == [3.0, 0.0]
    assert x.to(device).device == minigrad.device(device)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad_output


class BrokenCube(Cube):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x ** 2 * grad_output  # wrong: d x^3 = 3 x^2


def test_user_defined_function_works_like_torch_autograd_function():
    check_op(Cube.apply, lambda x: x ** 3, (3, 2))
    y = Cube.apply(minigrad.ones(2, requires_grad=True))
    assert repr(y.grad_fn) == "<CubeBackward>"


def test_check_op_catches_a_wrong_backward_and_names_the_input():
    with pytest.raises(OpMismatch, match="gradient of input 0"):
        check_op(BrokenCube.apply, lambda x: x ** 3, (3, 2))


def test_gradcheck_accepts_correct_and_rejects_wrong_gradients():
    x = minigrad.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    w = minigrad.tensor(np.random.default_rng(1).standard_normal((3, 2)), requires_grad=True)
    assert gradcheck(lambda a, b: (a @ b).tanh().log_softmax(1), (x, w))
    assert gradcheck(Cube.apply, (x,))
    assert not gradcheck(BrokenCube.apply, (x,), raise_exception=False)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(BrokenCube.apply, (x,))


def test_gradcheck_insists_on_float64():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda t: t * 2, (minigrad.ones(2, requires_grad=True),))


@pytest.mark.parametrize("op", ["exp", "sigmoid", "tanh", "sqrt", "log"])
def test_gradcheck_of_unary_ops_on_every_device(op, device):
    x = minigrad.tensor([0.3, 1.2, 2.5], dtype=minigrad.float64, device=device,
                        requires_grad=True)
    assert gradcheck(lambda t: getattr(t, op)(), (x,))


def test_gradcheck_of_reductions_and_indexing(device):
    x = minigrad.tensor(np.arange(12.0).reshape(3, 4) / 7, device=device, requires_grad=True)
    assert gradcheck(lambda t: t.sum(1) * t.mean(0).sum(), (x,))
    assert gradcheck(lambda t: t.max(1)[0] + t[[0, 2]].sum(0)[:3], (x,))
    assert gradcheck(lambda t: t.softmax(0).permute(1, 0).reshape(-1)[::2], (x,))


def test_anomaly_mode_names_the_op_whose_backward_made_nan():
    x = minigrad.tensor([-1.0, 1.0], requires_grad=True)
    y = x.sqrt().sum()  # d sqrt(-1) = nan
    with minigrad.autograd.set_detect_anomaly(True):
        with pytest.raises(RuntimeError, match="SqrtBackward.*returned nan values"):
            y.backward()


def test_the_same_numbers_as_torch_for_a_small_network_in_float64():
    rng = np.random.default_rng(0)
    xs, w1, w2 = rng.standard_normal((8, 5)), rng.standard_normal((5, 4)), rng.standard_normal((4, 3))
    m = [minigrad.tensor(a, requires_grad=True) for a in (xs, w1, w2)]
    t = [torch.tensor(a, requires_grad=True) for a in (xs, w1, w2)]
    for lib, (x, a, b) in ((minigrad, m), (torch, t)):
        (x @ a).relu().matmul(b).log_softmax(1).mean().backward()
    for p, q in zip(m, t):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_user_function_sees_float64_gradients_for_0d_tensors():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            seen.append(grad_output.dtype)
            return grad_output * 2

    x = minigrad.tensor(np.array(1.5), requires_grad=True)
    (Probe.apply(x) * minigrad.tensor(np.float64(0.1))).sum().backward()
    assert seen == [minigrad.float64] and x.grad.dtype == minigrad.float64
    assert x.grad.item() == 0.2


def test_numpy_scalars_keep_their_dtype_like_torch():
    assert minigrad.tensor(np.float64(0.1)).dtype == minigrad.float64
    assert minigrad.tensor(np.float32(1)).dtype == minigrad.float32


def test_views_share_the_version_counter_and_writes_through_them_are_recorded(device):
    x = minigrad.tensor([[1., 2.], [3., 4.]], dtype=minigrad.float64, device=device,
                        requires_grad=True)
    y = x * 2
    row, flat, t = y[0, ...], y.reshape(4), y.permute(1, 0)
    row.mul_(10)  # rewrites y's first row, recorded: y's history is now a CopySlices
    assert [v._version for v in (y, row, flat, t)] == [1, 1, 1, 1]
    (y * y).sum().backward()
    assert x.grad.tolist() == [[800., 1600.], [24., 32.]]  # d(20x)^2 = 800x; d(2x)^2 = 8x


def test_a_saved_array_written_through_a_view_is_detected_on_every_device(device):
    x = minigrad.tensor([1., 2., 3.], dtype=minigrad.float64, device=device,
                        requires_grad=True)
    y = x.exp()
    y.detach()[0:2, ...].zero_()
    with pytest.raises(RuntimeError, match=r"output 0 of Exp, is at version 1; expected "
                                           r"version 0"):
        y.sum().backward()


def test_a_gradient_on_the_wrong_device_is_an_invalid_gradient_as_in_torch(strict_device):
    class OtherDevice(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.to("strict")

    x = minigrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="OtherDeviceBackward returned an invalid gradient at "
                                           "index 0 - expected device cpu but got strict"):
        OtherDevice.apply(x).sum().backward()
