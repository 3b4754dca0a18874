"""nn layers and the Module API, side by side with torch.nn.

Layers: forward and backward against torch in float64 (weights copied torch -> minigrad
through NumPy) on every device. Module API: the same architecture has the same parameter
names and order, state_dict keys, repr and load_state_dict errors as in PyTorch.
"""
import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

RTOL, ATOL = 1e-9, 1e-12
SETTINGS = dict(max_examples=20, deadline=None, database=None, derandomize=True)


def to_np(t):
    return minigrad.backend.to_numpy(t.detach().data)


def assert_close(mg, th, what=""):
    th = th.detach().numpy() if isinstance(th, torch.Tensor) else np.asarray(th)
    mg = to_np(mg) if isinstance(mg, minigrad.Tensor) else np.asarray(mg)
    assert mg.shape == th.shape, f"{what}: shape {mg.shape} vs torch {th.shape}"
    np.testing.assert_allclose(mg, th, rtol=RTOL, atol=ATOL, err_msg=what)


def copy_weights(torch_module, mg_module):
    """torch -> minigrad by state_dict names, through NumPy (float64 on both sides)."""
    torch_module.double()
    mg_module.double()
    state = {k: minigrad.tensor(v.detach().numpy()) for k, v in torch_module.state_dict().items()}
    result = mg_module.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys


