"""Recurrent layers, as in ``torch.nn``: RNN, LSTM, GRU and their one-step cells.

Each cell is a composite of Linear-style matmuls, sigmoid, tanh and chunk, so the engine
differentiates it (twice, too) with no backward of its own. Per time step t, with
``W_i* x`` meaning ``x W_i*^T + b_i*`` (torch's formulas and gate order)::

    RNN   h' = tanh(W_ih x + W_hh h)                       (or relu)
    LSTM  i, f, g, o = chunk(W_ih x + W_hh h, 4)
          c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
          h' = sigmoid(o) * tanh(c')
    GRU   r = sigmoid(W_ir x + W_hr h),  z = sigmoid(W_iz x + W_hz h)
          n = tanh(W_in x + r * (W_hn h))                  (b_hn inside the r * (...))
          h' = (1 - z) * n + z * h

The layers loop over time (the recurrence is sequential) and over layers and directions;
never over samples or features. A bidirectional layer runs a second set of weights
(``..._reverse``) from the last step to the first and concatenates both outputs per step.
``dropout`` is applied to each layer's output except the last, in training only.

Not supported: PackedSequence inputs (pad the batch instead) and LSTM's ``proj_size``.
"""
import math
import numbers
import warnings

from ..creation import empty, zeros
from ..functions import cat, stack
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
           "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"]


# ---- one time step (torch.rnn_tanh_cell, torch.lstm_cell, ... with their arguments) ----

def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return (F.linear(input, w_ih, b_ih) + F.linear(hx, w_hh, b_hh)).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return (F.linear(input, w_ih, b_ih) + F.linear(hx, w_hh, b_hh)).relu()


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', c') from ``hx = (h, c)``: gates i, f, g, o in that order along the rows of W."""
    h, c = hx
    i, f, g, o = (F.linear(input, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = (1 - z) * n + z * h: gates r, z, n in that order along the rows of W; the
    hidden part of n (with its bias b_hn) is scaled by r before the sum."""
    i_r, i_z, i_n = F.linear(input, w_ih, b_ih).chunk(3, 1)
    h_r, h_z, h_n = F.linear(hx, w_hh, b_hh).chunk(3, 1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return n + z * (hx - n)  # = (1 - z) * n + z * h, one op fewer


_CELLS = {"RNN_TANH": rnn_tanh_cell, "RNN_RELU": rnn_relu_cell, "LSTM": lstm_cell,
          "GRU": gru_cell}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _check_type(name, value, kind):
    if not isinstance(value, kind):
        raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                        f"{type(value).__name__}")


# ---- multi-layer, optionally bidirectional layers over a sequence ----

class RNNBase(Module):
    """What RNN, LSTM and GRU share: parameters, their init, checks and the time loop.

    The parameters have torch's names, shapes and order: per layer k and direction
    weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, with the suffix
    ``_reverse`` for the backward direction; all start U(-1/sqrt(hidden_size),
    1/sqrt(hidden_size)). The loop runs over layers, directions and time steps.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        _check_type("bias", bias, bool)
        _check_type("batch_first", batch_first, bool)
        _check_type("input_size", input_size, int)
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        _check_type("hidden_size", hidden_size, int)
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size:
            raise NotImplementedError("minigrad's LSTM has no proj_size (projections); "
                                      "use proj_size=0")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                names = []
                for kind, shape in shapes:
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, dtype=dtype, device=device)))
                    names.append(name)
                self._flat_weights_names += names
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """Nothing to do: torch packs the weights into one cuDNN buffer here; minigrad keeps
        them as they are (code that calls it runs unchanged)."""

    @property
    def all_weights(self):
        """The parameters per layer and direction: [[w_ih, w_hh, b_ih, b_hh], ...]."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _expected_hidden_size(self, input):
        batch = input.shape[0] if self.batch_first else input.shape[1]
        return (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)

    def _check_input(self, input):
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def _check_hidden_size(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _batched(self, input, name):
        """The input with a batch dimension (added where batch_first puts it when the input
        came without one), and whether it came with one."""
        if input.ndim not in (2, 3):
            tensor = " tensor" if name == "RNN" else ""
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D"
                             f"{tensor} instead")
        batched = input.ndim == 3
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        return input, batched

    def _run(self, input, states):
        """The stacked layers over a batched input; ``states`` holds one initial state per
        layer and direction (a tensor, or an (h, c) pair for LSTM). Returns the last
        layer's output (as batched input) and the final states in the same order."""
        cell = _CELLS[self.mode]
        steps = (input.transpose(0, 1) if self.batch_first else input).unbind(0)
        directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                weights = self.all_weights[layer * directions + direction]
                state = states[layer * directions + direction]
                out = [None] * len(steps)
                order = range(len(steps) - 1, -1, -1) if direction else range(len(steps))
                for t in order:
                    state = cell(steps[t], state, *weights)
                    out[t] = state[0] if self.mode == "LSTM" else state
                outputs.append(out)
                finals.append(state)
            # per step lists, not one (seq, ...) tensor: slicing a tensor L times would
            # cost L full-size zero arrays in backward
            steps = outputs[0] if directions == 1 else [cat(pair, 1) for pair in zip(*outputs)]
            if self.dropout and self.training and layer < self.num_layers - 1:
                steps = [F.dropout(s, self.dropout, True) for s in steps]
        output = stack(steps, 1 if self.batch_first else 0)
        return output, finals

    def _unbatch(self, output, batched):
        return output if batched else output.squeeze(0 if self.batch_first else 1)


