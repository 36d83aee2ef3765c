"""minitorch.optim against torch.optim, continued: Adagrad, Adamax, Adadelta, NAdam, RAdam,
Rprop, ASGD, amsgrad and maximize;
the lr schedulers ExponentialLR, MultiStepLR, LambdaLR, MultiplicativeLR, LinearLR,
ConstantLR, OneCycleLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR,
ReduceLROnPlateau, SequentialLR and ChainedScheduler, and whole
schedules of all the schedulers (StepLR and CosineAnnealingLR too). Each case runs the
same calls in both libraries and compares the results. The helpers test_optim.py uses
too are in optim_helpers.py."""
import copy
import inspect
import pickle
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn, optim
from optim_helpers import assert_a_non_compact_parameter_gets_the_same_update
from optim_helpers import assert_a_saved_state_dict_resumes_exactly, snapshot
from optim_helpers import assert_a_bad_gradient_changes_nothing, stepped_two_groups
from optim_helpers import make_problem, train, assert_same_trajectory
from optim_helpers import make_optimizer, momentums, in_both, assert_same_schedule
from optim_helpers import jumped, resumed_at_last_epoch

STEPS = 8
AVAILABLE = {backend.name for backend in minitorch.list_backends() if backend.available}
BACKENDS = [pytest.param(name, marks=pytest.mark.skipif(name not in AVAILABLE,
                                                        reason=f"{name} backend unavailable"))
            for name in ("numpy", "c")]


# ---- optimizers --------------------------------------------------------------------------

OPTIMIZER_CONFIGS = [
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.3,
                     eps=1e-6)),
    ("Adagrad", dict(lr=0.05, maximize=True)),
    ("Adamax", dict(lr=0.02)),
    ("Adamax", dict(lr=0.03, betas=(0.8, 0.95), eps=1e-3, weight_decay=0.1)),
    ("Adamax", dict(lr=0.02, maximize=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.02, amsgrad=True)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.02, maximize=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.02, amsgrad=True, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, maximize=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.3, maximize=True)),
    ("Adadelta", {}),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.02)),
    ("NAdam", dict(lr=0.02, betas=(0.8, 0.95), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.02)),   # rectified from step 6 on (rho > 5)
    ("RAdam", dict(lr=0.02, betas=(0.8, 0.9), weight_decay=0.1)),   # rectified from step 3
    ("RAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Rprop", {}),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.1)),   # averaging
]
OPTIMIZER_IDS = [f"{name}-{index}" for index, (name, _) in enumerate(OPTIMIZER_CONFIGS)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name,options", OPTIMIZER_CONFIGS, ids=OPTIMIZER_IDS)
def test_optimizer_steps_match_torch(backend, dtype, name, options):
    arrays = make_problem(dtype)
    with minitorch.use_backend(backend):
        ours = train(minitorch, name, options, arrays, STEPS)
    assert_same_trajectory(ours, train(torch, name, options, arrays, STEPS), dtype)


def test_maximize_ascends_exactly_where_minimizing_descends():
    """maximize=True on f is the same walk as minimizing -f, as in torch."""
    def walk(sign, maximize):
        param = nn.Parameter(minitorch.tensor([1.0, -2.0, 0.5]))
        optimizer = optim.Adagrad([param], lr=0.1, maximize=maximize)
        for _ in range(4):
            optimizer.zero_grad()
            (sign * (param * param).sum()).backward()
            optimizer.step()
        return param.tolist()

    assert walk(-1.0, maximize=True) == walk(1.0, maximize=False)


@pytest.mark.parametrize("name,options", [config for config in OPTIMIZER_CONFIGS
                                          if config[0] not in ("Adam", "AdamW", "SGD")])
def test_a_non_compact_parameter_gets_the_same_update(name, options):
    assert_a_non_compact_parameter_gets_the_same_update(name, options)


def test_adagrad_makes_its_state_when_made_as_torch_does():
    for library in (minitorch, torch):
        first, second = (library.nn.Parameter(library.ones(2)) for _ in range(2))
        optimizer = library.optim.Adagrad([first, second], initial_accumulator_value=0.5)
        assert len(optimizer.state) == 2
        assert sorted(optimizer.state[second]) == ["step", "sum"]
        assert optimizer.state[second]["sum"].tolist() == [0.5, 0.5]
        assert float(optimizer.state[second]["step"]) == 0
        late = library.nn.Parameter(library.ones(1))
        optimizer.add_param_group({"params": [late]})
        assert len(optimizer.state) == 2  # a later group's state comes with its first step
        late.grad = library.ones(1)
        optimizer.step()
        assert float(optimizer.state[late]["step"]) == 1


def test_adagrad_group_takes_its_own_initial_accumulator_value():
    """torch.optim.Adagrad fills every sum with the constructor's value; minitorch uses
    each group's (the documented difference)."""
    first, second = nn.Parameter(minitorch.ones(1)), nn.Parameter(minitorch.ones(1))
    optimizer = optim.Adagrad([{"params": [first]},
                               {"params": [second], "initial_accumulator_value": 2.0}])
    assert optimizer.state[first]["sum"].tolist() == [0.0]
    assert optimizer.state[second]["sum"].tolist() == [2.0]


def test_state_keys_and_defaults_are_torchs():
    for name, options in [("Adagrad", {}), ("Adamax", {}), ("Adam", dict(amsgrad=True)),
                          ("AdamW", dict(amsgrad=True)), ("Adadelta", {}), ("NAdam", {}),
                          ("RAdam", {}), ("Rprop", {}), ("ASGD", {})]:
        states, defaults = [], []
        for library in (minitorch, torch):
            param = library.nn.Parameter(library.ones(2))
            optimizer = getattr(library.optim, name)([param], **options)
            param.grad = library.ones(2)
            optimizer.step()
            states.append(sorted(optimizer.state[param]))
            defaults.append(optimizer.defaults)
        assert states[0] == states[1], name
        ours, theirs = defaults
        assert {key: theirs[key] for key in ours} == ours, name


@pytest.mark.parametrize("name,options", [("Adagrad", dict(lr=0.1, lr_decay=0.1)),
                                          ("Adamax", dict(lr=0.05, weight_decay=0.1)),
                                          ("Adam", dict(lr=0.05, amsgrad=True)),
                                          ("AdamW", dict(lr=0.05, amsgrad=True)),
                                          ("Adadelta", dict(weight_decay=0.1)),
                                          ("NAdam", dict(lr=0.05)), ("RAdam", dict(lr=0.05)),
                                          ("Rprop", dict(lr=0.05)),
                                          ("ASGD", dict(lr=0.05, t0=1))])
def test_state_dicts_go_both_ways_with_torch(name, options):
    """Three steps in one library, its state dict loaded into the other's optimizer,
    three more steps in both: the same parameters (the state tensors carry over).
    NAdam's mu_product and ASGD's eta and mu are 0-d tensors of the default dtype
    (float32) that loading casts to the parameters' (float64), in torch as here, so the
    resumed run rounds them less than the uninterrupted one."""
    rtol = 1e-6 if name in ("NAdam", "ASGD") else 1e-12   # float32 rounding: ~6e-8
    arrays = make_problem(np.float64)
    grads = [make_problem(np.float64, seed=seed)[:2] for seed in range(1, 7)]

    def steps(library, params, optimizer, grad_arrays):
        for arrays_of_step in grad_arrays:
            for param, grad in zip(params, arrays_of_step):
                param.grad = library.tensor(grad)
            optimizer.step()

    def make(library):
        params = [library.nn.Parameter(library.tensor(array)) for array in arrays[:2]]
        return params, getattr(library.optim, name)(params, **options)

    for source, target, convert in ((minitorch, torch, minitorch.serialization.to_torch),
                                    (torch, minitorch, minitorch.serialization.from_torch)):
        params, optimizer = make(source)
        steps(source, params, optimizer, grads[:3])
        resumed, resumed_optimizer = make(target)
        with torch.no_grad(), minitorch.no_grad():
            for ours, theirs in zip(resumed, params):
                ours.copy_(target.tensor(theirs.detach().numpy()))
        resumed_optimizer.load_state_dict(convert(copy.deepcopy(optimizer.state_dict())))
        steps(source, params, optimizer, grads[3:])
        steps(target, resumed, resumed_optimizer, grads[3:])
        for ours, theirs in zip(resumed, params):
            np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                                       rtol=rtol, atol=1e-14)


