"""Embedding (padding_idx, max_norm, scale_grad_by_freq, from_pretrained) and Dropout2d:
PyTorch's values, gradients, reprs and errors."""
import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from parity import check_op


def indices(n, max_dims=3):
    return hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=max_dims, max_side=4),
                      elements=st.integers(0, n - 1))


@pytest.mark.parametrize("kwargs", [{}, dict(padding_idx=2), dict(padding_idx=-1),
                                    dict(scale_grad_by_freq=True),
                                    dict(padding_idx=0, scale_grad_by_freq=True)],
                         ids=["plain", "padding_idx", "negative padding_idx",
                              "scale_grad_by_freq", "both"])
def test_embedding_matches_torch_values_and_weight_gradients(kwargs, device):
    weight = np.random.default_rng(0).standard_normal((6, 3))
    check_op(lambda idx, w: F.embedding(idx, w, **kwargs),
             lambda idx, w: torch.nn.functional.embedding(idx, w, **kwargs),
             indices(6), weight, device=device, max_examples=20)


def test_embedding_max_norm_renormalises_the_rows_it_reads_in_place_like_torch():
    weight = np.random.default_rng(1).standard_normal((5, 4)) * 2
    idx = np.array([[0, 2], [2, 4]])
    mw, tw = minigrad.tensor(weight), torch.tensor(weight)
    mout = F.embedding(minigrad.tensor(idx), mw, max_norm=1.5, norm_type=3.0)
    tout = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=1.5, norm_type=3.0)
    np.testing.assert_allclose(np.asarray(mout), tout.numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(mw), tw.numpy(), rtol=1e-12)  # rows 1, 3 untouched


def test_embedding_module_initialises_like_torch_and_zeroes_the_padding_row():
    emb = nn.Embedding(10, 3, padding_idx=-2)
    assert emb.padding_idx == 8
    assert np.all(np.asarray(emb.weight.detach())[8] == 0)
    std = np.asarray(nn.Embedding(1000, 50).weight.detach()).std()
    assert 0.95 < std < 1.05  # N(0, 1), as torch's
    for kwargs in ({}, dict(padding_idx=1), dict(max_norm=2.0, norm_type=1.0),
                   dict(scale_grad_by_freq=True)):
        assert repr(nn.Embedding(7, 2, **kwargs)) == repr(torch.nn.Embedding(7, 2, **kwargs))
    assert list(nn.Embedding(3, 2).state_dict()) == ["weight"]


def test_embedding_from_pretrained_is_frozen_unless_asked():
    table = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    assert frozen(minigrad.tensor([1])).tolist() == [[3.0, 4.0]]


def test_embedding_rejects_float_indices_and_out_of_range_ones():
    emb = nn.Embedding(4, 2)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar "
                                           "types: Long, Int; but got minigrad.FloatTensor"):
        emb(minigrad.tensor([1.0]))
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(minigrad.tensor([4]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)


def test_dropout2d_drops_whole_channels_and_scales_the_rest(device):
    x = minigrad.ones(64, 8, 3, 3, device=device, requires_grad=True)
    out = F.dropout2d(x, 0.25)
    values = np.asarray(out.detach().cpu())
    per_channel = values.reshape(64, 8, 9)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))  # a channel is all or none
    assert set(np.unique(values)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.15 < np.mean(values == 0) < 0.35
    out.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad.cpu()), values)  # the same mask


def test_dropout2d_module_is_identity_in_eval_and_prints_like_torch():
    layer = nn.Dropout2d(0.3)
    assert repr(layer) == repr(torch.nn.Dropout2d(0.3))
    x = minigrad.randn(2, 3, 4, 4)
    assert layer.eval()(x) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        nn.Dropout2d(1.5)
