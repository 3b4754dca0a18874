"""Element-wise math with torch's names: values and gradients against torch in float64 on
shapes that hypothesis draws, on every device; finite differences; integer inputs; misuse."""
import numpy as np
import pytest
import torch
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import gradcheck
from parity import strategies as S
from parity.opcheck import check_op

EXAMPLES = 10
UNIT = S.arrays(low=-0.95, high=0.95)  # inside (-1, 1): asin, acos, atanh
ABOVE_ONE = S.arrays(low=1.05, high=4.0)

UNARY = {  # name: inputs hypothesis draws (the domain where torch's derivative is finite)
    "sin": S.arrays(), "cos": S.arrays(), "tan": S.arrays(low=-1.4, high=1.4),
    "asin": UNIT, "acos": UNIT, "atan": S.arrays(),
    "sinh": S.arrays(), "cosh": S.arrays(), "asinh": S.arrays(), "acosh": ABOVE_ONE,
    "atanh": UNIT, "log2": S.positive_arrays(), "log10": S.positive_arrays(),
    "log1p": S.arrays(low=-0.9, high=3.0), "exp2": S.arrays(), "expm1": S.arrays(),
    "rsqrt": S.positive_arrays(), "reciprocal": S.positive_arrays(), "square": S.arrays(),
    "floor": S.arrays(), "ceil": S.arrays(), "trunc": S.arrays(), "frac": S.arrays(),
    "sign": S.arrays(), "round": S.arrays(), "nan_to_num": S.arrays(),
    "erf": S.arrays(), "erfc": S.arrays(),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_function_and_method_match_torch(name, device):
    check_op(lambda x: getattr(minigrad, name)(x), lambda x: getattr(torch, name)(x),
             UNARY[name], device=device, max_examples=EXAMPLES, name=name)
    check_op(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), (2, 3),
             device=device, name=f"Tensor.{name}")


@pytest.mark.parametrize("name", ["sin", "tan", "asin", "acosh", "log2", "expm1", "rsqrt", "erf",
                                  "reciprocal", "frac"])