def test_turning_amsgrad_on_later_starts_the_maximum_there():
    """torch raises KeyError('max_exp_avg_sq') here; minitorch starts from zeros, so the
    step is the plain Adam step, and the maximum is kept from then on."""
    param = nn.Parameter(minitorch.ones(2))
    plain = nn.Parameter(minitorch.ones(2))
    optimizer = optim.Adam([param], lr=0.1)
    reference = optim.Adam([plain], lr=0.1)
    for amsgrad in (False, True):
        optimizer.param_groups[0]["amsgrad"] = amsgrad
        param.grad = plain.grad = minitorch.tensor([1.0, -1.0])
        optimizer.step()
        reference.step()
    np.testing.assert_allclose(param.tolist(), plain.tolist(), rtol=1e-6)
    assert optimizer.state[param]["max_exp_avg_sq"].tolist() == \
        optimizer.state[param]["exp_avg_sq"].tolist()


@pytest.mark.parametrize("make,error,match", [
    (lambda p: optim.Adagrad([p], lr_decay=-0.1), ValueError, "Adagrad\\(\\): invalid lr_decay"),
    (lambda p: optim.Adagrad([p], eps=float("nan")), ValueError, "invalid eps nan"),
    (lambda p: optim.Adagrad([p], initial_accumulator_value=-1.0), ValueError,
     "invalid initial_accumulator_value -1.0"),
    (lambda p: optim.Adagrad([p], lr="0.1"), TypeError, "lr must be a real number, got str"),
    (lambda p: optim.Adamax([p], betas=(1.0, 0.9)), ValueError, "invalid betas\\[0\\] 1.0"),
    (lambda p: optim.Adamax([p], betas=0.9), TypeError, "betas must be a pair"),
    (lambda p: optim.Adamax([p], weight_decay=-1.0), ValueError, "invalid weight_decay"),
    (lambda p: optim.Adam([p], amsgrad="yes"), TypeError,
     "Adam\\(\\): option amsgrad must be True or False, got str"),
    (lambda p: optim.AdamW([p], amsgrad=None), TypeError, "option amsgrad"),
    (lambda p: optim.SGD([p], maximize=1), TypeError, "option maximize must be True or False"),
    (lambda p: optim.Adagrad([{"params": [p], "lr_decay": float("inf")}]), ValueError,
     "invalid lr_decay inf"),
])
def test_bad_optimizer_arguments_are_refused(make, error, match):
    with pytest.raises(error, match=match):
        make(nn.Parameter(minitorch.ones(2)))


@pytest.mark.parametrize("name,options", [("Adagrad", dict(lr_decay=0.1)), ("Adamax", {}),
                                          ("Adam", dict(amsgrad=True, maximize=True)),
                                          ("Adadelta", {}), ("NAdam", {}), ("RAdam", {}),
                                          ("Rprop", {}), ("ASGD", {})])
def test_a_step_with_a_bad_gradient_changes_nothing(name, options):
    params, optimizer = stepped_two_groups(minitorch, name, options)
    assert_a_bad_gradient_changes_nothing(params, optimizer, minitorch.ones(3), RuntimeError,
                                          f"{name}.step: the gradient of parameter 1 of group 1")


@pytest.mark.parametrize("name,key,value,error,match", [
    ("Adagrad", "lr_decay", -1.0, ValueError, "invalid lr_decay -1.0"),
    ("Adagrad", "initial_accumulator_value", "0", TypeError, "must be a real number"),
    ("Adamax", "betas", (0.9, 1.5), ValueError, "invalid betas\\[1\\] 1.5"),
    ("Adam", "amsgrad", 1, TypeError, "option amsgrad must be True or False"),
    ("Adam", "maximize", "no", TypeError, "option maximize"),
    ("Adadelta", "rho", 1.5, ValueError, "invalid rho 1.5; it must be in \\[0, 1\\]"),
    ("NAdam", "momentum_decay", -0.1, ValueError, "invalid momentum_decay -0.1"),
    ("RAdam", "decoupled_weight_decay", "yes", TypeError, "decoupled_weight_decay must be"),
    ("Rprop", "etas", (1.5, 1.2), ValueError, "invalid etas\\[0\\] 1.5"),
    ("Rprop", "etas", (0.5, 1.0), ValueError, "invalid etas\\[1\\] 1.0"),
    ("Rprop", "step_sizes", (0.1, 0.01), ValueError, "invalid step_sizes\\[1\\] 0.01"),
    ("Rprop", "step_sizes", 0.1, TypeError, "step_sizes must be a pair"),
    ("ASGD", "t0", float("nan"), ValueError, "invalid t0 nan"),
])
def test_a_bad_group_in_a_state_dict_changes_nothing(name, key, value, error, match):
    params, optimizer = stepped_two_groups(minitorch, name, {})
    saved = copy.deepcopy(optimizer.state_dict())
    for group in saved["param_groups"]:
        group["lr"] = 0.25  # a good change before the bad one
    saved["param_groups"][1][key] = value
    before = snapshot(optimizer)
    with pytest.raises(error, match=f"{name}.load_state_dict: .*{match}"):
        optimizer.load_state_dict(saved)
    assert snapshot(optimizer) == before
    with pytest.raises(error, match=f"{name}.add_param_group: .*{match}"):
        optimizer.add_param_group({"params": [nn.Parameter(minitorch.ones(1))], key: value})
    assert snapshot(optimizer) == before


