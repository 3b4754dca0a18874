"""avg_pool2d and adaptive pooling: PyTorch's values, gradients and indices over drawn
hyper-parameters (padding, ceil_mode, count_include_pad, uneven adaptive windows), on
every device; module reprs and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from parity import check_op, strategies as S


@st.composite
def avg_pool_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    h = draw(st.integers(max(1, kh - 2 * padding[0]), 8))
    w = draw(st.integers(max(1, kw - 2 * padding[1]), 8))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)
    kwargs = dict(kernel_size=(kh, kw), stride=stride, padding=padding,
                  ceil_mode=draw(st.booleans()), count_include_pad=draw(st.booleans()),
                  divisor_override=draw(st.sampled_from([None, None, 3])))
    return draw(S.arrays(st.just(shape))), kwargs


def test_avg_pool2d_matches_torch_over_hyperparameters(device):
    check_op(lambda case: F.avg_pool2d(minigrad.tensor(case[0], device=device,
                                                       requires_grad=True), **case[1]),
             lambda case: TF.avg_pool2d(torch.tensor(case[0]), **case[1]),
             avg_pool_cases(), device=device, max_examples=40)


def test_avg_pool2d_gradients_match_torch_over_hyperparameters(device):
    # check_op differentiates float array inputs: pass the array, close over the settings
    cases = [((2, 3, 7, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                 count_include_pad=False)),
             ((1, 2, 5, 5), dict(kernel_size=2, ceil_mode=True)),
             ((2, 1, 6, 4), dict(kernel_size=(3, 2), stride=1, padding=(1, 0))),
             ((1, 1, 4, 4), dict(kernel_size=2, divisor_override=3)),
             ((2, 2, 8, 8), dict(kernel_size=2))]
    for shape, kwargs in cases:
        check_op(lambda x: F.avg_pool2d(x, **kwargs), lambda x: TF.avg_pool2d(x, **kwargs),
                 shape, device=device, name=str(kwargs))


def test_adaptive_avg_pool2d_matches_torch_values_and_gradients(device):
    for shape, out in [((2, 3, 7, 5), (3, 2)), ((1, 2, 4, 4), 1), ((1, 1, 5, 3), (7, None)),
                       ((2, 2, 6, 6), 3)]:
        check_op(lambda x: F.adaptive_avg_pool2d(x, out),
                 lambda x: TF.adaptive_avg_pool2d(x, out), shape, device=device, name=str(out))


def test_adaptive_pooling_matches_torch_over_drawn_sizes(device):
    check_op(lambda x, out: F.adaptive_avg_pool2d(x, out),
             lambda x, out: TF.adaptive_avg_pool2d(x, out),
             S.arrays(st.just((1, 2, 5, 7))), st.lists(st.integers(1, 7), min_size=2, max_size=2),
             device=device, max_examples=20)
    check_op(lambda x, out: F.adaptive_max_pool2d(x, out, return_indices=True),
             lambda x, out: TF.adaptive_max_pool2d(x, out, return_indices=True),
             S.arrays(st.just((2, 1, 6, 5)), unique=True),
             st.lists(st.integers(1, 8), min_size=2, max_size=2), device=device, max_examples=20)


def test_adaptive_max_pool2d_sends_a_tie_to_the_first_maximum_like_torch(device):
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = 5.0
    check_op(lambda x: F.adaptive_max_pool2d(x, 3), lambda x: TF.adaptive_max_pool2d(x, 3), x,
             device=device)


def test_pooling_accepts_unbatched_inputs_like_torch(device):
    x = np.random.default_rng(0).standard_normal((3, 5, 4))
    check_op(lambda x: F.avg_pool2d(x, 2), lambda x: TF.avg_pool2d(x, 2), x, device=device)
    check_op(lambda x: F.adaptive_avg_pool2d(x, 2), lambda x: TF.adaptive_avg_pool2d(x, 2), x,
             device=device)
    check_op(lambda x: F.adaptive_max_pool2d(x, (2, 3), True),
             lambda x: TF.adaptive_max_pool2d(x, (2, 3), True), x, device=device)


@pytest.mark.parametrize("make", [
    lambda m: m.AvgPool2d(2), lambda m: m.AvgPool2d(3, stride=1, padding=1),
    lambda m: m.AvgPool2d((2, 3), ceil_mode=True, count_include_pad=False),
    lambda m: m.AdaptiveAvgPool2d(1), lambda m: m.AdaptiveAvgPool2d((2, None)),
    lambda m: m.AdaptiveMaxPool2d((3, 2))])
def test_pooling_modules_match_torch_outputs_and_reprs(make, device):
    mg_layer, th_layer = make(nn), make(torch.nn)
    assert repr(mg_layer) == repr(th_layer)
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 6))
    np.testing.assert_allclose(np.asarray(mg_layer(minigrad.tensor(x, device=device)).cpu()),
                               th_layer(torch.tensor(x)).numpy(), rtol=1e-12)


def test_pooling_keeps_float32(device):
    x = minigrad.randn(2, 3, 6, 6, device=device)
    for out in (F.avg_pool2d(x, 2), F.adaptive_avg_pool2d(x, 2), F.adaptive_max_pool2d(x, 4)):
        assert out.dtype == minigrad.float32


def test_avg_pool2d_rejects_padding_above_half_the_kernel_with_torchs_message():
    with pytest.raises(RuntimeError, match="pad should be smaller than or equal to half of "
                                           "kernel size, but got padW = 2, padH = 2, kW = 3, "
                                           "kH = 3"):
        F.avg_pool2d(minigrad.zeros(1, 1, 5, 5), 3, padding=2)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        F.avg_pool2d(minigrad.zeros(1, 1, 4, 4), 2, divisor_override=0)


def test_pooling_rejects_inputs_that_are_not_3d_or_4d():
    for fn in (lambda x: F.avg_pool2d(x, 2), lambda x: F.adaptive_avg_pool2d(x, 2),
               lambda x: F.adaptive_max_pool2d(x, 2)):
        with pytest.raises(RuntimeError, match=r"3D or 4D .* got input of size: \[4, 4\]"):
            fn(minigrad.zeros(4, 4))
