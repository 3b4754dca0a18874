"""RNN, LSTM, GRU and their cells against PyTorch (float64, weights copied by state_dict):
outputs, final states and every gradient for each combination of layers, directions,
batch_first, initial state and unbatched input; parameter names, shapes, init and reprs;
second derivatives of the cells; lockstep Adam training; dropout between layers; and
misuse errors worded as torch's."""
import itertools
import math
import warnings

import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn as nn
from minigrad.nn import rnn as R
from parity import check_op, lockstep, to_minigrad, to_torch

MODES = {"RNN": ("RNN", {}), "RNN relu": ("RNN", dict(nonlinearity="relu")),
         "LSTM": ("LSTM", {}), "GRU": ("GRU", {})}
SEQ, BATCH, IN, HIDDEN = 4, 3, 5, 4


def twin(name, *args, **kwargs):
    """The torch layer and a minigrad one holding the same float64 weights (by name)."""
    torch.manual_seed(0)
    th = getattr(torch.nn, name)(*args, **kwargs).double()
    mg = getattr(nn, name)(*args, **kwargs).double()
    mg.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in
                        th.state_dict().items()})
    return mg, th


def close(a, b, what=""):
    np.testing.assert_allclose(np.asarray(a.detach().cpu()), b.detach().numpy(), rtol=1e-10,
                               atol=1e-12, err_msg=what)


def assert_same_gradients(mg, th, mg_inputs, th_inputs):
    for (name, p), (_, q) in zip(mg.named_parameters(), th.named_parameters()):
        close(p.grad, q.grad, name)
    for i, (a, b) in enumerate(zip(mg_inputs, th_inputs)):
        close(a.grad, b.grad, f"gradient of input {i}")


def weighted_sum(lib, tensors, device=None):
    """sum_k sum(t_k * w_k) with fixed, varied weights: every element's gradient differs."""
    total = 0
    for k, t in enumerate(tensors):
        w = (np.arange(t.numel()).reshape(tuple(t.shape)) % 7 - 3.0) / (k + 1)
        total = total + (t * (lib.tensor(w) if lib is torch else
                              lib.tensor(w, device=device))).sum()
    return total


LAYER_CASES = list(itertools.product(MODES, (1, 2), (False, True), (False, True),
                                     (False, True), (True, False)))


@pytest.mark.parametrize(
    "mode,num_layers,bidirectional,batch_first,with_h0,batched", LAYER_CASES,
    ids=[f"{m}-layers{n}-{'bi' if b else 'uni'}-{'batch_first' if f else 'seq_first'}-"
         f"{'h0' if h else 'no_h0'}-{'batched' if u else 'unbatched'}"
         for m, n, b, f, h, u in LAYER_CASES])
def test_recurrent_layer_matches_torch_outputs_final_states_and_all_gradients(
        mode, num_layers, bidirectional, batch_first, with_h0, batched):
    compare_layer_with_torch(mode, num_layers, bidirectional, batch_first, with_h0, batched,
                             "cpu")


@pytest.mark.parametrize("mode", list(MODES))
def test_recurrent_layer_matches_torch_on_every_device(mode, device):
    compare_layer_with_torch(mode, 2, True, True, True, True, device)
    compare_layer_with_torch(mode, 1, False, False, False, False, device)


def compare_layer_with_torch(mode, num_layers, bidirectional, batch_first, with_h0, batched,
                             device):
    name, extra = MODES[mode]
    mg, th = twin(name, IN, HIDDEN, num_layers=num_layers, bidirectional=bidirectional,
                  batch_first=batch_first, **extra)
    mg.to(device)
    rng = np.random.default_rng(1)
    shape = (BATCH, SEQ, IN) if batch_first else (SEQ, BATCH, IN)
    x = rng.standard_normal(shape if batched else (SEQ, IN))
    h_shape = (num_layers * (2 if bidirectional else 1),) + ((BATCH,) if batched else ()) + (
        HIDDEN,)
    states = [rng.standard_normal(h_shape) for _ in range(2 if name == "LSTM" else 1)]

    def run(lib, module):
        kw = {} if lib is torch else {"device": device}
        inputs = [lib.tensor(a, requires_grad=True, **kw) for a in [x] + states]
        hx = None
        if with_h0:
            hx = tuple(inputs[1:]) if name == "LSTM" else inputs[1]
        output, h_n = module(inputs[0], hx)
        finals = list(h_n) if name == "LSTM" else [h_n]
        weighted_sum(lib, [output] + finals, device).backward()
        return inputs if with_h0 else inputs[:1], output, finals

    mg_in, mg_out, mg_finals = run(minigrad, mg)
    th_in, th_out, th_finals = run(torch, th)
    assert tuple(mg_out.shape) == tuple(th_out.shape)
    close(mg_out, th_out, "output")
    for k, (a, b) in enumerate(zip(mg_finals, th_finals)):
        assert tuple(a.shape) == tuple(b.shape)
        close(a, b, f"final state {k}")
    assert_same_gradients(mg, th, mg_in, th_in)