@pytest.mark.parametrize("name,options", [("Adagrad", dict(lr=0.1, lr_decay=0.01)),
                                          ("Adamax", dict(lr=0.02)),
                                          ("AdamW", dict(amsgrad=True)),
                                          ("NAdam", {}), ("Rprop", {}), ("ASGD", dict(t0=2))])
def test_resuming_from_a_saved_state_dict_continues_exactly(name, options, tmp_path):
    assert_a_saved_state_dict_resumes_exactly(name, options, tmp_path / f"{name}.npz")


# ---- lr schedulers -----------------------------------------------------------------------

def scheduler(name, **options):
    """A factory (library, optimizer) -> library.optim.lr_scheduler.<name>(optimizer, ...)."""
    return lambda library, optimizer: getattr(library.optim.lr_scheduler, name)(optimizer,
                                                                               **options)


def sequential(parts, milestones):
    def make(library, optimizer):
        return library.optim.lr_scheduler.SequentialLR(
            optimizer, [part(library, optimizer) for part in parts], milestones)
    return make


def chained(parts):
    def make(library, optimizer):
        return library.optim.lr_scheduler.ChainedScheduler(
            [part(library, optimizer) for part in parts])
    return make


def schedule(library, factories, epochs, kind="SGD", before_step=None):
    """After making the schedulers and after each epoch: the groups' lrs and momentums and
    each scheduler's get_last_lr(). before_step(library, optimizer, epoch) may change the
    optimizer before each epoch's steps."""
    optimizer = make_optimizer(library, kind)
    made = [factory(library, optimizer) for factory in factories]

    def record():
        return [[group["lr"] for group in optimizer.param_groups], momentums(optimizer)] + \
            [each.get_last_lr() for each in made]

    history = [record()]
    for epoch in range(epochs):
        if before_step is not None:
            before_step(library, optimizer, epoch)
        optimizer.step()
        for each in made:
            each.step()
        history.append(record())
    return history


def set_first_lr(lr, at_epoch):
    def before_step(library, optimizer, epoch):
        if epoch == at_epoch:
            optimizer.param_groups[0]["lr"] = lr
    return before_step


def add_group_at(at_epoch):
    def before_step(library, optimizer, epoch):
        if epoch == at_epoch:
            optimizer.add_param_group({"params": [library.nn.Parameter(library.ones(1))],
                                       "lr": 1.0})
    return before_step


