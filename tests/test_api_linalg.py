"""mm, bmm, mv, dot, outer, inner and einsum against torch (values and gradients in float64 on
hypothesis-drawn sizes, every device), with torch's errors for wrong shapes."""
import numpy as np
import pytest
import torch
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import gradcheck
from parity import strategies as S
from parity.opcheck import check_op

EXAMPLES = 8
n, k, m, b = (st.shared(st.integers(1, 4), key=key) for key in "nkmb")


def _arrays(*dims):
    return S.arrays(shape=st.tuples(*dims))


@pytest.mark.parametrize("name, shapes", [
    ("mm", ((n, k), (k, m))), ("bmm", ((b, n, k), (b, k, m))), ("mv", ((n, k), (k,))),
    ("dot", ((k,), (k,))), ("outer", ((n,), (m,))), ("inner", ((n, k), (m, k))),
])
def test_matrix_product_matches_torch(name, shapes, device):
    check_op(lambda x, y: getattr(minigrad, name)(x, y), lambda x, y: getattr(torch, name)(x, y),
             *(_arrays(*s) for s in shapes), device=device, max_examples=EXAMPLES, name=name)
    check_op(lambda x, y: getattr(x, name)(y), lambda x, y: getattr(x, name)(y),
             *(_arrays(*s) for s in shapes), device=device, max_examples=3, name=f"Tensor.{name}")


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", ((n, k), (k, m))),
    ("bij,bjk->bik", ((b, n, k), (b, k, m))),
    ("ij->ji", ((n, k),)),
    ("ij->", ((n, k),)),
    ("ij,ij->i", ((n, k), (n, k))),
    ("i,j->ij", ((n,), (m,))),
    ("ij,jk", ((n, k), (k, m))),          # implicit output: the subscripts used once
    ("...j,jk->...k", ((b, n, k), (k, m))),
    ("bn,nk,km->bm", ((b, n), (n, k), (k, m))),
    ("bij,jk->bi", ((b, n, k), (k, m))),  # k summed in one operand only
])
def test_einsum_matches_torch(equation, shapes, device):
    check_op(lambda *xs: minigrad.einsum(equation, *xs), lambda *xs: torch.einsum(equation, *xs),
             *(_arrays(*s) for s in shapes), device=device, max_examples=EXAMPLES, name=equation)


def test_einsum_accepts_a_list_of_operands_and_spaces():
    a, c = np.random.default_rng(0).standard_normal((2, 3, 4))
    out = minigrad.einsum("i j , k j -> i k", [minigrad.tensor(a), minigrad.tensor(c)])
    np.testing.assert_allclose(out.numpy(), torch.einsum("ij,kj->ik", torch.tensor(a),
                                                         torch.tensor(c)).numpy())


def test_einsum_backward_agrees_with_finite_differences():
    x = minigrad.tensor(np.arange(6.0).reshape(2, 3) / 5, requires_grad=True)
    y = minigrad.tensor(np.arange(12.0).reshape(3, 4) / 7, requires_grad=True)
    assert gradcheck(lambda p, q: minigrad.einsum("ij,jk->i", p, q), (x, y))


@pytest.mark.parametrize("call, message", [
    (lambda: minigrad.mm(minigrad.ones(3, 4), minigrad.ones(3, 4)),
     r"mat1 and mat2 shapes cannot be multiplied \(3x4 and 3x4\)"),
    (lambda: minigrad.mm(minigrad.ones(3, 4), minigrad.ones(4)), "mat2 must be a matrix"),
    (lambda: minigrad.bmm(minigrad.ones(3, 4), minigrad.ones(3, 4)), "batch1 must be a 3D tensor"),
    (lambda: minigrad.dot(minigrad.ones(3, 4), minigrad.ones(3, 4)),
     "1D tensors expected, but got 2D and 2D tensors"),
    (lambda: minigrad.mv(minigrad.ones(3, 4), minigrad.ones(3)),
     r"size mismatch, got input \(3\), mat \(3x4\), vec \(3\)"),
    (lambda: minigrad.outer(minigrad.ones(3, 4), minigrad.ones(3)),
     "outer: Expected 1-D argument self, but got 2-D"),
    (lambda: minigrad.einsum("ij,jk->ik", minigrad.ones(3, 4), minigrad.ones(3, 4)),
     "subscript j has size 3 for operand 1 which does not broadcast with previously seen size 4"),
])
def test_product_misuse_raises_like_torch(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()
