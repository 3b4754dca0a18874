"""BatchNorm1d/2d, LayerNorm and GroupNorm: PyTorch's values, gradients, running statistics
(parameters AND buffers after every step, in train and eval mode), state_dict keys, reprs
and errors, in float64 lockstep."""
import re

import numpy as np
import pytest
import torch
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from parity import check_op, strategies as S

from conftest import TORCH_PINNED


def same_repr(mg_module, th_module):
    """minigrad prints what the pinned torch prints; an older torch lacks BatchNorm's,
    GroupNorm's and LayerNorm's ``bias`` keyword, which is then left out of the comparison."""
    mine = repr(mg_module)
    if not TORCH_PINNED and "bias=" not in repr(th_module):
        mine = re.sub(r", bias=(True|False)", "", mine)
    return mine == repr(th_module)

RTOL, ATOL = 1e-10, 1e-12


def to_np(t):
    return np.asarray(t.detach().cpu()) if isinstance(t, minigrad.Tensor) else t.detach().numpy()


def assert_same_state(mg_module, th_module):
    mg_state, th_state = mg_module.state_dict(), th_module.state_dict()
    assert list(mg_state) == list(th_state)
    for key in th_state:
        np.testing.assert_allclose(to_np(mg_state[key]), to_np(th_state[key]), rtol=RTOL,
                                   atol=ATOL, err_msg=key)


def lockstep(mg_module, th_module, shape, device, steps=4, lr=0.1, seed=0):
    """Train both modules with SGD on the same batches (a random linear loss), switching to
    eval every other step; compare outputs, input gradients, parameters and buffers."""
    mg_module.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in
                               th_module.state_dict().items()})
    mg_module.to(device)
    mg_opt = minigrad.optim.SGD(mg_module.parameters(), lr=lr) if list(
        mg_module.parameters()) else None
    th_opt = torch.optim.SGD(th_module.parameters(), lr=lr) if mg_opt else None
    rng = np.random.default_rng(seed)
    for step in range(steps):
        training = step % 3 != 2
        mg_module.train(training)
        th_module.train(training)
        x = rng.standard_normal(shape) * 2 + 0.5
        up = rng.standard_normal(shape)
        mx = minigrad.tensor(x, device=device, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        mout, tout = mg_module(mx), th_module(tx)
        np.testing.assert_allclose(to_np(mout), to_np(tout), rtol=RTOL, atol=ATOL)
        (mout * minigrad.tensor(up, device=device)).sum().backward()
        (tout * torch.tensor(up)).sum().backward()
        np.testing.assert_allclose(to_np(mx.grad), to_np(tx.grad), rtol=RTOL, atol=ATOL)
        if mg_opt:
            mg_opt.step()
            th_opt.step()
            mg_opt.zero_grad()
            th_opt.zero_grad()
        assert_same_state(mg_module, th_module)


BATCHNORM_CASES = [
    ("1d (N, C)", "BatchNorm1d", (8, 3), {}),
    ("1d (N, C, L)", "BatchNorm1d", (4, 3, 5), {}),
    ("2d", "BatchNorm2d", (4, 3, 5, 2), {}),
    ("2d momentum None (cumulative average)", "BatchNorm2d", (3, 2, 4, 4), dict(momentum=None)),
    ("2d momentum 0.5, eps 1e-3", "BatchNorm2d", (3, 2, 3, 3), dict(momentum=0.5, eps=1e-3)),
    ("2d no affine", "BatchNorm2d", (3, 2, 3, 3), dict(affine=False)),
    ("2d no running stats", "BatchNorm2d", (3, 2, 3, 3), dict(track_running_stats=False)),
    ("1d no affine, no running stats", "BatchNorm1d", (5, 4),
     dict(affine=False, track_running_stats=False)),
]


@pytest.mark.parametrize("label,name,shape,kwargs", BATCHNORM_CASES,
                         ids=[c[0] for c in BATCHNORM_CASES])
def test_batchnorm_trains_in_lockstep_with_torch_parameters_and_buffers(label, name, shape,
                                                                        kwargs, device):
    torch.manual_seed(0)
    th_module = getattr(torch.nn, name)(shape[1], **kwargs).double()
    if th_module.affine:  # start away from weight 1, bias 0
        with torch.no_grad():
            th_module.weight.uniform_(0.5, 1.5)
            th_module.bias.uniform_(-0.5, 0.5)
    mg_module = getattr(nn, name)(shape[1], **kwargs).double()
    assert same_repr(mg_module, th_module), (repr(mg_module), repr(th_module))
    lockstep(mg_module, th_module, shape, device, steps=6)


def test_batchnorm_buffers_are_torchs_with_an_int64_batch_counter():
    bn = nn.BatchNorm2d(3)
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                  "num_batches_tracked"]
    assert bn.num_batches_tracked.dtype == minigrad.int64
    assert bn.num_batches_tracked.item() == 0
    bn(minigrad.randn(2, 3, 2, 2))
    bn(minigrad.randn(2, 3, 2, 2))
    assert bn.num_batches_tracked.item() == 2
    bn.eval()(minigrad.randn(2, 3, 2, 2))
    assert bn.num_batches_tracked.item() == 2  # eval leaves the statistics alone
    bn.double()
    assert bn.num_batches_tracked.dtype == minigrad.int64
    assert bn.running_var.dtype == minigrad.float64