def halve(epoch):
    return 0.5 ** (epoch // 3)


STEP = scheduler("StepLR", step_size=2, gamma=0.5)
COSINE = scheduler("CosineAnnealingLR", T_max=4)

SCHEDULES = {  # id: (factories, epochs, optimizer kind, before_step)
    "step": ([scheduler("StepLR", step_size=3)], 10, "SGD", None),
    "step-gamma": ([STEP], 9, "SGD", None),
    "cosine": ([scheduler("CosineAnnealingLR", T_max=5)], 16, "SGD", None),  # 2 minima, a max
    "cosine-eta_min": ([scheduler("CosineAnnealingLR", T_max=4, eta_min=0.01)], 13, "SGD",
                       None),
    "step-manual-lr": ([STEP], 10, "SGD", set_first_lr(0.05, at_epoch=0)),
    "cosine-manual-lr": ([COSINE], 10, "SGD", set_first_lr(0.5, at_epoch=2)),
    "step+cosine": ([STEP, COSINE], 10, "SGD", None),
    "cosine+step": ([COSINE, STEP], 10, "SGD", None),
    "step-added-group": ([STEP], 10, "SGD", add_group_at(1)),
    "cosine-added-group": ([scheduler("CosineAnnealingLR", T_max=10)], 10, "SGD",
                           add_group_at(2)),
    "exponential": ([scheduler("ExponentialLR", gamma=0.9)], 30, "SGD", None),
    "exponential-manual-lr": ([scheduler("ExponentialLR", gamma=0.8)], 10, "SGD",
                              set_first_lr(0.05, at_epoch=3)),
    "multistep": ([scheduler("MultiStepLR", milestones=[3, 7, 7, 12], gamma=0.5)], 20, "SGD",
                  None),
    "multistep-unsorted": ([scheduler("MultiStepLR", milestones=(9, 2))], 12, "SGD", None),
    "lambda": ([scheduler("LambdaLR", lr_lambda=lambda epoch: 0.95 ** epoch)], 25, "SGD",
               None),
    "lambda-per-group": ([scheduler("LambdaLR", lr_lambda=[halve, lambda e: 1 / (e + 1)])],
                         15, "SGD", set_first_lr(0.7, at_epoch=4)),
    "multiplicative": ([scheduler("MultiplicativeLR", lr_lambda=lambda epoch: 0.97)], 25,
                       "SGD", None),
    "multiplicative-per-group": ([scheduler("MultiplicativeLR",
                                            lr_lambda=[lambda e: 0.9, lambda e: 1 + e / 10])],
                                 12, "SGD", set_first_lr(0.05, at_epoch=2)),
    "linear": ([scheduler("LinearLR")], 10, "SGD", None),
    "linear-down": ([scheduler("LinearLR", start_factor=1.0, end_factor=0.1, total_iters=8)],
                    12, "SGD", None),
    "linear-to-zero": ([scheduler("LinearLR", start_factor=0.5, end_factor=0.0,
                                  total_iters=4)], 6, "SGD", None),
    "constant": ([scheduler("ConstantLR")], 10, "SGD", None),
    "constant-half": ([scheduler("ConstantLR", factor=0.5, total_iters=3)], 8, "SGD",
                      set_first_lr(1.0, at_epoch=1)),
    "one-cycle": ([scheduler("OneCycleLR", max_lr=1.0, total_steps=40)], 40, "SGD", None),
    "one-cycle-linear": ([scheduler("OneCycleLR", max_lr=[1.0, 2.0], total_steps=30,
                                    anneal_strategy="linear", pct_start=0.25)], 30, "SGD",
                         None),
    "one-cycle-three-phase": ([scheduler("OneCycleLR", max_lr=0.5, epochs=4,
                                         steps_per_epoch=9, three_phase=True,
                                         base_momentum=[0.8, 0.7], max_momentum=0.99,
                                         div_factor=10.0, final_div_factor=100.0)],
                              36, "SGD", None),
    "one-cycle-adam": ([scheduler("OneCycleLR", max_lr=0.01, total_steps=25)], 25, "Adam",
                       None),
    "one-cycle-adam-three-phase-linear": ([scheduler("OneCycleLR", max_lr=0.01, total_steps=20,
                                                     three_phase=True, pct_start=0.4,
                                                     anneal_strategy="linear")],
                                          20, "Adam", None),
    "one-cycle-no-momentum": ([scheduler("OneCycleLR", max_lr=1.0, total_steps=15,
                                         cycle_momentum=False)], 15, "SGD", None),
    "linear+exponential": ([scheduler("LinearLR", total_iters=4),
                            scheduler("ExponentialLR", gamma=0.9)], 15, "SGD", None),
    "constant+multistep+step": ([scheduler("ConstantLR", factor=0.5, total_iters=4),
                                 scheduler("MultiStepLR", milestones=[2, 6]),
                                 scheduler("StepLR", step_size=5, gamma=0.5)], 14, "SGD", None),
    "multiplicative+cosine": ([scheduler("MultiplicativeLR", lr_lambda=lambda e: 0.99),
                               scheduler("CosineAnnealingLR", T_max=5)], 16, "SGD", None),
    "chained": ([chained([scheduler("LinearLR", total_iters=3),
                          scheduler("ExponentialLR", gamma=0.9)])], 12, "SGD", None),
    "sequential": ([sequential([scheduler("LinearLR", start_factor=0.1, total_iters=4),
                                scheduler("ExponentialLR", gamma=0.8)], milestones=[4])],
                   14, "SGD", None),
    "sequential-three": ([sequential([scheduler("ConstantLR", factor=0.25, total_iters=2),
                                      scheduler("MultiplicativeLR", lr_lambda=lambda e: 0.9),
                                      scheduler("CosineAnnealingLR", T_max=4)],
                                     milestones=[3, 8])], 20, "SGD", None),
    # the milestone, where torch's SequentialLR asks the ChainedScheduler for an lr at its
    # epoch 0, which it has not (torch and minitorch raise), is not reached
    "sequential-of-chained": ([sequential([chained([scheduler("ConstantLR", factor=0.5,
                                                              total_iters=2),
                                                    scheduler("ExponentialLR", gamma=0.9)]),
                                           scheduler("MultiStepLR", milestones=[2, 4])],
                                          milestones=[5])], 4, "SGD", None),
    "polynomial": ([scheduler("PolynomialLR", total_iters=6, power=2.0)], 10, "SGD", None),
    "polynomial-manual-lr": ([scheduler("PolynomialLR", total_iters=8, power=0.5)], 10, "SGD",
                             set_first_lr(0.05, at_epoch=2)),
    "polynomial+step": ([scheduler("PolynomialLR", total_iters=7), STEP], 10, "SGD", None),
    "warm-restarts": ([scheduler("CosineAnnealingWarmRestarts", T_0=3)], 12, "SGD", None),
    "warm-restarts-growing": ([scheduler("CosineAnnealingWarmRestarts", T_0=2, T_mult=2,
                                         eta_min=0.01)], 20, "SGD", None),
    "cyclic": ([scheduler("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3)], 16, "SGD",
               None),
    "cyclic-triangular2": ([scheduler("CyclicLR", base_lr=[0.01, 0.02], max_lr=0.2,
                                      step_size_up=2, step_size_down=4, mode="triangular2",
                                      base_momentum=[0.7, 0.75], max_momentum=0.95)],
                           25, "SGD", None),
    "cyclic-exp-range-adam": ([scheduler("CyclicLR", base_lr=0.001, max_lr=0.01,
                                         step_size_up=4, mode="exp_range", gamma=0.9)],
                              20, "Adam", None),
    "cyclic-scale-fn": ([scheduler("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2.5,
                                   scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations",
                                   cycle_momentum=False)], 15, "SGD", None),
    "sequential-manual-lr": ([sequential([scheduler("ExponentialLR", gamma=0.5),
                                          scheduler("LambdaLR", lr_lambda=halve)],
                                         milestones=[3])], 10, "SGD",
                             set_first_lr(2.0, at_epoch=1)),
}


@pytest.mark.parametrize("case", SCHEDULES)
def test_schedules_match_torch(case):
    """Each epoch's group lrs and momentums, and every scheduler's get_last_lr(), over two
    parameter groups, with several schedulers on one optimizer and manual lr changes.
    Chainable, as torch's: each step starts from the group's current lr, so a manual lr
    change, a second scheduler and a group added later are all carried along."""
    assert_same_schedule(*in_both(schedule, *SCHEDULES[case]))


@pytest.mark.parametrize("name,options", [
    ("ExponentialLR", dict(gamma=0.7)), ("MultiStepLR", dict(milestones=[2, 5, 5])),
    ("ConstantLR", dict(factor=0.5, total_iters=4)),
    ("LinearLR", dict(start_factor=0.2, total_iters=6)),
    ("LambdaLR", dict(lr_lambda=halve)), ("MultiplicativeLR", dict(lr_lambda=halve)),
])
def test_step_with_an_epoch_matches_torch(name, options):
    """step(epoch) (deprecated) uses the closed form, or get_lr() where torch's has none."""
    assert_same_schedule(*in_both(jumped, name, options, epochs=[3, 7, 4]))


@pytest.mark.parametrize("options", [dict(T_0=3), dict(T_0=2, T_mult=2, eta_min=0.05),
                                     dict(T_0=1, T_mult=3)])
def test_warm_restarts_step_to_fractional_epochs_matches_torch(options):
    """CosineAnnealingWarmRestarts.step(epoch) takes fractional epochs (per batch), not
    deprecated there; plain steps after a jump go on from it."""
    def run(library):
        optimizer = make_optimizer(library)
        made = library.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, **options)
        history = []
        for epoch in (0.5, 1.25, 2.0, 3.7, 7.2, 6.0, 14.9):
            optimizer.step()
            made.step(epoch)
            history.append([[made.last_epoch, made.T_cur, made.T_i], made.get_last_lr()])
            made.step()
            history.append([[made.last_epoch, made.T_cur, made.T_i], made.get_last_lr()])
        return history
    assert_same_schedule(*in_both(run))


@pytest.mark.parametrize("make,error,match", [
    (lambda o: optim.lr_scheduler.PolynomialLR(o, total_iters=0), ValueError,
     "PolynomialLR: total_iters must be >= 1"),
    (lambda o: optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2.5), TypeError,
     "T_0 must be an int"),
    (lambda o: optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError,
     "T_mult must be >= 1"),
    (lambda o: optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="sawtooth"), ValueError,
     "mode must be one of"),
    (lambda o: optim.lr_scheduler.CyclicLR(o, [0.01], 0.1), ValueError,
     "base_lr must have the same length as optimizer.param_groups"),
    (lambda o: optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError,
     "invalid step_size_up 0"),
    (lambda o: optim.lr_scheduler.CyclicLR(optim.Adagrad(o.param_groups[0]["params"]), 0.01,
                                           0.1), ValueError, "must support momentum"),
])
def test_bad_new_scheduler_arguments_change_nothing(make, error, match):
    optimizer = make_optimizer(minitorch)
    before = copy.deepcopy(optimizer.param_groups)
    with pytest.raises(error, match=match):
        make(optimizer)
    assert [{k: v for k, v in group.items() if k != "params"} for group in
            optimizer.param_groups] == [{k: v for k, v in group.items() if k != "params"}
                                        for group in before]


