"""parity.convert: a module in the other framework, same tree, same names, same weights."""
import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from parity import ConversionError, build, copy_state, models, to_minigrad, to_torch


def state_arrays(module):
    return {k: (v.detach().cpu().numpy().copy(), str(v.dtype).split(".")[-1])
            for k, v in module.state_dict().items()}


def assert_bit_identical(a, b):
    sa, sb = state_arrays(a), state_arrays(b)
    assert list(sa) == list(sb)
    for name in sa:
        (xa, da), (xb, db) = sa[name], sb[name]
        assert da == db, f"{name}: dtype {da} became {db}"
        assert xa.shape == xb.shape, name
        assert xa.tobytes() == xb.tobytes(), f"{name} changed in the round trip"


class Gate(nn.Module):
    """A custom layer with its own parameter and a plain attribute."""

    def __init__(self, n):
        super().__init__()
        self.fc = nn.Linear(n, n)
        self.gain = nn.Parameter(minigrad.rand(n) + 0.5)
        self.label = "gate"

    def forward(self, x):
        return F.relu(self.fc(x)) * self.gain


class Tree(nn.Module):
    """Nested custom modules, a ModuleList, a Sequential, a conv and a pool."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 3, 3, stride=2, padding=1), nn.ReLU(),
                                  nn.MaxPool2d(2))
        self.gates = nn.ModuleList([Gate(12), Gate(12)])
        self.head = nn.Linear(12, 4)

    def forward(self, x):
        x = minigrad.flatten(self.conv(x), 1)
        for gate in self.gates:
            x = gate(x)
        return self.head(x).log_softmax(dim=1)


@pytest.mark.parametrize("desc", [models.blobs8_mlp, models.mnist_mlp, models.lenet,
                                  models.circles_relu, models.blobs_mlp])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_minigrad_to_torch_and_back_keeps_every_weight_bit_exact(desc, dtype):
    original = build(desc, "minigrad", dtype=dtype, seed=1)
    there = to_torch(original)
    back = to_minigrad(there)
    assert isinstance(there, torch.nn.Module)
    assert type(back) is type(original)
    assert_bit_identical(original, there)
    assert_bit_identical(original, back)


def test_custom_module_tree_round_trip_keeps_classes_weights_and_attributes():
    original = Tree().double().eval()
    there = to_torch(original)
    back = to_minigrad(there)
    assert type(back) is Tree and type(back.gates[1]) is Gate
    assert type(there).__name__ == "Tree" and isinstance(there, torch.nn.Module)
    assert isinstance(there.gates, torch.nn.ModuleList) and there.gates[0].label == "gate"
    assert not there.training and not back.training
    assert_bit_identical(original, there)
    assert_bit_identical(original, back)


def test_converted_custom_module_computes_the_same_function_with_torch_ops():
    model = Tree().double()
    x = np.random.default_rng(0).normal(size=(5, 1, 8, 8))
    ours = model(minigrad.tensor(x)).detach().numpy()
    theirs = to_torch(model)(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


class TorchNet(torch.nn.Module):
    """A user's PyTorch model written the tutorial way (torch.relu, F.relu, x.view)."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 5)
        self.fc2 = torch.nn.Linear(5, 3)

    def forward(self, x):
        x = torch.relu(self.fc1(x.view(-1, 6)))
        return torch.nn.functional.log_softmax(self.fc2(x), dim=1)


def test_torch_module_with_torch_calls_in_forward_converts_to_minigrad():
    model = TorchNet().double()
    ours = to_minigrad(model)
    assert isinstance(ours, nn.Module) and type(ours).__name__ == "TorchNet"
    x = np.random.default_rng(1).normal(size=(4, 2, 3))
    np.testing.assert_allclose(ours(minigrad.tensor(x)).detach().numpy(),
                               model(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-14)
    assert_bit_identical(to_torch(ours), model)


def test_layer_without_counterpart_raises_conversion_error_naming_type_and_place():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3),
                                torch.nn.Sequential(torch.nn.ReLU(), torch.nn.InstanceNorm1d(3)))
    with pytest.raises(ConversionError, match=r"'1\.1' of type InstanceNorm1d.*no minigrad "
                                              r"counterpart"):
        to_minigrad(model)


def test_conversion_error_is_a_type_error():
    assert issubclass(ConversionError, TypeError)


def test_copy_state_copies_by_name_in_either_direction():
    a = build(models.blobs8_mlp, "torch", dtype="float64", seed=3)
    b = build(models.blobs8_mlp, "minigrad", dtype="float64", seed=4)
    copy_state(a, b)
    assert_bit_identical(a, b)
    c = build(models.blobs8_mlp, "torch", dtype="float64", seed=5)
    copy_state(b, c)
    assert_bit_identical(a, c)


def test_copy_state_between_different_networks_names_the_mismatched_entries():
    small = build(lambda nn: nn.Sequential(nn.Linear(2, 3)), "torch")
    two = build(lambda nn: nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1)), "minigrad")
    with pytest.raises(KeyError, match=r"1\.weight"):
        copy_state(small, two)
    wide = build(lambda nn: nn.Sequential(nn.Linear(2, 4)), "minigrad")
    with pytest.raises(ValueError, match=r"'0\.weight': \(3, 2\) in the source, \(4, 2\)"):
        copy_state(small, wide)


@pytest.mark.parametrize("desc", [models.blobs_mlp, models.blobs8_mlp, models.circles_linear,
                                  models.circles_relu, models.mnist_mlp, models.lenet])
def test_one_description_builds_the_same_parameters_in_both_frameworks(desc):
    ours = build(desc, "minigrad")
    theirs = build(desc, "torch")
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert type(ours).__name__ == type(theirs).__name__
