"""Activation layers and their functional forms: PyTorch's values, gradients (float64,
hypothesis-drawn shapes, kinks included), reprs and errors, on every device."""
import numpy as np
import pytest
import torch
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from parity import check_op, strategies as S

# values in [-4, 4] in steps of 0.5: the kinks (0, +-1, +-3, 6) are drawn often
KINKY = st.integers(-8, 8).map(lambda k: k / 2)


def arrays_with_kinks(max_dims=4):
    from hypothesis.extra import numpy as hnp
    smooth = st.floats(-7, 7, allow_nan=False, width=64)
    return hnp.arrays(np.float64, S.shapes(max_dims=max_dims), elements=st.one_of(KINKY, smooth))


# (name, minigrad function, torch function)
FUNCTIONS = [
    ("leaky_relu", lambda x: F.leaky_relu(x), lambda x: torch.nn.functional.leaky_relu(x)),
    ("leaky_relu(0.2)", lambda x: F.leaky_relu(x, 0.2),
     lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
    ("elu", lambda x: F.elu(x), lambda x: torch.nn.functional.elu(x)),
    ("elu(0.5)", lambda x: F.elu(x, 0.5), lambda x: torch.nn.functional.elu(x, 0.5)),
    ("selu", F.selu, torch.nn.functional.selu),
    ("celu(1.5)", lambda x: F.celu(x, 1.5), lambda x: torch.nn.functional.celu(x, 1.5)),
    ("gelu", F.gelu, torch.nn.functional.gelu),
    ("gelu tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: torch.nn.functional.gelu(x, approximate="tanh")),
    ("silu", F.silu, torch.nn.functional.silu),
    ("mish", F.mish, torch.nn.functional.mish),
    ("softplus", F.softplus, torch.nn.functional.softplus),
    ("softplus(beta=2, threshold=3)", lambda x: F.softplus(x, beta=2, threshold=3),
     lambda x: torch.nn.functional.softplus(x, beta=2, threshold=3)),
    ("hardtanh", F.hardtanh, torch.nn.functional.hardtanh),
    ("hardtanh(-2, 3)", lambda x: F.hardtanh(x, -2.0, 3.0),
     lambda x: torch.nn.functional.hardtanh(x, -2.0, 3.0)),
    ("relu6", F.relu6, torch.nn.functional.relu6),
    ("hardswish", F.hardswish, torch.nn.functional.hardswish),
    ("softsign", F.softsign, torch.nn.functional.softsign),
]


@pytest.mark.parametrize("name,mg_fn,th_fn", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_activation_matches_torch_values_and_gradients_including_kinks(name, mg_fn, th_fn,
                                                                       device):
    check_op(mg_fn, th_fn, arrays_with_kinks(), device=device, max_examples=25, name=name)


def test_gelu_is_exact_far_into_both_tails(device):
    x = np.array([-30.0, -8.0, -5.5, -1e-3, 0.0, 1e-3, 5.5, 8.0, 30.0])
    check_op(F.gelu, torch.nn.functional.gelu, x, device=device)


def test_prelu_with_one_weight_or_one_per_channel_matches_torch(device):
    x = S.arrays(st.sampled_from([(2, 3), (2, 3, 4), (1, 3, 2, 2)]), low=-2, high=2)
    check_op(F.prelu, torch.nn.functional.prelu, x, np.array([0.25, -0.5, 2.0]), device=device,
             max_examples=10)
    check_op(F.prelu, torch.nn.functional.prelu, S.arrays(), np.array([0.1]), device=device,
             max_examples=10)


def test_prelu_rejects_a_weight_that_does_not_match_the_channels():
    with pytest.raises(RuntimeError, match="parameter numbers = 2 and channel size = 3"):
        F.prelu(minigrad.zeros(4, 3), minigrad.zeros(2))


MODULES = [
    ("LeakyReLU()", {}), ("LeakyReLU(0.2, True)", dict(negative_slope=0.2, inplace=True)),
    ("ELU()", {}), ("ELU(alpha=0.5)", dict(alpha=0.5)), ("SELU()", {}),
    ("SELU(inplace)", dict(inplace=True)), ("CELU(alpha=2.0)", dict(alpha=2.0)),
    ("GELU()", {}), ("GELU(tanh)", dict(approximate="tanh")), ("SiLU()", {}),
    ("SiLU(inplace)", dict(inplace=True)), ("Mish()", {}), ("Softplus()", {}),
    ("Softplus(beta=2)", dict(beta=2.0, threshold=10.0)), ("Hardtanh()", {}),
    ("Hardtanh(-2, 2)", dict(min_val=-2.0, max_val=2.0)), ("ReLU6()", {}),
    ("ReLU6(inplace)", dict(inplace=True)), ("Hardswish()", {}), ("Softsign()", {}),
    ("PReLU()", {}), ("PReLU(3)", dict(num_parameters=3)),
]


@pytest.mark.parametrize("label,kwargs", MODULES, ids=[m[0] for m in MODULES])
def test_activation_module_matches_torch_output_gradients_and_repr(label, kwargs, device):
    name = label.split("(")[0]
    mg_layer = getattr(nn, name)(**kwargs).double().to(device)
    th_layer = getattr(torch.nn, name)(**kwargs).double()
    assert repr(mg_layer) == repr(th_layer)
    assert list(mg_layer.state_dict()) == list(th_layer.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 3, 5)) * 3
    mx = minigrad.tensor(x, device=device, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    mout, tout = mg_layer(mx), th_layer(tx.clone())  # (clone: torch may work in place)
    np.testing.assert_allclose(np.asarray(mout.detach().cpu()), tout.detach().numpy(),
                               rtol=1e-12, atol=1e-14)
    mout.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(np.asarray(mx.grad.cpu()), tx.grad.numpy(), rtol=1e-12,
                               atol=1e-14)
    for (n, p), (_, q) in zip(mg_layer.named_parameters(), th_layer.named_parameters()):
        np.testing.assert_allclose(np.asarray(p.grad.cpu()), q.grad.numpy(), rtol=1e-12,
                                   err_msg=n)


def test_activations_keep_float32(device):
    x = minigrad.randn(3, 4, device=device)
    for fn in (F.leaky_relu, F.elu, F.selu, F.celu, F.gelu, F.silu, F.mish, F.softplus,
               F.hardtanh, F.relu6, F.hardswish, F.softsign):
        assert fn(x).dtype == minigrad.float32, fn.__name__


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(minigrad.zeros(2), approximate="fast")


def test_hardtanh_rejects_min_above_max_like_torch():
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(minigrad.zeros(2), 1.0, -1.0)
    with pytest.raises(AssertionError):
        nn.Hardtanh(1.0, -1.0)
