"""Making tensors and top-level settings, as torch names them: eye, logspace, *_like, new_*,
set_default_device, set_printoptions, accelerator, is_floating_point."""
import numpy as np
import pytest
import torch

import minigrad


def _same(mg, th):
    assert str(mg.dtype).split(".")[1] == str(th.dtype).split(".")[1]
    assert tuple(mg.shape) == tuple(th.shape)


@pytest.mark.parametrize("call", [
    lambda lib: lib.eye(3),
    lambda lib: lib.eye(2, 4, dtype=lib.float64),
    lambda lib: lib.logspace(0, 2, 5),
    lambda lib: lib.logspace(-1, 1, 3, base=2, dtype=lib.float64),
    lambda lib: lib.tensor([1, 2]).new_ones(2, 3),
    lambda lib: lib.tensor([1.5]).new_zeros((2,)),
    lambda lib: lib.tensor([1, 2]).new_full((2,), 3.5),
    lambda lib: lib.tensor([1, 2]).new_tensor([1.5, 2.5]),
    lambda lib: lib.tensor([1.0]).new_tensor([[1, 2]], dtype=lib.float64),
    lambda lib: lib.tensor([1.0]).new_empty(3).zero_(),
    lambda lib: lib.empty_like(lib.tensor([[1, 2]])).zero_(),
    lambda lib: lib.full_like(lib.tensor([1.0, 2.0]), 7),
])
def test_creation_gives_torch_values_dtypes_and_shapes(call):
    mg, th = call(minigrad), call(torch)
    _same(mg, th)
    np.testing.assert_allclose(mg.numpy(), th.numpy(), rtol=1e-6)


def test_random_likes_follow_the_input():
    x = minigrad.zeros(2, 3, dtype=minigrad.float64)
    for out in (minigrad.rand_like(x), minigrad.randn_like(x)):
        assert out.shape == (2, 3) and out.dtype is minigrad.float64
    r = minigrad.randint_like(minigrad.zeros(4, dtype=minigrad.int64), 3, 6)
    assert r.dtype is minigrad.int64 and ((r >= 3) & (r < 6)).all()
    assert 0 <= minigrad.rand_like(x).min().item() and minigrad.rand_like(x).max().item() < 1


def test_set_default_device_moves_new_tensors_there(strict_device):
    try:
        minigrad.set_default_device(strict_device)
        assert minigrad.get_default_device() == minigrad.device("strict")
        for t in (minigrad.zeros(2), minigrad.tensor([1.0]), minigrad.randn(2), minigrad.eye(2),
                  minigrad.arange(3), minigrad.full((2,), 1.0)):
            assert t.device == "strict"
    finally:
        minigrad.set_default_device(None)
    assert minigrad.zeros(1).device == "cpu"


def test_set_printoptions_changes_how_tensors_print_like_torch():
    values = [1.23456, 2.0]
    try:
        for kwargs in [{"precision": 2}, {"precision": 6}]:
            minigrad.set_printoptions(**kwargs)
            torch.set_printoptions(**kwargs)
            assert repr(minigrad.tensor(values)).replace("minigrad", "torch") == \
                repr(torch.tensor(values))
    finally:
        minigrad.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(minigrad.tensor(values)) == "tensor([1.2346, 2.0000])"


def test_accelerator_and_predicates():
    assert minigrad.accelerator.is_available() == minigrad.cuda.is_available()
    if not minigrad.cuda.is_available():
        assert minigrad.accelerator.current_accelerator() is None
    assert minigrad.is_floating_point(minigrad.zeros(1)) and not minigrad.is_floating_point(
        minigrad.zeros(1, dtype=minigrad.int64))
    assert minigrad.is_tensor(minigrad.zeros(1)) and not minigrad.is_tensor([1])
    assert minigrad.numel(minigrad.zeros(2, 3)) == 6
    assert isinstance(minigrad.zeros(2, 3).shape, tuple) and minigrad.zeros(2, 3).shape == (2, 3)
