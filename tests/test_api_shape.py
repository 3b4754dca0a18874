"""Cutting, joining, repeating and rearranging against torch: values and gradients in float64 on
shapes and dims that hypothesis draws, every device; misuse raises torch's errors."""
import numpy as np
import pytest
import torch
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import gradcheck
from parity import strategies as S
from parity.opcheck import check_op

EXAMPLES = 8


@st.composite
def array_and_dim(draw, min_dims=1, max_dims=3):
    shape = draw(S.shapes(min_dims=min_dims, max_dims=max_dims, max_side=4))
    return draw(S.arrays(shape)), draw(st.integers(-len(shape), len(shape) - 1))


def _check(call, strategy, device, name):
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(xd):
        x, d = xd
        check_op(lambda x: call(minigrad, x, d), lambda x: call(torch, x, d), x, device=device,
                 name=name)
    run()


ALONG_A_DIM = {
    "split 2": lambda lib, x, d: lib.split(x, 2, d),
    "split sizes": lambda lib, x, d: x.split([1, x.shape[d] - 1], dim=d),
    "chunk 2": lambda lib, x, d: lib.chunk(x, 2, d),
    "chunk 3": lambda lib, x, d: x.chunk(3, dim=d),
    "tensor_split 3": lambda lib, x, d: lib.tensor_split(x, 3, d),
    "tensor_split at": lambda lib, x, d: x.tensor_split([1, 3], dim=d),
    "unbind": lambda lib, x, d: lib.unbind(x, d),
    "narrow": lambda lib, x, d: x.narrow(d, x.shape[d] // 2, (x.shape[d] + 1) // 2),
    "flip": lambda lib, x, d: lib.flip(x, (d,)),
    "flip all": lambda lib, x, d: x.flip(list(range(x.ndim))),
    "roll": lambda lib, x, d: lib.roll(x, 2, d),
    "roll flat": lambda lib, x, d: x.roll(-3),
    "roll two dims": lambda lib, x, d: x.roll((1, -1), (0, -1)),
    "repeat_interleave": lambda lib, x, d: lib.repeat_interleave(x, 2, d),
    "repeat_interleave counts": lambda lib, x, d: x.repeat_interleave(
        lib.tensor(list(range(1, x.shape[d] + 1))), dim=d),
    "repeat_interleave flat": lambda lib, x, d: x.repeat_interleave(3),
    "movedim": lambda lib, x, d: lib.movedim(x, d, 0),
    "moveaxis two": lambda lib, x, d: x.moveaxis((0, d), (-1, 0)) if d % x.ndim else x * 1,
    "swapaxes": lambda lib, x, d: lib.swapaxes(x, 0, d),
    "unflatten": lambda lib, x, d: x.unflatten(d, (1, x.shape[d], 1)),
    "unfold": lambda lib, x, d: x.unfold(d, 1 + x.shape[d] // 2, 1 + x.shape[d] // 3),
    "repeat": lambda lib, x, d: x.repeat(*([2] + [1] * (x.ndim - 1) + [3])),
    "tile": lambda lib, x, d: lib.tile(x, (2,)),
    "broadcast_to": lambda lib, x, d: lib.broadcast_to(x, (2,) + tuple(x.shape)),
    "fliplr flipud": lambda lib, x, d: (lib.fliplr(x), lib.flipud(x)) if x.ndim >= 2 else x * 1,
    "diagonal": lambda lib, x, d: lib.diagonal(x, 1, 0, -1) if x.ndim >= 2 else x * 1,
    "tril": lambda lib, x, d: lib.tril(x, d) if x.ndim >= 2 else x * 1,
    "triu": lambda lib, x, d: x.triu(-d) if x.ndim >= 2 else x * 1,
}


@pytest.mark.parametrize("name", sorted(ALONG_A_DIM))
def test_shape_function_matches_torch(name, device):
    _check(ALONG_A_DIM[name], array_and_dim(), device, name)


@pytest.mark.parametrize("offset", [0, 1, -2])
def test_diag_of_a_vector_and_of_a_matrix_match_torch(offset, device):
    check_op(lambda v: minigrad.diag(v, offset), lambda v: torch.diag(v, offset), (3,),
             device=device)
    check_op(lambda m: m.diag(offset), lambda m: m.diag(offset), (3, 4), device=device)


def test_meshgrid_broadcast_tensors_and_type_as_match_torch(device):
    for indexing in ("ij", "xy"):
        check_op(lambda a, b: minigrad.meshgrid(a, b, indexing=indexing),
                 lambda a, b: torch.meshgrid(a, b, indexing=indexing), (2,), (3,), device=device)
    check_op(lambda a, b: minigrad.broadcast_tensors(a, b),
             lambda a, b: torch.broadcast_tensors(a, b), (2, 1), (3,), device=device)
    assert minigrad.broadcast_shapes((2, 1), (3,)) == torch.broadcast_shapes((2, 1), (3,))
    x = minigrad.ones(2, dtype=minigrad.int64).type_as(minigrad.ones(1, dtype=minigrad.float64))
    assert x.dtype is minigrad.float64


def test_flip_and_roll_backward_agree_with_finite_differences():
    x = minigrad.tensor(np.arange(6.0).reshape(2, 3) / 5, requires_grad=True)
    w = minigrad.tensor(np.arange(6.0).reshape(2, 3) + 1)
    assert gradcheck(lambda t: t.flip(1) * w, (x,))
    assert gradcheck(lambda t: t.roll(1, 1) * w, (x,))


def test_tril_and_triu_keep_integer_and_bool_dtypes():
    assert minigrad.ones(2, 2, dtype=minigrad.bool).tril().dtype is minigrad.bool
    assert minigrad.ones(2, 2, dtype=minigrad.int64).triu().tolist() == [[1, 1], [0, 1]]


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.narrow(1, 3, 2), RuntimeError,
     r"start \(3\) \+ length \(2\) exceeds dimension size \(4\)"),
    (lambda x: x.split(0), RuntimeError, "split_size can only be 0 if dimension size is 0"),
    (lambda x: x.split([1, 1]), RuntimeError, "split_with_sizes expects split_sizes to sum "
                                              r"exactly to 3 \(input tensor's size at dimension 0"),
    (lambda x: x.chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"),
    (lambda x: x.flip(3), IndexError, r"Dimension out of range \(expected to be in range of "
                                      r"\[-2, 1\], but got 3\)"),
    (lambda x: x.movedim(0, 5), IndexError, "Dimension out of range"),
    (lambda x: x.repeat(2), RuntimeError, "Number of dimensions of repeat dims can not be "
                                          "smaller than number of dimensions of tensor"),
    (lambda x: x.tril(1.5), TypeError, "must be int, not float"),
    (lambda x: x.unfold(0, 5, 1), RuntimeError, "maximum size for tensor at dimension 0 is 3"),
    (lambda x: x.roll((1, 2), 0), RuntimeError, "shifts and dimensions must align"),
])
def test_shape_misuse_raises_like_torch(call, error, message):
    with pytest.raises(error, match=message):
        call(minigrad.randn(3, 4))
