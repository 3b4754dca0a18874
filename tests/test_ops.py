"""Every engine op, forward and backward, against PyTorch in float64 on every device.

Each test names an op and the inputs hypothesis draws for it; ``check_op`` runs minigrad
and torch on the same numbers and compares values and gradients to 1e-9 relative.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from parity import strategies as S
from parity.opcheck import check_op

from conftest import has_strict

EXAMPLES = 15


# ---------------------------------------------------------------- binary arithmetic

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_op_broadcasts_and_matches_torch(op, device):
    fn = BINARY[op]
    pair = S.broadcastable_arrays(2, low=0.5, high=3.0)  # away from 0: b divides

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True)
    @given(pair)
    def run(arrays):
        check_op(fn, fn, *arrays, device=device, name=op)

    run()


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("scalar", [2.5, -3, 0.5])
def test_binary_op_with_python_scalar_on_either_side(op, scalar, device):
    fn = BINARY[op]
    x = S.positive_arrays()
    check_op(lambda t: fn(t, scalar), lambda t: fn(t, scalar), x, device=device,
             max_examples=5, name=f"{op}(x, {scalar})")
    check_op(lambda t: fn(scalar, t), lambda t: fn(scalar, t), x, device=device,
             max_examples=5, name=f"{op}({scalar}, x)")


def test_scalar_operand_keeps_float32(device):
    x = minigrad.ones(3, device=device)
    assert (x * 2.5).dtype == minigrad.float32
    assert (1 - x).dtype == minigrad.float32
    assert (x / 3).dtype == minigrad.float32


def test_pow_with_scalar_and_tensor_exponents(device):
    check_op(lambda x: x ** 3, lambda x: x ** 3, S.arrays(), device=device, name="x**3")
    check_op(lambda x: x ** 0.5, lambda x: x ** 0.5, S.positive_arrays(), device=device,
             name="x**0.5")
    check_op(lambda x: 2.0 ** x, lambda x: 2.0 ** x, S.arrays(), device=device, name="2**x")
    check_op(lambda a, b: a ** b, lambda a, b: a ** b, S.positive_arrays((3, 4)),
             S.arrays((4,)), device=device, name="a**b")


def test_maximum_and_minimum_split_ties_like_torch(device):
    a = np.array([1.0, 2.0, 3.0, 2.0])
    b = np.array([3.0, 2.0, 1.0, 2.0])
    check_op(minigrad.maximum, torch.maximum, a, b, device=device)
    check_op(minigrad.minimum, torch.minimum, a, b, device=device)
    check_op(minigrad.maximum, torch.maximum, S.arrays((3, 4)), S.arrays((4,)), device=device)


# ---------------------------------------------------------------- unary ops

UNARY = {
    "neg": (lambda x: -x, S.arrays()),
    "exp": (lambda x: x.exp(), S.arrays()),
    "log": (lambda x: x.log(), S.positive_arrays()),
    "sqrt": (lambda x: x.sqrt(), S.positive_arrays()),
    "abs": (lambda x: x.abs(), S.arrays()),
    "relu": (lambda x: x.relu(), S.arrays()),
    "sigmoid": (lambda x: x.sigmoid(), S.arrays(low=-30, high=30)),
    "tanh": (lambda x: x.tanh(), S.arrays()),
    "clamp": (lambda x: x.clamp(-0.5, 1.0), S.arrays()),
    "clamp_min": (lambda x: x.clamp(min=0.1), S.arrays()),
    "clamp_max": (lambda x: x.clamp(max=-0.2), S.arrays()),
}


@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary_op_matches_torch(op, device):
    fn, data = UNARY[op]
    check_op(fn, fn, data, device=device, max_examples=EXAMPLES, name=op)


def test_relu_and_abs_have_zero_gradient_at_zero(device):
    x = np.array([-1.0, 0.0, 0.0, 2.0])
    check_op(lambda t: t.relu(), lambda t: t.relu(), x, device=device)
    check_op(lambda t: t.abs(), lambda t: t.abs(), x, device=device)


def test_clamp_passes_gradient_at_the_bounds_like_torch(device):
    x = np.array([-1.0, -0.5, 0.0, 1.0, 2.0])
    check_op(lambda t: t.clamp(-0.5, 1.0), lambda t: t.clamp(-0.5, 1.0), x, device=device)


def test_sigmoid_is_finite_for_huge_logits():
    x = minigrad.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=minigrad.float32, requires_grad=True)
    y = x.sigmoid()
    y.sum().backward()
    assert np.all(np.isfinite(y.detach().numpy())) and np.all(np.isfinite(x.grad.numpy()))
    assert y.tolist()[0] == 0.0 and y.tolist()[-1] == 1.0


# ---------------------------------------------------------------- matmul

@settings(max_examples=25, deadline=None, database=None, derandomize=True)
@given(S.matmul_shapes())
def test_matmul_covers_vectors_matrices_and_batches(shapes):
    sa, sb = shapes
    for device in ("cpu", "strict") if has_strict() else ("cpu",):
        check_op(lambda a, b: a @ b, lambda a, b: a @ b, sa, sb, device=device,
                 name=f"matmul {sa} @ {sb}")


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(64x784 and 128x10\)"):
        minigrad.zeros(64, 784) @ minigrad.zeros(128, 10)


# ---------------------------------------------------------------- reductions

@st.composite
def array_and_dim(draw, unique=False, allow_tuple=True, allow_none=True):
    x = draw(S.arrays(S.shapes(min_dims=1), unique=unique))
    options = [st.integers(-x.ndim, x.ndim - 1)]
    if allow_tuple:
        options.append(st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim,
                                unique=True).map(tuple))
    if allow_none:
        options.append(st.none())
    return x, draw(st.one_of(*options)), draw(st.booleans())


@pytest.mark.parametrize("op", ["sum", "mean"])
def test_sum_and_mean_over_all_one_or_several_dims(op, device):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True)
    @given(array_and_dim())
    def run(case):
        x, dim, keepdim = case
        if dim is None:
            fn = lambda t: getattr(t, op)()  # noqa: E731
        else:
            fn = lambda t: getattr(t, op)(dim, keepdim=keepdim)  # noqa: E731
        check_op(fn, fn, x, device=device, name=f"{op}(dim={dim}, keepdim={keepdim})")

    run()


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_and_min_along_a_dim_return_values_and_indices(op, device):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True)
    @given(array_and_dim(unique=True, allow_tuple=False, allow_none=False))
    def run(case):
        x, dim, keepdim = case
        fn = lambda t: getattr(t, op)(dim, keepdim)  # noqa: E731
        check_op(fn, fn, x, device=device, name=f"{op}(dim={dim})")

    run()


def test_max_along_dim_sends_a_tied_gradient_to_the_first_maximum(device):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    check_op(lambda t: t.max(1)[0], lambda t: t.max(1)[0], x, device=device)
    values, indices = minigrad.tensor(x, device=device).max(dim=1)
    assert indices.tolist() == [1, 0]


def test_full_max_shares_the_gradient_among_ties_like_torch(device):
    x = np.array([[1.0, 3.0], [3.0, 0.0]])
    check_op(lambda t: t.max(), lambda t: t.max(), x, device=device)
    check_op(lambda t: t.min(), lambda t: t.min(), x, device=device)
    check_op(lambda t: t.amax(dim=(0,)), lambda t: t.amax(dim=(0,)), x, device=device)


def test_argmax_and_argmin_pick_the_first_extremum(device):
    x = minigrad.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]], device=device)
    assert x.argmax(1).tolist() == [1, 0]
    assert x.argmin(dim=1, keepdim=True).tolist() == [[0], [1]]
    assert x.argmax().item() == 3
    assert minigrad.argmax(x, 1).dtype == minigrad.int64


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_family_matches_torch(op, device):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True)
    @given(array_and_dim(allow_tuple=False, allow_none=False))
    def run(case):
        x, dim, _ = case
        fn = lambda t: getattr(t, op)(dim)  # noqa: E731
        check_op(fn, fn, x, device=device, name=f"{op}(dim={dim})")

    run()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_family_is_stable_for_logits_of_magnitude_1e4(op, dtype):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4 + 1.0, 1e4]], dtype=dtype)
    m = getattr(minigrad.tensor(logits, requires_grad=True), op)(1)
    t = getattr(torch.tensor(logits, requires_grad=True), op)(1)
    assert np.all(np.isfinite(m.detach().numpy()))
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-6)


def test_logsumexp_matches_torch(device):
    check_op(lambda t: t.logsumexp(1), lambda t: t.logsumexp(1), S.arrays((3, 4), -50, 50),
             device=device)


# ---------------------------------------------------------------- shapes and indexing

SHAPE_OPS = {
    "reshape(-1)": lambda t: t.reshape(-1),
    "view(3, -1)": lambda t: t.view(3, -1),
    "flatten(1)": lambda t: t.flatten(1),
    "permute(2, 0, 1)": lambda t: t.permute(2, 0, 1),
    "transpose(0, 2)": lambda t: t.transpose(0, 2),
    "unsqueeze(1)": lambda t: t.unsqueeze(1),
    "squeeze": lambda t: t.unsqueeze(0).squeeze(),
    "squeeze(0)": lambda t: t.unsqueeze(0).squeeze(0),
    "expand": lambda t: t.unsqueeze(0).expand(2, -1, -1, -1),
    "slice": lambda t: t[1:, ::2, -1],
    "int index": lambda t: t[0],
    "int array index": lambda t: t[[0, 2, 0, 1]],
}


@pytest.mark.parametrize("op", sorted(SHAPE_OPS))
def test_shape_op_moves_gradients_back(op, device):
    fn = SHAPE_OPS[op]
    check_op(fn, fn, S.arrays((3, 4, 2)), device=device, max_examples=5, name=op)


def test_T_reverses_dims_of_a_matrix(device):
    check_op(lambda t: t.T, lambda t: t.T, (3, 5), device=device)


def test_indexing_with_a_repeated_integer_tensor_adds_gradients(device):
    idx = minigrad.tensor([2, 0, 2, 2], device=device)
    tidx = torch.tensor([2, 0, 2, 2])
    check_op(lambda t: t[idx], lambda t: t[tidx], (4, 3), device=device)


def test_paired_integer_arrays_pick_elements_like_gather(device):
    rows = minigrad.tensor([0, 1, 1], device=device)
    cols = minigrad.tensor([2, 0, 2], device=device)
    check_op(lambda t: t[rows, cols], lambda t: t[torch.tensor([0, 1, 1]), torch.tensor([2, 0, 2])],
             (2, 3), device=device)


def test_boolean_mask_index(device):
    x = np.arange(6.0).reshape(2, 3)
    mask = minigrad.tensor(x > 2, device=device)
    check_op(lambda t: t[mask], lambda t: t[torch.tensor(x > 2)], x, device=device)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_and_stack_split_the_gradient(dim, device):
    check_op(lambda a, b: minigrad.cat([a, b], dim), lambda a, b: torch.cat([a, b], dim),
             (2, 3), (2, 3), device=device)
    check_op(lambda a, b: minigrad.stack([a, b], dim), lambda a, b: torch.stack([a, b], dim),
             (2, 3), (2, 3), device=device)


def test_cat_of_unequal_sizes_along_dim(device):
    check_op(lambda a, b: minigrad.cat((a, b), 1), lambda a, b: torch.cat((a, b), 1),
             (2, 1), (2, 4), device=device)


def test_where_routes_gradients_by_the_condition(device):
    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    cond_m = minigrad.tensor(x > 0, device=device)
    cond_t = torch.tensor(x > 0)
    check_op(lambda a, b: minigrad.where(cond_m, a, b), lambda a, b: torch.where(cond_t, a, b),
             x, (2,), device=device)
    check_op(lambda a: minigrad.where(cond_m, a, 0.0), lambda a: torch.where(cond_t, a, 0.0),
             x, device=device)


def test_comparisons_return_bool_tensors_without_grad(device):
    a = minigrad.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    for result in (a > 2, a >= 2, a < 2, a <= 2, a == 2, a != 2, a == minigrad.tensor(
            [1.0, 0.0, 3.0], device=device)):
        assert result.dtype == minigrad.bool and not result.requires_grad
    assert (a > 1.5).tolist() == [False, True, True]
    assert (a.argmax(0) == 2).item() is True


# ---------------------------------------------------------------- compositions

def test_composite_expression_matches_torch(device):
    def f(x, w, b):
        h = (x @ w + b).tanh()
        return (h * h.sigmoid()).log_softmax(1).mean(0).sum() / x.shape[0]

    check_op(f, f, (5, 4), (4, 3), (3,), device=device)


def test_a_tensor_used_twice_accumulates_both_paths(device):
    check_op(lambda x: x * x + x.exp() * x, lambda x: x * x + x.exp() * x, (3, 2),
             device=device)


def test_max_along_dim_of_a_scalar_is_the_scalar_at_index_0(device):
    check_op(lambda t: t.max(0), lambda t: t.max(0), np.array(2.5), device=device)
