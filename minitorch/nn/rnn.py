"""Recurrent layers: RNN, LSTM, GRU and their one-step cells RNNCell, LSTMCell, GRUCell,
with torch.nn's names, arguments, parameter names and shapes, state_dict keys and
results.

Everything is built from existing tensor ops (linear, sigmoid, tanh, relu, chunk,
stack, cat), so it runs and differentiates on every backend with no kernel of its own:

1. the input projection x_t @ W_ih.T + b_ih of every time step is one `linear` over
   the whole sequence;
2. a step function per kind (`_rnn_tanh_step`, `_rnn_relu_step`, `_lstm_step`,
   `_gru_step`) adds the recurrent part and returns the new state; the cells call the
   same step functions on a single input;
3. `RNNBase._run` loops over layers, directions and time steps for all three kinds,
   on packed rows (nn.utils.rnn.PackedSequence's layout; a padded batch is the packed
   batch whose sequences all run every step): at step t only the first batch_sizes[t]
   sequences advance, so the others keep the state of their true last step.

Gate order follows PyTorch (LSTM: i, f, g, o; GRU: r, z, n), so weights load to and from
torch state dicts unchanged. An LSTM with proj_size multiplies each new hidden state by
its weight_hr (proj_size, H), as torch's does.
"""
import functools
import math
import warnings

from .. import creation, functions
from ..layout import format_shape
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence


# ---- one time step ----------------------------------------------------------------------
# Each step takes `projected` = x @ W_ih.T + b_ih (N, gates * H), the state (a tuple of
# tensors (N, H)), W_hh (gates * H, H) and b_hh (or None), and returns the new state.

def _rnn_tanh_step(projected, state, weight_hh, bias_hh):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh)."""
    return (functions.tanh(projected + F.linear(state[0], weight_hh, bias_hh)),)


def _rnn_relu_step(projected, state, weight_hh, bias_hh):
    """h' = relu(W_ih x + b_ih + W_hh h + b_hh)."""
    return (functions.relu(projected + F.linear(state[0], weight_hh, bias_hh)),)


def _lstm_step(projected, state, weight_hh, bias_hh, weight_hr=None):
    """i, f, g, o = W_ih x + b_ih + W_hh h + b_hh split in four (i, f, o through sigmoid,
    g through tanh); c' = f * c + i * g, h' = o * tanh(c'), then h' = W_hr h' when
    weight_hr (proj_size, H) is given. The state is (h, c)."""
    h, c = state
    i, f, g, o = functions.chunk(projected + F.linear(h, weight_hh, bias_hh), 4, -1)
    c = functions.sigmoid(f) * c + functions.sigmoid(i) * functions.tanh(g)
    h = functions.sigmoid(o) * functions.tanh(c)
    return (h if weight_hr is None else F.linear(h, weight_hr)), c


def _gru_step(projected, state, weight_hh, bias_hh):
    """r, z = sigmoid(W_ir x + b_ir + W_hr h + b_hr), sigmoid(W_iz x + b_iz + W_hz h + b_hz);
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); h' = (1 - z) * n + z * h."""
    h = state[0]
    x_r, x_z, x_n = functions.chunk(projected, 3, -1)
    h_r, h_z, h_n = functions.chunk(F.linear(h, weight_hh, bias_hh), 3, -1)
    r = functions.sigmoid(x_r + h_r)
    z = functions.sigmoid(x_z + h_z)
    n = functions.tanh(x_n + r * h_n)
    return (n + z * (h - n),)


def _advance(step, projected, state, weight_hh, bias_hh):
    """One step of the first len(projected) sequences of the batch in `state`: the rest
    (ended, or in the reverse direction not yet begun) keep their state. Returns the
    advanced sequences' hidden state and the whole batch's new state."""
    rows = projected.shape[0]
    if rows == state[0].shape[0]:
        state = step(projected, state, weight_hh, bias_hh)
        return state[0], state
    advanced = step(projected, tuple(part[:rows] for part in state), weight_hh, bias_hh)
    return advanced[0], tuple(functions.cat([new, old[rows:]], 0)
                              for new, old in zip(advanced, state))


