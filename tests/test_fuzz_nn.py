"""Differences from PyTorch found by differential fuzzing of nn layers, modules and
optimizers, each checked against torch itself."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn

from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401


def _ours(tensor, requires_grad=False):
    return minitorch.tensor(tensor.detach().numpy().copy(), requires_grad=requires_grad)


@pytest.mark.parametrize("max_norm, norm_type, padding_idx", [
    (1.0, 2.0, None), (0.5, 1.0, 3), (2.0, 3.0, -1)])
def test_embedding_max_norm_renormalises_looked_up_rows(backend, max_norm, norm_type,
                                                        padding_idx):
    weight = torch.tensor(normal((10, 4), "float32") * 2)
    theirs = torch.nn.Embedding(10, 4, padding_idx, max_norm, norm_type, _weight=weight.clone())
    ours = nn.Embedding(10, 4, padding_idx, max_norm, norm_type, _weight=_ours(weight))
    indices = torch.tensor([[0, 3, 3, 9], [1, 0, 5, 3]])
    check_backward([(ours(_ours(indices)), theirs(indices))], [], [], "float32", ours, theirs)
    # rows looked up are rescaled in place, the others are left alone
    assert_close(ours.weight, theirs.weight, "float32")
    assert repr(ours) == repr(theirs).replace("torch.nn.", "")


def test_embedding_functional_max_norm_and_refused_options():
    weight = torch.tensor(normal((5, 3), "float64") * 3)
    ours_weight = _ours(weight)
    indices = torch.tensor([4, 1, 4])
    expected = torch.nn.functional.embedding(indices, weight, max_norm=1.5)
    assert_close(nn.functional.embedding(_ours(indices), ours_weight, max_norm=1.5),
                 expected, "float64")
    assert_close(ours_weight, weight, "float64")
    with pytest.raises(NotImplementedError, match="Embedding"):
        nn.Embedding(5, 3, scale_grad_by_freq=True)
    with pytest.raises(NotImplementedError, match="embedding"):
        nn.functional.embedding(_ours(indices), ours_weight, sparse=True)


def test_adam_decoupled_weight_decay_matches_adamw():
    start = normal((3,), "float64")
    results = []
    for library in (torch, minitorch):
        parameter = library.tensor(start.copy(), requires_grad=True)
        optimizer = library.optim.Adam([parameter], lr=0.1, weight_decay=0.5,
                                       decoupled_weight_decay=True)
        for _ in range(3):
            optimizer.zero_grad()
            (parameter ** 3).sum().backward()
            optimizer.step()
        assert optimizer.param_groups[0]["decoupled_weight_decay"] is True
        results.append(parameter.detach().numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)
    adamw = minitorch.optim.AdamW([minitorch.zeros(1, requires_grad=True)])
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True


def test_assigning_a_module_over_a_parameter_is_a_type_error():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="weight"):
        layer.weight = nn.ReLU()
    assert isinstance(layer.weight, nn.Parameter)
    layer.weight = None    # None still clears a parameter, as in torch
    assert layer.weight is None and "weight" not in dict(layer.named_children())


def test_parameter_dict_sorts_a_plain_dict_but_keeps_ordered_inputs():
    values = {"b": minitorch.zeros(1), "a": minitorch.ones(2)}
    assert list(nn.ParameterDict(values)) == ["a", "b"]
    assert list(nn.ParameterDict(OrderedDict(values))) == ["b", "a"]
    assert list(nn.ParameterDict(list(values.items()))) == ["b", "a"]
    assert list(torch.nn.ParameterDict({"b": torch.zeros(1), "a": torch.ones(2)})) == ["a", "b"]


def test_load_state_dict_refuses_what_is_not_a_mapping():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="dict-like"):
        layer.load_state_dict([("weight", minitorch.ones(2, 2)), ("bias", minitorch.ones(2))])


@pytest.mark.parametrize("num_layers, bidirectional, batch_first, batched, with_state", [
    (1, False, False, True, False), (2, True, False, True, True),
    (2, False, True, True, True), (1, True, False, False, True)])
def test_lstm_proj_size(backend, num_layers, bidirectional, batch_first, batched,
                        with_state):
    options = dict(num_layers=num_layers, bidirectional=bidirectional,
                   batch_first=batch_first, proj_size=2)
    theirs = torch.nn.LSTM(3, 4, **options)
    ours = nn.LSTM(3, 4, **options)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({name: _ours(value) for name, value in theirs.state_dict().items()})
    states = num_layers * (2 if bidirectional else 1)
    shape = ((2, 5, 3) if batch_first else (5, 2, 3)) if batched else (5, 3)
    x = torch.tensor(normal(shape, "float32"), requires_grad=True)
    x_ours = _ours(x, requires_grad=True)
    leaves, leaves_ours, hx, hx_ours = [x], [x_ours], None, None
    if with_state:
        batch = (2,) if batched else ()
        h0 = torch.tensor(normal((states,) + batch + (2,), "float32", 1), requires_grad=True)
        c0 = torch.tensor(normal((states,) + batch + (4,), "float32", 2), requires_grad=True)
        hx, hx_ours = (h0, c0), (_ours(h0, True), _ours(c0, True))
        leaves, leaves_ours = [x, h0, c0], [x_ours, *hx_ours]
    output, (h_n, c_n) = theirs(x, hx)
    output_ours, (h_n_ours, c_n_ours) = ours(x_ours, hx_ours)
    check_backward([(output_ours, output), (h_n_ours, h_n), (c_n_ours, c_n)],
                   leaves_ours, leaves, "float32", ours, theirs)
    assert repr(ours) == repr(theirs).replace("torch.nn.", "")


def test_lstm_proj_size_errors():
    with pytest.raises(ValueError, match="smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=-1)
    lstm = nn.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="h_0"):
        lstm(minitorch.zeros(5, 2, 3), (minitorch.zeros(1, 2, 4), minitorch.zeros(1, 2, 4)))


def test_load_takes_torch_loads_map_location_and_weights_only(tmp_path):
    path = tmp_path / "state.npz"
    minitorch.save({"weight": minitorch.arange(3.0)}, path)
    for map_location in (None, "cpu", minitorch.device("cpu"), {"cuda:0": "cpu"}):
        loaded = minitorch.load(path, map_location, weights_only=True)
        assert loaded["weight"].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(RuntimeError, match="load: device 'cuda'"):
        minitorch.load(path, map_location="cuda")


@pytest.mark.parametrize("name, arguments", [
    ("hardtanh", (-0.5, 1.5)), ("hardtanh", ()), ("relu6", ()), ("threshold", (-0.5, 7.9)),
    ("threshold", (0.9, 7.9))])
def test_integer_activations_keep_the_integer_dtype(name, arguments):
    values = torch.arange(-3, 9)
    expected = getattr(torch.nn.functional, name)(values, *arguments)
    result = getattr(nn.functional, name)(_ours(values), *arguments)
    assert result.dtype is minitorch.int64
    assert result.tolist() == expected.tolist()
