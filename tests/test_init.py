"""nn.init and the layers' default initialisation: PyTorch's distributions and bounds.

Random draws cannot equal torch's, so these tests check distributions. With n = 100,000
samples the standard error of a sample std is about std * sqrt((kurtosis - 1) / (4 n)):
0.14% for a uniform, 0.22% for a normal; of a sample mean, std / sqrt(n) = 0.32% of std.
A 2% tolerance is therefore more than 9 standard errors: the tests cannot fail by chance,
yet a wrong gain, fan or factor of sqrt(3) (>= 10% off) fails them.
"""
import math

import numpy as np
import pytest
import torch

import minigrad
from minigrad import nn
from minigrad.nn import init

TOL = 0.02


def values(t):
    return minigrad.backend.to_numpy(t.detach().data).astype(np.float64).ravel()


def assert_uniform(t, bound):
    v = values(t)
    assert np.abs(v).max() <= bound
    assert np.abs(v).max() > 0.99 * bound  # the whole interval is used
    assert abs(v.mean()) < TOL * bound
    assert v.std() == pytest.approx(bound / math.sqrt(3), rel=TOL)


def assert_normal(t, mean, std):
    v = values(t)
    assert abs(v.mean() - mean) < TOL * std
    assert v.std() == pytest.approx(std, rel=TOL)


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None)])
def test_calculate_gain_equals_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


def test_calculate_gain_rejects_unknown_nonlinearity():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5, 5), (6, 2, 3), (1, 1, 1, 7)])
def test_fan_in_and_fan_out_equal_torch(shape):
    assert init._calculate_fan_in_and_fan_out(minigrad.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


def test_fans_of_a_vector_are_undefined():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_uniform_(minigrad.zeros(5))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_uniform_bound_is_gain_times_sqrt_3_over_fan(mode, device):
    w = minigrad.zeros(500, 200, device=device)
    out = init.kaiming_uniform_(w, a=0.1, mode=mode, nonlinearity="leaky_relu")
    fan = 200 if mode == "fan_in" else 500
    assert out is w
    assert_uniform(w, math.sqrt(2 / (1 + 0.1 ** 2)) * math.sqrt(3 / fan))


def test_kaiming_normal_std_is_gain_over_sqrt_fan(device):
    w = minigrad.zeros(100, 40, 5, 5, device=device)  # fan_in 1000
    init.kaiming_normal_(w, nonlinearity="relu")
    assert_normal(w, 0.0, math.sqrt(2) / math.sqrt(1000))


def test_xavier_uniform_and_normal_use_both_fans(device):
    w = minigrad.zeros(400, 250, device=device)
    init.xavier_uniform_(w, gain=2.0)
    assert_uniform(w, 2.0 * math.sqrt(6 / 650))
    init.xavier_normal_(w, gain=0.5)
    assert_normal(w, 0.0, 0.5 * math.sqrt(2 / 650))


def test_uniform_normal_and_constant_fills(device):
    w = minigrad.zeros(100_000, device=device, dtype=minigrad.float64)
    init.uniform_(w, -3.0, 1.0)
    v = values(w)
    assert v.min() >= -3.0 and v.max() <= 1.0
    assert v.mean() == pytest.approx(-1.0, abs=TOL * 4 / math.sqrt(12))
    init.normal_(w, mean=2.0, std=0.5)
    assert_normal(w, 2.0, 0.5)
    assert np.all(values(init.constant_(w, 0.25)) == 0.25)
    assert np.all(values(init.ones_(w)) == 1.0)
    assert np.all(values(init.zeros_(w)) == 0.0)


def test_init_writes_in_place_without_recording_a_graph_and_keeps_dtype(device):
    p = nn.Parameter(minigrad.zeros(20, 10, device=device))
    version = p._version
    init.kaiming_uniform_(p)
    init.normal_(p)
    assert p.is_leaf and p.grad_fn is None and p.requires_grad
    assert p.dtype == minigrad.float32 and p.device == minigrad.device(device)
    assert p._version > version  # a graph holding the old values would notice


def test_init_is_reproducible_under_manual_seed_and_generator():
    minigrad.manual_seed(123)
    a = values(nn.Linear(30, 20).weight)
    minigrad.manual_seed(123)
    b = values(nn.Linear(30, 20).weight)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, values(nn.Linear(30, 20).weight))
    g1 = minigrad.Generator().manual_seed(5)
    g2 = minigrad.Generator().manual_seed(5)
    assert np.array_equal(values(init.uniform_(minigrad.zeros(10), generator=g1)),
                          values(init.uniform_(minigrad.zeros(10), generator=g2)))


def test_zero_element_tensor_init_warns_and_is_a_no_op():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        layer = nn.Linear(0, 3)
    assert tuple(layer.weight.shape) == (3, 0)
    assert np.all(values(layer.bias) == 0)


# --------------------------------------------------------- layers' defaults

def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in(device):
    layer = nn.Linear(1000, 100, device=device)  # 100,000 weights
    assert_uniform(layer.weight, 1 / math.sqrt(1000))
    bias = values(layer.bias)
    assert np.abs(bias).max() <= 1 / math.sqrt(1000)
    assert len(np.unique(bias)) == 100


def test_linear_default_init_matches_torch_distribution():
    """Same scheme as torch: compare with torch's own draws for the same layer shape."""
    torch.manual_seed(0)
    ours = values(nn.Linear(400, 250).weight)
    theirs = torch.nn.Linear(400, 250).weight.detach().numpy().ravel()
    assert ours.std() == pytest.approx(theirs.std(), rel=TOL)
    assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=1e-3)


def test_conv2d_default_init_uses_fan_in_of_channels_times_kernel(device):
    conv = nn.Conv2d(8, 500, kernel_size=5, groups=2, device=device)  # fan_in 4*25 = 100
    assert tuple(conv.weight.shape) == (500, 4, 5, 5)
    assert_uniform(conv.weight, 1 / math.sqrt(100))
    assert np.abs(values(conv.bias)).max() <= 1 / math.sqrt(100)


def test_layers_take_dtype_and_device_arguments(device):
    layer = nn.Linear(3, 2, dtype=minigrad.float64, device=device)
    conv = nn.Conv2d(1, 2, 3, bias=False, dtype=minigrad.float64, device=device)
    for p in (layer.weight, layer.bias, conv.weight):
        assert p.dtype == minigrad.float64 and p.device == minigrad.device(device)
    assert conv.bias is None