# mode -> (gates per hidden unit, step function, tensors in the state)
_KINDS = {"RNN_TANH": (1, _rnn_tanh_step, 1), "RNN_RELU": (1, _rnn_relu_step, 1),
          "LSTM": (4, _lstm_step, 2), "GRU": (3, _gru_step, 1)}
_NONLINEARITIES = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}


def _rnn_mode(nonlinearity, layer_name):
    if nonlinearity not in _NONLINEARITIES:
        raise ValueError(f"{layer_name}: unknown nonlinearity {nonlinearity!r}; expected "
                         f"'tanh' or 'relu'")
    return _NONLINEARITIES[nonlinearity]


# ---- parameters and checks shared by the modules and the cells --------------------------

def _add_weights(module, suffix, input_size, hidden_size, gates, bias, dtype, backend,
                 proj_size=0):
    """Register weight_ih{suffix} (gates * H, input_size), weight_hh{suffix} (gates * H,
    proj_size or H), bias_ih{suffix} and bias_hh{suffix} (gates * H,; None with
    bias=False) and, with proj_size, weight_hr{suffix} (proj_size, H), in torch's order."""
    rows = gates * hidden_size
    shapes = {"weight_ih": (rows, input_size), "weight_hh": (rows, proj_size or hidden_size),
              "bias_ih": (rows,), "bias_hh": (rows,)}
    if proj_size:
        shapes["weight_hr"] = (proj_size, hidden_size)
    for name, shape in shapes.items():
        module.register_parameter(name + suffix, Parameter(
            creation.empty(*shape, dtype=dtype, backend=backend))
            if bias or name.startswith("weight") else None)


def _reset_uniform(module):
    """PyTorch's default initialisation of the recurrent layers: every parameter uniform
    in ±1/sqrt(hidden_size), from minitorch's seeded generator."""
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0.0
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound)


def _check_sizes(input_size, hidden_size, layer_name):
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{layer_name}: {name} must be a non-negative int, got {value!r}")
    if hidden_size == 0:
        raise ValueError(f"{layer_name}: hidden_size must be positive, got 0")


def _check_input(input, ranks, input_size, weight, layer_name):
    """Raise, naming layer_name and the shapes, unless input has one of `ranks` dims, its
    last dim is input_size, and it is of weight's dtype."""
    if input.ndim not in ranks:
        raise ValueError(f"{layer_name}: expected input to be {ranks[0]}-D or {ranks[1]}-D, "
                         f"got {input.ndim}-D input {format_shape(input.shape)}")
    if input.shape[-1] != input_size:
        raise ValueError(f"{layer_name}: input {format_shape(input.shape)} has size "
                         f"{input.shape[-1]} in its last dim, expected input_size "
                         f"{input_size}")
    if input.dtype is not weight.dtype:
        raise TypeError(f"{layer_name}: input is {input.dtype.name} but the weights are "
                        f"{weight.dtype.name}; convert one (module.to(dtype) or "
                        f"input.to(dtype))")


def _initial_state(hx, shapes, like, layer_name):
    """The initial state as a tuple of tensors, one of each shape in `shapes`: zeros like
    `like` when hx is None, else hx (a tensor, or for LSTM a pair (h, c)) after checking
    its shapes, dtype and backend."""
    if hx is None:
        return tuple(creation.zeros(*shape, dtype=like.dtype, backend=like.backend)
                     for shape in shapes)
    if len(shapes) == 1:
        given, names = (hx,), ("hx",)
    else:
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"{layer_name}: hx must be a tuple (h_0, c_0), got "
                            f"{type(hx).__name__}")
        given, names = tuple(hx), ("h_0", "c_0")
    for name, tensor, shape in zip(names, given, shapes):
        if tensor.shape != shape:
            raise ValueError(f"{layer_name}: expected {name} of shape {format_shape(shape)} "
                             f"for input {format_shape(like.shape)}, got "
                             f"{format_shape(tensor.shape)}")
        functions._same_backend(like, tensor, layer_name)
        if tensor.dtype is not like.dtype:
            raise TypeError(f"{layer_name}: {name} is {tensor.dtype.name} but input is "
                            f"{like.dtype.name}")
    return given


