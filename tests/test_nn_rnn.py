"""RNN, LSTM, GRU and RNNCell, LSTMCell, GRUCell of minitorch.nn checked against torch.nn:
outputs, final states and the gradients of input, initial state and every parameter with
the weights copied from torch, on the numpy and c backends (a tiny case on python);
state dict keys both ways, initialisation, dropout, a few SGD steps of a small sequence
model, and errors."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.serialization import from_torch, to_torch
from nn_helpers import backend, check_backward, normal  # noqa: F401  (backend: a fixture)

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
KINDS = {  # name -> (constructor name, extra kwargs)
    "rnn_tanh": ("RNN", {}), "rnn_relu": ("RNN", dict(nonlinearity="relu")),
    "lstm": ("LSTM", {}), "gru": ("GRU", {})}
CELLS = {"rnn_tanh": ("RNNCell", {}), "rnn_relu": ("RNNCell", dict(nonlinearity="relu")),
         "lstm": ("LSTMCell", {}), "gru": ("GRUCell", {})}


def make_pair(table, kind, dtype, *args, **kwargs):
    """(ours, theirs): the layer of `kind` from `table` built in both libraries with the
    same arguments, torch's weights (seeded) copied into ours, both in dtype."""
    name, extra = table[kind]
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs, **extra).to(TORCH_DTYPES[dtype])
    ours = getattr(nn, name)(*args, **kwargs, **extra, dtype=dtype)
    ours.load_state_dict(from_torch(theirs.state_dict()))
    return ours, theirs


def leaves(arrays):
    """Each array as a (minitorch, torch) pair of leaves that require grad."""
    return [(minitorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))
            for a in arrays]


def compare(ours, theirs, x_array, states, dtype):
    """Run both on x_array with initial states `states` (None, or a list of arrays: [h0]
    or [h0, c0]); compare the results, then the gradients of the input, the states and
    every parameter for a random weighting of all results."""
    x, tx = leaves([x_array])[0]
    initial = leaves(states) if states is not None else []
    hx = thx = None
    if initial:
        hx = initial[0][0] if len(initial) == 1 else tuple(m for m, _ in initial)
        thx = initial[0][1] if len(initial) == 1 else tuple(t for _, t in initial)
    out, tout = ours(x, hx), theirs(tx, thx)
    flat = list(out) if isinstance(out, tuple) else [out]
    tflat = list(tout) if isinstance(tout, tuple) else [tout]
    if isinstance(flat[-1], tuple):   # LSTM: (output, (h_n, c_n))
        flat[-1:], tflat[-1:] = list(flat[-1]), list(tflat[-1])
    check_backward(zip(flat, tflat), [x] + [mine for mine, _ in initial],
                   [tx] + [reference for _, reference in initial], dtype, ours, theirs)


def initial_states(kind, shape, dtype):
    count = 2 if kind == "lstm" else 1
    return [normal(shape, dtype, seed=10 + i) for i in range(count)]


# ---- the multi-layer modules ------------------------------------------------------------

CONFIGS = [  # (kwargs, input shape (L, N, H_in) as given), with and without h0
    (dict(), (4, 3, 5)),
    (dict(num_layers=2, bidirectional=True), (3, 2, 5)),
    (dict(batch_first=True, bias=False), (2, 4, 5)),
    (dict(num_layers=2), (3, 5)),                                   # unbatched
    (dict(bidirectional=True, batch_first=True), (4, 5)),           # unbatched
]


