"""Sorting and selection against torch: values, indices and gradients in float64 on drawn
shapes and dims, every device; ties keep their order (stable), and torch's errors."""
import numpy as np
import pytest
import torch
from hypothesis import strategies as st

import minigrad
from parity import strategies as S
from parity.opcheck import check_op

EXAMPLES = 10


@st.composite
def distinct_array_and_dim(draw):
    shape = draw(S.shapes(min_dims=1, max_dims=3, max_side=4))
    return draw(S.arrays(shape, unique=True)), draw(st.integers(-len(shape), len(shape) - 1))


CALLS = {
    "sort": lambda lib, x, d: lib.sort(x, d),
    "sort descending": lambda lib, x, d: x.sort(dim=d, descending=True),
    "argsort": lambda lib, x, d: lib.argsort(x, d),
    "argsort descending": lambda lib, x, d: x.argsort(d, descending=True),
    "msort": lambda lib, x, d: lib.msort(x),
    "topk": lambda lib, x, d: lib.topk(x, (x.shape[d] + 1) // 2, d),
    "topk smallest": lambda lib, x, d: x.topk(1, dim=d, largest=False),
    "kthvalue": lambda lib, x, d: x.kthvalue(x.shape[d], d),
    "kthvalue keepdim": lambda lib, x, d: lib.kthvalue(x, 1, d, keepdim=True),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_sorting_matches_torch(name, device):
    from hypothesis import HealthCheck, given, settings
    call = CALLS[name]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(distinct_array_and_dim())
    def run(xd):
        x, d = xd
        check_op(lambda x: call(minigrad, x, d), lambda x: call(torch, x, d), x, device=device,
                 name=name)
    run()


def test_sort_keeps_equal_elements_in_order_like_torch_stable_sort(device):
    values = [2.0, 1.0, 2.0, 1.0, 3.0, 2.0]
    for descending in (False, True):
        mg = minigrad.tensor(values, device=device).sort(descending=descending, stable=True)
        th = torch.tensor(values).sort(descending=descending, stable=True)
        assert mg.indices.tolist() == th.indices.tolist()
        assert mg.values.tolist() == th.values.tolist()


def test_sort_gradient_goes_to_the_element_each_value_came_from():
    x = minigrad.tensor([3.0, 1.0, 2.0], requires_grad=True)
    (x.sort().values * minigrad.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_unique_matches_torch(device):
    values = np.array([[3, 1, 3], [2, 1, 1]])
    x, t = minigrad.tensor(values, device=device), torch.tensor(values)
    assert minigrad.unique(x).tolist() == torch.unique(t).tolist()
    for a, b in zip(x.unique(return_inverse=True, return_counts=True),
                    t.unique(return_inverse=True, return_counts=True)):
        assert a.tolist() == b.tolist()
    assert minigrad.unique(x, dim=0).tolist() == torch.unique(t, dim=0).tolist()


def test_topk_and_kthvalue_misuse_raise_like_torch():
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        minigrad.randn(3).topk(4)
    with pytest.raises(RuntimeError, match="kthvalue\\(\\): selected number k out of range"):
        minigrad.randn(3).kthvalue(0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        minigrad.randn(3).sort(1)