# ---- ReduceLROnPlateau -------------------------------------------------------------------

METRICS = [5.0, 4.0, 4.1, 4.0, 3.9996, 4.2, 4.3, 3.0, 3.0, 3.1, 3.2, 3.3, 2.9, 2.95, 3.5,
           float("nan"), 3.6, 2.0, 2.5, 2.5, 2.5, 2.5, 2.5, 1.0, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7,
           1.8, 1.9, 2.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]


@pytest.mark.parametrize("options", [
    dict(),
    dict(patience=2),
    dict(patience=0, factor=0.5),
    dict(mode="max", patience=1, factor=0.5),
    dict(mode="max", threshold_mode="abs", threshold=0.5, patience=1),
    dict(threshold_mode="abs", threshold=0.05, patience=1, cooldown=2),
    dict(patience=1, cooldown=1, min_lr=0.02, factor=0.3),
    dict(patience=0, min_lr=[0.05, 0.001], factor=0.2),
    dict(patience=0, eps=0.05),  # reductions of the 0.1 group by 0.05 or less are skipped
    dict(threshold=0.3, patience=1),
    dict(threshold=0.0, patience=1),  # a repeated metric is no improvement
    dict(mode="max", threshold=0.0, threshold_mode="abs", patience=2, cooldown=1),
], ids=lambda options: ",".join(f"{k}={v}" for k, v in options.items()) or "defaults")
def test_reduce_on_plateau_matches_torch(options):
    def drive(library):
        optimizer = make_optimizer(library)
        plateau = library.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **options)
        history = [plateau.get_last_lr()]
        for metric in METRICS:
            optimizer.step()
            plateau.step(library.tensor(metric))
            history.append([plateau.get_last_lr(), [group["lr"] for group in
                                                    optimizer.param_groups],
                            plateau.num_bad_epochs, plateau.cooldown_counter,
                            plateau.last_epoch, plateau.in_cooldown])
        return history, plateau.best

    (ours, our_best), (theirs, their_best) = drive(minitorch), drive(torch)
    assert ours == theirs and our_best == their_best


def test_reduce_on_plateau_uses_its_min_lr_for_a_group_added_later_as_torch():
    def drive(library):
        optimizer = make_optimizer(library)
        plateau = library.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0,
                                                               min_lr=0.08)
        optimizer.add_param_group({"params": [library.nn.Parameter(library.ones(1))],
                                   "lr": 1.0})
        lrs = []
        for metric in (1.0, 2.0, 3.0, 4.0):
            plateau.step(metric)
            lrs.append(plateau.get_last_lr())
        return lrs, plateau.min_lrs

    ours = drive(minitorch)
    assert ours == drive(torch)
    assert ours[0][-1] == pytest.approx([0.08, 0.08, 0.08]) and ours[1] == [0.08] * 3


def test_reduce_on_plateau_without_min_lr_for_a_new_group_raises_and_changes_nothing():
    optimizer = make_optimizer(minitorch)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, min_lr=[0.0, 0.0])
    plateau.step(1.0)
    optimizer.add_param_group({"params": [nn.Parameter(minitorch.ones(1))]})
    before = (plateau.state_dict(), [group["lr"] for group in optimizer.param_groups])
    with pytest.raises(RuntimeError, match="number of param groups in the optimizer \\(3\\) "
                                           "differs from when ReduceLROnPlateau was "
                                           "initialized \\(2\\)"):
        plateau.step(2.0)
    assert (plateau.state_dict(), [group["lr"] for group in optimizer.param_groups]) == before
    torch_optimizer = make_optimizer(torch)
    torch_plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_optimizer, patience=0,
                                                               min_lr=[0.0, 0.0])
    torch_plateau.step(1.0)
    torch_optimizer.add_param_group({"params": [torch.nn.Parameter(torch.ones(1))]})
    with pytest.raises(RuntimeError, match="differs from when"):
        torch_plateau.step(2.0)


@pytest.mark.parametrize("metric", ["a lot", None, minitorch.ones(2)])
def test_reduce_on_plateau_refuses_a_metric_that_is_not_a_number(metric):
    plateau = optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(minitorch))
    before = plateau.state_dict()
    with pytest.raises(TypeError, match="ReduceLROnPlateau.step: metrics must be a number or "
                                        "a one-element tensor"):
        plateau.step(metric)
    assert plateau.state_dict() == before


# ---- state dicts -------------------------------------------------------------------------

class Warmup:
    """A picklable lr_lambda with state, which LambdaLR's state_dict() keeps."""

    def __init__(self, epochs):
        self.epochs = epochs

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.epochs)