def test_batchnorm_loads_a_torch_state_dict_by_name_and_evaluates_like_torch():
    th_bn = torch.nn.BatchNorm2d(4).double()
    th_bn(torch.randn(8, 4, 3, 3, dtype=torch.float64) * 3 + 1)  # non-trivial running stats
    th_bn.eval()
    mg_bn = nn.BatchNorm2d(4).double()
    mg_bn.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in th_bn.state_dict().items()})
    mg_bn.eval()
    x = np.random.default_rng(1).standard_normal((2, 4, 3, 3))
    np.testing.assert_allclose(to_np(mg_bn(minigrad.tensor(x))), th_bn(torch.tensor(x)).detach(),
                               rtol=RTOL)
    assert mg_bn.num_batches_tracked.item() == 1


def test_batchnorm_in_train_mode_rejects_one_value_per_channel_but_eval_accepts_it():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when "
                                         r"training, got input size minigrad.Size\(\[1, 3\]\)"):
        bn(minigrad.randn(1, 3))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3)(torch.randn(1, 3))
    bn.eval()
    assert bn(minigrad.randn(1, 3)).shape == (1, 3)


def test_batchnorm_rejects_inputs_of_the_wrong_rank_or_channel_count():
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(minigrad.randn(2, 3, 4))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(minigrad.randn(2, 3, 4, 4))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        nn.BatchNorm2d(3)(minigrad.randn(2, 4, 2, 2))


@pytest.mark.parametrize("training", [True, False])
def test_functional_batch_norm_matches_torch_over_drawn_shapes(training, device):
    shapes = st.sampled_from([(3, 2), (2, 3, 4), (2, 2, 3, 3), (4, 1, 2, 1)])

    def mg_fn(x, w, b):
        c = x.shape[1]
        rm = minigrad.zeros(c, dtype=minigrad.float64, device=device) + 0.3
        rv = minigrad.ones(c, dtype=minigrad.float64, device=device) * 2
        return F.batch_norm(x, rm, rv, w[:c], b[:c], training=training, momentum=0.2), rm, rv

    def th_fn(x, w, b):
        c = x.shape[1]
        rm = torch.zeros(c, dtype=torch.float64) + 0.3
        rv = torch.ones(c, dtype=torch.float64) * 2
        return (torch.nn.functional.batch_norm(x, rm, rv, w[:c], b[:c], training=training,
                                               momentum=0.2), rm, rv)

    check_op(mg_fn, th_fn, S.arrays(shapes), S.arrays((3,)), S.arrays((3,)), device=device,
             max_examples=15)


