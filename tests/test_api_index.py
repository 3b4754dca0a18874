"""Indexing along a dimension: gather, scatter, scatter_add, index_select, index_add, masks and
nonzero, against torch (values and gradients in float64, every device) and their misuse."""
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
def _with_index(draw, same_shape=False, unique=False):
    """(x, dim, index): an array, a (possibly negative) dim, int64 positions along it."""
    shape = draw(S.shapes(min_dims=1, max_dims=3, max_side=4))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    if same_shape:
        ishape = shape
    else:
        ishape = tuple(draw(st.integers(1, s)) if a != dim % len(shape) else draw(st.integers(1, 5))
                       for a, s in enumerate(shape))
    if unique:  # distinct positions along dim, for scatter
        ishape = tuple(min(s, n) if a == dim % len(shape) else s for a, s in enumerate(ishape))
        rng = np.random.default_rng(draw(st.integers(0, 1000)))
        moved = np.moveaxis(np.zeros(ishape), dim, -1)
        perm = np.stack([rng.permutation(n)[:moved.shape[-1]] for _ in range(
            int(np.prod(moved.shape[:-1])))]).reshape(moved.shape)
        index = np.moveaxis(perm, -1, dim)
    else:
        index = draw(st.lists(st.integers(0, n - 1), min_size=int(np.prod(ishape)),
                              max_size=int(np.prod(ishape)))) if np.prod(ishape) else []
        index = np.asarray(index, dtype=np.int64).reshape(ishape)
    return draw(S.arrays(shape)), dim, index.astype(np.int64)


def _split(lib, fn):
    return lambda x, d, i: fn(lib, x, d, lib.tensor(i))


def _check_three(mg_fn, th_fn, strategy, device, name, extra=()):
    from hypothesis import given, settings, HealthCheck

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(xdi):
        x, d, i = xdi
        check_op(lambda x, *rest: mg_fn(x, d, minigrad.tensor(i, device=device), *rest),
                 lambda x, *rest: th_fn(x, d, torch.tensor(i), *rest), x, *extra(i, x),
                 device=device, name=name)
    run()


def test_gather_values_and_gradients_match_torch(device):
    _check_three(minigrad.gather, torch.gather, _with_index(), device, "gather", lambda i, x: ())


def test_take_along_dim_matches_torch(device):
    _check_three(lambda x, d, i: minigrad.take_along_dim(x, i, d),
                 lambda x, d, i: torch.take_along_dim(x, i, d), _with_index(same_shape=True),
                 device, "take_along_dim", lambda i, x: ())


def test_scatter_add_matches_torch(device):
    _check_three(lambda x, d, i, src: x.scatter_add(d, i, src),
                 lambda x, d, i, src: x.scatter_add(d, i, src), _with_index(), device,
                 "scatter_add", lambda i, x: (np.random.default_rng(0).standard_normal(i.shape),))


def test_scatter_of_distinct_positions_matches_torch(device):
    _check_three(lambda x, d, i, src: x.scatter(d, i, src),
                 lambda x, d, i, src: x.scatter(d, i, src), _with_index(unique=True), device,
                 "scatter", lambda i, x: (np.random.default_rng(0).standard_normal(i.shape),))
    _check_three(lambda x, d, i: x.scatter(d, i, 2.5), lambda x, d, i: x.scatter(d, i, 2.5),
                 _with_index(unique=True), device, "scatter value", lambda i, x: ())


def test_scatter_builds_one_hot_rows_like_torch():
    labels = [2, 0, 1]
    mg = minigrad.zeros(3, 4).scatter(1, minigrad.tensor(labels).unsqueeze(1), 1.0)
    th = torch.zeros(3, 4).scatter(1, torch.tensor(labels).unsqueeze(1), 1.0)
    assert mg.tolist() == th.tolist()


def test_index_select_and_index_add_match_torch(device):
    @st.composite
    def vector_index(draw):
        shape = draw(S.shapes(min_dims=1, max_dims=3, max_side=4))
        dim = draw(st.integers(-len(shape), len(shape) - 1))
        index = draw(st.lists(st.integers(0, shape[dim] - 1), min_size=0, max_size=5))
        return draw(S.arrays(shape)), dim, np.asarray(index, dtype=np.int64)

    _check_three(minigrad.index_select, torch.index_select, vector_index(), device,
                 "index_select", lambda i, x: ())

    def source(i, x):
        return (np.random.default_rng(0).standard_normal(
            x.shape[:0] + tuple(len(i) if a == 0 else s for a, s in enumerate(x.shape))),)

    @st.composite
    def dim0(draw):
        x, _, i = draw(vector_index())
        return x, 0, i
    _check_three(lambda x, d, i, s: x.index_add(d, i, s, alpha=2.0),
                 lambda x, d, i, s: x.index_add(d, i, s, alpha=2.0), dim0(), device, "index_add",
                 source)


