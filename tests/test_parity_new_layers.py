"""parity with the layers and optimizers of issue 14: a torch model using them converts to
minigrad (parameters and buffers by name), computes the same in train and eval mode, and
trains in float64 lockstep with the new optimizers."""
import numpy as np
import pytest
import torch

import minigrad
from parity import lockstep, to_minigrad, to_torch


def modern_cnn(nn):
    # (no bias right before a normalisation: its gradient would be rounding noise, which
    # adaptive optimizers blow up to full-size steps in both frameworks, differently)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.GELU(),
        nn.AvgPool2d(2), nn.Conv2d(4, 6, 3, padding=1, bias=False), nn.GroupNorm(2, 6),
        nn.SiLU(), nn.Dropout2d(0.0), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.LayerNorm(24),
        nn.Linear(24, 16, bias=False), nn.BatchNorm1d(16, momentum=None), nn.LeakyReLU(0.1),
        nn.Hardswish(), nn.Linear(16, 3))


def test_a_torch_model_of_the_new_layers_converts_and_agrees_in_train_and_eval_mode():
    torch.manual_seed(0)
    th_model = modern_cnn(torch.nn).double()
    x = np.random.default_rng(0).standard_normal((8, 1, 8, 8))
    th_model(torch.tensor(x))  # running statistics away from their initial values
    mg_model = to_minigrad(th_model)
    assert list(mg_model.state_dict()) == list(th_model.state_dict())
    for key, value in th_model.state_dict().items():  # buffers included
        np.testing.assert_array_equal(np.asarray(mg_model.state_dict()[key]), value.numpy())
    for mode in (True, False):
        mg_model.train(mode)
        th_model.train(mode)
        np.testing.assert_allclose(np.asarray(mg_model(minigrad.tensor(x)).detach()),
                                   th_model(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
    assert repr(to_torch(mg_model)) == repr(th_model)


# (Adagrad's first step is lr * g / (|g| + 1e-10), the sign of g: an accumulator that does
# not start at 0 keeps a gradient entry that is rounding noise from becoming a full step)
@pytest.mark.parametrize("optimizer,kwargs", [("rmsprop", dict(momentum=0.5)),
                                              ("nadam", {}), ("radam", {}),
                                              ("adagrad", dict(initial_accumulator_value=0.1)),
                                              ("adamax", {}), ("adadelta", dict())])
def test_the_modern_cnn_trains_in_float64_lockstep_with_the_new_optimizers(optimizer, kwargs):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((24, 1, 8, 8))
    y = rng.integers(0, 3, 24)
    result = lockstep(modern_cnn, "cross_entropy", (X, y), optimizer=optimizer, lr=0.01,
                      optimizer_kwargs=kwargs, steps=6, batch_size=8, tolerance=1e-9,
                      test=(X, y))
    assert result.failure is None, result.failure
    assert result.accuracy[0] == result.accuracy[1]  # eval mode: running statistics agree
