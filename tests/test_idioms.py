"""Idioms of real PyTorch training code, run as whole snippets in both libraries.

Each test writes the snippet once as a function of the library (`torch` or `minitorch`,
whose namespaces mirror each other), runs it on both with the same data and initial
weights, and compares what a user observes: values, parameters after the steps,
printed reprs, warnings, errors.
"""
import os
import warnings
import zlib

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402

LIBRARIES = (torch, minitorch)


def _fill(lib, model):
    """model with deterministic weights derived from each state-dict name, identical in
    both libraries."""
    with lib.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.dtype.is_floating_point and tensor.numel():
                rng = np.random.default_rng(zlib.crc32(name.encode()))
                values = rng.standard_normal(tuple(tensor.shape)) * 0.5
                tensor.copy_(lib.tensor(values, dtype=tensor.dtype))
    return model


def _mlp(lib):
    return _fill(lib, lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(),
                                        lib.nn.Linear(8, 3)))


def _data(lib, seed, shape):
    return lib.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def _labels(lib, seed, size, classes):
    return lib.tensor(np.random.default_rng(seed).integers(0, classes, size))


def _numpy(tensor):
    return tensor.detach().numpy()


def _assert_same_parameters(torch_model, mini_model, rtol=1e-5, atol=1e-6):
    ours = dict(mini_model.named_parameters())
    theirs = dict(torch_model.named_parameters())
    assert list(ours) == list(theirs)
    for name, param in theirs.items():
        np.testing.assert_allclose(_numpy(ours[name]), _numpy(param), rtol=rtol, atol=atol,
                                   err_msg=name)


def _user_warnings(record):
    return [str(w.message) for w in record if issubclass(w.category, UserWarning)]


def _run(snippet, lib):
    """(snippet(lib), the UserWarning messages it raised)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = snippet(lib)
    return result, _user_warnings(record)


# ---- optimizers ---------------------------------------------------------------------------

def _step_with_a_repeated_parameter(lib):
    model = _mlp(lib)
    optimizer = lib.optim.SGD(list(model.parameters()) + [model[0].weight], lr=0.1)
    lib.nn.functional.cross_entropy(model(_data(lib, 1, (5, 4))),
                                    _labels(lib, 2, 5, 3)).backward()
    optimizer.step()
    state = optimizer.state_dict()
    optimizer.load_state_dict(state)
    return model, state["param_groups"][0]["params"]


def test_a_parameter_listed_twice_in_a_group_warns_and_is_stepped_twice_as_in_torch():
    (theirs, their_indices), their_warnings = _run(_step_with_a_repeated_parameter, torch)
    (ours, our_indices), our_warnings = _run(_step_with_a_repeated_parameter, minitorch)
    _assert_same_parameters(theirs, ours)
    assert our_indices == their_indices == [4, 1, 2, 3, 4]
    assert any("duplicate parameters" in message for message in their_warnings)
    assert any("duplicate parameters" in message for message in our_warnings)


@pytest.mark.parametrize("lib", LIBRARIES, ids=["torch", "minitorch"])
def test_a_parameter_in_two_groups_is_refused(lib):
    model = _mlp(lib)
    with pytest.raises(ValueError, match="more than one parameter group"):
        lib.optim.SGD([{"params": model[0].parameters()},
                       {"params": [model[0].weight]}], lr=0.1)


OPTIMIZER_SWITCHES = [
    ("SGD", dict(lr=0.1, momentum=0.9, foreach=True)),
    ("SGD", dict(lr=0.1, fused=False, differentiable=False)),
    ("Adam", dict(lr=0.01, fused=True)),
    ("Adam", dict(lr=0.01, foreach=False, capturable=False)),
    ("AdamW", dict(lr=0.01, foreach=True)),
    ("RMSprop", dict(lr=0.01, foreach=True)),
    ("Adagrad", dict(lr=0.1, foreach=False)),
    ("Adamax", dict(lr=0.01, foreach=True)),
    ("Adadelta", dict(foreach=True)),
    ("NAdam", dict(lr=0.01, foreach=True)),
    ("RAdam", dict(lr=0.01, foreach=True)),
    ("Rprop", dict(lr=0.01, foreach=True)),
    ("ASGD", dict(lr=0.01, foreach=True)),
]


@pytest.mark.parametrize("name,options", OPTIMIZER_SWITCHES)
def test_implementation_switches_are_taken_and_kept_in_the_groups(name, options):
    """optim.X(..., foreach=True) / fused=True, as scripts pass them, runs with the same
    result as without, and each group holds torch's keys (print(optimizer) too)."""
    def train(lib):
        model = _mlp(lib)
        optimizer = getattr(lib.optim, name)(model.parameters(), **options)
        for _ in range(2):
            optimizer.zero_grad()
            lib.nn.functional.cross_entropy(model(_data(lib, 1, (5, 4))),
                                            _labels(lib, 2, 5, 3)).backward()
            optimizer.step()
        return model, optimizer

    theirs, their_optimizer = train(torch)
    ours, our_optimizer = train(minitorch)
    _assert_same_parameters(theirs, ours, rtol=1e-4, atol=1e-5)
    assert repr(our_optimizer) == repr(their_optimizer)