@pytest.mark.parametrize("with_h0", [False, True], ids=["zeros", "h0"])
@pytest.mark.parametrize("kwargs,shape", CONFIGS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_module_matches_torch_float64(backend, kind, kwargs, shape, with_h0):
    ours, theirs = make_pair(KINDS, kind, "float64", 5, 4, **kwargs)
    states = None
    if with_h0:
        layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
        batch = (shape[0 if kwargs.get("batch_first") else 1],) if len(shape) == 3 else ()
        states = initial_states(kind, (layers,) + batch + (4,), "float64")
    compare(ours, theirs, normal(shape, "float64"), states, "float64")


@pytest.mark.parametrize("kind", list(KINDS))
def test_module_matches_torch_float32(backend, kind):
    ours, theirs = make_pair(KINDS, kind, "float32", 5, 4, num_layers=2, bidirectional=True)
    compare(ours, theirs, normal((5, 2, 5), "float32"),
            initial_states(kind, (4, 2, 4), "float32"), "float32")


def test_python_backend_on_a_tiny_lstm():
    with minitorch.use_backend("python"):
        ours, theirs = make_pair(KINDS, "lstm", "float64", 2, 2, bidirectional=True)
        compare(ours, theirs, normal((2, 1, 2), "float64"),
                initial_states("lstm", (2, 1, 2), "float64"), "float64")


# ---- the cells --------------------------------------------------------------------------

@pytest.mark.parametrize("with_hx", [False, True], ids=["zeros", "hx"])
@pytest.mark.parametrize("batch", [(3,), ()], ids=["batched", "unbatched"])
@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_matches_torch(backend, kind, batch, with_hx):
    ours, theirs = make_pair(CELLS, kind, "float64", 5, 4)
    states = initial_states(kind, batch + (4,), "float64") if with_hx else None
    compare(ours, theirs, normal(batch + (5,), "float64"), states, "float64")


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_without_bias_float32(backend, kind):
    ours, theirs = make_pair(CELLS, kind, "float32", 3, 6, bias=False)
    assert ours.bias_ih is None and ours.bias_hh is None
    compare(ours, theirs, normal((2, 3), "float32"), initial_states(kind, (2, 6), "float32"),
            "float32")


def test_cells_loop_equals_the_module(backend):
    """An LSTMCell stepped over a sequence gives the one-layer LSTM's output."""
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, dtype="float64")
    cell = nn.LSTMCell(3, 4, dtype="float64")
    cell.load_state_dict({name[:-3]: value for name, value in lstm.state_dict().items()})
    x = minitorch.tensor(normal((5, 2, 3), "float64"))
    output, (h, c) = lstm(x)
    state = None
    for t in range(5):
        state = cell(x[t], state)
        np.testing.assert_allclose(state[0].detach().numpy(), output[t].detach().numpy(),
                                   rtol=1e-12)
    np.testing.assert_allclose(state[1].detach().numpy(), c[0].detach().numpy(), rtol=1e-12)


# ---- state dicts, initialisation, dropout, training -------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_state_dict_keys_and_shapes_equal_torchs_both_ways(kind):
    name, extra = KINDS[kind]
    kwargs = dict(num_layers=2, bidirectional=True, bias=False)
    theirs = getattr(torch.nn, name)(3, 4, **kwargs, **extra)
    ours = getattr(nn, name)(3, 4, **kwargs, **extra)
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())
    assert [v.shape for v in state.values()] == \
        [tuple(v.shape) for v in theirs.state_dict().values()]
    theirs.load_state_dict(to_torch(state))   # strict: keys and shapes must match
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), state[key].numpy())
    assert list(nn.GRU(3, 4).state_dict()) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                                              "bias_hh_l0"]


@pytest.mark.parametrize("layer", [lambda: nn.LSTM(8, 25, num_layers=2),
                                   lambda: nn.GRUCell(8, 25)])
def test_default_init_is_seeded_uniform_in_one_over_sqrt_hidden(layer):
    minitorch.manual_seed(3)
    first = [p.detach().numpy().copy() for p in layer().parameters()]
    minitorch.manual_seed(3)
    second = [p.detach().numpy() for p in layer().parameters()]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    values = np.concatenate([a.reshape(-1) for a in first])
    bound = 1 / math.sqrt(25)
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.95 * bound and abs(values.mean()) < 0.1 * bound


def test_dropout_only_between_layers_and_only_in_training(backend):
    ours, theirs = make_pair(KINDS, "gru", "float64", 5, 4, num_layers=2, dropout=0.5)
    x = normal((3, 2, 5), "float64")
    ours.eval()
    theirs.eval()
    compare(ours, theirs, x, None, "float64")          # eval: no dropout, as torch
    ours.train()
    minitorch.manual_seed(0)
    trained, h_n = ours(minitorch.tensor(x))
    evaluated, eval_h_n = ours.eval()(minitorch.tensor(x))
    assert not np.allclose(trained.detach().numpy(), evaluated.detach().numpy())
    # the first layer's final state is before any dropout
    np.testing.assert_allclose(h_n[0].detach().numpy(), eval_h_n[0].detach().numpy())
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.LSTM(2, 3, dropout=0.2)


