"""minigrad.autograd.functional against torch.autograd.functional (float64): the same
values, the same return structure (a Tensor where torch returns a Tensor, tuples where it
returns tuples), create_graph and strict as torch has them, torch's errors."""
import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import minigrad
import minigrad.autograd.functional as MF
from conftest import TORCH_PINNED


def pair(*shape, seed=0, lo=-1.0, hi=1.0):
    values = np.random.default_rng(seed).uniform(lo, hi, shape)
    return (minigrad.tensor(values, dtype=minigrad.float64),
            torch.tensor(values, dtype=torch.float64))


def assert_same(m, t, path="result"):
    """Same nesting of tuples, same Tensor values and shapes, same requires_grad."""
    if isinstance(t, torch.Tensor):
        assert isinstance(m, minigrad.Tensor), f"{path}: {type(m).__name__}, torch: Tensor"
        assert tuple(m.shape) == tuple(t.shape), (path, m.shape, t.shape)
        assert m.requires_grad == t.requires_grad, (path, m.requires_grad, t.requires_grad)
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=path)
        return
    assert isinstance(t, tuple) and isinstance(m, tuple), (path, type(m), type(t))
    assert len(m) == len(t), (path, len(m), len(t))
    for k, (a, b) in enumerate(zip(m, t)):
        assert_same(a, b, f"{path}[{k}]")


def cubic(x):
    return (x ** 3).sum() + (x.sin() * x).sum()


def two_inputs_scalar(x, y):
    return (x.exp() * y.sum()).sum() + (y * y * y).sum()


def two_in_two_out(x, y):
    return x * y.sum(), (x.tanh() ** 2).sum()


@pytest.mark.parametrize("name, func, shapes", [
    ("one input, one output", lambda x: x.exp() * x, [(3,)]),
    ("matrix input, vector output", lambda x: (x * x).sum(dim=1), [(2, 3)]),
    ("two inputs, two outputs", two_in_two_out, [(3,), (2,)]),
    ("scalar output", cubic, [(2, 2)]),
])
def test_jacobian_matches_torch_in_value_and_structure(name, func, shapes):
    pairs = [pair(*s, seed=i) for i, s in enumerate(shapes)]
    m_in = tuple(p[0] for p in pairs) if len(pairs) > 1 else pairs[0][0]
    t_in = tuple(p[1] for p in pairs) if len(pairs) > 1 else pairs[0][1]
    assert_same(MF.jacobian(func, m_in), TF.jacobian(func, t_in))
    # a one-tensor tuple of inputs gives tuples, as in torch
    if len(pairs) == 1:
        assert_same(MF.jacobian(func, (m_in,)), TF.jacobian(func, (t_in,)))


def test_hessian_of_one_input_is_one_tensor_and_of_two_a_tuple_of_tuples():
    (mx, tx), (my, ty) = pair(2, 3), pair(2, seed=1)
    assert_same(MF.hessian(cubic, mx), TF.hessian(cubic, tx))
    assert_same(MF.hessian(cubic, (mx,)), TF.hessian(cubic, (tx,)))
    assert_same(MF.hessian(two_inputs_scalar, (mx, my)), TF.hessian(two_inputs_scalar, (tx, ty)))


def test_hessian_of_a_scalar_input():
    mx, tx = pair(1)
    f = lambda x: (x.exp() * x.cos()).sum()  # noqa: E731
    assert_same(MF.hessian(f, mx.reshape(())), TF.hessian(f, tx.reshape(())))


@pytest.mark.parametrize("fn", ["vjp", "vhp", "hvp"])
def test_vector_products_of_a_scalar_function_match_torch(fn):
    (mx, tx), (my, ty) = pair(2, 3), pair(4, seed=1)
    (mv, tv), (mw, tw) = pair(2, 3, seed=2), pair(4, seed=3)
    m, t = getattr(MF, fn), getattr(TF, fn)
    if fn == "vjp":
        assert_same(m(cubic, mx), t(cubic, tx))  # v may be omitted for a one-element output
        assert_same(m(lambda x: x.tanh(), mx, mv), t(lambda x: x.tanh(), tx, tv))
        assert_same(m(two_in_two_out, (mx.reshape(-1)[:3], my[:2]), (mw[:3], mw.sum())),
                    t(two_in_two_out, (tx.reshape(-1)[:3], ty[:2]), (tw[:3], tw.sum())))
    else:
        assert_same(m(cubic, mx, mv), t(cubic, tx, tv))
        assert_same(m(two_inputs_scalar, (mx, my), (mv, mw)),
                    t(two_inputs_scalar, (tx, ty), (tv, tw)))


def test_jvp_by_the_double_vjp_trick_matches_torch():
    (mx, tx), (my, ty) = pair(3), pair(2, seed=1)
    (mv, tv), (mw, tw) = pair(3, seed=2), pair(2, seed=3)
    assert_same(MF.jvp(lambda x: x.exp() * x, mx, mv), TF.jvp(lambda x: x.exp() * x, tx, tv))
    assert_same(MF.jvp(two_in_two_out, (mx, my), (mv, mw)),
                TF.jvp(two_in_two_out, (tx, ty), (tv, tw)))