def test_optimizer_repr_is_torchs_with_several_groups():
    def make(lib):
        model = _mlp(lib)
        return lib.optim.Adam([{"params": model[0].parameters()},
                               {"params": model[2].parameters(), "lr": 1e-4}], lr=1e-3)
    assert repr(make(minitorch)) == repr(make(torch))


# ---- learning-rate schedulers -------------------------------------------------------------

def _scheduler_first(lib):
    model = _mlp(lib)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    scheduler.step()
    optimizer.step()
    return scheduler.get_last_lr()


def _optimizer_first(lib):
    model = _mlp(lib)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    lrs = []
    for _ in range(3):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


def _get_lr_outside_step(lib):
    optimizer = lib.optim.SGD(_mlp(lib).parameters(), lr=0.1)
    return lib.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5).get_lr()


@pytest.mark.parametrize("snippet,warns", [
    (_scheduler_first, "before `optimizer.step()`"),
    (_optimizer_first, None),
    (_get_lr_outside_step, "please use `get_last_lr()`"),
])
def test_scheduler_warnings_are_torchs(snippet, warns):
    their_result, their_warnings = _run(snippet, torch)
    our_result, our_warnings = _run(snippet, minitorch)
    np.testing.assert_allclose(our_result, their_result, rtol=1e-6)
    for found in (their_warnings, our_warnings):
        if warns is None:
            assert found == []
        else:
            assert any(warns in message for message in found), found


# ---- losses and activations ---------------------------------------------------------------

def _regression_with_a_column_output(lib):
    """The classic slip: an (N, 1) output against an (N,) target broadcasts to (N, N)."""
    model = _fill(lib, lib.nn.Linear(3, 1))
    loss = lib.nn.MSELoss()(model(_data(lib, 1, (6, 3))), _data(lib, 2, (6,)))
    loss.backward()
    return loss, model.weight.grad


def test_mse_loss_with_a_target_of_another_shape_warns_and_broadcasts_as_torch():
    (their_loss, their_grad), their_warnings = _run(_regression_with_a_column_output, torch)
    (our_loss, our_grad), our_warnings = _run(_regression_with_a_column_output, minitorch)
    np.testing.assert_allclose(_numpy(our_loss), _numpy(their_loss), rtol=1e-5)
    np.testing.assert_allclose(_numpy(our_grad), _numpy(their_grad), rtol=1e-5, atol=1e-6)
    assert any("different to the input size" in message for message in their_warnings)
    assert any("different to the input size" in message for message in our_warnings)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.Softmax()(x),
    lambda lib, x: lib.nn.LogSoftmax()(x),
    lambda lib, x: lib.nn.Softmin()(x),
    lambda lib, x: lib.nn.functional.softmax(x),
    lambda lib, x: lib.nn.functional.log_softmax(x),
    lambda lib, x: lib.nn.functional.softmin(x),
])
def test_softmax_without_dim_warns_as_torch(call):
    def snippet(lib):
        return call(lib, _data(lib, 1, (2, 3)))
    theirs, their_warnings = _run(snippet, torch)
    ours, our_warnings = _run(snippet, minitorch)
    np.testing.assert_allclose(_numpy(ours), _numpy(theirs), rtol=1e-5, atol=1e-6)
    assert len(their_warnings) == 1 and "Implicit dimension choice" in their_warnings[0]
    assert our_warnings == their_warnings


