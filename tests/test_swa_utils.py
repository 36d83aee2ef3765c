"""minitorch.optim.swa_utils against torch.optim.swa_utils: AveragedModel (SWA and EMA, both
averaging-function forms, use_buffers), SWALR schedules, update_bn, state-dict keys and
the refused arguments. Each training run is the same in both libraries: identical
weights, data and steps."""
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.optim import swa_utils
from nn_helpers import assert_close, backend, normal  # noqa: F401 (backend is a fixture)

EPOCHS = 4


def make_model(library, dtype):
    """Linear -> BatchNorm1d -> ReLU -> Linear, the same weights in both libraries."""
    nn = library.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    values = {name: normal(tuple(tensor.shape), dtype, seed)
              for seed, (name, tensor) in enumerate(model.state_dict().items())
              if tensor.dtype.is_floating_point}
    model.load_state_dict({name: library.tensor(value) for name, value in values.items()},
                          strict=False)
    return model.to(getattr(library, dtype))


def batches(library, dtype, transposed=False):
    """Three (input, target) batches; with `transposed`, the inputs are transposed views."""
    result = []
    for seed in range(3):
        inputs = library.tensor(normal((3, 5) if transposed else (5, 3), dtype, seed))
        result.append((inputs.t() if transposed else inputs,
                       library.tensor(normal((5, 2), dtype, seed + 10))))
    return result


def train_and_average(library, dtype, averaging, use_buffers=False, swa_lr=0.05,
                      anneal_strategy="cos", transposed=False):
    """SGD epochs over the batches; after each, the averaged model takes the weights and
    SWALR steps. Returns the averaged model and the lrs of each epoch."""
    model = make_model(library, dtype)
    swa = library.optim.swa_utils
    make_fn = {"swa": lambda: {}, "ema": lambda: dict(avg_fn=swa.get_ema_avg_fn(0.9)),
               "ema_multi": lambda: dict(multi_avg_fn=swa.get_ema_multi_avg_fn(0.9)),
               "swa_multi": lambda: dict(multi_avg_fn=swa.get_swa_multi_avg_fn()),
               "swa_fn": lambda: dict(avg_fn=swa.get_swa_avg_fn())}[averaging]
    averaged = swa.AveragedModel(model, use_buffers=use_buffers, **make_fn())
    optimizer = library.optim.SGD(model.parameters(), lr=0.3, momentum=0.5)
    scheduler = swa.SWALR(optimizer, swa_lr=swa_lr, anneal_epochs=3,
                          anneal_strategy=anneal_strategy)
    lrs = []
    for _ in range(EPOCHS):
        for inputs, target in batches(library, dtype, transposed):
            optimizer.zero_grad()
            ((model(inputs) - target) ** 2).mean().backward()
            optimizer.step()
        averaged.update_parameters(model)
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    return averaged, lrs


def assert_same_state(ours, theirs, dtype):
    ours, theirs = ours.state_dict(), theirs.state_dict()
    assert list(ours) == list(theirs)
    for name, tensor in theirs.items():
        if tensor.dtype.is_floating_point:
            assert_close(ours[name], tensor, dtype)
        else:
            assert ours[name].tolist() == tensor.tolist(), name


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("averaging", ["swa", "ema", "ema_multi", "swa_multi", "swa_fn"])
def test_averaged_model_follows_torch(backend, dtype, averaging):
    ours, our_lrs = train_and_average(minitorch, dtype, averaging)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, their_lrs = train_and_average(torch, dtype, averaging)
    assert_same_state(ours, theirs, dtype)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-12)
    inputs = normal((6, 3), dtype, 7)
    ours.eval(), theirs.eval()
    assert_close(ours(minitorch.tensor(inputs)), theirs(torch.tensor(inputs)), dtype)


@pytest.mark.parametrize("averaging", ["swa", "ema_multi"])
def test_use_buffers_averages_the_buffers_too(averaging):
    ours, _ = train_and_average(minitorch, "float64", averaging, use_buffers=True,
                                transposed=True)
    theirs, _ = train_and_average(torch, "float64", averaging, use_buffers=True,
                                  transposed=True)
    assert_same_state(ours, theirs, "float64")