def check_module(mg_module, torch_module, x, device, what):
    """Same weights, same float64 input: outputs, input gradient and every parameter's
    gradient agree with torch (backward through a random upstream gradient)."""
    copy_weights(torch_module, mg_module)
    mg_module.to(device)
    xm = minigrad.tensor(x, device=device, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    out_m, out_t = mg_module(xm), torch_module(xt)
    assert_close(out_m, out_t, f"{what}: output")
    up = np.random.default_rng(3).standard_normal(tuple(out_t.shape))
    (out_m * minigrad.tensor(up, device=device)).sum().backward()
    (out_t * torch.tensor(up)).sum().backward()
    assert_close(xm.grad, xt.grad, f"{what}: input gradient")
    torch_params = dict(torch_module.named_parameters())
    for name, p in mg_module.named_parameters():
        assert_close(p.grad, torch_params[name].grad, f"{what}: gradient of {name}")


# ------------------------------------------------------------------- Linear

def test_linear_matches_torch_for_any_leading_shape(device):
    @given(st.lists(st.integers(1, 4), max_size=3), st.integers(1, 6), st.integers(1, 6),
           st.booleans(), st.integers(0, 2 ** 16))
    @settings(**SETTINGS)
    def run(lead, n_in, n_out, bias, seed):
        x = np.random.default_rng(seed).standard_normal(tuple(lead) + (n_in,))
        check_module(nn.Linear(n_in, n_out, bias=bias), torch.nn.Linear(n_in, n_out, bias=bias),
                     x, device, f"Linear({n_in}, {n_out}, bias={bias}) on {x.shape}")

    run()


@pytest.mark.parametrize("batch", [1024, 1032, 1030, 64])
@pytest.mark.parametrize("lead", [(), (2,)])
def test_linear_chain_on_long_batches_matches_torch(device, batch, lead):
    """Linear stores its output feature-major and picks among three ways to compute its
    weight gradient (see ops/nn.py): 8 products over slices of a long batch for a tiny
    weight, (x^T g)^T for a hidden layer with fewer outputs than inputs, g^T x otherwise.
    All of it must be invisible: a chain of Linear and ReLU layers into cross-entropy,
    with batches that split into 8 (1024, 1032), that do not (1030) and that are short
    (64), with and without a leading axis, agrees with torch."""
    x = np.random.default_rng(batch).standard_normal(lead + (batch, 2))
    y = np.random.default_rng(1).integers(0, 8, lead + (batch,))

    def chain(m):
        return m.Sequential(m.Linear(2, 16), m.ReLU(), m.Linear(16, 32), m.ReLU(),
                            m.Linear(32, 24), m.ReLU(), m.Linear(24, 8))

    torch.manual_seed(0)
    net_t, net_m = chain(torch.nn), chain(nn)
    copy_weights(net_t, net_m)
    net_m.to(device)
    xm = minigrad.tensor(x, device=device, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ym, yt = minigrad.tensor(y, device=device), torch.tensor(y)
    out_m, out_t = net_m(xm), net_t(xt)
    if lead:  # cross-entropy wants the classes on axis 1
        out_m, out_t = out_m.permute(0, 2, 1), out_t.permute(0, 2, 1)
    loss_m, loss_t = F.cross_entropy(out_m, ym), TF.cross_entropy(out_t, yt)
    assert_close(loss_m, loss_t, "loss")
    loss_m.backward()
    loss_t.backward()
    assert_close(xm.grad, xt.grad, "input gradient")
    torch_params = dict(net_t.named_parameters())
    for name, p in net_m.named_parameters():
        assert_close(p.grad, torch_params[name].grad, f"gradient of {name}")


def test_functional_linear_equals_torch_with_and_without_bias(device):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((5, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4)
    for bias in (b, None):
        xm, wm = (minigrad.tensor(a, device=device, requires_grad=True) for a in (x, w))
        xt, wt = (torch.tensor(a, requires_grad=True) for a in (x, w))
        bm = None if bias is None else minigrad.tensor(bias, device=device)
        bt = None if bias is None else torch.tensor(bias)
        out_m, out_t = F.linear(xm, wm, bm), TF.linear(xt, wt, bt)
        assert_close(out_m, out_t, "F.linear")
        out_m.sum().backward()
        out_t.sum().backward()
        assert_close(xm.grad, xt.grad, "F.linear input grad")
        assert_close(wm.grad, wt.grad, "F.linear weight grad")


def test_linear_shape_mismatch_error_names_both_matrices():
    layer = nn.Linear(128, 10)
    with pytest.raises(RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied "
                                           r"\(64x784 and 128x10\)$"):
        layer(minigrad.randn(64, 784))
    with pytest.raises(RuntimeError, match=r"\(6x784 and 128x10\)"):
        layer(minigrad.randn(2, 3, 784))  # leading axes fold into the batch, as in torch


def test_linear_dtype_mismatch_error_names_both_dtypes():
    layer = nn.Linear(4, 2)
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype, but got "
                                           "Double and Float"):
        layer(minigrad.randn(3, 4, dtype=minigrad.float64))
    with pytest.raises(RuntimeError, match="but got Long and Float"):
        layer(minigrad.ones(3, 4, dtype=minigrad.int64))


def test_linear_keeps_float32(device):
    out = nn.Linear(4, 2, device=device)(minigrad.randn(3, 4, device=device))
    assert out.dtype == minigrad.float32 and out.device == minigrad.device(device)


# ---------------------------------------------------------- activations etc.

ACTIVATIONS = [
    ("ReLU", lambda m: m.ReLU()), ("Sigmoid", lambda m: m.Sigmoid()), ("Tanh", lambda m: m.Tanh()),
    ("Softmax(dim=1)", lambda m: m.Softmax(dim=1)), ("Softmax(dim=-1)", lambda m: m.Softmax(-1)),
    ("LogSoftmax(dim=0)", lambda m: m.LogSoftmax(dim=0)),
    ("LogSoftmax(dim=2)", lambda m: m.LogSoftmax(dim=2)),
    ("Flatten()", lambda m: m.Flatten()), ("Flatten(0, 1)", lambda m: m.Flatten(0, 1)),
    ("Identity", lambda m: m.Identity(3, key="ignored")),
]


@pytest.mark.parametrize("name,make", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_parameter_free_layer_matches_torch(name, make, device):
    x = np.random.default_rng(1).standard_normal((3, 4, 5)) * 3
    x[0, 0, :3] = 0.0  # relu'(0) = 0, as in torch
    check_module(make(nn), make(torch.nn), x, device, name)


def test_functional_activations_match_torch(device):
    x = np.random.default_rng(2).standard_normal((4, 6)) * 4
    for name, mg_fn, th_fn in [("relu", F.relu, TF.relu), ("sigmoid", F.sigmoid, torch.sigmoid),
                               ("tanh", F.tanh, torch.tanh),
                               ("softmax", lambda t: F.softmax(t, dim=1),
                                lambda t: TF.softmax(t, dim=1)),
                               ("log_softmax", lambda t: F.log_softmax(t, 0),
                                lambda t: TF.log_softmax(t, 0))]:
        xm, xt = minigrad.tensor(x, device=device, requires_grad=True), torch.tensor(
            x, requires_grad=True)
        assert_close(mg_fn(xm), th_fn(xt), name)
        (mg_fn(xm) * minigrad.tensor(x, device=device)).sum().backward()
        (th_fn(xt) * torch.tensor(x)).sum().backward()
        assert_close(xm.grad, xt.grad, f"{name} gradient")


def test_softmax_without_dim_warns_and_picks_torchs_implicit_dim():
    x = np.random.default_rng(3).standard_normal((2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(minigrad.tensor(x))
    with pytest.warns(UserWarning):
        expected = TF.softmax(torch.tensor(x))
    assert_close(out, expected, "softmax(dim=None)")


def test_one_hot_matches_torch():
    t = np.array([[0, 2], [1, 4]])
    assert np.array_equal(to_np(F.one_hot(minigrad.tensor(t))),
                          TF.one_hot(torch.tensor(t)).numpy())
    assert F.one_hot(minigrad.tensor(t), num_classes=6).shape == (2, 2, 6)


# ------------------------------------------------------------------ Dropout

def test_dropout_in_training_zeroes_a_fraction_p_and_scales_the_rest(device):
    x = minigrad.ones(200_000, device=device, requires_grad=True)
    layer = nn.Dropout(p=0.3)
    out = layer(x)
    v = to_np(out)
    # fraction of zeros ~ Binomial(n, 0.3)/n: standard error 0.001, tolerance 0.01
    assert abs(np.mean(v == 0) - 0.3) < 0.01
    assert np.allclose(v[v != 0], 1 / 0.7)
    out.sum().backward()
    assert np.array_equal(to_np(x.grad), v)  # the gradient flows through the same mask


def test_dropout_is_identity_in_eval_mode_and_when_not_training():
    x = minigrad.randn(5, 4)
    layer = nn.Sequential(nn.Dropout(0.5))
    layer.eval()
    assert layer(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert np.all(to_np(F.dropout(x, 1.0)) == 0)
    layer.train()
    assert not np.array_equal(to_np(layer(x)), to_np(x))


def test_dropout_masks_are_reproducible_under_manual_seed_and_keep_dtype():
    x = minigrad.ones(50, 10)
    minigrad.manual_seed(7)
    a = to_np(F.dropout(x, 0.5))
    minigrad.manual_seed(7)
    b = to_np(F.dropout(x, 0.5))
    assert np.array_equal(a, b)
    assert F.dropout(x, 0.5).dtype == minigrad.float32


def test_dropout_rejects_probabilities_outside_0_1():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="but got -0.1"):
        F.dropout(minigrad.ones(2), p=-0.1)


# ----------------------------------------------------------- Conv2d, MaxPool2d

CONV_CASES = [
    dict(in_channels=1, out_channels=6, kernel_size=5),
    dict(in_channels=3, out_channels=4, kernel_size=(3, 2), stride=2, padding=1, bias=False),
    dict(in_channels=4, out_channels=6, kernel_size=3, padding=(2, 1), dilation=2, groups=2),
    dict(in_channels=2, out_channels=3, kernel_size=3, padding="same"),
    dict(in_channels=2, out_channels=3, kernel_size=(4, 2), padding="same", dilation=(1, 3)),
    dict(in_channels=2, out_channels=2, kernel_size=2, padding="valid"),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's
@pytest.mark.parametrize("kwargs", CONV_CASES, ids=lambda k: repr(k))
def test_conv2d_module_matches_torch(kwargs, device):
    x = np.random.default_rng(4).standard_normal((2, kwargs["in_channels"], 9, 8))
    mg, th = nn.Conv2d(**kwargs), torch.nn.Conv2d(**kwargs)
    assert repr(mg) == repr(th)
    check_module(mg, th, x, device, repr(th))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                    dict(kernel_size=(3, 2), stride=(2, 1)),
                                    dict(kernel_size=3, stride=2, ceil_mode=True)],
                         ids=repr)
def test_maxpool2d_module_matches_torch(kwargs, device):
    x = np.random.default_rng(5).standard_normal((2, 3, 9, 8))
    x = np.maximum(x, 0)  # ties at zero: the gradient goes to the first maximum, as in torch
    mg, th = nn.MaxPool2d(**kwargs), torch.nn.MaxPool2d(**kwargs)
    assert repr(mg) == repr(th)
    check_module(mg, th, x, device, repr(th))


def test_lenet_forward_and_backward_match_torch(device):
    def lenet(m):
        return m.Sequential(m.Conv2d(1, 6, 5, padding=2), m.ReLU(), m.MaxPool2d(2),
                            m.Conv2d(6, 16, 5), m.ReLU(), m.MaxPool2d(2), m.Flatten(),
                            m.Linear(400, 120), m.ReLU(), m.Linear(120, 84), m.ReLU(),
                            m.Linear(84, 10))

    x = np.random.default_rng(6).random((3, 1, 28, 28))
    check_module(lenet(nn), lenet(torch.nn), x, device, "LeNet")


def test_conv2d_rejects_bad_groups_and_padding_modes():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        nn.Conv2d(3, 4, 3, padding="full")
    with pytest.raises(NotImplementedError, match="padding_mode='zeros' only"):
        nn.Conv2d(3, 4, 3, padding_mode="reflect")


# ------------------------------------------------------------- Module API

def build_net(m):
    """One architecture, written against either framework's nn namespace."""

    class Net(m.Module):
        def __init__(self):
            super().__init__()
            self.features = m.Sequential(m.Linear(4, 8), m.ReLU(), m.Linear(8, 8, bias=False))
            self.blocks = m.ModuleList([m.Linear(8, 8) for _ in range(2)])
            self.heads = m.ModuleDict({"cls": m.Linear(8, 3), "reg": m.Linear(8, 1)})
            self.scale = m.Parameter(torch_like(m).ones(1))
            self.register_buffer("steps", torch_like(m).zeros(1, dtype=torch_like(m).int64))
            self.register_buffer("cache", torch_like(m).zeros(2), persistent=False)
            self.dropout = m.Dropout(0.2)

        def forward(self, x):
            x = self.features(x)
            for block in self.blocks:
                x = block(x).relu()
            return self.heads["cls"](self.dropout(x)) * self.scale

    return Net()


def torch_like(m):
    return minigrad if m is nn else torch


def test_parameter_names_and_order_match_torch():
    mg, th = build_net(nn), build_net(torch.nn)
    assert [n for n, _ in mg.named_parameters()] == [n for n, _ in th.named_parameters()]
    assert [tuple(p.shape) for p in mg.parameters()] == [tuple(p.shape) for p in th.parameters()]
    assert [n for n, _ in mg.named_buffers()] == [n for n, _ in th.named_buffers()]
    assert [n for n, _ in mg.named_modules()] == [n for n, _ in th.named_modules()]
    assert [n for n, _ in mg.named_children()] == [n for n, _ in th.named_children()]
    assert [type(c).__name__ for c in mg.children()] == \
        [type(c).__name__ for c in th.children()]
    assert [n for n, _ in mg.named_parameters(prefix="model", recurse=True)] == \
        [n for n, _ in th.named_parameters(prefix="model")]
    assert [n for n, _ in mg.named_parameters(recurse=False)] == ["scale"]


def test_state_dict_keys_match_torch_and_skip_non_persistent_buffers():
    mg, th = build_net(nn), build_net(torch.nn)
    state = mg.state_dict()
    assert isinstance(state, OrderedDict)
    assert list(state) == list(th.state_dict())
    assert "cache" not in state and "steps" in state
    assert all(not v.requires_grad and v.grad_fn is None for v in state.values())
    assert list(mg.state_dict(prefix="net.")) == list(th.state_dict(prefix="net."))


def test_state_dict_round_trip_reproduces_the_model(device):
    a, b = build_net(nn).to(device).eval(), build_net(nn).to(device).eval()
    x = minigrad.randn(5, 4, device=device)
    assert not np.allclose(to_np(a(x)), to_np(b(x)))
    b.load_state_dict(a.state_dict())
    assert np.array_equal(to_np(a(x)), to_np(b(x)))


def test_state_dict_values_share_memory_with_the_parameters():
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    with minigrad.no_grad():
        layer.weight.fill_(3.0)
    assert np.all(to_np(state["weight"]) == 3.0)  # as in torch: copy it to keep a snapshot
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight


def test_load_state_dict_copies_in_place_and_keeps_parameter_identity():
    layer = nn.Linear(3, 2)
    weight, version = layer.weight, layer.weight._version
    new = {"weight": minigrad.ones(2, 3, dtype=minigrad.float64), "bias": minigrad.zeros(2)}
    assert repr(layer.load_state_dict(new)) == "<All keys matched successfully>"
    assert layer.weight is weight and weight._version > version
    assert weight.dtype == minigrad.float32 and np.all(to_np(weight) == 1.0)  # cast, like torch
    assert weight.requires_grad and weight.is_leaf


def _load_error_models(m, n_in):
    class Net(m.Module):
        def __init__(self):
            super().__init__()
            self.fc = m.Linear(n_in, 10)
            self.register_buffer("rb", torch_like(m).zeros(2))

    return Net()


def test_load_state_dict_error_message_equals_torchs():
    def bad_state(m):
        state = _load_error_models(m, 5).state_dict()
        state["extra"] = torch_like(m).zeros(1)
        del state["fc.bias"]
        state["fc.zz"] = torch_like(m).zeros(1)
        return state

    messages = []
    for m in (nn, torch.nn):
        with pytest.raises(RuntimeError) as info:
            _load_error_models(m, 4).load_state_dict(bad_state(m))
        messages.append(str(info.value))
    assert messages[0] == messages[1].replace("torch.", "minigrad.")
    assert messages[0] == (
        'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc.bias". '
        '\n\tUnexpected key(s) in state_dict: "extra", "fc.zz". \n\tsize mismatch for '
        'fc.weight: copying a param with shape minigrad.Size([10, 5]) from checkpoint, the '
        'shape in current model is minigrad.Size([10, 4]).')


def test_load_state_dict_non_strict_reports_keys_but_still_rejects_size_mismatch():
    model = _load_error_models(nn, 4)
    state = _load_error_models(nn, 4).state_dict()
    state["extra"] = minigrad.zeros(1)
    del state["fc.bias"]
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc.bias"] and result.unexpected_keys == ["extra"]
    assert result == (["fc.bias"], ["extra"])
    assert repr(result) == ("_IncompatibleKeys(missing_keys=['fc.bias'], "
                            "unexpected_keys=['extra'])")
    with pytest.raises(RuntimeError, match="size mismatch for fc.weight"):
        model.load_state_dict(_load_error_models(nn, 5).state_dict(), strict=False)


def test_load_state_dict_rejects_non_mappings_and_non_tensors():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got <class 'list'>"):
        model.load_state_dict([1])
    with pytest.raises(RuntimeError, match='While copying the parameter named "weight", '
                                           'expected minigrad.Tensor'):
        model.load_state_dict({"weight": [[1.0, 2.0]] * 2, "bias": minigrad.zeros(2)})


def test_to_dtype_converts_in_place_and_keeps_parameter_identity():
    model = build_net(nn)
    params = list(model.parameters())
    params[0].grad = minigrad.ones(*params[0].shape)
    assert model.double() is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(p.dtype == minigrad.float64 for p in model.parameters())
    assert params[0].grad.dtype == minigrad.float64
    assert model.steps.dtype == minigrad.int64  # integer buffers are not cast
    assert model.cache.dtype == minigrad.float64
    model.to(minigrad.float32)
    assert all(p.dtype == minigrad.float32 for p in model.parameters())
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex "
                                        "dtypes, but got desired dtype=minigrad.int64"):
        model.to(minigrad.int64)


def test_to_device_moves_parameters_and_buffers_in_place(device):
    model = build_net(nn)
    weight = model.features[0].weight
    model.to(device)
    assert model.features[0].weight is weight
    assert all(p.device == minigrad.device(device) for p in model.parameters())
    assert all(b.device == minigrad.device(device) for b in model.buffers())
    out = model(minigrad.randn(2, 4, device=device))
    out.sum().backward()
    assert weight.grad.device == minigrad.device(device)
    model.cpu()
    assert weight.device == minigrad.device("cpu") and weight.grad.device.type == "cpu"
    model.to(minigrad.randn(1, dtype=minigrad.float64))  # to(tensor): its device and dtype
    assert weight.dtype == minigrad.float64


def test_train_and_eval_set_the_flag_on_every_module():
    model = build_net(nn)
    assert model.training and model.dropout.training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train(1)


def test_zero_grad_sets_to_none_or_zeroes_in_place():
    model = nn.Linear(3, 2)
    model(minigrad.randn(4, 3)).sum().backward()
    grad = model.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.weight.grad is grad and np.all(to_np(grad) == 0)
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None


def test_apply_visits_children_before_parents_like_torch():
    visited = {}
    for m in (nn, torch.nn):
        order = []
        build_net(m).apply(lambda mod: order.append(type(mod).__name__))
        visited[m.__name__] = order
    assert visited["minigrad.nn"] == visited["torch.nn"]


def test_apply_can_reinitialise_weights():
    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    model = build_net(nn).apply(init_weights)
    assert all(np.all(to_np(m.weight) == 0) for m in model.modules() if isinstance(m, nn.Linear))


def test_shared_parameters_are_listed_once_like_torch():
    results = []
    for m in (nn, torch.nn):
        a = m.Linear(3, 3)
        model = m.Sequential(a, m.ReLU(), a)
        results.append(([n for n, _ in model.named_parameters()], list(model.state_dict()),
                        [n for n, _ in model.named_modules()]))
    assert results[0] == results[1]


def test_requires_grad_toggles_every_parameter():
    model = build_net(nn).requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    model.requires_grad_()
    assert all(p.requires_grad for p in model.parameters())


def test_attribute_registration_errors_match_torch():
    class NoInit(nn.Module):
        def __init__(self, value):
            self.w = value

    with pytest.raises(AttributeError, match=r"cannot assign parameters before "
                                             r"Module.__init__\(\) call"):
        NoInit(nn.Parameter(minigrad.zeros(1)))
    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__"):
        NoInit(nn.ReLU())
    with pytest.raises(AttributeError, match=r"forget to call super\(\).__init__\(\)"):
        NoInit(3)(minigrad.ones(1))
    model = build_net(nn)
    with pytest.raises(TypeError, match=r"cannot assign 'minigrad.FloatTensor' as parameter "
                                        r"'weight' \(minigrad.nn.Parameter or None expected\)"):
        model.features[0].weight = minigrad.zeros(8, 4)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'features'"):
        model.features = 3
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'missing'"):
        model.missing
    with pytest.raises(KeyError, match="attribute 'features' already exists"):
        model.register_buffer("features", minigrad.zeros(1))
    with pytest.raises(KeyError, match=r"buffer name can.*t contain"):
        model.register_buffer("a.b", minigrad.zeros(1))
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required '
                                                  r'"forward" function'):
        nn.Module()(1)


def test_assigning_and_deleting_attributes_updates_the_registries():
    model = nn.Linear(2, 2)
    model.bias = None
    assert [n for n, _ in model.named_parameters()] == ["weight"]
    model.extra = nn.Parameter(minigrad.zeros(1))
    model.sub = nn.ReLU()
    assert "extra" in dict(model.named_parameters()) and "sub" in dict(model.named_children())
    del model.extra, model.sub
    assert "extra" not in dict(model.named_parameters())
    assert list(model.children()) == []
    model.sub = nn.Tanh()
    model.sub = None  # a registered child may be set to None, as in torch
    assert list(model.children()) == []
    model.plain = 5
    assert model.plain == 5 and "plain" in model.__dict__


def test_module_repr_equals_torchs_for_the_same_model():
    def models(m):
        class MLP(m.Module):
            def __init__(self):
                super().__init__()
                self.layers = m.Sequential(m.Linear(3, 4), m.ReLU(inplace=True))
                self.head = m.Linear(4, 1, bias=False)
                self.scale = m.Parameter(torch_like(m).ones(1))

            def extra_repr(self):
                return "scale=1\nsecond line"

        class OneLine(m.Module):
            def extra_repr(self):
                return "x=1"

        return [
            m.Sequential(m.Linear(784, 128), m.ReLU(), m.Linear(128, 10)),
            m.Sequential(OrderedDict([("conv", m.Conv2d(1, 2, 3)), ("act", m.Tanh())])),
            m.Sequential(m.Conv2d(6, 16, (3, 5), stride=2, padding=1, bias=False, groups=2,
                                  dilation=2), m.MaxPool2d((2, 2)), m.MaxPool2d(3, 1, 1),
                         m.Conv2d(3, 3, 3, padding="same"), m.Flatten(), m.Dropout(),
                         m.Dropout(0.25, inplace=True), m.Softmax(dim=1), m.LogSoftmax(1),
                         m.Identity(), m.Sigmoid(), m.CrossEntropyLoss(), m.NLLLoss(),
                         m.BCEWithLogitsLoss(), m.MSELoss()),
            m.ModuleList([m.Linear(2, 2), m.Linear(2, 2), m.ReLU(), m.Linear(2, 2),
                          m.Sequential(m.Tanh()), m.Sequential(m.Tanh())]),
            m.ModuleList(), m.Sequential(), m.ModuleDict({"a": m.ReLU()}),
            MLP(), OneLine(), build_net(m),
        ]

    for ours, theirs in zip(models(nn), models(torch.nn)):
        assert repr(ours) == repr(theirs).replace("torch.", "minigrad.")


def test_parameter_is_a_tensor_that_requires_grad_and_prints_like_torchs():
    data = [[1.5, -2.25], [0.125, 3.0]]
    p = nn.Parameter(minigrad.tensor(data))
    assert isinstance(p, minigrad.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor(data))).replace("torch.", "minigrad.")
    frozen = nn.Parameter(minigrad.tensor(data, dtype=minigrad.float64), requires_grad=False)
    assert repr(frozen) == repr(torch.nn.Parameter(torch.tensor(data, dtype=torch.float64),
                                                   requires_grad=False)).replace("torch.",
                                                                                 "minigrad.")
    assert type(p * 2) is minigrad.Tensor and type(p.detach()) is minigrad.Tensor
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(minigrad.tensor([1, 2]))


def test_parameter_shares_memory_with_its_tensor():
    t = minigrad.zeros(3)
    p = nn.Parameter(t)
    with minigrad.no_grad():
        p.fill_(2.0)
    assert np.all(to_np(t) == 2.0)


def test_deepcopy_gives_an_independent_model_with_parameters():
    model = build_net(nn)
    clone = copy.deepcopy(model)
    assert all(type(p) is nn.Parameter for p in clone.parameters())
    with minigrad.no_grad():
        next(clone.parameters()).fill_(0.0)
    assert not np.all(to_np(next(model.parameters())) == 0)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]


