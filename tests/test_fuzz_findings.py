"""What the differential fuzzer (``python -m parity.fuzz``) found where minigrad's first-order
semantics differed from torch's (section E of the second-order fuzzing findings), each stated
as torch's behaviour and run on both libraries with the same code.

``like_torch(f)`` and ``grads`` are test_torch_semantics.py's: both raise alike (type and
words) or return the same values, shapes and dtypes (NaN-aware).
"""
import math

import numpy as np
import pytest

import minigrad
from parity import check_op
from test_torch_semantics import grads, like_torch

torch = pytest.importorskip("torch")

nan, inf = math.nan, math.inf


# ------------------------------------------------------------ logcumsumexp

def test_logcumsumexp_of_large_negative_inputs_does_not_underflow():
    for dtype in ("float64", "float32"):
        like_torch(lambda L: L.tensor([[-1581.666, -7.0], [-1.557, -2.18], [-900.0, 800.0]],
                                      dtype=getattr(L, dtype)).logcumsumexp(0))


def test_logcumsumexp_with_infinities_and_nan_matches_torch():
    like_torch(lambda L: L.logcumsumexp(L.tensor([[-inf, -inf, 1.0, inf, 2.0, inf, nan, 3.0]]),
                                        1))


def test_logcumsumexp_values_gradients_and_second_derivatives_match_torch(device):
    x = np.array([[-1581.666, -7.0, 0.5], [-1.557, -2.18, 3.0], [-900.0, 800.0, 799.0],
                  [0.1, 0.2, -0.3], [2.0, -1.0, 1.5]])
    check_op(lambda t: minigrad.logcumsumexp(t, 0), lambda t: torch.logcumsumexp(t, 0), x,
             device=device, order=2)
    check_op(lambda t: minigrad.logcumsumexp(t, -1), lambda t: torch.logcumsumexp(t, -1), x,
             device=device, order=2)


def test_logcumsumexp_gradient_leaves_out_a_nan_upstream_gradient_as_torch():
    # sqrt(-1) gives NaN upstream of out[0, 0]: torch's backward sums the positive and the
    # negative upstream gradients in logs, and a NaN is neither
    like_torch(lambda L: grads(L, lambda L, x: L.logcumsumexp(x, -1).sqrt(),
                               [[-1.0, 0.34], [-3.2, 0.34]]))


def test_logcumsumexp_of_a_0d_tensor_passes_the_gradient_through():
    like_torch(lambda L: grads(L, lambda L, x: L.logcumsumexp(L.divide(x, inf), -1), nan))


# ------------------------------------------------------------ erfc

ERFC_X = [-3.0, -0.5, 0.0, 0.5, 1.9, 2.0, 2.1, 3.5714285, 5.0, 10.0, 26.0, inf, -inf, nan]


def test_erfc_keeps_its_precision_where_erf_is_near_one():
    for dtype in ("float64", "float32"):
        like_torch(lambda L: L.erfc(L.tensor(ERFC_X, dtype=getattr(L, dtype))))


def test_erfc_value_and_gradient_match_torch_on_every_device(device):
    x = np.array([-2.0, 0.3, 1.99, 2.5, 4.0, 6.0, 9.0, 20.0])
    out = minigrad.erfc(minigrad.tensor(x, device=device)).numpy()
    np.testing.assert_allclose(out, torch.erfc(torch.tensor(x)).numpy(), rtol=1e-12, atol=0)
    check_op(minigrad.erfc, torch.erfc, x, device=device, order=2)


def test_erf_and_erfc_of_float16_are_float16():
    like_torch(lambda L: (L.tensor([0.3, 2.0]).half().erfc(), L.tensor([0.3, 2.0]).half().erf()))


# ------------------------------------------------------------ signs of NaN and of zero

def test_signbit_reads_the_sign_bit_of_a_nan_itself():
    # (which NaN an invalid operation gives, +nan or -nan, depends on the math library:
    # acos(1.1) is -nan in torch, +nan in NumPy; the fuzzer's allowlist says so)
    like_torch(lambda L: L.signbit(L.tensor([nan, -nan, -0.0, 0.0, -inf, 1.0])))