RESUMABLE = {  # id: (factories, optimizer kind); state saved after 5 steps, 10 more after
    "exponential": ([scheduler("ExponentialLR", gamma=0.9)], "SGD"),
    "multistep": ([scheduler("MultiStepLR", milestones=[3, 7, 9])], "SGD"),
    "lambda": ([scheduler("LambdaLR", lr_lambda=lambda epoch: 0.9 ** epoch)], "SGD"),
    "lambda-object": ([scheduler("LambdaLR", lr_lambda=Warmup(8))], "SGD"),
    "multiplicative": ([scheduler("MultiplicativeLR", lr_lambda=lambda epoch: 0.95)], "SGD"),
    "linear": ([scheduler("LinearLR", total_iters=8)], "SGD"),
    "constant": ([scheduler("ConstantLR", total_iters=7)], "SGD"),
    "one-cycle": ([scheduler("OneCycleLR", max_lr=0.5, total_steps=15)], "SGD"),
    "one-cycle-adam": ([scheduler("OneCycleLR", max_lr=0.5, total_steps=20, three_phase=True)],
                       "Adam"),
    "chained": ([chained([scheduler("LinearLR", total_iters=6),
                          scheduler("MultiStepLR", milestones=[4, 8])])], "SGD"),
    "sequential": ([sequential([scheduler("LinearLR", total_iters=3),
                                scheduler("ExponentialLR", gamma=0.9),
                                scheduler("LambdaLR", lr_lambda=Warmup(4))],
                               milestones=[3, 6])], "SGD"),
    "polynomial": ([scheduler("PolynomialLR", total_iters=9, power=1.5)], "SGD"),
    "warm-restarts": ([scheduler("CosineAnnealingWarmRestarts", T_0=2, T_mult=2)], "SGD"),
    "cyclic": ([scheduler("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3)], "SGD"),
    "cyclic-object": ([scheduler("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2,
                                 scale_fn=Warmup(6), cycle_momentum=False)], "SGD"),
    "two-schedulers": ([scheduler("LinearLR", total_iters=4),
                        scheduler("ExponentialLR", gamma=0.8)], "SGD"),
}


def resumed_schedule(library, factories, kind, convert=None, source=None):
    """Five epochs, a checkpoint (optimizer and scheduler state dicts, deep copied; from
    the `source` library's run when given, converted by `convert`), ten more; then a new
    optimizer and schedulers made fresh, the checkpoint loaded into them, and the same ten
    epochs. Returns both continuations (get_last_lr() and group lrs and momentums)."""
    def run(optimizer, made, epochs):
        history = []
        for _ in range(epochs):
            optimizer.step()
            for each in made:
                each.step()
            history.append([each.get_last_lr() for each in made] +
                           [[group["lr"] for group in optimizer.param_groups],
                            momentums(optimizer)])
        return history

    def checkpoint(origin):
        optimizer = make_optimizer(origin, kind)
        made = [factory(origin, optimizer) for factory in factories]
        run(optimizer, made, 5)
        return optimizer, made, copy.deepcopy((optimizer.state_dict(),
                                               [each.state_dict() for each in made]))

    optimizer, made, (optimizer_state, scheduler_states) = checkpoint(library)
    continued = run(optimizer, made, 10)
    if source is not None:
        _, _, (optimizer_state, scheduler_states) = checkpoint(source)
        optimizer_state = convert(optimizer_state)
    fresh_optimizer = make_optimizer(library, kind)
    fresh = [factory(library, fresh_optimizer) for factory in factories]
    fresh_optimizer.load_state_dict(optimizer_state)
    for each, state in zip(fresh, scheduler_states):
        each.load_state_dict(state)
    return continued, run(fresh_optimizer, fresh, 10)


@pytest.mark.parametrize("case", RESUMABLE)
def test_resuming_from_state_dicts_continues_as_torch(case):
    factories, kind = RESUMABLE[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        their_continued, their_resumed = resumed_schedule(torch, factories, kind)
    our_continued, our_resumed = resumed_schedule(minitorch, factories, kind)
    assert_same_schedule(our_resumed, our_continued)
    assert_same_schedule(our_continued, their_continued)
    assert_same_schedule(their_resumed, their_continued)


@pytest.mark.parametrize("case", ["exponential", "lambda-object", "one-cycle-adam",
                                  "chained", "sequential"])
def test_torchs_state_dicts_load_into_minitorch_schedulers(case):
    """The state dicts hold the same entries under the same names, so a checkpoint
    written by torch resumes in minitorch."""
    factories, kind = RESUMABLE[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        continued, resumed = resumed_schedule(minitorch, factories, kind,
                                              minitorch.serialization.from_torch, torch)
    assert_same_schedule(resumed, continued)


def keys_of(state):
    """The key structure of a scheduler state dict (nested ones for composites), less
    torch's bookkeeping of get_lr() warnings."""
    keys = sorted(key for key in state if key != "_get_lr_called_within_step")
    return keys + [keys_of(inner) for inner in state.get("_schedulers", [])]


@pytest.mark.parametrize("case", [*RESUMABLE, "plateau"])
def test_state_dict_entries_are_torchs(case):
    def state(library):
        optimizer = make_optimizer(library, RESUMABLE.get(case, (None, "SGD"))[1])
        if case == "plateau":
            return [library.optim.lr_scheduler.ReduceLROnPlateau(optimizer).state_dict()]
        return [factory(library, optimizer).state_dict() for factory in RESUMABLE[case][0]]

    assert [keys_of(each) for each in state(minitorch)] == \
        [keys_of(each) for each in state(torch)]


def test_lambda_lr_state_omits_functions_but_keeps_callable_objects_state():
    optimizer = make_optimizer(minitorch)
    warmup = Warmup(5)
    made = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=[lambda epoch: 1.0, warmup])
    state = made.state_dict()
    assert state["lr_lambdas"] == [None, {"epochs": 5}]
    pickle.dumps(state)  # no lambda inside
    warmup.epochs = 99
    made.load_state_dict(state)
    assert warmup.epochs == 5 and state["lr_lambdas"] == [None, {"epochs": 5}]
    torch_optimizer = make_optimizer(torch)
    torch_made = torch.optim.lr_scheduler.LambdaLR(torch_optimizer, [lambda e: 1.0, Warmup(5)])
    assert torch_made.state_dict()["lr_lambdas"] == state["lr_lambdas"]


@pytest.mark.parametrize("make_bad,error,match", [
    (lambda state: [state], TypeError, "expected the dict state_dict\\(\\) returns, got list"),
    (lambda state: {**state, "lr_lambdas": [None]}, ValueError, "'lr_lambdas' must be a list "
                                                               "of 2 entries"),
    (lambda state: {key: v for key, v in state.items() if key != "lr_lambdas"}, ValueError,
     "'lr_lambdas'"),
])
def test_a_bad_lambda_lr_state_dict_changes_nothing(make_bad, error, match):
    made = optim.lr_scheduler.LambdaLR(make_optimizer(minitorch), lr_lambda=halve)
    made.step()
    state = {**made.state_dict(), "last_epoch": 40}
    before = made.state_dict()
    with pytest.raises(error, match=f"LambdaLR.load_state_dict: {match}"):
        made.load_state_dict(make_bad(state))
    assert made.state_dict() == before


def test_a_bad_composite_state_dict_changes_nothing():
    optimizer = make_optimizer(minitorch)
    made = optim.lr_scheduler.ChainedScheduler([
        optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9),
        optim.lr_scheduler.LinearLR(optimizer)])
    made.step()
    state = made.state_dict()
    before = made.state_dict()
    with pytest.raises(ValueError, match="ChainedScheduler.load_state_dict: '_schedulers' "
                                         "must be a list of 2 state dicts"):
        made.load_state_dict({**state, "_last_lr": [5.0], "_schedulers": state["_schedulers"][:1]})
    assert made.state_dict() == before


# ---- resuming with last_epoch ------------------------------------------------------------

@pytest.mark.parametrize("name,options", [
    ("ExponentialLR", dict(gamma=0.8)), ("MultiStepLR", dict(milestones=[2, 4, 6])),
    ("ConstantLR", dict(factor=0.5, total_iters=5)), ("LinearLR", dict(total_iters=6)),
    ("MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.9)),
    ("LambdaLR", dict(lr_lambda=halve)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=14)),
])
def test_resuming_with_last_epoch_matches_torch(name, options):
    """A scheduler made with last_epoch=3 over an optimizer restored from a checkpoint
    (which holds initial_lr, and OneCycleLR's entries) goes on as torch's does."""
    assert_same_schedule(*in_both(resumed_at_last_epoch, name, options))


def test_one_cycle_resume_needs_its_group_entries():
    optimizer = make_optimizer(minitorch)
    optimizer.param_groups[0]["initial_lr"] = optimizer.param_groups[1]["initial_lr"] = 0.1
    with pytest.raises(KeyError, match="OneCycleLR: param 'max_lr' is not specified in "
                                       "param_groups\\[0\\] when resuming"):
        optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10, last_epoch=3)


# ---- bad arguments and failed steps --------------------------------------------------------

def groups_of(optimizer):
    return [{key: value for key, value in group.items() if key != "params"}
            for group in optimizer.param_groups]


def made_before(optimizer):
    """Schedulers for the cases that combine them, made before the optimizer's groups are
    recorded (making one changes them): two LinearLRs and a ReduceLROnPlateau over
    `optimizer`, an ExponentialLR over another optimizer."""
    return dict(linear=optim.lr_scheduler.LinearLR(optimizer),
                linear2=optim.lr_scheduler.LinearLR(optimizer),
                plateau=optim.lr_scheduler.ReduceLROnPlateau(optimizer),
                other=optim.lr_scheduler.ExponentialLR(make_optimizer(minitorch), gamma=0.9))


BAD_OPTIONS = {  # scheduler: [(its keyword arguments after the optimizer, error, message)]
    "ExponentialLR": [
        (dict(gamma=-0.5), ValueError,
         "ExponentialLR: invalid gamma -0.5; it must be a finite number >= 0"),
        (dict(gamma=float("nan")), ValueError, "invalid gamma nan"),
        (dict(gamma="0.9"), TypeError, "gamma must be a real number, got str"),
        (dict(gamma=0.9, last_epoch=-2), ValueError, "last_epoch must be >= -1")],
    "MultiStepLR": [
        (dict(milestones=3), TypeError, "MultiStepLR: milestones must be a list of ints, got int"),
        (dict(milestones=[2, 4.5]), TypeError, "milestones\\[1\\] must be an int, got float"),
        (dict(milestones=[2, -1]), ValueError, "milestones\\[1\\] must be >= 0")],
    "LambdaLR": [
        (dict(lr_lambda=[halve]), ValueError,
         "LambdaLR: expected 2 lr_lambdas \\(one per parameter group\\), but got 1"),
        (dict(lr_lambda=0.5), TypeError,
         "lr_lambda should be a function of the epoch, but got float")],
    "MultiplicativeLR": [(dict(lr_lambda=[halve, "x"]), TypeError, "got str \\(for group 1\\)")],
    "LinearLR": [
        (dict(start_factor=0.0), ValueError,
         "LinearLR: invalid start_factor 0.0; it must be in \\(0, 1\\]"),
        (dict(end_factor=1.5), ValueError, "invalid end_factor 1.5; it must be in \\[0, 1\\]"),
        (dict(total_iters=0), ValueError, "total_iters must be >= 1")],
    "ConstantLR": [
        (dict(factor=0.0), ValueError, "ConstantLR: invalid factor 0.0"),
        (dict(factor=2.0), ValueError, "invalid factor 2.0"),
        (dict(total_iters=2.5), TypeError, "total_iters must be an int")],
    "OneCycleLR": [
        (dict(max_lr=1.0), ValueError,
         "you must define either total_steps OR \\(epochs AND steps_per_epoch\\)"),
        (dict(max_lr=1.0, total_steps=0), ValueError, "total_steps must be >= 1"),
        (dict(max_lr=1.0, epochs=2, steps_per_epoch=1.5), TypeError,
         "steps_per_epoch must be an int"),
        (dict(max_lr=[1.0], total_steps=10), ValueError,
         "max_lr must have the same length as optimizer.param_groups: max_lr has 1 values, "
         "param_groups has 2"),
        (dict(max_lr=[1.0, -1.0], total_steps=10), ValueError, "invalid max_lr\\[1\\] -1.0"),
        (dict(max_lr=1.0, total_steps=10, pct_start=1.5), ValueError, "invalid pct_start 1.5"),
        (dict(max_lr=1.0, total_steps=10, anneal_strategy="cosine"), ValueError,
         "anneal_strategy must be one of 'cos' or 'linear', instead got 'cosine'"),
        (dict(max_lr=1.0, total_steps=10, div_factor=0), ValueError, "invalid div_factor 0"),
        (dict(max_lr=1.0, total_steps=10, max_momentum=1.0), ValueError,
         "invalid max_momentum 1.0; it must be in \\[0, 1\\)"),
        (dict(max_lr=1.0, total_steps=10, base_momentum=[0.8, None]), TypeError,
         "base_momentum\\[1\\] must be a real number"),
        (dict(max_lr=1.0, total_steps=10, pct_start=0.1), ValueError,
         "phase 1 of the cycle would start and end at step 0"),
        (dict(max_lr=1.0, total_steps=10, pct_start=1.0), ValueError,
         "phase 2 of the cycle would start and end at step 9"),
        (dict(max_lr=1.0, total_steps=10, pct_start=0.55, three_phase=True), ValueError,
         "phase 3 of the cycle would start and end at step 9")],
    "ReduceLROnPlateau": [
        (dict(factor=1.0), ValueError,
         "ReduceLROnPlateau: invalid factor 1.0; it must be in \\[0, 1\\)"),
        (dict(mode="avg"), ValueError, "mode must be 'min' or 'max', got 'avg'"),
        (dict(threshold_mode="relative"), ValueError, "threshold_mode must be 'rel' or 'abs'"),
        (dict(patience=-1), ValueError, "patience must be >= 0"),
        (dict(cooldown=1.0), TypeError, "cooldown must be an int"),
        (dict(threshold=-1e-4), ValueError, "invalid threshold"),
        (dict(min_lr=[0.1]), ValueError, "min_lr must have the same length"),
        (dict(eps=float("inf")), ValueError, "invalid eps inf")],
}


def made_with(name, options):
    """make(optimizer, made_before(optimizer)) of optim.lr_scheduler.<name>(optimizer,
    **options)."""
    return lambda o, m: getattr(optim.lr_scheduler, name)(o, **options)


BAD_SCHEDULERS = [  # (make(optimizer, made_before(optimizer)), error, message)
    *((made_with(name, options), error, match)
      for name, cases in BAD_OPTIONS.items() for options, error, match in cases),
    # over a torch optimizer, or over schedulers rather than an optimizer
    (lambda o, m: optim.lr_scheduler.ReduceLROnPlateau(torch.optim.SGD(
        [torch.nn.Parameter(torch.ones(1))])), TypeError, "needs a minitorch Optimizer"),
    (lambda o, m: optim.lr_scheduler.ChainedScheduler([]), ValueError,
     "ChainedScheduler expects at least one scheduler"),
    (lambda o, m: optim.lr_scheduler.ChainedScheduler([m["linear"], 3]),
     TypeError, "the scheduler at index 1 is a int"),
    (lambda o, m: optim.lr_scheduler.ChainedScheduler(
        [m["linear"], m["other"]]), ValueError,
     "same optimizer, but the ExponentialLR at index 1 has another one"),
    (lambda o, m: optim.lr_scheduler.ChainedScheduler(
        [m["plateau"]]), ValueError,
     "does not support ReduceLROnPlateau \\(at index 0\\)"),
    (lambda o, m: optim.lr_scheduler.SequentialLR(o, [m["linear"]], [3]),
     ValueError, "number of schedulers 1 and the number of milestones to be equal to 1"),
    (lambda o, m: optim.lr_scheduler.SequentialLR(
        o, [m["linear"], m["linear2"], m["linear"]], [5, 5]), ValueError,
     "milestones must be increasing, got \\[5, 5\\]"),
    (lambda o, m: optim.lr_scheduler.SequentialLR(
        o, [m["linear"], m["linear2"]], ["5"]),
     TypeError, "milestones\\[0\\] must be an int"),
    (lambda o, m: optim.lr_scheduler.SequentialLR(
        o, [m["other"], m["linear"]], [5]),
     ValueError, "same optimizer"),
]


@pytest.mark.parametrize("make,error,match", BAD_SCHEDULERS)
def test_bad_scheduler_arguments_are_refused_before_anything_changes(make, error, match):
    """The optimizer's groups (lrs, momentums, initial_lr...) are as they were: a
    scheduler that refuses its arguments has written nothing."""
    optimizer = make_optimizer(minitorch)
    made = made_before(optimizer)
    before = groups_of(optimizer), {name: each.state_dict() for name, each in made.items()}
    with pytest.raises(error, match=match):
        make(optimizer, made)
    assert (groups_of(optimizer), {name: each.state_dict() for name, each in made.items()}) \
        == before


def test_torch_writes_to_the_groups_before_its_one_cycle_divides_by_zero():
    """What the up-front check avoids (the case of the phase 1 refusal above)."""
    optimizer = make_optimizer(torch)
    with pytest.raises(ZeroDivisionError):
        torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10,
                                            pct_start=0.1)
    assert optimizer.param_groups[0]["max_lr"] == 1.0


def test_one_cycle_refuses_cycle_momentum_without_momentum():
    for library in (minitorch, torch):
        optimizer = library.optim.Adagrad([library.nn.Parameter(library.ones(1))])
        before = groups_of(optimizer)
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            library.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
        if library is minitorch:  # torch has written max_lr and the rest by then
            assert groups_of(optimizer) == before


def assert_a_failed_step_changes_nothing(optimizer, made, error, match=None):
    """made[-1].step() raises; the optimizer's groups and the state dicts of all `made`
    are as they were."""
    def snapshot_of_schedulers():
        return groups_of(optimizer), [each.state_dict() for each in made]

    before = snapshot_of_schedulers()
    with pytest.raises(error, match=match):
        made[-1].step()
    assert snapshot_of_schedulers() == before


def test_one_cycle_past_its_last_step_raises_and_changes_nothing():
    optimizer = make_optimizer(minitorch)
    made = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=5)
    for _ in range(5):
        made.step()
    assert_a_failed_step_changes_nothing(optimizer, [made], ValueError,
                                         "OneCycleLR.step: tried to step 6 times; the "
                                         "specified number of total steps is 5")
    torch_made = torch.optim.lr_scheduler.OneCycleLR(make_optimizer(torch), max_lr=1.0,
                                                     total_steps=5)
    with warnings.catch_warnings(), pytest.raises(ValueError, match="Tried to step 6 times"):
        warnings.simplefilter("ignore")
        for _ in range(6):
            torch_made.step()


