"""Reductions with torch's names against torch: values and gradients in float64 on shapes and
dims that hypothesis draws (negative dims, size-1 axes, scalars), every device."""
import numpy as np
import pytest
import torch
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import gradcheck
from parity import strategies as S
from parity.opcheck import check_op

EXAMPLES = 10


@st.composite
def array_and_dim(draw, min_dims=1, unique=False, low=-3.0, high=3.0):
    shape = draw(S.shapes(min_dims=min_dims, max_dims=3, max_side=4))
    dim = draw(st.integers(-len(shape), len(shape) - 1)) if shape else 0
    return draw(S.arrays(shape, unique=unique, low=low, high=high)), dim


def _check(mg, th, strategy, device, name, max_examples=EXAMPLES):
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(xd):
        x, d = xd
        check_op(lambda x: mg(x, d), lambda x: th(x, d), x, device=device, name=name)
    run()


@pytest.mark.parametrize("name, call", [
    ("prod along dim", lambda lib, x, d: lib.prod(x, d)),
    ("prod keepdim", lambda lib, x, d: x.prod(d, keepdim=True)),
    ("cumsum", lambda lib, x, d: lib.cumsum(x, d)),
    ("cumprod", lambda lib, x, d: x.cumprod(dim=d)),
    ("logcumsumexp", lambda lib, x, d: lib.logcumsumexp(x, d)),
    ("var", lambda lib, x, d: x.var(d)),
    ("var correction 0", lambda lib, x, d: lib.var(x, d, correction=0, keepdim=True)),
    ("std unbiased False", lambda lib, x, d: x.std(d, False)),
    ("std_mean", lambda lib, x, d: lib.std_mean(x, d, correction=0)),
    ("var_mean", lambda lib, x, d: lib.var_mean(x, (d,), keepdim=True)),
    ("norm", lambda lib, x, d: x.norm(dim=d)),
    ("norm p=1", lambda lib, x, d: lib.norm(x, 1, d)),
    ("norm p=3", lambda lib, x, d: x.norm(p=3, dim=d, keepdim=True)),
    ("norm p=inf", lambda lib, x, d: x.norm(p=float("inf"), dim=d)),
    ("cummax", lambda lib, x, d: lib.cummax(x, d)),
    ("cummin", lambda lib, x, d: x.cummin(d)),
    ("median along dim", lambda lib, x, d: x.median(d)),
])
def test_reduction_along_a_dim_matches_torch(name, call, device):
    unique = name.startswith(("cummax", "cummin", "median"))
    has_two = name in ("var", "std unbiased False", "std_mean", "var_mean")
    _check(lambda x, d: call(minigrad, x, d), lambda x, d: call(torch, x, d),
           array_and_dim(unique=unique, low=0.2 if name.startswith("norm") else -3.0),
           device, name)
    del has_two


@pytest.mark.parametrize("name, call", [
    ("prod", lambda lib, x: x.prod()),
    ("var", lambda lib, x: lib.var(x)),
    ("std", lambda lib, x: x.std()),
    ("norm", lambda lib, x: lib.norm(x)),
    ("median", lambda lib, x: x.median()),
])
def test_reduction_of_all_elements_matches_torch(name, call, device):
    check_op(lambda x: call(minigrad, x), lambda x: call(torch, x),
             S.arrays(S.shapes(min_dims=1, max_dims=3, max_side=4), unique=True, low=0.2),
             device=device, max_examples=EXAMPLES, name=name)


def test_prod_and_cumprod_gradients_are_exact_where_inputs_are_zero(device):
    x = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 1.5, 2.0], [1.0, 2.0, 3.0, 4.0]])
    check_op(lambda x: x.prod(1), lambda x: x.prod(1), x, device=device)
    check_op(lambda x: x.prod(), lambda x: x.prod(), x[:1], device=device)
    check_op(lambda x: x.cumprod(1), lambda x: x.cumprod(1), x, device=device)


@pytest.mark.parametrize("name", ["prod", "cumsum", "cumprod", "var", "norm", "logcumsumexp"])
def test_reduction_backward_agrees_with_finite_differences(name):
    x = minigrad.tensor([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]], dtype=minigrad.float64,
                        requires_grad=True)
    fn = {"prod": lambda t: t.prod(1), "cumsum": lambda t: t.cumsum(0),
          "cumprod": lambda t: t.cumprod(1), "var": lambda t: t.var(1),
          "norm": lambda t: t.norm(dim=0), "logcumsumexp": lambda t: t.logcumsumexp(1)}[name]
    assert gradcheck(fn, (x,))


def test_sums_and_products_of_integers_and_bools_are_int64_like_torch():
    for values, dtype in [([True, False, True], "bool"), ([1, 2, 3], "int32"), ([1, 2], "uint8")]:
        for name in ["prod", "cumsum", "cumprod"]:
            mg = getattr(minigrad, name)(minigrad.tensor(values, dtype=getattr(minigrad, dtype)),
                                         *([0] if name != "prod" else []))
            th = getattr(torch, name)(torch.tensor(values, dtype=getattr(torch, dtype)),
                                      *([0] if name != "prod" else []))
            assert mg.dtype is minigrad.int64 and mg.tolist() == th.tolist(), (name, dtype)


def test_all_any_and_count_nonzero_over_dims_match_torch(device):
    values = np.array([[[0, 1], [2, 3]], [[0, 0], [4, 0]]])
    x, t = minigrad.tensor(values, device=device), torch.tensor(values)
    for dim in [None, 0, -1, (0, 2)]:
        kwargs = {} if dim is None else {"dim": dim}
        for name in ["all", "any", "count_nonzero"]:
            assert getattr(minigrad, name)(x, **kwargs).tolist() == \
                getattr(torch, name)(t, **kwargs).tolist(), (name, dim)
    assert x.bool().any(1, keepdim=True).tolist() == t.bool().any(1, keepdim=True).tolist()
    assert minigrad.all(x).dtype is minigrad.bool


def test_var_of_one_element_is_nan_like_torch():
    assert np.isnan(minigrad.tensor([1.5]).var().item())
    assert minigrad.tensor([1.5]).var(correction=0).item() == 0.0


def test_var_refuses_integers_and_unbiased_with_correction():
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.tensor([1, 2]).var()
    with pytest.raises(RuntimeError, match="both unbiased and correction"):
        minigrad.ones(3).var(0, True, correction=1)


def test_median_returns_named_values_and_indices_like_torch():
    x = minigrad.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 9.0]])
    out = x.median(dim=1)
    expected = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 9.0]]).median(dim=1)
    assert out.values.tolist() == expected.values.tolist()
    assert out.indices.tolist() == expected.indices.tolist()


def test_reduction_over_a_bad_dim_raises_index_error():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        minigrad.ones(2, 3).cumsum(2)