def test_unary_backward_agrees_with_finite_differences(name):
    x = minigrad.tensor([[1.2, 1.5], [1.7, 1.9]] if name == "acosh" else
                        [[0.2, 0.5], [0.7, 0.9]], dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(lambda t: getattr(minigrad, name)(t), (x,))


@pytest.mark.parametrize("name", ["atan2", "remainder", "fmod", "maximum", "minimum"])
def test_binary_function_broadcasts_and_matches_torch(name, device):
    shapes = st.shared(S.broadcastable_shapes(), key=name)
    a = S.arrays(shape=shapes.map(lambda p: p[0]))
    b = S.arrays(shape=shapes.map(lambda p: p[1]), low=0.3, high=3.0)  # divisors away from 0
    check_op(lambda a, b: getattr(minigrad, name)(a, b), lambda a, b: getattr(torch, name)(a, b),
             a, b, device=device, max_examples=EXAMPLES, name=name)


def test_remainder_and_floor_divide_operators_follow_python_signs(device):
    a = minigrad.tensor([-7, 7, -7, 7], device=device)
    b = minigrad.tensor([3, 3, -3, -3], device=device)
    ta, tb = torch.tensor([-7, 7, -7, 7]), torch.tensor([3, 3, -3, -3])
    assert (a % b).tolist() == (ta % tb).tolist() == [2, 1, -1, -2]
    assert (a // b).tolist() == (ta // tb).tolist()
    assert minigrad.fmod(a, b).tolist() == torch.fmod(ta, tb).tolist()
    assert (10 % b).tolist() == (10 % tb).tolist() and (10 // b).tolist() == (10 // tb).tolist()


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_div_rounding_modes_match_torch(mode, dtype):
    values_a, values_b = [-7, 7, -8, 9, 5], [2, -2, 3, 4, -5]
    a = minigrad.tensor(values_a, dtype=getattr(minigrad, dtype))
    b = minigrad.tensor(values_b, dtype=getattr(minigrad, dtype))
    ta = torch.tensor(values_a, dtype=getattr(torch, dtype))
    tb = torch.tensor(values_b, dtype=getattr(torch, dtype))
    out, expected = minigrad.div(a, b, rounding_mode=mode), torch.div(ta, tb, rounding_mode=mode)
    assert str(out.dtype)[9:] == str(expected.dtype)[6:]
    assert out.tolist() == pytest.approx(expected.tolist())
    assert a.div(b, rounding_mode=mode).tolist() == out.tolist()


def test_div_rejects_an_unknown_rounding_mode():
    with pytest.raises(ValueError, match="rounding_mode"):
        minigrad.div(minigrad.ones(2), 2, rounding_mode="ceil")


def test_integer_division_by_zero_raises_like_torch():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        minigrad.tensor([1, 2]) // 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        minigrad.tensor([1, 2]) % minigrad.tensor([1, 0])


def test_floor_divide_has_no_derivative_like_torch():
    x = minigrad.tensor([5.0, -5.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide"):
        (x // 3).sum().backward()


def test_rounding_functions_keep_integer_dtypes():
    x = minigrad.tensor([-2, 3])
    for name in ["floor", "ceil", "trunc", "round", "sign"]:
        out = getattr(minigrad, name)(x)
        assert out.dtype is minigrad.int64 and out.tolist() == getattr(torch, name)(
            torch.tensor([-2, 3])).tolist(), name


def test_round_with_decimals_and_halves_to_even_like_torch():
    values = [0.5, 1.5, 2.5, -0.5, 1.2345, -2.71828]
    for decimals in (0, 2, -1):
        assert minigrad.round(minigrad.tensor(values, dtype=minigrad.float64),
                              decimals=decimals).tolist() == pytest.approx(
            torch.round(torch.tensor(values, dtype=torch.float64), decimals=decimals).tolist())


def test_lerp_with_scalar_and_tensor_weights(device):
    check_op(lambda a, b: minigrad.lerp(a, b, 0.3), lambda a, b: torch.lerp(a, b, 0.3),
             (2, 3), (2, 3), device=device)
    check_op(lambda a, b, w: minigrad.lerp(a, b, w), lambda a, b, w: torch.lerp(a, b, w),
             (2, 3), (3,), (2, 1), device=device)


def test_clamp_with_tensor_bounds_routes_gradients_like_torch(device):
    x = np.array([[-2.0, 0.3, 5.0], [1.0, -0.7, 0.1]])
    lo, hi = np.array([-1.0, 0.5, 0.0]), np.array([[2.0], [0.0]])
    check_op(lambda x, lo, hi: minigrad.clamp(x, lo, hi), lambda x, lo, hi: torch.clamp(x, lo, hi),
             x, lo, hi, device=device)
    check_op(lambda x, lo: x.clamp(min=lo), lambda x, lo: x.clamp(min=lo), x, lo, device=device)


def test_clamp_of_integers_with_a_float_bound_gives_a_float_like_torch():
    out = minigrad.clamp(minigrad.tensor([1, 5]), min=2.5)
    assert out.dtype is minigrad.float32 and out.tolist() == [2.5, 5.0]


def test_nan_to_num_replaces_nan_and_infinities_like_torch(device):
    values = [float("nan"), float("inf"), -float("inf"), 1.5]
    for kwargs in [{}, {"nan": 2.0, "posinf": 9.0, "neginf": -9.0}]:
        for dtype in ("float32", "float64"):
            out = minigrad.nan_to_num(minigrad.tensor(values, dtype=getattr(minigrad, dtype),
                                                      device=device), **kwargs)
            expected = torch.nan_to_num(torch.tensor(values, dtype=getattr(torch, dtype)), **kwargs)
            assert out.tolist() == expected.tolist()


def test_isnan_isinf_isfinite_isclose_allclose_match_torch(device):
    values = [float("nan"), float("inf"), -float("inf"), 1.0, 1.0 + 1e-7, 2.0]
    other = [float("nan"), float("inf"), float("inf"), 1.0, 1.0, 2.1]
    x, y = minigrad.tensor(values, device=device), minigrad.tensor(other, device=device)
    tx, ty = torch.tensor(values), torch.tensor(other)
    for name in ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"]:
        assert getattr(minigrad, name)(x).tolist() == getattr(torch, name)(tx).tolist(), name
        assert getattr(x, name)().dtype is minigrad.bool
    for kwargs in [{}, {"equal_nan": True}, {"rtol": 0.1}]:
        assert minigrad.isclose(x, y, **kwargs).tolist() == torch.isclose(tx, ty, **kwargs).tolist()
        assert minigrad.allclose(x[3:], y[3:], **kwargs) == torch.allclose(tx[3:], ty[3:], **kwargs)


def test_trig_of_integers_is_the_default_float():
    assert minigrad.sin(minigrad.tensor([0, 1])).dtype is minigrad.float32
    assert minigrad.atan2(minigrad.tensor([1]), minigrad.tensor([2])).dtype is minigrad.float32
