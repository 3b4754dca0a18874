"""Second derivatives at the edges of an op's domain match torch's, NaN for NaN.

Where a derivative is singular (a zero vector's norm, a zero base, a division by 0, no
degrees of freedom left) torch's double backward follows from its documented backward
formula: what the formula treats as a constant has no derivative (0), what it
differentiates gives NaN or inf there. Each case below is such a point, in float64,
checked with ``check_op(..., order=2)`` (values, gradients and second derivatives).
"""
import warnings

import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn.functional as MF
import torch.nn.functional as TF
from parity import check_op


def check2(fn, *inputs, device="cpu", order=2):
    """``fn(lib, F, *tensors)`` on minigrad and on torch, differentiated ``order`` times."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (var's "degrees of freedom is <= 0", on both sides)
        check_op(lambda *xs: fn(minigrad, MF, *xs), lambda *xs: fn(torch, TF, *xs), *inputs,
                 device=device, order=order)


# ------------------------------------------------------------ no degrees of freedom left


@pytest.mark.parametrize("fn", [
    lambda lib, F, a: a.var(),
    lambda lib, F, a: lib.var_mean(a),
    lambda lib, F, a: a.std(),
    lambda lib, F, a: lib.var(a, correction=2),
    lambda lib, F, a: lib.var(a, keepdim=True, correction=3),
], ids=["var", "var_mean", "std", "var correction 2", "var keepdim correction 3"])
@pytest.mark.parametrize("values", [[1.5], [0.5, 2.0], [1.0, 1.0], [np.inf]],
                         ids=["one", "two", "equal", "infinite"])
def test_var_of_all_elements_without_dof_has_torchs_constant_gradient(fn, values, device):
    # N - correction <= 0: torch's gradient is g * (NaN where x == mean, else inf), a
    # constant: its second derivative is 0 (the variance's own formula would give NaN)
    check2(fn, np.array(values), device=device)


def test_var_of_a_0d_tensor_has_torchs_constant_gradient(device):
    check2(lambda lib, F, a: a.var() + lib.var(a, 0, keepdim=True), np.array(1.25), device=device)


def test_var_along_a_dim_of_one_element_differentiates_its_formula_as_torch(device):
    # over a dim torch differentiates 2 (x - mean) / 0 itself: NaN second derivatives
    check2(lambda lib, F, a: a.var(1) + lib.var_mean(a, 0)[0].sum(), np.array([[1.0], [2.0]]),
           device=device)


# ------------------------------------------------------------ pow at a zero base


def test_pow_at_a_zero_base_second_derivative_is_nan_as_torchs():
    # torch's exponent gradient is g * where(a == 0 & b >= 0, 0, a^b log a): the masked
    # branch is still differentiated, 0 * log 0 = NaN (g outside the where keeps it)
    check2(lambda lib, F, a, b: a ** b, np.array([0.0, 0.0, 1.5, 0.0]),
           np.array([1.0286, 2.0, 0.5, 0.0]))
    check2(lambda lib, F, b: b.__rpow__(0.0) + 2.0 ** b, np.array([1.03, 2.0, 0.0]))


def test_pow_of_a_tensor_base_at_zero_second_derivative_is_nan_as_torchs(device):
    check2(lambda lib, F, b, a: b.__rpow__(a), np.array([1.03]), np.array([-0.0]),
           device=device)


# ------------------------------------------------------------ fmod and remainder


@pytest.mark.parametrize("op", ["fmod", "remainder"])
def test_fmod_and_remainder_take_the_quotient_as_a_constant_as_torch(op, device):
    # -g * trunc(a / b) (floor for remainder), the quotient held constant: second
    # derivatives 0 even at b = 0, NaN or infinite operands (not 0 * inf = NaN)
    a = np.array([[0.0], [1.1], [np.nan], [-2.5], [3.0]])
    b = np.array([[0.0], [1.57], [-1.0], [np.nan], [np.inf]])
    check2(lambda lib, F, a, b: getattr(lib, op)(a, b) * b, a, b, device=device)
    check2(lambda lib, F, a, b: (a % b) * a * b, a, b, device=device)


def test_fmod_of_an_infinite_dividend_has_torchs_second_derivative(device):
    check2(lambda lib, F, a, b: lib.fmod(a, b) * b, np.array([np.inf, -np.inf, 2.0]),
           np.array([2.0, 0.5, 0.0]), device=device)


# ------------------------------------------------------------ elu family at 0, prod of nothing


@pytest.mark.parametrize("fn", ["elu", "celu", "selu"])
def test_elu_family_second_derivative_at_plus_and_minus_zero_is_zero_as_torchs(fn, device):
    # exp of where(x < 0, x, 0): at x = +-0 that branch has derivative 0, not half of
    # minimum's split tie
    check2(lambda lib, F, a: getattr(F, fn)(a) * a, np.array([-0.0, 0.0, -1.0, 1.0, -0.0]),
           device=device, order=3)


@pytest.mark.parametrize("shape, dim", [((0,), None), ((2, 0), -2), ((2, 0), -1), ((0, 3), 0)],
                         ids=["all of nothing", "over a dim of 2", "over an empty dim",
                              "over an empty dim 0"])
def test_prod_of_an_empty_tensor_is_differentiable_twice(shape, dim, device):
    fn = (lambda lib, F, a: (a * a).prod()) if dim is None else \
        (lambda lib, F, a: (a * a).prod(dim))
    check2(fn, np.zeros(shape), device=device)


# ------------------------------------------------------------ norms at a zero vector

WITH_ZERO_ROWS = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [3e-9, -4e-9, 0.0]])


@pytest.mark.parametrize("fn", [
    lambda lib, F, a: a.norm(dim=1),
    lambda lib, F, a: lib.norm(a, dim=(0, 1), keepdim=True),
    lambda lib, F, a: a[0].norm(),
    lambda lib, F, a: lib.norm(a[0, 0], dim=-1),
    lambda lib, F, a: F.normalize(a, dim=1),
    lambda lib, F, a: F.normalize(a, dim=0, eps=1e-3),
], ids=["norm along a dim", "norm over dims kept", "norm of all", "norm of a 0-d tensor",
        "normalize", "normalize along dim 0"])
def test_2_norm_at_a_zero_vector_second_derivative_is_nan_as_torchs(fn, device):
    # torch's gradient is g * (x / norm) masked to 0 where norm = 0; differentiated again
    # the masked 0 / 0 gives NaN for that vector (the other vectors are finite)
    check2(fn, WITH_ZERO_ROWS, device=device)


def test_cosine_similarity_at_zero_and_tiny_vectors_matches_torch(device):
    # torch clamps the norms to eps without autograd: below eps the gradient is still the
    # norm's (first order too), and at 0 the second derivative is NaN
    check2(lambda lib, F, a, b: F.cosine_similarity(a, b), WITH_ZERO_ROWS,
           np.array([[1.0, 0.5, -1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [2.0, 1.0, 0.5]]),
           device=device)
    check2(lambda lib, F, a, b: F.cosine_similarity(a, b, dim=0), WITH_ZERO_ROWS.T,
           np.array([[1.0], [0.5], [-1.0]]), device=device)


# ------------------------------------------------------------ group norm of a constant group

# each group of 6 is one value; the sum / n mean of six 1.1 (or 2.2, 0.7) is 1 ulp off
CONSTANT_GROUPS = np.repeat(np.array([[1.1, 1.2], [-2.2, 0.7]]), 6, axis=1).reshape(2, 4, 3)


def test_group_and_layer_norm_of_a_constant_group_are_exactly_torchs(device):
    # torch's moments (Welford) are exact for a constant group: output 0 and the first
    # derivatives with no rounding left over (a 1-ulp mean would give 7e-14 in the output)
    check_op(lambda x: MF.group_norm(x, 2), lambda x: TF.group_norm(x, 2), CONSTANT_GROUPS,
             device=device, rtol=1e-12, atol=1e-15)
    check_op(lambda x: MF.layer_norm(x, (6,)), lambda x: TF.layer_norm(x, (6,)),
             CONSTANT_GROUPS.reshape(4, 6), device=device, rtol=1e-12, atol=1e-15)


def _group_norm_composite(x, w, b):
    """torch's group norm written out as the formula (x - mean) / sqrt(var + eps)."""
    g = x.reshape(2, 2, 6)
    s = g - g.detach()[:, :, :1]
    c = s - s.mean(2, keepdim=True)
    return (c / ((c * c).mean(2, keepdim=True) + 1e-5).sqrt()).reshape(x.shape) * \
        w.reshape(1, 4, 1) + b.reshape(1, 4, 1)


def test_group_norm_of_a_constant_group_second_derivative_is_its_formulas(device):
    # torch's double backward writes dX = a dY + b X + c with b = (sum(db) mean - sum(ds))
    # rstd^3 / n: at zero variance that difference of two equal sums is rounding, which
    # rstd^3 = eps^-1.5 = 3e7 magnifies to ~1e-9 relative. minigrad differentiates the
    # formula itself: it agrees with the formula in torch to 1e-12, with torch's native
    # double backward to that rounding (for plain group_norm the exact value is 0).
    fn = lambda x, w, b: MF.group_norm(x, 2, w, b)
    check_op(fn, _group_norm_composite, CONSTANT_GROUPS, (4,), (4,), device=device, order=2,
             rtol=1e-12, atol=1e-12)
    check_op(fn, lambda x, w, b: TF.group_norm(x, 2, w, b), CONSTANT_GROUPS, (4,), (4,),
             device=device, order=2, rtol=1e-7, atol=1e-7)


def test_softplus_under_create_graph_passes_nan_as_torch(device):
    # (the recorded backward holds beta x at the threshold above it; NaN is not above it)
    check2(lambda lib, F, a: F.softplus(a), np.array([np.nan, 1.0, 25.0, 20.0, -3.0]),
           device=device)