class RNN(RNNBase):
    """Elman RNN layers: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), or relu.

    ``nonlinearity`` is 'tanh' or 'relu'; ``num_layers`` layers are stacked.
    ``forward(input, hx=None)``: input (L, N, H_in) ((N, L, H_in) with batch_first, or
    (L, H_in) unbatched), hx (D * num_layers, N, H) (zeros if None). Returns
    ``(output, h_n)``: output (L, N, D * H), h_n (D * num_layers, N, H); D = 2 if
    bidirectional else 1. PackedSequence is not supported.
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", *args,
                         **kwargs)

    def forward(self, input, hx=None):
        return _forward_single_state(self, input, hx, "RNN")


class GRU(RNNBase):
    """Gated recurrent unit layers (gates r, z, n; formulas in the module docstring).

    Same arguments (but ``nonlinearity``), shapes and return values as RNN.
    PackedSequence is not supported.
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return _forward_single_state(self, input, hx, "GRU")


def _forward_single_state(module, input, hx, name):
    """RNN's and GRU's forward: one hidden state h per layer and direction."""
    input, batched = module._batched(input, name)
    if hx is not None:
        if batched and hx.ndim != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                               f"{hx.ndim}-D tensor")
        if not batched and hx.ndim != 2:
            raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                               f"{hx.ndim}-D tensor")
        if not batched:
            hx = hx.unsqueeze(1)
    expected = module._expected_hidden_size(input)
    if hx is None:
        hx = zeros(expected, dtype=input.dtype, device=input.device)
    module._check_input(input)
    module._check_hidden_size(hx, expected)
    output, finals = module._run(input, hx.unbind(0))
    h_n = stack(finals, 0)
    return module._unbatch(output, batched), h_n if batched else h_n.squeeze(1)


class LSTM(RNNBase):
    """Long short-term memory layers (gates i, f, g, o; formulas in the module docstring).

    ``forward(input, hx=None)``: as RNN, with ``hx = (h_0, c_0)`` (both (D * num_layers,
    N, H), zeros if None). Returns ``(output, (h_n, c_n))``. ``proj_size`` is not
    supported (NotImplementedError), nor is PackedSequence.
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        input, batched = self._batched(input, "LSTM")
        expected = self._expected_hidden_size(input)
        if hx is None:
            hx = (zeros(expected, dtype=input.dtype, device=input.device),
                  zeros(expected, dtype=input.dtype, device=input.device))
        else:
            dims = 3 if batched else 2
            if hx[0].ndim != dims or hx[1].ndim != dims:
                kind = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(f"For {kind} input, hx and cx should also be {dims}-D but "
                                   f"got ({hx[0].ndim}-D, {hx[1].ndim}-D) tensors")
            if not batched:
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self._check_input(input)
        self._check_hidden_size(hx[0], expected, "Expected hidden[0] size {}, got {}")
        self._check_hidden_size(hx[1], expected, "Expected hidden[1] size {}, got {}")
        output, finals = self._run(input, list(zip(hx[0].unbind(0), hx[1].unbind(0))))
        h_n = stack([h for h, _ in finals], 0)
        c_n = stack([c for _, c in finals], 0)
        if not batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._unbatch(output, batched), (h_n, c_n)


# ---- cells: one time step, as modules ----

class RNNCellBase(Module):
    """What the cells share: weight_ih, weight_hh, bias_ih, bias_hh, their init and checks.

    Shapes: weight_ih (gates * hidden, input), weight_hh (gates * hidden, hidden), the
    biases (gates * hidden,), all U(-1/sqrt(hidden), 1/sqrt(hidden)); inputs (N, H_in) or
    unbatched (H_in,).
    """

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), dtype=dtype,
                                         device=device))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), dtype=dtype,
                                         device=device))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype,
                                           device=device))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype,
                                           device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _step(self, cell, name, input, hx, n_states):
        """Check shapes as torch does, add and remove the batch dimension, run ``cell``."""
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D "
                             "instead")
        states = () if hx is None else (hx,) if n_states == 1 else tuple(hx)
        for k, h in enumerate(states):
            if h.ndim not in (1, 2):
                what = "hidden" if n_states == 1 else f"hx[{k}]"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.ndim}D "
                                 "instead")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
            states = tuple(h.unsqueeze(0) for h in states)
        if not states:
            states = tuple(zeros(input.shape[0], self.hidden_size, dtype=input.dtype,
                                 device=input.device) for _ in range(n_states))
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for k, h in enumerate(states):
            if input.shape[0] != h.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{k} batch size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got "
                                   f"{h.shape[1]}, expected {self.hidden_size}")
        out = cell(input, states[0] if n_states == 1 else states, self.weight_ih,
                   self.weight_hh, self.bias_ih, self.bias_hh)
        if batched:
            return out
        return out.squeeze(0) if n_states == 1 else tuple(o.squeeze(0) for o in out)


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh), or relu.

    ``forward(input, hx=None)`` returns h' (hx zeros if None).
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        cell = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        return self._step(cell, "RNNCell", input, hx, 1)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o): (h', c') from the input and hx = (h, c).

    ``forward(input, hx=None)``; hx zeros if None.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        return self._step(lstm_cell, "LSTMCell", input, hx, 2)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n): h' from the input and hx.

    ``forward(input, hx=None)``; hx zeros if None.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        return self._step(gru_cell, "GRUCell", input, hx, 1)