@pytest.mark.parametrize("mode", list(MODES))
def test_recurrent_layer_without_bias_matches_torch(mode):
    name, extra = MODES[mode]
    mg, th = twin(name, IN, HIDDEN, num_layers=2, bias=False, bidirectional=True, **extra)
    assert not any("bias" in n for n, _ in mg.named_parameters())
    x = np.random.default_rng(2).standard_normal((SEQ, BATCH, IN))
    outs = []
    for lib, module in ((minigrad, mg), (torch, th)):
        xt = lib.tensor(x, requires_grad=True)
        output, h_n = module(xt)
        weighted_sum(lib, [output] + (list(h_n) if name == "LSTM" else [h_n])).backward()
        outs.append((xt, output))
    close(outs[0][1], outs[1][1])
    assert_same_gradients(mg, th, [outs[0][0]], [outs[1][0]])


CELL_CASES = [("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu")),
              ("RNNCell", dict(bias=False)), ("LSTMCell", {}), ("LSTMCell", dict(bias=False)),
              ("GRUCell", {}), ("GRUCell", dict(bias=False))]


@pytest.mark.parametrize("with_hx", [True, False], ids=["hx", "no_hx"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("name,kwargs", CELL_CASES,
                         ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}"
                              for n, kw in CELL_CASES])
def test_cell_matches_torch_output_and_gradients(name, kwargs, batched, with_hx, device):
    mg, th = twin(name, IN, HIDDEN, **kwargs)
    mg.to(device)
    rng = np.random.default_rng(3)
    lead = (BATCH,) if batched else ()
    x = rng.standard_normal(lead + (IN,))
    states = [rng.standard_normal(lead + (HIDDEN,)) for _ in range(2 if name == "LSTMCell"
                                                                     else 1)]

    def run(lib, module):
        kw = {} if lib is torch else {"device": device}
        inputs = [lib.tensor(a, requires_grad=True, **kw) for a in [x] + states]
        hx = None
        if with_hx:
            hx = tuple(inputs[1:]) if name == "LSTMCell" else inputs[1]
        out = module(inputs[0], hx)
        out = list(out) if name == "LSTMCell" else [out]
        weighted_sum(lib, out, device).backward()
        return inputs if with_hx else inputs[:1], out

    mg_in, mg_out = run(minigrad, mg)
    th_in, th_out = run(torch, th)
    for a, b in zip(mg_out, th_out):
        assert tuple(a.shape) == tuple(b.shape)
        close(a, b)
    assert_same_gradients(mg, th, mg_in, th_in)


# ---- parameters: names, shapes, order, init, repr, torch checkpoints ----

CONFIGS = [("RNN", (IN, HIDDEN), {}),
           ("RNN", (IN, HIDDEN), dict(num_layers=2, nonlinearity="relu", bias=False,
                                      batch_first=True, dropout=0.5, bidirectional=True)),
           ("RNN", (IN, HIDDEN, 3, "relu"), {}),
           ("LSTM", (IN, HIDDEN), dict(num_layers=3, bidirectional=True)),
           ("LSTM", (IN, HIDDEN), dict(batch_first=True, dropout=0.25, num_layers=2)),
           ("GRU", (IN, HIDDEN), dict(num_layers=2, bias=False)),
           ("RNNCell", (IN, HIDDEN), {}),
           ("RNNCell", (IN, HIDDEN), dict(nonlinearity="relu", bias=False)),
           ("LSTMCell", (IN, HIDDEN), {}), ("GRUCell", (IN, HIDDEN), dict(bias=False))]