def test_hvp_agrees_with_the_full_hessian_times_v():
    mx, _ = pair(4)
    mv, _ = pair(4, seed=5)
    _, hv = MF.hvp(cubic, mx, mv)
    full = MF.hessian(cubic, mx)
    np.testing.assert_allclose(hv.numpy(), full.numpy() @ mv.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn", ["vjp", "jvp", "vhp", "hvp", "jacobian", "hessian"])
def test_create_graph_keeps_results_differentiable_like_torch(fn):
    mx, tx = pair(3)
    mx.requires_grad_(), tx.requires_grad_()
    (mv, tv) = pair(3, seed=4)
    f = (lambda x: x.sin() * x) if fn in ("vjp", "jvp", "jacobian") else cubic
    for lib, mod, x, v in ((minigrad, MF, mx, mv), (torch, TF, tx, tv)):
        args = (f, x) if fn in ("jacobian", "hessian") else (f, x, v)
        res = getattr(mod, fn)(*args, create_graph=True)
        last = res if isinstance(res, lib.Tensor) else res[-1]
        assert last.requires_grad
        last.sum().backward()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    # without create_graph, nothing keeps a history
    out = getattr(MF, fn)(*((f, mx) if fn in ("jacobian", "hessian") else (f, mx, mv)))
    for t in (out,) if isinstance(out, minigrad.Tensor) else out:
        assert not t.requires_grad


def test_an_output_independent_of_an_input_gives_zeros_or_raises_in_strict_mode():
    (mx, tx), (my, ty) = pair(2), pair(3, seed=1)
    f = lambda x, y: x.exp()  # noqa: E731
    assert_same(MF.jacobian(f, (mx, my)), TF.jacobian(f, (tx, ty)))
    assert_same(MF.vjp(f, (mx, my), mx), TF.vjp(f, (tx, ty), tx))
    for mod, inputs, v, lib in ((MF, (mx, my), mx, minigrad), (TF, (tx, ty), tx, torch)):
        with pytest.raises(RuntimeError) as e:
            mod.jacobian(f, inputs, strict=True)
        assert "independent of input 1" in str(e.value)
        with pytest.raises(RuntimeError) as e2:
            mod.vjp(f, inputs, v, strict=True)
        assert "independent of input 1" in str(e2.value)
        with pytest.raises(RuntimeError) as e3:
            mod.hessian(lambda x: (2 * x).sum(), inputs[0], strict=True)  # linear
        assert "jacobian of the user-provided function with respect to input 0" in str(e3.value)
    if TORCH_PINNED:
        msgs = []
        for mod, inputs in ((MF, (mx, my)), (TF, (tx, ty))):
            with pytest.raises(RuntimeError) as e:
                mod.jacobian(f, inputs, strict=True)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


def test_strict_mode_refuses_an_output_that_does_not_require_grad():
    mx, tx = pair(2)
    for mod, x, lib in ((MF, mx, minigrad), (TF, tx, torch)):
        with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does "
                                               "not require gradients"):
            mod.vjp(lambda x: lib.ones(2, dtype=x.dtype), x, x, strict=True)
        # not strict: zeros
        _, g = mod.vjp(lambda x: lib.ones(2, dtype=x.dtype), x, x)
        assert g.tolist() == [0.0, 0.0]


def capture(mod, *args, **kw):
    try:
        mod(*args, **kw)
    except Exception as e:  # noqa: BLE001 (compared with torch's below)
        return type(e), str(e).replace("torch", "minigrad")
    raise AssertionError(f"{mod.__name__} did not raise")


@pytest.mark.parametrize("case", [
    "v of the wrong size", "v of the wrong count", "v omitted for a vector",
    "an input that is not a tensor", "hessian of a vector", "hessian of a tuple",
    "vhp of a vector",
])
def test_misuse_raises_torchs_error(case):
    (mx, tx), (my, ty) = pair(3), pair(2, seed=1)
    calls = {
        "v of the wrong size": lambda mod, x, y: (mod.vjp, lambda a: a * 2, x, y),
        "v of the wrong count": lambda mod, x, y: (mod.vhp, two_inputs_scalar, (x, y), (x,)),
        "v omitted for a vector": lambda mod, x, y: (mod.jvp, lambda a: a * 2, x),
        "an input that is not a tensor": lambda mod, x, y: (mod.jacobian, lambda a: a, (x, 1.0)),
        "hessian of a vector": lambda mod, x, y: (mod.hessian, lambda a: a * a, x),
        "hessian of a tuple": lambda mod, x, y: (mod.hessian, lambda a: (a.sum(), a.sum()), x),
        "vhp of a vector": lambda mod, x, y: (mod.vhp, lambda a: a * a, x, x),
    }
    m = capture(*calls[case](MF, mx, my))
    t = capture(*calls[case](TF, tx, ty))
    assert m[0] is t[0], (m, t)
    if TORCH_PINNED:
        # torch prints types as <class 'float'> and sizes as torch.Size([...])
        assert m[1] == t[1], (m[1], t[1])


def test_vectorize_is_accepted_and_gives_the_same_jacobian():
    mx, tx = pair(3)
    assert_same(MF.jacobian(lambda x: x.exp(), mx, vectorize=True),
                TF.jacobian(lambda x: x.exp(), tx, vectorize=True))


def test_the_functions_do_not_touch_the_inputs_grad():
    mx, _ = pair(3)
    mx.requires_grad_()
    MF.hessian(cubic, mx)
    MF.vjp(cubic, mx)
    assert mx.grad is None