def test_forward_hooks_see_and_may_replace_outputs():
    layer = nn.Linear(2, 2)
    seen = []
    handle = layer.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    out = layer(minigrad.ones(3, 2))
    assert seen == [(3, 2)]
    assert np.allclose(to_np(out), to_np(layer.bias))
    handle.remove()
    pre.remove()
    layer(minigrad.ones(3, 2))
    assert seen == [(3, 2)]


# ------------------------------------------------------------- containers

def test_sequential_indexing_slicing_and_editing_like_torch():
    for m in (nn, torch.nn):
        seq = m.Sequential(m.Linear(2, 3), m.ReLU(), m.Linear(3, 1))
        assert len(seq) == 3 and isinstance(seq[-1], m.Linear)
        assert [type(x).__name__ for x in seq] == ["Linear", "ReLU", "Linear"]
        tail = seq[1:]
        assert type(tail) is m.Sequential and list(tail._modules) == ["1", "2"]
        del seq[0]
        assert list(seq._modules) == ["0", "1"]  # renumbered
        seq.append(m.Tanh())
        seq.insert(0, m.Sigmoid())
        seq[1] = m.Identity()
        assert [type(x).__name__ for x in seq] == ["Sigmoid", "Identity", "Linear", "Tanh"]
        with pytest.raises(IndexError, match="index 7 is out of range"):
            seq[7]