def test_a_chained_step_that_fails_midway_changes_nothing():
    """The first scheduler has stepped when the second raises: both are put back."""
    optimizer = make_optimizer(minitorch)
    first = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    second = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=3)
    chain = optim.lr_scheduler.ChainedScheduler([first, second])
    for _ in range(3):
        chain.step()
    assert_a_failed_step_changes_nothing(optimizer, [first, second, chain], ValueError,
                                         "tried to step 4 times")


@pytest.mark.parametrize("make", [
    lambda o: optim.lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 1 / (3 - epoch)),
    lambda o: optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda epoch: 1 / (3 - epoch)),
    lambda o: optim.lr_scheduler.SequentialLR(  # the second starts with lr_lambda(0)
        o, [optim.lr_scheduler.ExponentialLR(o, gamma=0.5),
            optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda epoch: 1 / epoch)],
        milestones=[3]),
])
def test_a_step_whose_lr_function_raises_changes_nothing(make):
    optimizer = make_optimizer(minitorch)
    made = make(optimizer)
    for _ in range(2):
        made.step()
    assert_a_failed_step_changes_nothing(optimizer, [made], ZeroDivisionError)


def test_a_lambda_scheduler_needs_a_function_for_a_group_added_later():
    optimizer = make_optimizer(minitorch)
    made = optim.lr_scheduler.MultiplicativeLR(optimizer, lr_lambda=[halve, halve])
    optimizer.add_param_group({"params": [nn.Parameter(minitorch.ones(1))]})
    assert_a_failed_step_changes_nothing(optimizer, [made], ValueError,
                                         "MultiplicativeLR.step: the optimizer has 3 "
                                         "parameter groups but the scheduler lr_lambdas for 2")