def test_state_dict_keys_and_loading_torchs():
    ours, _ = train_and_average(minitorch, "float32", "swa")
    theirs, _ = train_and_average(torch, "float32", "swa")
    fresh = swa_utils.AveragedModel(make_model(minitorch, "float32"))
    fresh.load_state_dict({name: minitorch.tensor(tensor.numpy())
                           for name, tensor in theirs.state_dict().items()})
    assert_same_state(fresh, theirs, "float32")
    assert "n_averaged" in ours.state_dict() and ours.n_averaged.item() == EPOCHS
    assert repr(ours) == repr(theirs)


def test_the_first_update_copies_and_the_copy_is_deep():
    model = make_model(minitorch, "float32")
    averaged = swa_utils.AveragedModel(model, device="cpu")
    with minitorch.no_grad():
        model[0].weight.add_(1.0)
    def weights():
        return averaged.module[0].weight.detach().numpy(), model[0].weight.detach().numpy()
    assert not np.allclose(*weights())
    averaged.update_parameters(model)
    np.testing.assert_array_equal(*weights())
    assert averaged.module[0].weight is not model[0].weight


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("swa_lr", [0.05, [0.01, 0.2]])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 4])
def test_swalr_schedule_follows_torch(strategy, swa_lr, anneal_epochs):
    def schedule(library):
        weights = [library.nn.Parameter(library.zeros(2)), library.nn.Parameter(library.zeros(2))]
        optimizer = library.optim.SGD([{"params": weights[:1]},
                                       {"params": weights[1:], "lr": 0.5}], lr=1.0)
        scheduler = library.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs, strategy)
        lrs = [scheduler.get_last_lr()]
        for _ in range(7):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        return lrs, optimizer.param_groups[1]["swa_lr"], scheduler
    ours, our_swa_lr, scheduler = schedule(minitorch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, their_swa_lr, _ = schedule(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert our_swa_lr == their_swa_lr
    state = scheduler.state_dict()
    assert "optimizer" not in state and state["anneal_epochs"] == anneal_epochs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_update_bn_follows_torch(dtype):
    def run(library):
        model = make_model(library, dtype)
        model.eval()
        loader = [(inputs,) for inputs, _ in batches(library, dtype)] + \
            [batches(library, dtype, transposed=True)[0][0]]
        library.optim.swa_utils.update_bn(loader, model)
        return model
    ours, theirs = run(minitorch), run(torch)
    assert not ours.training and ours[1].momentum == 0.1
    assert_same_state(ours, theirs, dtype)


def test_update_bn_without_batch_norm_does_nothing():
    model = minitorch.nn.Linear(2, 2)
    swa_utils.update_bn([minitorch.ones(1, 2)], model)
    assert model.training


def test_bad_arguments():
    model = make_model(minitorch, "float32")
    with pytest.raises(ValueError, match="AveragedModel: pass avg_fn or multi_avg_fn"):
        swa_utils.AveragedModel(model, avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    for make in (swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match="get_ema.*decay 1.5"):
            make(1.5)
    averaged = swa_utils.AveragedModel(model)
    other = minitorch.nn.Sequential(minitorch.nn.Linear(3, 4))
    with pytest.raises(ValueError, match="update_parameters: the model has 2 parameters"):
        averaged.update_parameters(other)
    wrong = make_model(minitorch, "float32")
    wrong[3] = minitorch.nn.Linear(4, 3)
    with pytest.raises(ValueError, match="parameters 4 has shape"):
        averaged.update_parameters(wrong)
    assert averaged.n_averaged.item() == 0
    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="SWALR: anneal_strategy must be 'cos' or 'linear'"):
        swa_utils.SWALR(optimizer, 0.05, anneal_strategy="step")
    with pytest.raises(ValueError, match="SWALR: anneal_epochs must be >= 0"):
        swa_utils.SWALR(optimizer, 0.05, anneal_epochs=-1)
    with pytest.raises(ValueError, match="SWALR: swa_lr must have the same length"):
        swa_utils.SWALR(optimizer, [0.05, 0.1])
    assert "swa_lr" not in optimizer.param_groups[0]