def test_masked_fill_and_masked_select_match_torch(device):
    mask = np.array([[True, False, True]])
    check_op(lambda x: x.masked_fill(minigrad.tensor(mask, device=device), -1.5),
             lambda x: x.masked_fill(torch.tensor(mask), -1.5), (2, 3), device=device)
    check_op(lambda x: x.masked_select(minigrad.tensor(mask, device=device)),
             lambda x: x.masked_select(torch.tensor(mask)), (2, 3), device=device)
    check_op(lambda x: minigrad.masked_fill(x, x > 0, float("-inf")).softmax(-1),
             lambda x: torch.masked_fill(x, x > 0, float("-inf")).softmax(-1),
             np.array([[-1.0, 2.0, -0.5]]), device=device)


def test_nonzero_and_argwhere_match_torch(device):
    values = np.array([[0, 1, 0], [2, 0, 3]])
    x, t = minigrad.tensor(values, device=device), torch.tensor(values)
    assert minigrad.nonzero(x).tolist() == torch.nonzero(t).tolist()
    assert [a.tolist() for a in x.nonzero(as_tuple=True)] == [
        a.tolist() for a in t.nonzero(as_tuple=True)]
    assert minigrad.argwhere(x).tolist() == torch.argwhere(t).tolist()
    assert minigrad.nonzero(x).dtype is minigrad.int64


def test_gather_backward_agrees_with_finite_differences():
    x = minigrad.tensor([[0.5, 1.5], [2.5, 3.5]], dtype=minigrad.float64, requires_grad=True)
    index = minigrad.tensor([[0, 0], [1, 0]])
    assert gradcheck(lambda t: t.gather(1, index) * t.gather(0, index), (x,))


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.gather(5, minigrad.zeros(3, 4, dtype=minigrad.int64)), IndexError,
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"),
    (lambda x: x.gather(1, minigrad.zeros(3, dtype=minigrad.int64)), RuntimeError,
     "Index tensor must have the same number of dimensions as input tensor"),
    (lambda x: x.gather(1, minigrad.full((3, 4), 7)), RuntimeError,
     "index 7 is out of bounds for dimension 1 with size 4"),
    (lambda x: x.gather(1, minigrad.full((3, 4), -1)), RuntimeError,
     "index -1 is out of bounds for dimension 1 with size 4"),
    (lambda x: x.gather(1, minigrad.zeros(3, 4)), RuntimeError, "Expected dtype int64 for index"),
    (lambda x: x.index_select(0, minigrad.tensor([5])), IndexError, "index out of range in self"),
    (lambda x: x.index_select(0, minigrad.tensor([[1]])), IndexError,
     "Index is supposed to be a vector"),
    (lambda x: x.masked_fill(minigrad.ones(3, 4, dtype=minigrad.int64), 0.0), RuntimeError,
     "masked_fill_ only supports boolean masks, but got mask with dtype long int"),
    (lambda x: x.scatter(1, minigrad.full((3, 4), 9), 1.0), RuntimeError,
     "index 9 is out of bounds for dimension 1 with size 4"),
])
def test_indexing_misuse_raises_like_torch(call, error, message):
    with pytest.raises(error, match=message):
        call(minigrad.randn(3, 4))


def test_in_place_forms_write_into_the_tensor_like_torch():
    for lib in (minigrad, torch):
        x = lib.zeros(3, 4)
        same = x.scatter_(1, lib.tensor([[2], [0], [1]]), 1.0)
        assert same is x
        x.masked_fill_(x == 0, -1.0)
        x.scatter_add_(0, lib.tensor([[0, 1, 2, 0]]), lib.ones(1, 4))
        x.index_add_(1, lib.tensor([3]), lib.ones(3, 1), alpha=2)
        if lib is torch:
            assert x.tolist() == mg.tolist()
        else:
            mg = x