@pytest.mark.parametrize("name,args,kwargs", CONFIGS,
                         ids=[f"{n}{a}{kw}" for n, a, kw in CONFIGS])
def test_parameter_names_shapes_order_and_repr_are_torchs(name, args, kwargs):
    mg = getattr(nn, name)(*args, **kwargs)
    th = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(mg) == repr(th)
    assert [(n, tuple(p.shape)) for n, p in mg.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in th.named_parameters()]
    assert list(mg.state_dict()) == list(th.state_dict())
    assert all(p.dtype == minigrad.float32 for p in mg.parameters())


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_parameters_start_uniform_within_one_over_sqrt_hidden_size(name):
    hidden = 16
    module = getattr(nn, name)(8, hidden, **({"num_layers": 2} if "Cell" not in name else {}))
    bound = 1 / math.sqrt(hidden)
    values = np.concatenate([np.asarray(p.detach()).ravel() for p in module.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.9 * bound and values.max() > 0.9 * bound  # the whole range
    assert abs(values.mean()) < 0.1 * bound


def test_flatten_parameters_and_all_weights_are_there_as_in_torch():
    mg, th = twin("GRU", IN, HIDDEN, num_layers=2, bidirectional=True)
    mg.flatten_parameters()
    assert [[tuple(p.shape) for p in ws] for ws in mg.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in th.all_weights]
    assert mg.all_weights[1][0] is mg.weight_ih_l0_reverse


def test_a_torch_lstm_checkpoint_loads_by_name_and_gives_torchs_outputs(tmp_path):
    torch.manual_seed(0)
    th = torch.nn.LSTM(IN, HIDDEN, num_layers=2, bidirectional=True, batch_first=True)
    torch.save(th.state_dict(), tmp_path / "lstm.pt")
    mg = nn.LSTM(IN, HIDDEN, num_layers=2, bidirectional=True, batch_first=True)
    state = torch.load(tmp_path / "lstm.pt")
    mg.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in state.items()})
    x = np.random.default_rng(4).standard_normal((BATCH, SEQ, IN)).astype(np.float32)
    out_mg, (h_mg, c_mg) = mg(minigrad.tensor(x))
    out_th, (h_th, c_th) = th(torch.tensor(x))
    for a, b in ((out_mg, out_th), (h_mg, h_th), (c_mg, c_th)):
        np.testing.assert_allclose(np.asarray(a.detach()), b.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_recurrent_layers_convert_to_torch_and_back_with_their_settings():
    model = nn.Sequential(nn.LSTM(IN, HIDDEN, num_layers=2, bias=False, batch_first=True,
                                  bidirectional=True))
    rnn = nn.RNN(IN, HIDDEN, nonlinearity="relu", num_layers=2, dropout=0.5)
    for module in (model, rnn, nn.GRU(IN, HIDDEN), nn.GRUCell(IN, HIDDEN, bias=False),
                   nn.RNNCell(IN, HIDDEN, nonlinearity="relu"), nn.LSTMCell(IN, HIDDEN)):
        th = to_torch(module)
        assert repr(th) == repr(module)
        back = to_minigrad(th)
        assert repr(back) == repr(module)
        for key, value in th.state_dict().items():
            np.testing.assert_array_equal(np.asarray(module.state_dict()[key]), value.numpy())


# ---- second derivatives: the cells are composites, twice differentiable for free ----

CELL_FUNCTIONS = [("rnn_tanh_cell", 1), ("rnn_relu_cell", 1), ("lstm_cell", 4),
                  ("gru_cell", 3)]


@pytest.mark.parametrize("fn,gates", CELL_FUNCTIONS, ids=[f for f, _ in CELL_FUNCTIONS])
def test_cell_second_derivative_matches_torch(fn, gates, device):
    n, i, h = 2, 3, 2
    shapes = [(n, i), (n, h), (gates * h, i), (gates * h, h), (gates * h,), (gates * h,)]
    if fn == "lstm_cell":
        check_op(lambda x, h0, c0, *w: R.lstm_cell(x, (h0, c0), *w),
                 lambda x, h0, c0, *w: torch.lstm_cell(x, (h0, c0), *w),
                 shapes[0], shapes[1], shapes[1], *shapes[2:], device=device, order=2)
    else:
        check_op(getattr(R, fn), getattr(torch, fn), *shapes, device=device, order=2)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_layer_second_derivative_through_time_matches_torch(name, device):
    mg, th = twin(name, 3, 2, num_layers=2, bidirectional=True)
    mg.to(device)

    def run(module):
        def f(x):
            output, h_n = module(x)
            return output, (h_n[0] if name == "LSTM" else h_n)
        return f

    check_op(run(mg), run(th), (3, 2, 3), device=device, order=2)


# ---- training ----

def sequence_classifier(kind):
    def describe(nn):
        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = getattr(nn, kind)(3, 5, num_layers=2, batch_first=True,
                                             bidirectional=True)
                self.head = nn.Linear(10, 3)

            def forward(self, x):
                output, _ = self.rnn(x)
                return self.head(output[:, -1])
        return Classifier()
    describe.__name__ = f"{kind.lower()}_classifier"
    return describe


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_sequence_classifier_trains_in_float64_lockstep_with_adam(kind):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((12, 6, 3))
    y = rng.integers(0, 3, 12)
    result = lockstep(sequence_classifier(kind), "cross_entropy", (X, y), optimizer="adam",
                      lr=0.01, steps=4, batch_size=6, tolerance=1e-9)
    assert result.failure is None, result.failure
    assert result.loss[0][-1] < result.loss[0][0]  # it does learn


# ---- dropout between layers ----

def test_dropout_acts_between_layers_in_training_only():
    mg, th = twin("LSTM", IN, HIDDEN, num_layers=2, dropout=0.5)
    x = np.random.default_rng(6).standard_normal((SEQ, BATCH, IN))
    mg.eval(), th.eval()
    close(mg(minigrad.tensor(x))[0], th(torch.tensor(x))[0], "eval: no dropout")
    mg.train()
    first, second = mg(minigrad.tensor(x))[0], mg(minigrad.tensor(x))[0]
    assert not np.allclose(np.asarray(first.detach()), np.asarray(second.detach()))
    assert np.all(np.asarray(first.detach()) != 0)  # the last layer's output is not dropped


def test_dropout_one_zeroes_what_reaches_the_second_layer_as_torch_does():
    for name in ("RNN", "LSTM", "GRU"):
        mg, th = twin(name, IN, HIDDEN, num_layers=2, dropout=1.0, bidirectional=True)
        x = np.random.default_rng(7).standard_normal((SEQ, BATCH, IN))
        out_mg, out_th = mg(minigrad.tensor(x))[0], th(torch.tensor(x))[0]
        close(out_mg, out_th, name)
        assert not np.allclose(np.asarray(out_mg.detach()),
                               np.asarray(mg.eval()(minigrad.tensor(x))[0].detach()))


def test_dropout_with_a_single_layer_warns_as_torch_does():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, "
                                         "but got dropout=0.5 and num_layers=1"):
        nn.GRU(IN, HIDDEN, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.GRU(IN, HIDDEN, num_layers=2, dropout=0.5)


# ---- misuse: torch's errors ----

def raises_like_torch(fn_mg, fn_th, error):
    with pytest.raises(error) as th_err:
        fn_th()
    with pytest.raises(error) as mg_err:
        fn_mg()
    assert str(mg_err.value) == str(th_err.value).replace("torch.", "minigrad.")


MISUSE = [
    ("wrong input size", "RNN", {}, (SEQ, BATCH, IN + 1), None, RuntimeError),
    ("wrong input size batch_first", "GRU", dict(batch_first=True), (BATCH, SEQ, 2), None,
     RuntimeError),
    ("wrong h0 batch", "RNN", {}, (SEQ, BATCH, IN), (1, BATCH + 1, HIDDEN), RuntimeError),
    ("wrong h0 layers", "GRU", dict(num_layers=2), (SEQ, BATCH, IN), (1, BATCH, HIDDEN),
     RuntimeError),
    ("wrong h0 size", "LSTM", {}, (SEQ, BATCH, IN), [(1, BATCH, HIDDEN), (1, BATCH, 2)],
     RuntimeError),
    ("wrong h0 rank", "RNN", {}, (SEQ, BATCH, IN), (BATCH, HIDDEN), RuntimeError),
    ("wrong h0 rank unbatched", "GRU", {}, (SEQ, IN), (1, 1, HIDDEN), RuntimeError),
    ("wrong hx ranks", "LSTM", {}, (SEQ, BATCH, IN), [(1, BATCH, HIDDEN), (BATCH, HIDDEN)],
     RuntimeError),
    ("4-D input", "RNN", {}, (1, SEQ, BATCH, IN), None, ValueError),
    ("4-D input LSTM", "LSTM", {}, (1, SEQ, BATCH, IN), None, ValueError),
    ("cell input size", "LSTMCell", {}, (BATCH, IN + 1), None, RuntimeError),
    ("cell hidden batch", "GRUCell", {}, (BATCH, IN), (BATCH + 1, HIDDEN), RuntimeError),
    ("cell hidden size", "RNNCell", {}, (BATCH, IN), (BATCH, HIDDEN + 1), RuntimeError),
    ("cell c size", "LSTMCell", {}, (BATCH, IN), [(BATCH, HIDDEN), (BATCH, 1)], RuntimeError),
    ("cell 3-D input", "GRUCell", {}, (1, BATCH, IN), None, ValueError),
    ("cell 3-D hidden", "RNNCell", {}, (BATCH, IN), (1, BATCH, HIDDEN), ValueError),
]


@pytest.mark.parametrize("label,name,kwargs,x_shape,h_shape,error", MISUSE,
                         ids=[m[0] for m in MISUSE])
def test_misuse_raises_torchs_error_and_message(label, name, kwargs, x_shape, h_shape, error):
    mg, th = twin(name, IN, HIDDEN, **kwargs)

    def call(lib, module):
        def go():
            hx = None
            if isinstance(h_shape, list):
                hx = tuple(lib.zeros(s, dtype=lib.float64) for s in h_shape)
            elif h_shape is not None:
                hx = lib.zeros(h_shape, dtype=lib.float64)
            return module(lib.zeros(x_shape, dtype=lib.float64), hx)
        return go

    raises_like_torch(call(minigrad, mg), call(torch, th), error)


CONSTRUCTOR_MISUSE = [
    ("RNN", (IN, HIDDEN), dict(nonlinearity="sigmoid"), ValueError),
    ("GRU", (IN, HIDDEN), dict(proj_size=2), ValueError),
    ("LSTM", (IN, HIDDEN), dict(dropout=1.5), ValueError),
    ("LSTM", (IN, HIDDEN), dict(dropout=True), ValueError),
    ("LSTM", (IN, HIDDEN), dict(proj_size=HIDDEN), ValueError),
    ("LSTM", (IN, HIDDEN), dict(proj_size=-1), ValueError),
    ("GRU", (IN, 0), {}, ValueError),
    ("GRU", (IN, 2.0), {}, TypeError),
    ("RNN", (0, HIDDEN), {}, ValueError),
    ("RNN", (IN, HIDDEN), dict(num_layers=0), ValueError),
    ("RNN", (IN, HIDDEN), dict(bias=1), TypeError),
    ("RNN", (IN, HIDDEN), dict(batch_first=None), TypeError),
]


@pytest.mark.parametrize("name,args,kwargs,error", CONSTRUCTOR_MISUSE,
                         ids=[f"{n}{a}{kw}" for n, a, kw, _ in CONSTRUCTOR_MISUSE])
def test_constructor_refuses_bad_arguments_as_torch_does(name, args, kwargs, error):
    raises_like_torch(lambda: getattr(nn, name)(*args, **kwargs),
                      lambda: getattr(torch.nn, name)(*args, **kwargs), error)


def test_lstm_projections_are_refused_plainly():
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(IN, HIDDEN, proj_size=2)


def test_input_of_another_dtype_than_the_weights_is_refused_as_torch_does():
    raises_like_torch(lambda: nn.GRU(IN, HIDDEN)(minigrad.zeros(SEQ, BATCH, IN,
                                                                dtype=minigrad.float64)),
                      lambda: torch.nn.GRU(IN, HIDDEN)(torch.zeros(SEQ, BATCH, IN,
                                                                   dtype=torch.float64)),
                      ValueError)


def test_rnn_cell_with_an_unknown_nonlinearity_fails_when_called_as_torch_does():
    raises_like_torch(lambda: nn.RNNCell(IN, HIDDEN, nonlinearity="gelu")(minigrad.zeros(IN)),
                      lambda: torch.nn.RNNCell(IN, HIDDEN, nonlinearity="gelu")(
                          torch.zeros(IN)), RuntimeError)