def test_sequential_from_ordered_dict_keeps_names_and_runs_in_order(device):
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(4, 3)), ("act", nn.ReLU())])).to(device)
    assert [n for n, _ in seq.named_parameters()] == ["fc.weight", "fc.bias"]
    assert seq.fc is seq[0]
    x = minigrad.randn(2, 4, device=device)
    assert np.array_equal(to_np(seq(x)), to_np(seq.act(seq.fc(x))))


def test_module_list_registers_its_modules():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
            self.plain = [nn.Linear(2, 2)]  # a plain list hides its parameters, as in torch

    net = Net()
    assert len(list(net.parameters())) == 6
    net.layers.append(nn.Linear(2, 1))
    net.layers.extend([nn.ReLU()])
    net.layers.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in net.layers] == ["Tanh", "Linear", "Linear", "Linear",
                                                      "Linear", "ReLU"]
    assert type(net.layers[1:3]) is nn.ModuleList and len(net.layers[1:3]) == 2
    del net.layers[0]
    assert list(net.layers._modules) == ["0", "1", "2", "3", "4"]
    assert len(list(net.parameters())) == 8


@pytest.mark.parametrize("container", ["Sequential", "ModuleList"])
def test_pop_returns_the_module_and_renumbers_the_rest_like_torch(container):
    for m in (nn, torch.nn):
        make = getattr(m, container)
        seq = make(m.Linear(2, 3), m.ReLU(), m.Tanh()) if container == "Sequential" else \
            make([m.Linear(2, 3), m.ReLU(), m.Tanh()])
        assert isinstance(seq.pop(1), m.ReLU)
        assert list(seq._modules) == ["0", "1"]
        assert [type(x).__name__ for x in seq] == ["Linear", "Tanh"]
        del seq[-1]
        assert len(seq) == 1 and isinstance(seq[0], m.Linear)