def test_functional_batch_norm_without_weight_bias_or_running_stats_matches_torch(device):
    check_op(lambda x: F.batch_norm(x, None, None, training=True),
             lambda x: torch.nn.functional.batch_norm(x, None, None, training=True),
             (4, 3, 2, 2), device=device)


# ---------------------------------------------------------------- LayerNorm, GroupNorm


@pytest.mark.parametrize("normalized_shape,kwargs", [
    (5, {}), ((3, 5), {}), (5, dict(elementwise_affine=False)), (5, dict(bias=False)),
    (5, dict(eps=1e-3))])
def test_layernorm_trains_in_lockstep_with_torch(normalized_shape, kwargs, device):
    torch.manual_seed(0)
    th_module = torch.nn.LayerNorm(normalized_shape, **kwargs).double()
    if th_module.weight is not None:
        with torch.no_grad():
            th_module.weight.uniform_(0.5, 1.5)
    mg_module = nn.LayerNorm(normalized_shape, **kwargs).double()
    assert same_repr(mg_module, th_module), (repr(mg_module), repr(th_module))
    lockstep(mg_module, th_module, (2, 4, 3, 5), device)


def test_functional_layer_norm_matches_torch_over_drawn_shapes(device):
    check_op(lambda x, w, b: F.layer_norm(x, x.shape[-1:], w[:x.shape[-1]], b[:x.shape[-1]]),
             lambda x, w, b: torch.nn.functional.layer_norm(x, x.shape[-1:], w[:x.shape[-1]],
                                                            b[:x.shape[-1]]),
             S.arrays(S.shapes(min_dims=1, max_dims=3, min_side=2)), S.arrays((5,)),
             S.arrays((5,)), device=device, max_examples=15)


def test_layer_norm_names_a_shape_mismatch():
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                                           r"shape \[\*, 4\], but got input of size"):
        nn.LayerNorm(4)(minigrad.randn(2, 3))


@pytest.mark.parametrize("groups,channels,kwargs", [(2, 4, {}), (1, 3, {}), (3, 3, {}),
                                                    (2, 4, dict(affine=False))])
def test_groupnorm_trains_in_lockstep_with_torch(groups, channels, kwargs, device):
    torch.manual_seed(0)
    th_module = torch.nn.GroupNorm(groups, channels, **kwargs).double()
    if th_module.affine:
        with torch.no_grad():
            th_module.weight.uniform_(0.5, 1.5)
            th_module.bias.uniform_(-0.5, 0.5)
    mg_module = nn.GroupNorm(groups, channels, **kwargs).double()
    assert same_repr(mg_module, th_module), (repr(mg_module), repr(th_module))
    lockstep(mg_module, th_module, (3, channels, 2, 3), device)


def test_groupnorm_rejects_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"num_channels \(3\) must be divisible by "
                                         r"num_groups \(2\)"):
        nn.GroupNorm(2, 3)


def test_normalization_layers_keep_float32(device):
    x = minigrad.randn(4, 6, 3, 3, device=device)
    for layer in (nn.BatchNorm2d(6), nn.GroupNorm(3, 6), nn.LayerNorm(3)):
        layer.to(device)
        assert layer(x).dtype == minigrad.float32
        layer.eval()
        assert layer(x).dtype == minigrad.float32


def test_functional_group_norm_matches_torch_over_drawn_shapes(device):
    groups = {1: 1, 3: 3, 4: 2, 6: 3}  # channels -> groups
    shapes = st.sampled_from([(2, 4, 3), (3, 6, 2, 2), (1, 4, 5), (2, 3), (2, 6, 1, 3),
                              (2, 1, 4)])
    check_op(lambda x, w, b: F.group_norm(x, groups[x.shape[1]], w[:x.shape[1]],
                                          b[:x.shape[1]]),
             lambda x, w, b: torch.nn.functional.group_norm(x, groups[x.shape[1]],
                                                            w[:x.shape[1]], b[:x.shape[1]]),
             S.arrays(shapes), S.arrays((6,)), S.arrays((6,)), device=device, max_examples=15)
