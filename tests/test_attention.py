"""scaled_dot_product_attention and MultiheadAttention against PyTorch (float64): values
and gradients with causal, boolean and float masks, key padding, batch_first and unbatched
inputs, need_weights on and off, and the parameters' names, shapes and reprs."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from parity import check_op

RNG = np.random.default_rng(0)
BOOL_MASK = RNG.random((4, 5)) > 0.3
BOOL_MASK[:, 0] = True  # every query sees at least one key
FLOAT_MASK = RNG.standard_normal((4, 5))


@pytest.mark.parametrize("kwargs", [
    {}, dict(is_causal=True), dict(scale=0.3), dict(mask="bool"), dict(mask="float")],
    ids=["plain", "causal", "scale", "bool mask", "float mask"])
def test_scaled_dot_product_attention_matches_torch(kwargs, device):
    kwargs = dict(kwargs)
    mask = kwargs.pop("mask", None)

    def run(lib, fn, q, k, v):
        m = None
        if mask == "bool":
            m = lib.tensor(BOOL_MASK) if lib is torch else lib.tensor(BOOL_MASK, device=device)
        elif mask == "float":
            m = lib.tensor(FLOAT_MASK) if lib is torch else lib.tensor(FLOAT_MASK, device=device)
        return fn(q, k, v, attn_mask=m, **kwargs)

    q_len = 5 if kwargs.get("is_causal") else 4
    check_op(lambda q, k, v: run(minigrad, F.scaled_dot_product_attention, q, k, v),
             lambda q, k, v: run(torch, TF.scaled_dot_product_attention, q, k, v),
             (2, 3, q_len, 6), (2, 3, 5, 6), (2, 3, 5, 7), device=device)


def test_scaled_dot_product_attention_rejects_a_mask_with_is_causal():
    q = minigrad.zeros(1, 2, 3)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when "
                                           "is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=minigrad.zeros(2, 2), is_causal=True)


def twin_mha(embed=6, heads=2, **kwargs):
    torch.manual_seed(0)
    th = torch.nn.MultiheadAttention(embed, heads, **kwargs).double()
    mg = nn.MultiheadAttention(embed, heads, **kwargs).double()
    mg.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in
                        th.state_dict().items()})
    return mg, th


CASES = [
    ("self-attention", {}, dict(), (4, 2, 6), True),
    ("batch_first", dict(batch_first=True), dict(), (2, 4, 6), True),
    ("no weights returned", {}, dict(need_weights=False), (4, 2, 6), True),
    ("per-head weights", {}, dict(average_attn_weights=False), (4, 2, 6), True),
    ("causal bool mask", {}, dict(attn_mask="causal", is_causal=True), (4, 2, 6), True),
    ("causal without weights", {}, dict(attn_mask="causal", is_causal=True,
                                        need_weights=False), (4, 2, 6), True),
    ("float mask", {}, dict(attn_mask="float"), (4, 2, 6), True),
    ("key padding", {}, dict(key_padding_mask=True), (4, 2, 6), True),
    ("key padding without weights", {}, dict(key_padding_mask=True, need_weights=False),
     (4, 2, 6), True),
    ("no bias", dict(bias=False), dict(), (4, 2, 6), True),
    ("cross-attention", {}, dict(), (3, 2, 6), False),
    ("unbatched", {}, dict(), (4, 6), True),
]


@pytest.mark.parametrize("label,init_kw,call_kw,shape,self_attention", CASES,
                         ids=[c[0] for c in CASES])
def test_multihead_attention_matches_torch_outputs_weights_and_gradients(
        label, init_kw, call_kw, shape, self_attention, device):
    mg, th = twin_mha(**init_kw)
    mg.to(device)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    kv = x if self_attention else rng.standard_normal((5,) + shape[1:])
    call_kw = dict(call_kw)
    masks = {}
    if call_kw.get("attn_mask") == "causal":
        masks["attn_mask"] = np.triu(np.ones((shape[0], shape[0]), dtype=bool), 1)
    elif call_kw.get("attn_mask") == "float":
        masks["attn_mask"] = rng.standard_normal((shape[0], shape[0]))
    if call_kw.pop("key_padding_mask", False):
        pad = np.zeros((2, shape[0]), dtype=bool)
        pad[0, -1] = pad[1, :2] = True
        masks["key_padding_mask"] = pad
    call_kw.pop("attn_mask", None)

    def run(lib, module):
        q = (lib.tensor(x, requires_grad=True) if lib is torch else
             lib.tensor(x, device=device, requires_grad=True))
        k = q if self_attention else (lib.tensor(kv) if lib is torch else
                                      lib.tensor(kv, device=device))
        extra = {name: (lib.tensor(m) if lib is torch else lib.tensor(m, device=device))
                 for name, m in masks.items()}
        out, weights = module(q, k, k, **extra, **call_kw)
        (out * lib.tensor(np.arange(out.numel()).reshape(tuple(out.shape)) % 5 - 2.0,
                          **({} if lib is torch else {"device": device}))).sum().backward()
        return out, weights, q.grad, module

    m_out, m_w, m_g, _ = run(minigrad, mg)
    t_out, t_w, t_g, _ = run(torch, th)

    def close(a, b):
        np.testing.assert_allclose(np.asarray(a.detach().cpu()), b.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)

    close(m_out, t_out)
    assert (m_w is None) == (t_w is None)
    if t_w is not None:
        close(m_w, t_w)
    close(m_g, t_g)
    for (name, p), (_, q) in zip(mg.named_parameters(), th.named_parameters()):
        np.testing.assert_allclose(np.asarray(p.grad.cpu()), q.grad.numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=name)


def test_multihead_attention_parameters_state_dict_and_repr_are_torchs():
    for kwargs in ({}, dict(bias=False)):
        mg, th = nn.MultiheadAttention(8, 4, **kwargs), torch.nn.MultiheadAttention(8, 4, **kwargs)
        assert repr(mg) == repr(th)
        assert [(n, tuple(p.shape)) for n, p in mg.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in th.named_parameters()]
        assert list(mg.state_dict()) == list(th.state_dict())
    assert np.all(np.asarray(nn.MultiheadAttention(8, 4).in_proj_bias.detach()) == 0)


def test_multihead_attention_rejects_heads_that_do_not_divide_the_embedding():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