# ---- the multi-layer modules ------------------------------------------------------------

class RNNBase(Module):
    """What RNN, LSTM and GRU share: parameters, checks and the layer/direction/time loop.

    Parameters (torch's names and shapes; gates = 1, 4, 3 for RNN, LSTM, GRU; D = 2 when
    bidirectional, else 1; H_out = proj_size or H): for layer k and each direction (suffix
    '_lk', then '_lk_reverse'), weight_ih (gates * H, input_size for k = 0 else
    D * H_out), weight_hh (gates * H, H_out), with bias, bias_ih and bias_hh (gates * H,)
    and, with proj_size (LSTM only, below H), weight_hr (proj_size, H). Input
    (L, N, H_in), or (N, L, H_in) with batch_first, or unbatched (L, H_in); initial
    hidden state (num_layers * D, N, H_out) (LSTM's cell state: H in place of H_out), or
    without N for unbatched input, zeros when not given. Dropout (training mode only) is
    applied to every layer's output but the last. The input may also be a
    PackedSequence (batch_first does not apply to it); see forward.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 dtype=None, backend=None):
        super().__init__()
        name = type(self).__name__
        _check_sizes(input_size, hidden_size, name)
        if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
            raise ValueError(f"{name}: num_layers must be a positive int, got {num_layers!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or \
                not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name}: dropout must be a number between 0 and 1, got "
                             f"{dropout!r}")
        if not isinstance(proj_size, int) or isinstance(proj_size, bool) or proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to "
                             f"disable projections, got {proj_size!r}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size, got "
                             f"proj_size={proj_size}, hidden_size={hidden_size}")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size is only supported for LSTM")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout is applied between recurrent layers, so "
                          f"dropout={dropout} has no effect with num_layers=1", UserWarning)
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        gates = _KINDS[mode][0]
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else self._output_size * self._directions
            for suffix in self._suffixes(layer):
                _add_weights(self, suffix, layer_input, hidden_size, gates, bias, dtype,
                             backend, proj_size)
        self.reset_parameters()

    @property
    def _directions(self):
        return 2 if self.bidirectional else 1

    @property
    def _output_size(self):
        """The size of each direction's hidden state (and output): proj_size or H."""
        return self.proj_size or self.hidden_size

    def _state_shapes(self, batch):
        """The shapes of the state tensors (h, and c for LSTM) for `batch` sequences
        (None: unbatched)."""
        batch = () if batch is None else (batch,)
        layers = (self.num_layers * self._directions,)
        shapes = (layers + batch + (self._output_size,), layers + batch + (self.hidden_size,))
        return shapes[:_KINDS[self.mode][2]]

    def _suffixes(self, layer):
        return (f"_l{layer}", f"_l{layer}_reverse")[:self._directions]

    def reset_parameters(self):
        """Every parameter uniform in ±1/sqrt(hidden_size), as PyTorch initialises them."""
        _reset_uniform(self)

    def _weights(self, suffix):
        """(weight_ih, weight_hh, bias_ih, bias_hh) of one layer and direction; the biases
        are None with bias=False."""
        return tuple(getattr(self, name + suffix)
                     for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def _step(self, suffix):
        """The step function of one layer and direction: the mode's, projecting by that
        direction's weight_hr when the LSTM has proj_size."""
        step = _KINDS[self.mode][1]
        if self.proj_size:
            return functools.partial(step, weight_hr=getattr(self, "weight_hr" + suffix))
        return step

    def forward(self, input, hx=None):
        """(output, h_n) for RNN and GRU, (output, (h_n, c_n)) for LSTM: output
        (L, N, D * H_out) (batch_first: (N, L, D * H_out); unbatched: (L, D * H_out))
        holds the last layer's hidden state at every step, both directions concatenated;
        h_n and c_n the final states, of the initial states' shapes.

        Given a PackedSequence, output is a PackedSequence of the same batch_sizes and
        indices, and each sequence's final states are those of its last real step (of
        its first, for the reverse direction); hx and the final states are in the
        batch's original order, as torch."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        name = type(self).__name__
        _check_input(input, (2, 3), self.input_size, self.weight_ih_l0, name)
        batched = input.ndim == 3
        x = input if batched else input.unsqueeze(1)
        x = x.transpose(0, 1) if batched and self.batch_first else x   # (L, N, H_in)
        if x.shape[0] == 0:
            raise ValueError(f"{name}: expected a sequence of at least one step, got input "
                             f"{format_shape(input.shape)}")
        states = _KINDS[self.mode][2]
        initial = _initial_state(hx, self._state_shapes(x.shape[1] if batched else None),
                                 input, name)
        if not batched:
            initial = tuple(tensor.unsqueeze(1) for tensor in initial)
        steps, batch = x.shape[:2]
        output, final = self._run(x.reshape(steps * batch, self.input_size),
                                  [batch] * steps, initial)
        output = output.reshape(steps, batch, output.shape[-1])
        if batched and self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output, final = output.squeeze(1), tuple(tensor.squeeze(1) for tensor in final)
        return output, (final if states == 2 else final[0])

    def _forward_packed(self, input, hx):
        """forward for a PackedSequence: (packed output, final states)."""
        name = type(self).__name__
        data, batch_sizes, sorted_indices, unsorted_indices = input
        if data.ndim != 2:
            raise ValueError(f"{name}: expected a PackedSequence's data to be 2-D (steps "
                             f"of all sequences, input_size), got {format_shape(data.shape)}")
        _check_input(data, (2, 3), self.input_size, self.weight_ih_l0, name)
        sizes = batch_sizes.tolist()
        if sum(sizes) != data.shape[0]:
            raise ValueError(f"{name}: a PackedSequence's batch_sizes add up to {sum(sizes)} "
                             f"but its data has {data.shape[0]} rows")
        initial = _initial_state(hx, self._state_shapes(sizes[0]), data, name)
        if hx is not None and sorted_indices is not None:
            initial = tuple(tensor.index_select(1, sorted_indices) for tensor in initial)
        output, final = self._run(data, sizes, initial)
        if unsorted_indices is not None:
            final = tuple(tensor.index_select(1, unsorted_indices) for tensor in final)
        packed = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
        return packed, (final if len(final) == 2 else final[0])

    def _run(self, x, batch_sizes, initial):
        """The recurrence over packed rows x (sum(batch_sizes), H_in): at step t the first
        batch_sizes[t] (non-increasing) sequences advance, from the rows of that step.
        Starts from `initial` (a tuple of (num_layers * D, batch_sizes[0], ...) tensors);
        returns the last layer's output (sum(batch_sizes), D * H_out), packed as x, and
        the tuple of final states, of the initial states' shapes."""
        finals = []   # one state tuple per layer and direction, in h_n's order
        for layer in range(self.num_layers):
            if layer > 0 and self.training and self.dropout > 0:
                x = F.dropout(x, self.dropout, training=True)
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                weight_ih, weight_hh, bias_ih, bias_hh = self._weights(suffix)
                step = self._step(suffix)
                state = tuple(tensor[layer * self._directions + direction]
                              for tensor in initial)
                steps = functions.split(F.linear(x, weight_ih, bias_ih), batch_sizes, 0)
                hidden = [None] * len(steps)
                times = range(len(steps))
                for t in (reversed(times) if direction else times):
                    hidden[t], state = _advance(step, steps[t], state, weight_hh, bias_hh)
                outputs.append(functions.cat(hidden, 0))
                finals.append(state)
            x = outputs[0] if len(outputs) == 1 else functions.cat(outputs, -1)
        return x, tuple(functions.stack(parts, 0) for parts in zip(*finals))

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class RNN(RNNBase):
    """Elman RNN, as torch.nn.RNN: h_t = tanh(x_t W_ih.T + b_ih + h_{t-1} W_hh.T + b_hh)
    (relu with nonlinearity='relu') in each layer; see RNNBase for the parameters,
    shapes and results: (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, dtype=None,
                 backend=None):
        super().__init__(_rnn_mode(nonlinearity, "RNN"), input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, dtype=dtype,
                         backend=backend)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory, as torch.nn.LSTM: each layer runs LSTMCell's equations
    (gates i, f, g, o); see RNNBase for the parameters, shapes and results:
    (output, (h_n, c_n)); hx is a pair (h_0, c_0). With proj_size > 0 each hidden
    state h_t = W_hr (o_t * tanh(c_t)) has proj_size features."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, dtype=None, backend=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, dtype, backend)


class GRU(RNNBase):
    """Gated recurrent unit, as torch.nn.GRU: each layer runs GRUCell's equations (gates
    r, z, n); see RNNBase for the parameters, shapes and results: (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, dtype=None, backend=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype=dtype, backend=backend)


