"""inf and nan come out of ops silently, as in torch: no NumPy RuntimeWarning leaks, even when
the program turns warnings into errors; and anomaly detection finds them on request."""
import math
import warnings

import numpy as np
import pytest
import torch

import minigrad

CASES = {
    "divide by zero": lambda lib, x: x / 0,
    "zero divided by zero": lambda lib, x: (x * 0) / (x * 0),
    "log of zero": lambda lib, x: (x * 0).log(),
    "log of a negative number": lambda lib, x: (-x.abs() - 1).log(),
    "sqrt of a negative number": lambda lib, x: (-x.abs() - 1).sqrt(),
    "exp overflow": lambda lib, x: (x.abs() + 1000).exp(),
    "multiplication overflow": lambda lib, x: (x.abs() + 1) * 1e308 * 10,
    "inf minus inf": lambda lib, x: (x / 0) - (x / 0),
    "pow of a negative base": lambda lib, x: (-x.abs() - 1) ** 0.5,
    "remainder by zero": lambda lib, x: lib.remainder(x, 0.0),
    "reciprocal of zero": lambda lib, x: lib.reciprocal(x * 0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_inf_and_nan_come_without_warnings_even_when_warnings_are_errors(case, device):
    fn = CASES[case]
    values = np.array([1.5, -2.0, 3.0])
    x = minigrad.tensor(values, device=device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(minigrad, x)
        out.sum().backward()
    expected = fn(torch, torch.tensor(values, requires_grad=True))
    np.testing.assert_array_equal(out.detach().cpu().numpy(), expected.detach().numpy())


def test_inf_and_nan_print_no_warning_under_the_default_filters():
    with warnings.catch_warnings(record=True) as caught:  # (the filters as they are)
        x = minigrad.tensor([0.0, 1.0])
        (1 / x).log()
        x.log().sum()
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_detect_anomaly_names_the_op_whose_backward_made_nan():
    x = minigrad.tensor([-1.0, 1.0], requires_grad=True)
    y = x.sqrt().sum()  # d sqrt(-1) = nan
    with minigrad.autograd.detect_anomaly():
        assert minigrad.autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="SqrtBackward.*returned nan values"):
            y.backward(retain_graph=True)
    assert not minigrad.autograd.is_anomaly_enabled()
    y.backward()  # outside the block: nan gradients pass, as in torch
    assert math.isnan(x.grad[0].item())


def test_detect_anomaly_lets_infinite_gradients_pass_as_torch_does():
    x = minigrad.tensor([0.0, 1.0], requires_grad=True)
    with minigrad.autograd.detect_anomaly():
        x.sqrt().sum().backward()  # d sqrt(0) = inf: not an anomaly to torch
    assert x.grad[0].item() == float("inf")


def test_detect_anomaly_works_as_a_decorator():
    @minigrad.autograd.detect_anomaly()
    def train_step(x):
        x.sqrt().sum().backward()

    with pytest.raises(RuntimeError, match="returned nan values"):
        train_step(minigrad.tensor([-1.0], requires_grad=True))
    assert not minigrad.autograd.is_anomaly_enabled()