REMAINDER_ZEROS = {
    "by a tensor": lambda L: 1 / L.remainder(L.tensor([-2.0, 2.0, -0.0, 0.0, -3.0]),
                                             L.tensor([1.0, -1.0, -1.0, 1.0, 1.5])),
    "by a number": lambda L: 1 / L.remainder(L.tensor([-2.0, 2.0, -0.0, 0.0]), -1.0),
    "through %": lambda L: 1 / (L.tensor([-2.0, 2.0, 4.0]) % L.tensor(-1.0)),
    "of a number": lambda L: 1 / (-2.0 % L.tensor([1.0, -1.0])),
    "fmod": lambda L: 1 / L.fmod(L.tensor([-2.0, 2.0, -0.0, 0.0]),
                                 L.tensor([1.0, -1.0, 1.0, -1.0])),
}


@pytest.mark.parametrize("case", REMAINDER_ZEROS)
def test_a_zero_remainder_keeps_the_dividends_sign_as_in_torch(case):
    like_torch(REMAINDER_ZEROS[case])


def test_a_zero_remainder_keeps_the_dividends_sign_on_every_device(device):
    r = minigrad.remainder(minigrad.tensor([-2.0, 2.0, -3.0, 3.0], device=device), -1.0)
    assert minigrad.signbit(r).tolist() == [True, False, True, False]
    assert r.tolist() == [0.0, 0.0, 0.0, 0.0]


# ------------------------------------------------------------ errors torch raises