# ---- the cells --------------------------------------------------------------------------

class RNNCellBase(Module):
    """What the cells share: parameters weight_ih (gates * H, input_size), weight_hh
    (gates * H, H) and, with bias, bias_ih and bias_hh (gates * H,), initialised uniform
    in ±1/sqrt(hidden_size); input (N, input_size) or unbatched (input_size,), state
    (N, H) or (H,), zeros when not given. One step of the mode's equations."""

    def __init__(self, mode, input_size, hidden_size, bias=True, dtype=None, backend=None):
        super().__init__()
        _check_sizes(input_size, hidden_size, type(self).__name__)
        self.mode = mode
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        _add_weights(self, "", input_size, hidden_size, _KINDS[mode][0], bias, dtype, backend)
        self.reset_parameters()

    def reset_parameters(self):
        """Every parameter uniform in ±1/sqrt(hidden_size), as PyTorch initialises them."""
        _reset_uniform(self)

    def forward(self, input, hx=None):
        """The next state: h' (N, H) for RNNCell and GRUCell, (h', c') for LSTMCell;
        (H,) each for unbatched input."""
        name = type(self).__name__
        _check_input(input, (1, 2), self.input_size, self.weight_ih, name)
        _, step, states = _KINDS[self.mode]
        state_shape = input.shape[:-1] + (self.hidden_size,)
        state = _initial_state(hx, (state_shape,) * states, input, name)
        state = step(F.linear(input, self.weight_ih, self.bias_ih), state, self.weight_hh,
                     self.bias_hh)
        return state if states == 2 else state[0]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        return text