def test_module_dict_behaves_like_an_ordered_dict_of_modules():
    d = nn.ModuleDict({"a": nn.Linear(2, 2)})
    d["b"] = nn.ReLU()
    assert list(d) == ["a", "b"] and "a" in d and len(d) == 2
    assert [n for n, _ in d.named_parameters()] == ["a.weight", "a.bias"]
    assert isinstance(d.pop("b"), nn.ReLU) and list(d.keys()) == ["a"]


# ------------------------------------------------------------ tutorial program

TUTORIAL = '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 64)
        self.fc2 = nn.Linear(64, 32)
        self.fc3 = nn.Linear(32, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = torch.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = torch.flatten(x, 1)
        return self.fc3(x)


def train(model, batches, lr=0.1):
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for X, y in batches:
        pred = model(X)
        loss = loss_fn(pred, y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(f"{loss:.6f}")
    with torch.inference_mode():
        pred = model(batches[0][0])
        correct = (pred.argmax(1) == batches[0][1]).type(torch.float).sum().item()
        _, predicted = torch.max(pred, 1)
    return losses, correct, predicted
'''


def _run_tutorial(torch_mod, nn_mod, F_mod, state, batches):
    namespace = dict(torch=torch_mod, nn=nn_mod, F=F_mod)
    exec(TUTORIAL, namespace)
    model = namespace["Net"]().double()
    model.load_state_dict({k: torch_mod.tensor(v) for k, v in state.items()})
    batches = [(torch_mod.tensor(x), torch_mod.tensor(y)) for x, y in batches]
    losses, correct, predicted = namespace["train"](model, batches)
    params = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    return losses, correct, np.asarray(predicted.tolist()), params


def test_pytorch_tutorial_program_trains_in_lockstep_with_torch_in_float64():
    rng = np.random.default_rng(9)
    batches = [(rng.random((16, 1, 28, 28)), rng.integers(0, 10, 16)) for _ in range(8)]
    torch.manual_seed(0)
    namespace = dict(torch=torch, nn=torch.nn, F=TF)
    exec(TUTORIAL, namespace)  # the initial weights come from torch, shared by both runs
    state = {k: v.double().numpy() for k, v in namespace["Net"]().state_dict().items()}
    mg = _run_tutorial(minigrad, nn, F, state, batches)
    th = _run_tutorial(torch, torch.nn, TF, state, batches)
    assert mg[0] == th[0]  # every step's loss, printed to 6 decimals
    assert float(mg[0][-1]) < float(mg[0][0])  # it learns
    assert mg[1] == th[1] and np.array_equal(mg[2], th[2])
    for k in th[3]:
        np.testing.assert_allclose(mg[3][k], th[3][k], rtol=1e-9, atol=1e-12, err_msg=k)


def test_linear_and_dropout_gradients_agree_with_finite_differences():
    rng = np.random.default_rng(11)
    x, w, b = (minigrad.tensor(rng.standard_normal(s), requires_grad=True)
               for s in [(2, 3, 4), (5, 4), (5,)])
    assert minigrad.autograd.gradcheck(F.linear, (x, w, b), atol=1e-7, rtol=1e-5)

    def dropout_with_fixed_seed(t):
        minigrad.manual_seed(3)  # the same mask on every evaluation
        return F.dropout(t, 0.4)

    assert minigrad.autograd.gradcheck(dropout_with_fixed_seed, (x,), atol=1e-7, rtol=1e-5)