ERRORS = {
    "norm over three dims": lambda L: L.norm(L.tensor([[[0.0], [1.41]]]), dim=[2, 0, -4]),
    "frobenius norm over three dims": lambda L: L.norm(L.zeros(2, 1, 3), "fro", (0, 1, 2)),
    "nuclear norm over one dim": lambda L: L.norm(L.zeros(2, 1, 3), "nuc", [0]),
    "norm over three dims of a vector": lambda L: L.norm(L.zeros(3), dim=(0, 0, 0)),
    "norm over three dims of integers": lambda L: L.norm(L.zeros(2, 1, 3, dtype=L.int64),
                                                         dim=(0, 1, 2)),
    "round with decimals of int16": lambda L: L.tensor([1, 2], dtype=L.int16).round(decimals=2),
    "round with decimals of int8": lambda L: L.tensor([1, 2], dtype=L.int8).round(decimals=-1),
    "an int8 alpha out of range": lambda L: L.tensor([1, 2]).char().add(-1, alpha=300),
    "a uint8 alpha out of range": lambda L: L.tensor([1, 2], dtype=L.uint8).sub(1, alpha=-300),
    "an int16 alpha out of range": lambda L: L.tensor([1, 2], dtype=L.int16).add(1, alpha=10**6),
    "an int8 alpha with a tensor": lambda L: L.tensor([1, 2]).char().add(
        L.tensor([1, 2]).char(), alpha=300),
    "an int8 clip bound out of range": lambda L: L.tensor([1, 2]).char().clip(-1, 300),
    "a uint8 clamp bound out of range": lambda L: L.clamp(L.tensor([1, 2], dtype=L.uint8),
                                                          min=-300),
    "an int32 clamp bound out of range": lambda L: L.tensor([1, 2], dtype=L.int32).clamp_(
        max=3_000_000_000),
    "prod over a dim out of range, with an integer dtype": lambda L: L.ones(
        2, 3, requires_grad=True).prod(dim=4, dtype=L.int64),
    "median of a bool scalar over a dim out of range": lambda L: L.median(L.tensor(True), dim=1),
    "nearest interpolation of bools": lambda L: L.nn.functional.interpolate(
        L.zeros(1, 2, 2, 3, dtype=L.bool), size=(1, 3)),
    "bilinear interpolation of int64": lambda L: L.nn.functional.interpolate(
        L.zeros(1, 1, 2, 2, dtype=L.int64), scale_factor=2, mode="bilinear"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_bad_arguments_raise_torchs_error(case):
    like_torch(ERRORS[case])


INTEGERS = {
    "floor_divide of an empty tensor by 0": lambda L: L.arange(1, 1).floor_divide(L.tensor(0)),
    "remainder of an empty tensor by 0": lambda L: L.remainder(L.zeros(0, 2, dtype=L.int64),
                                                               L.tensor([0, 1])),
    "fmod of an empty tensor by 0": lambda L: L.fmod(L.zeros(0, dtype=L.int32),
                                                     L.zeros(1, dtype=L.int32)),
    "an int8 alpha in range": lambda L: L.tensor([1, 2]).char().add(1, alpha=-128),
    "a negative uint8 clip bound wraps around": lambda L: L.tensor([1, 2],
                                                                   dtype=L.uint8).clip(-1, 2),
    "an int16 bound in range": lambda L: L.tensor([1, 2], dtype=L.int16).clip(-1, 300),
    "a Python int wraps into int8": lambda L: (L.tensor([1, 2]).char() + 300,
                                               L.tensor([1, 2]).char() * 300),
    "a Python int wraps into int16": lambda L: L.tensor([1, 2], dtype=L.int16) * 40000,
}


@pytest.mark.parametrize("case", INTEGERS)
def test_integer_arithmetic_matches_torch(case):
    like_torch(INTEGERS[case])


# ------------------------------------------------------------ views and copies

def test_flatten_with_nothing_to_flatten_returns_its_input_itself():
    # torch documents it: "If no dimensions are flattened, then the original object input
    # is returned"; a 0-d input becomes 1-d, a new tensor
    def which(L):
        v, m, s = L.tensor([1.0, 2.0]), L.ones(2, 3), L.tensor(1.0)
        return (L.flatten(v) is v, m.flatten(1) is m, m.flatten(0, 0) is m, m.flatten() is m,
                L.flatten(s) is s)
    like_torch(which)


def test_t_of_a_vector_or_a_scalar_is_a_new_view_of_it():
    def which(L):
        v, s = L.tensor([1.0, 2.0]), L.tensor(3.0)
        vt, st = v.t(), s.t()
        vt[0] = 5.0  # (writes through the view)
        return vt is v, st is s, v, vt.shape, st.shape
    like_torch(which)


def test_t_of_a_vector_is_not_a_leaf_and_its_hooks_are_its_own():
    def seen(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x.t()
        y.retain_grad()
        (y * L.tensor([2.0, 3.0])).sum().backward()
        return y.is_leaf, y.grad, x.grad
    like_torch(seen)


def test_flips_are_contiguous_copies():
    def flags(L):
        m = L.arange(6.0).reshape(2, 3)
        f = L.flip(m, [0, 1])
        m[0, 0] = 9.0  # (a copy: the flips do not see it)
        return (L.flipud(m).is_contiguous(), L.fliplr(m).is_contiguous(), f.is_contiguous(), f)
    like_torch(flags)


# ------------------------------------------------------------ gradients at NaN

def test_nan_to_num_gradient_multiplies_by_the_finite_mask_as_torch():
    # torch: grad * isfinite(x), so an infinite upstream gradient at a NaN gives NaN
    like_torch(lambda L: grads(L, lambda L, x: x.nan_to_num().rsqrt(), [0.0, nan, 0.5, inf]))
    like_torch(lambda L: grads(L, lambda L, x: L.nan_to_num(x, nan=2.0, posinf=1.0) * 3,
                               [nan, inf, -inf, 1.5]))


def test_nan_to_num_second_derivative_matches_torch(device):
    check_op(lambda t: minigrad.nan_to_num(t * t), lambda t: torch.nan_to_num(t * t),
             np.array([0.5, -1.0, 2.0]), device=device, order=2)


MEDIANS = {
    "all elements, with a computed NaN": lambda L: L.median(L.tensor([-1.0, 2.0, 3.0, 0.5]).sqrt()),
    "along a dim: the first NaN of a line": lambda L: tuple(L.median(L.tensor(
        [[1.0, nan, 3.0, nan, 0.5], [nan, 2.0, 1.0, 0.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0]]), 1)),
    "along dim 0, kept": lambda L: tuple(L.median(L.tensor([[1.0, nan], [nan, 2.0], [3.0, 0.0]]),
                                                  0, keepdim=True)),
    "gradient along a dim after a NaN": lambda L: grads(
        L, lambda L, x: L.median(L.arctanh(x), 1).values, [[0.5, 1.157, 0.2], [0.1, 0.3, 0.2]]),
}


@pytest.mark.parametrize("case", MEDIANS)
def test_median_of_a_line_with_a_nan_is_nan_as_in_torch(case):
    like_torch(MEDIANS[case])


def test_median_with_nan_on_every_device(device):
    x = minigrad.tensor([[1.0, nan, 3.0, nan], [4.0, 1.0, 2.0, 3.0]], device=device)
    values, indices = minigrad.median(x, 1)
    assert math.isnan(values.tolist()[0]) and values.tolist()[1] == 2.0
    assert indices.tolist() == [1, 2]


def test_softplus_gradient_at_nan_is_nan_under_create_graph():
    # (and at beta x = threshold torch's second derivative is 0: its mask is beta x < threshold)
    def twice(L):
        x = L.tensor([-1.5, nan, 20.0, 19.0, 25.0], dtype=L.float64, requires_grad=True)
        g, = L.autograd.grad(L.nn.functional.softplus(x).sum(), [x], create_graph=True)
        h, = L.autograd.grad((g * L.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=L.float64)).sum(),
                             [x])
        return g, h
    like_torch(twice)


ELU_FAMILY = {
    "selu's gradient at NaN passes g * scale": lambda L: grads(
        L, lambda L, x: L.nn.functional.selu(x), [-1.5, nan, 2.0]),
    "elu's and celu's gradient at NaN pass g": lambda L: (
        grads(L, lambda L, x: L.nn.functional.elu(x), [nan, -1.0]),
        grads(L, lambda L, x: L.nn.functional.celu(x, alpha=2.0), [nan, 0.5])),
    "selu of -0.0 is -0.0 (seen through log2)": lambda L: grads(
        L, lambda L, x: L.nn.functional.selu(x).log2(), [-0.0, 0.0]),
    "celu of -0.0 is -0.0 (seen through log)": lambda L: grads(
        L, lambda L, x: L.nn.functional.celu(x).log(), [0.0, 0.34, -0.0]),
}


@pytest.mark.parametrize("case", ELU_FAMILY)
def test_elu_family_at_nan_and_negative_zero_as_torch(case):
    like_torch(ELU_FAMILY[case])


def test_repeat_interleave_of_int32_repeats_gives_int32_indices():
    like_torch(lambda L: L.repeat_interleave(L.tensor([1, 0, 2], dtype=L.int32)))
    like_torch(lambda L: L.repeat_interleave(L.tensor([1, 0, 2])))


def test_a_negative_python_int_power_of_integers_raises_even_when_empty():
    like_torch(lambda L: L.tensor([], dtype=L.int32).reshape(2, 0).pow(-2))
    like_torch(lambda L: L.tensor([], dtype=L.int64) ** -1)
    like_torch(lambda L: L.tensor([2.0]).pow(-2))


def test_pow_exponent_gradient_multiplies_g_by_the_masked_factor_as_torch():
    # torch: g * where(a == 0 & b >= 0, 0, out * log(a)), so an infinite g at a zero base
    # gives NaN (here y0 = 0 ** 1.03 = 0, and y0 ** -1.93 has an infinite derivative there)
    like_torch(lambda L: grads(L, lambda L, a, b, c: L.pow(a, b) ** c,
                               [[0.0, -0.7, 0.5], [1.2, -1.0, 0.9]], [[1.03, -2.1, 0.3]],
                               [[-1.93, -1.0, 2.0], [0.39, 0.43, -3.7]]))


def test_prod_of_a_0d_tensor_passes_the_gradient_through():
    # torch's prod backward returns g for a 0-d input: log2(-3.66) is NaN, yet x's gradient is
    # d log2 = 1 / (x ln 2)
    like_torch(lambda L: grads(L, lambda L, x: L.log2(x).prod(dim=0, keepdim=True), -3.66))
    like_torch(lambda L: grads(L, lambda L, x: L.log2(x).prod(), -3.66))