class RNNCell(RNNCellBase):
    """One Elman RNN step, as torch.nn.RNNCell: h' = tanh(x W_ih.T + b_ih + h W_hh.T +
    b_hh), relu with nonlinearity='relu'. See RNNCellBase for parameters and shapes."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", dtype=None,
                 backend=None):
        super().__init__(_rnn_mode(nonlinearity, "RNNCell"), input_size, hidden_size, bias,
                         dtype, backend)
        self.nonlinearity = nonlinearity


class LSTMCell(RNNCellBase):
    """One LSTM step, as torch.nn.LSTMCell, with gates in torch's order i, f, g, o:
    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi), f = sigmoid(W_if x + b_if + W_hf h + b_hf),
    g = tanh(W_ig x + b_ig + W_hg h + b_hg), o = sigmoid(W_io x + b_io + W_ho h + b_ho);
    c' = f * c + i * g, h' = o * tanh(c'). hx is a pair (h, c); returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, dtype=None, backend=None):
        super().__init__("LSTM", input_size, hidden_size, bias, dtype, backend)


class GRUCell(RNNCellBase):
    """One GRU step, as torch.nn.GRUCell, with gates in torch's order r, z, n:
    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z = sigmoid(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h."""

    def __init__(self, input_size, hidden_size, bias=True, dtype=None, backend=None):
        super().__init__("GRU", input_size, hidden_size, bias, dtype, backend)