def test_schedulers_are_lr_schedulers_and_export_torchs_names():
    names = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "ConstantLR", "LinearLR",
             "LambdaLR", "MultiplicativeLR", "CosineAnnealingLR", "OneCycleLR",
             "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]
    for name in names:
        ours = getattr(optim.lr_scheduler, name)
        assert issubclass(ours, optim.lr_scheduler.LRScheduler)
        assert issubclass(getattr(torch.optim.lr_scheduler, name),
                          torch.optim.lr_scheduler.LRScheduler)
    for name in ("Adagrad", "Adamax"):
        assert issubclass(getattr(optim, name), optim.Optimizer)


@pytest.mark.parametrize("name", ["ExponentialLR", "MultiStepLR", "LambdaLR",
                                  "MultiplicativeLR", "LinearLR", "ConstantLR", "OneCycleLR",
                                  "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"])
def test_scheduler_signatures_are_torchs(name):
    ours = inspect.signature(getattr(optim.lr_scheduler, name)).parameters
    theirs = inspect.signature(getattr(torch.optim.lr_scheduler, name)).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == \
        [(p.name, p.kind, p.default) for p in theirs.values()]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad", "Adamax", "RMSprop",
                                  "Adadelta", "NAdam", "RAdam", "Rprop", "ASGD", "LBFGS",
                                  "Adafactor", "Muon"])
def test_optimizer_signatures_are_torchs(name):
    """Every argument torch takes, minitorch takes under the same name, kind and default,
    its implementation switches (foreach, fused, capturable, differentiable) too, so
    that code passing them runs."""
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == \
        [(p.name, p.kind, p.default) for p in theirs.values()]