def test_a_tiny_sequence_model_trains_as_in_torch(backend):
    torch.manual_seed(0)
    recurrent, reference = make_pair(KINDS, "lstm", "float32", 3, 6, batch_first=True)
    head, torch_head = nn.Linear(6, 1), torch.nn.Linear(6, 1)
    head.load_state_dict(from_torch(torch_head.state_dict()))
    x, y = normal((4, 5, 3), "float32"), normal((4, 1), "float32", seed=2)
    parameters = list(recurrent.parameters()) + list(head.parameters())
    torch_parameters = list(reference.parameters()) + list(torch_head.parameters())
    optimizer = minitorch.optim.SGD(parameters, lr=0.3)
    torch_optimizer = torch.optim.SGD(torch_parameters, lr=0.3)
    losses, torch_losses = [], []
    for _ in range(5):
        for opt, net, top, inputs, target, record, loss_fn in (
                (optimizer, recurrent, head, minitorch.tensor(x), minitorch.tensor(y),
                 losses, nn.MSELoss()),
                (torch_optimizer, reference, torch_head, torch.tensor(x), torch.tensor(y),
                 torch_losses, torch.nn.MSELoss())):
            opt.zero_grad()
            output, _ = net(inputs)
            loss = loss_fn(top(output[:, -1]), target)
            loss.backward()
            opt.step()
            record.append(loss.item())
    np.testing.assert_allclose(losses, torch_losses, rtol=1e-4)
    assert losses[-1] < 0.9 * losses[0]   # it learned: the comparison is not of constants


def test_repr_names_the_options():
    assert repr(nn.GRU(3, 4, num_layers=2, batch_first=True)) == \
        "GRU(3, 4, num_layers=2, batch_first=True)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == \
        "RNNCell(3, 4, nonlinearity='relu')"


# ---- errors -----------------------------------------------------------------------------

def test_bad_input_is_an_error_naming_the_layer_and_shapes():
    lstm, gru, cell = nn.LSTM(3, 4, num_layers=2), nn.GRU(3, 4), nn.GRUCell(3, 4)
    with pytest.raises(ValueError, match=r"LSTM: input 5x2x7 has size 7 .* "
                                         r"input_size 3"):
        lstm(minitorch.zeros(5, 2, 7))
    with pytest.raises(ValueError, match=r"GRU: expected input to be 2-D or 3-D, got 4-D "
                                         r"input 1x5x2x3"):
        gru(minitorch.zeros(1, 5, 2, 3))
    with pytest.raises(ValueError, match=r"GRU: expected hx of shape 1x2x4 for input "
                                         r"5x2x3, got 2x2x4"):
        gru(minitorch.zeros(5, 2, 3), minitorch.zeros(2, 2, 4))
    with pytest.raises(ValueError, match=r"GRU: expected hx of shape 1x4 for input "
                                         r"5x3, got 1x1x4"):
        gru(minitorch.zeros(5, 3), minitorch.zeros(1, 1, 4))   # unbatched wants 2-D hx
    with pytest.raises(ValueError, match=r"LSTM: expected c_0 of shape 2x2x4"):
        lstm(minitorch.zeros(5, 2, 3), (minitorch.zeros(2, 2, 4), minitorch.zeros(1, 2, 4)))
    with pytest.raises(TypeError, match="LSTM: hx must be a tuple"):
        lstm(minitorch.zeros(5, 2, 3), minitorch.zeros(2, 2, 4))
    with pytest.raises(TypeError, match="GRU: input is float64 but the weights are float32"):
        gru(minitorch.zeros(5, 2, 3, dtype="float64"))
    with pytest.raises(ValueError, match="GRU: expected a sequence of at least one step"):
        gru(minitorch.zeros(0, 2, 3))
    with pytest.raises(ValueError, match=r"GRUCell: expected input to be 1-D or 2-D, got "
                                         r"3-D input 1x2x3"):
        cell(minitorch.zeros(1, 2, 3))
    with pytest.raises(ValueError, match=r"GRUCell: expected hx of shape 2x4 for "
                                         r"input 2x3, got 3x4"):
        cell(minitorch.zeros(2, 3), minitorch.zeros(3, 4))


def test_bad_arguments_are_refused_at_construction():
    with pytest.raises(ValueError, match="RNN: unknown nonlinearity 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="RNNCell: unknown nonlinearity 'sigmoid'"):
        nn.RNNCell(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="LSTM: proj_size has to be smaller"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="GRU: num_layers must be a positive int"):
        nn.GRU(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="GRU: dropout must be a number between 0 and 1"):
        nn.GRU(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="LSTMCell: hidden_size must be positive"):
        nn.LSTMCell(3, 0)