@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_softmax_without_dim_takes_torchs_implicit_dim(shape):
    def snippet(lib):
        x = _data(lib, 2, shape)
        return lib.nn.functional.softmax(x), lib.nn.functional.log_softmax(x)
    theirs, _ = _run(snippet, torch)
    ours, _ = _run(snippet, minitorch)
    for mine, their in zip(ours, theirs):
        np.testing.assert_allclose(_numpy(mine), _numpy(their), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.softmax(x),
    lambda lib, x: lib.log_softmax(x),
    lambda lib, x: x.softmax(),
    lambda lib, x: x.log_softmax(),
    lambda lib, x: lib.special.softmax(x),
    lambda lib, x: lib.softmax(x, None),
])
def test_softmax_outside_nn_functional_requires_dim_as_torch(call):
    for lib in (torch, minitorch):
        with pytest.raises(TypeError):
            call(lib, lib.ones(2, 3))


@pytest.mark.parametrize("source", [[1.0, 2.0], (1.0, 2.0), np.array([1.0, 2.0])])
def test_copy_refuses_what_is_not_a_tensor_as_torch_and_writes_nothing(source):
    for lib in (torch, minitorch):
        target = lib.zeros(2)
        with pytest.raises(TypeError, match="copy_"):
            target.copy_(source)
        assert target.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("number", [2.5, 3, True])
def test_copy_takes_a_python_number_as_torch(number):
    results = []
    for lib in (torch, minitorch):
        target = lib.zeros(2)
        target.copy_(number)
        results.append(target.tolist())
    assert results[0] == results[1]


def test_softmax_with_dim_does_not_warn():
    _, our_warnings = _run(lambda lib: (lib.nn.functional.softmax(lib.ones(2, 3), dim=1),
                                        lib.nn.Softmax(dim=-1)(lib.ones(2, 3))), minitorch)
    assert our_warnings == []


def test_init_gains_are_torchs_numbers():
    def gains(lib):
        return [lib.nn.init.calculate_gain(name) for name in
                ("linear", "sigmoid", "conv2d", "tanh", "relu", "selu")]
    ours, theirs = gains(minitorch), gains(torch)
    assert ours == theirs
    assert [type(gain) for gain in ours] == [type(gain) for gain in theirs]


# ---- modules ------------------------------------------------------------------------------

def _load_results(lib):
    model = _mlp(lib)
    state = model.state_dict()
    matched = model.load_state_dict(state)
    del state["2.bias"]
    state["head.weight"] = lib.zeros(1)
    partial = model.load_state_dict(state, strict=False)
    return [repr(matched), str(matched), repr(partial), tuple(partial)]


def test_load_state_dict_results_print_as_torchs():
    assert _load_results(minitorch) == _load_results(torch)


def _parameter_containers(lib):
    parameter = lib.nn.Parameter

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = lib.nn.ParameterList([parameter(lib.zeros(2)),
                                                parameter(lib.zeros(2, 3, dtype=lib.float64))])
            self.one = lib.nn.ParameterList([parameter(lib.zeros(1))])
            self.named = lib.nn.ParameterDict({"b": parameter(lib.zeros(2)),
                                               "a": lib.zeros(1, 4)})
            self.empty = lib.nn.ParameterList()
            self.fc = lib.nn.Linear(1, 1)
    return repr(Net()).replace(lib.__name__ + ".", "")


def test_parameter_containers_print_their_parameters_as_torch():
    assert _parameter_containers(minitorch) == _parameter_containers(torch)


def _transformer_encoder(lib):
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
    encoder = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False, mask_check=True)
    _fill(lib, encoder)
    return encoder(_data(lib, 1, (5, 3, 8)))


def test_transformer_encoder_takes_torchs_nested_tensor_switches():
    np.testing.assert_allclose(_numpy(_transformer_encoder(minitorch)),
                               _numpy(_transformer_encoder(torch)), rtol=1e-4, atol=1e-5)


# ---- data ---------------------------------------------------------------------------------

def _pinned_loader(lib):
    dataset = lib.utils.data.TensorDataset(lib.arange(6).float(), lib.arange(6))
    # torch's positional order: ..., collate_fn, pin_memory, drop_last
    loader = lib.utils.data.DataLoader(dataset, 4, False, None, None, 0, None, True, True,
                                       in_order=True)
    return [[_numpy(tensor) for tensor in batch] for batch in loader]


def test_dataloader_with_pin_memory_takes_torchs_arguments_and_warns():
    theirs, their_warnings = _run(_pinned_loader, torch)
    ours, our_warnings = _run(_pinned_loader, minitorch)
    assert len(ours) == len(theirs) == 1
    for our_batch, their_batch in zip(ours, theirs):
        for our_tensor, their_tensor in zip(our_batch, their_batch):
            np.testing.assert_array_equal(our_tensor, their_tensor)
    assert any("no accelerator is found" in message for message in their_warnings)
    assert any("no accelerator is found" in message for message in our_warnings)
