"""Sampling with torch's names (multinomial, bernoulli, normal): shapes, dtypes, frequencies and
errors as torch's; and the logical functions."""
import numpy as np
import pytest
import torch

import minigrad


def test_multinomial_draws_indices_with_the_given_probabilities():
    minigrad.manual_seed(0)
    probs = minigrad.tensor([[0.2, 0.8, 0.0], [1.0, 3.0, 0.0]])
    out = minigrad.multinomial(probs, 4000, replacement=True)
    assert out.shape == (2, 4000) and out.dtype is minigrad.int64
    share = (out == 1).float().mean(1).tolist()
    assert abs(share[0] - 0.8) < 0.03 and abs(share[1] - 0.75) < 0.03
    assert not (out == 2).any()
    picked = probs[0].multinomial(2)
    assert sorted(picked.tolist()) == [0, 1]  # without replacement: each index once


def test_multinomial_misuse_raises_like_torch():
    for call, message in [
        (lambda lib: lib.multinomial(lib.tensor([0.5, 0.5]), 3), "cannot sample n_sample > "
                                                                   "prob_dist.size\\(-1\\)"),
        (lambda lib: lib.multinomial(lib.tensor([-0.5, 1.0]), 1), "element < 0"),
    ]:
        for lib in (minigrad, torch):
            with pytest.raises(RuntimeError, match=message):
                call(lib)


def test_bernoulli_and_normal_have_torch_shapes_dtypes_and_moments():
    minigrad.manual_seed(0)
    b = minigrad.bernoulli(minigrad.full((20000,), 0.3))
    assert b.dtype is minigrad.float32 and abs(b.mean().item() - 0.3) < 0.02
    assert set(b.unique().tolist()) == {0.0, 1.0}
    n = minigrad.normal(2.0, 3.0, size=(20000,))
    assert n.dtype is minigrad.float32 and abs(n.mean().item() - 2) < 0.1 and \
        abs(n.std().item() - 3) < 0.1
    m = minigrad.normal(minigrad.zeros(2, 3, dtype=minigrad.float64), 1.0)
    assert m.shape == (2, 3) and m.dtype is minigrad.float64 and not m.requires_grad


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_functions_match_torch(name):
    a, b = [True, False, True, False], [3, 0, 0, -1]
    mg = getattr(minigrad, name)(minigrad.tensor(a), minigrad.tensor(b))
    th = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    assert mg.tolist() == th.tolist() and mg.dtype is minigrad.bool
    assert getattr(minigrad.tensor(b), name)(minigrad.tensor(a)).tolist() == \
        getattr(torch.tensor(b), name)(torch.tensor(a)).tolist()
    assert minigrad.logical_not(minigrad.tensor(b)).tolist() == torch.logical_not(
        torch.tensor(b)).tolist()
