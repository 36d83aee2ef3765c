"""Learning-rate schedules: update each parameter group's "lr" as training goes on.

Call scheduler.step() once per epoch, after optimizer.step() (OneCycleLR and CyclicLR:
once per batch; ReduceLROnPlateau: step(metric) after each validation). As in torch.optim, the
schedules are chainable: each step computes the next lr from the group's current "lr",
so a change made to it by hand or by another scheduler on the same optimizer carries
on, and a group added after the scheduler is scheduled too. Each group's "initial_lr"
(its lr when the first scheduler was made) is the base of the closed-form schedules and
of LambdaLR. (LambdaLR, OneCycleLR, CyclicLR and CosineAnnealingWarmRestarts, which
set the lr from the epoch alone, are the exceptions, as in torch.) ChainedScheduler steps several schedulers at once;
SequentialLR hands the optimizer from one scheduler to the next at milestones.

Each scheduler checks its arguments before it writes to the optimizer, and a step that
raises changes nothing. state_dict() holds the attributes the torch.optim scheduler of
the same name holds, under the same names.
"""
import bisect
import functools
import math
import numbers
import types
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping

from .optimizer import Optimizer, check_real


class LRScheduler:
    """Base class: subclasses implement get_lr() and, where the schedule has one,
    _closed_form_lr().

    Warnings, as torch's: a step() before any optimizer.step() (the schedule's first
    value would be skipped) and a get_lr() called from outside step() (get_last_lr() is
    what gives the current lrs) each warn (UserWarning).

    With last_epoch=-1 (a fresh start), each group's lr is recorded as its "initial_lr"
    unless the group already has one; to resume at a later epoch, every group must have
    "initial_lr" already (load the optimizer's state dict first). base_lrs lists the
    groups' initial_lr. Making a scheduler takes its first step (which leaves the lrs
    as they are on a fresh start, for most schedules) and so sets last_epoch to 0 or one
    past the given one.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_lr" in cls.__dict__:
            cls.get_lr = _warning_outside_step(cls.get_lr)

    def __init__(self, optimizer, last_epoch=-1):
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        _check_int(name, "last_epoch", last_epoch, minimum=-1)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        _check_resumable(name, optimizer, ("initial_lr",), last_epoch)
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._get_lr_called_within_step = False
        self._initial_step()

    def _initial_step(self):
        """Reset the step count and take the first step, during which self._is_initial
        is True (get_lr() of some schedules then keeps the groups' lrs)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The lr of each group for epoch self.last_epoch, from the groups' current lrs
        (those of the epoch before). step() calls it with last_epoch already advanced."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr")

    def _closed_form_lr(self):
        """The lr of each group for epoch self.last_epoch, from base_lrs alone; for a
        schedule without a closed form (LambdaLR, say), get_lr(), as in torch.optim."""
        return self.get_lr()

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def _one_per_group(self, values, what):
        """`values` (one per group that the optimizer had when the scheduler was made),
        after checking that the optimizer has gained no group since; `what` names them."""
        groups = len(self.optimizer.param_groups)
        if len(values) != groups:
            raise ValueError(f"{type(self).__name__}.step: the optimizer has {groups} "
                             f"parameter groups but the scheduler {what} for "
                             f"{len(values)}, those it had when it was made; epoch "
                             f"{self.last_epoch} of this schedule needs one for every "
                             "group, so make the scheduler after add_param_group")
        return values

    def _base_lrs(self):
        return self._one_per_group(self.base_lrs, "base lrs")

    def step(self, epoch=None):
        """Advance one epoch and set every group's lr to get_lr().

        step(epoch), deprecated as in PyTorch, jumps to `epoch` and uses the closed form
        (get_lr() where there is none). A step that raises changes nothing.
        """
        if epoch is not None:
            _warn_epoch_deprecated(f"{type(self).__name__}.step", epoch)
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
                          "In PyTorch 1.1.0 and later, you should call them in the opposite "
                          "order: `optimizer.step()` before `lr_scheduler.step()`.  Failure "
                          "to do this will result in PyTorch skipping the first value of the "
                          "learning rate schedule. See more details at "
                          "https://pytorch.org/docs/stable/optim.html"
                          "#how-to-adjust-learning-rate", UserWarning, stacklevel=2)
        self._step_count += 1
        try:
            self._update_lr(epoch)
        except BaseException:
            self._step_count -= 1
            raise

    def _update_lr(self, epoch=None):
        """Move last_epoch to the next epoch (or to `epoch`, by the closed form) and set
        every group's lr to that epoch's. If computing the lrs raises, last_epoch is put
        back (get_lr() reads it advanced)."""
        previous = self.last_epoch
        self.last_epoch = previous + 1 if epoch is None else epoch
        try:
            lrs = self._lrs_within_step(self.get_lr if epoch is None else self._closed_form_lr)
        except BaseException:
            self.last_epoch = previous
            raise
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def _lrs_within_step(self, compute):
        """compute() (get_lr or the closed form), called as step() calls it: get_lr does
        not warn then."""
        self._get_lr_called_within_step = True
        try:
            return compute()
        finally:
            self._get_lr_called_within_step = False

    def get_last_lr(self):
        """The lr of each group as last set by step() (not any later change by hand)."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer (which has its own state dict)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore what state_dict() returned: its entries replace the attributes."""
        self.__dict__.update(_as_state(f"{type(self).__name__}.load_state_dict",
                                       state_dict))


def _warning_outside_step(get_lr):
    """get_lr, warning as torch's does when called other than by step()."""
    @functools.wraps(get_lr)
    def checked(self):
        if not getattr(self, "_get_lr_called_within_step", True):
            warnings.warn("To get the last learning rate computed by the scheduler, please "
                          "use `get_last_lr()`.", UserWarning, stacklevel=2)
        return get_lr(self)
    return checked


class StepLR(LRScheduler):
    """Multiply each group's lr by gamma every step_size epochs.

    Closed form (from a fresh start): lr = initial_lr * gamma ** (epoch // step_size).
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self._base_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply each group's lr by gamma at each milestone epoch (by gamma ** n at one
    listed n times).

    Closed form: lr = initial_lr * gamma ** (number of milestones <= epoch).
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = _int_list("MultiStepLR", "milestones", milestones, minimum=0)
        _check_finite("MultiStepLR", "gamma", gamma)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _closed_form_lr(self):
        passed = bisect.bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base_lr * self.gamma ** passed for base_lr in self._base_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by gamma every epoch.

    Closed form: lr = initial_lr * gamma ** epoch.
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        _check_finite("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:  # a resumed scheduler's first step keeps the loaded lrs
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self._base_lrs()]


class ConstantLR(LRScheduler):
    """Multiply each group's lr by factor from epoch 0 until epoch total_iters, where the
    factor is divided out again.

    Closed form: lr = initial_lr * (factor if epoch < total_iters else 1).
    factor must be in (0, 1] (torch.optim accepts 0, then divides by it) and total_iters
    at least 1.
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        check_real("ConstantLR", "factor", factor, lambda value: 0 < value <= 1, "in (0, 1]")
        _check_int("ConstantLR", "total_iters", total_iters, minimum=1)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [group["lr"] * (1.0 / self.factor) for group in groups]

    def _closed_form_lr(self):
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) *
                           (1 - self.factor))
                for base_lr in self._base_lrs()]


class LinearLR(LRScheduler):
    """Multiply each group's lr by a factor going linearly from start_factor (epoch 0)
    to end_factor (epoch total_iters and after).

    Closed form: lr = initial_lr * (start_factor + (end_factor - start_factor) *
    min(epoch, total_iters) / total_iters). start_factor must be in (0, 1], end_factor
    in [0, 1] (as torch.optim requires) and total_iters at least 1.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        check_real("LinearLR", "start_factor", start_factor, lambda value: 0 < value <= 1,
                   "in (0, 1]")
        check_real("LinearLR", "end_factor", end_factor, lambda value: 0 <= value <= 1,
                   "in [0, 1]")
        _check_int("LinearLR", "total_iters", total_iters, minimum=1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor +
                                (self.last_epoch - 1) * change)
        return [group["lr"] * ratio for group in groups]

    def _closed_form_lr(self):
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor) *
                           min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self._base_lrs()]


class _LambdaScheduler(LRScheduler):
    """Common ground of LambdaLR and MultiplicativeLR: lr_lambda is one function of the
    epoch for every group, or a list or tuple with one per group.

    state_dict() saves, in place of the functions, the attributes (__dict__) of callable
    objects among them and None for plain functions and lambdas, which do not pickle;
    load_state_dict() restores those attributes into this scheduler's functions, as in
    torch.optim.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"{name}: expected {groups} lr_lambdas (one per parameter "
                                 f"group), but got {len(lr_lambda)}")
            lr_lambdas = list(lr_lambda)
        else:
            lr_lambdas = [lr_lambda] * groups
        for index, function in enumerate(lr_lambdas):
            if not callable(function):
                raise TypeError(f"{name}: lr_lambda should be a function of the epoch, but "
                                f"got {type(function).__name__} (for group {index})")
        self.lr_lambdas = lr_lambdas
        super().__init__(optimizer, last_epoch)

    def _lambdas(self):
        return self._one_per_group(self.lr_lambdas, "lr_lambdas")

    def state_dict(self):
        state = super().state_dict()
        state["lr_lambdas"] = [_function_state(function) for function in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        op = f"{type(self).__name__}.load_state_dict"
        state = _as_state(op, state_dict)
        saved = state.pop("lr_lambdas", None)
        if not isinstance(saved, (list, tuple)) or len(saved) != len(self.lr_lambdas) or \
                not all(entry is None or isinstance(entry, Mapping) for entry in saved):
            raise ValueError(f"{op}: 'lr_lambdas' must be a list of {len(self.lr_lambdas)} "
                             "entries, None or a dict of attributes for each function, as "
                             f"state_dict() saves them; got {saved!r}")
        self.__dict__.update(state)
        for function, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                function.__dict__.update(attributes)


class LambdaLR(_LambdaScheduler):
    """Set each group's lr to its initial_lr * lr_lambda(epoch) (from epoch 0, when made).

    Not chainable: the lr depends on the epoch alone, as in torch.optim.
    """

    def get_lr(self):
        return [base_lr * function(self.last_epoch)
                for function, base_lr in zip(self._lambdas(), self._base_lrs())]


class MultiplicativeLR(_LambdaScheduler):
    """Multiply each group's lr by lr_lambda(epoch) every epoch after the first."""

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [group["lr"] * function(self.last_epoch)
                for function, group in zip(self._lambdas(), self.optimizer.param_groups)]


class CosineAnnealingLR(LRScheduler):
    """Anneal each group's lr from its initial_lr to eta_min over T_max epochs along a
    cosine, and back up over the next T_max, and so on. Closed form (fresh start):

        lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2

    step() applies it as PyTorch does, as the ratio of consecutive epochs' values.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):  # noqa: N803 (PyTorch's name)
        if T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        epoch, groups = self.last_epoch, self.optimizer.param_groups
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and epoch > 0:  # get_lr() called before a resumed step()
            return self._closed_form_lr()
        if (epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            # The last epoch was a minimum, where the ratio below is 0/0: climb by the
            # closed form's first step up instead.
            rise = (1 - math.cos(math.pi / self.T_max)) / 2
            return [group["lr"] + (base_lr - self.eta_min) * rise
                    for base_lr, group in zip(self._base_lrs(), groups)]
        ratio = (1 + math.cos(math.pi * epoch / self.T_max)) / \
            (1 + math.cos(math.pi * (epoch - 1) / self.T_max))
        return [self.eta_min + (group["lr"] - self.eta_min) * ratio for group in groups]

    def _closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min) *
                (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self._base_lrs()]


class PolynomialLR(LRScheduler):
    """Decay each group's lr to 0 over total_iters epochs along a polynomial of degree
    `power`, then keep it there. Closed form (fresh start):

        lr = initial_lr * (1 - min(epoch, total_iters) / total_iters) ** power

    step() applies it as PyTorch does, as the ratio of consecutive epochs' factors.
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        _check_int("PolynomialLR", "total_iters", total_iters, minimum=1)
        _check_finite("PolynomialLR", "power", power)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        epoch, total = self.last_epoch, self.total_iters
        if self._is_initial or epoch > total:
            return self._current_lrs()
        factor = ((1 - epoch / total) / (1 - (epoch - 1) / total)) ** self.power
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _closed_form_lr(self):
        decay = (1 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        return [base_lr * decay for base_lr in self._base_lrs()]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: anneal each group's lr from its initial_lr to eta_min along a cosine over a
    period of T_i epochs, then restart at initial_lr; the first period lasts T_0 epochs,
    each next one T_mult times longer. With T_cur the epochs since the last restart:

        lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    step() advances one epoch; step(epoch) jumps to `epoch`, which may be fractional
    (step(epoch + batch / batches) after each batch), as in PyTorch (not deprecated here).
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):  # noqa: N803
        op = "CosineAnnealingWarmRestarts"
        _check_int(op, "T_0", T_0, minimum=1)
        _check_int(op, "T_mult", T_mult, minimum=1)
        check_real(op, "eta_min", eta_min, lambda value: -math.inf < value < math.inf,
                   "a finite number")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        phase = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * phase for base_lr in self._base_lrs()]

    def step(self, epoch=None):
        """Advance to the next epoch, or to `epoch` (a number >= 0), and set the lrs."""
        op = "CosineAnnealingWarmRestarts.step"
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        period = self.T_i
        if epoch is None:
            epoch = self.last_epoch + 1
            since_restart = self.T_cur + 1
            if since_restart >= period:
                since_restart, period = since_restart % period, period * self.T_mult
        else:
            check_real(op, "epoch", epoch, lambda value: 0 <= value < math.inf,
                       "a finite number >= 0")
            since_restart, period = self._position(epoch)
        previous = self.last_epoch, self.T_cur, self.T_i
        self.last_epoch, self.T_cur, self.T_i = math.floor(epoch), since_restart, period
        try:
            lrs = self._lrs_within_step(self.get_lr)
        except BaseException:
            self.last_epoch, self.T_cur, self.T_i = previous
            raise
        self._step_count += 1
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def _position(self, epoch):
        """(epochs since the last restart, the current period's length) at `epoch`, as
        PyTorch computes them (with T_mult 1 the period is left as it is)."""
        if epoch < self.T_0:
            return epoch, self.T_0
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_i
        restarts = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        return (epoch - self.T_0 * (self.T_mult ** restarts - 1) / (self.T_mult - 1),
                self.T_0 * self.T_mult ** restarts)


class CyclicLR(LRScheduler):
    """Cycle each group's lr between base_lr and max_lr, stepped once per batch, as
    torch.optim.lr_scheduler.CyclicLR.

    CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
    mode='triangular', gamma=1.0, scale_fn=None, scale_mode='cycle', cycle_momentum=True,
    base_momentum=0.8, max_momentum=0.9, last_epoch=-1)

    A cycle rises for step_size_up steps and falls for step_size_down (default: as many).
    The amplitude max_lr - base_lr is scaled by scale_fn of the cycle number
    (scale_mode 'cycle') or of the step ('iterations'): mode 'triangular' keeps it,
    'triangular2' halves it each cycle, 'exp_range' multiplies it by gamma each step; a
    scale_fn given replaces the mode's. With cycle_momentum the momentum (or beta1)
    moves the other way, between max_momentum and base_momentum. base_lr, max_lr and
    the momentums are a number or one per group; on a fresh start each group's lr is
    set to base_lr. state_dict() saves a scale_fn object's attributes (None for a
    function), as LambdaLR does.
    """

    _MODES = ("triangular", "triangular2", "exp_range")

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        op = "CyclicLR"
        _check_optimizer(op, optimizer)
        _check_int(op, "last_epoch", last_epoch, minimum=-1)
        base_lrs = _group_values(op, "base_lr", optimizer, base_lr,
                                 lambda value: 0 <= value < math.inf, "a finite number >= 0")
        self.max_lrs = _group_values(op, "max_lr", optimizer, max_lr,
                                     lambda value: 0 <= value < math.inf,
                                     "a finite number >= 0")
        up = float(_checked_steps(op, "step_size_up", step_size_up))
        down = up if step_size_down is None else \
            float(_checked_steps(op, "step_size_down", step_size_down))
        if scale_fn is None and mode not in self._MODES:
            raise ValueError(f"{op}: mode must be one of {', '.join(map(repr, self._MODES))} "
                             f"when no scale_fn is given, got {mode!r}")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"{op}: scale_fn must be a function of the cycle or step, got "
                            f"{type(scale_fn).__name__}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"{op}: scale_mode must be 'cycle' or 'iterations', got "
                             f"{scale_mode!r}")
        if cycle_momentum:
            self.use_beta1 = _cycled_momentum(op, optimizer, max_momentum, base_momentum,
                                              last_epoch)
            self.base_momentums = [group["base_momentum"] for group in optimizer.param_groups]
            self.max_momentums = [group["max_momentum"] for group in optimizer.param_groups]
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs):
                group["lr"] = lr
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else \
            "iterations" if mode == "exp_range" else "cycle"
        self.cycle_momentum = cycle_momentum
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        """The amplitude's scale at cycle or step x: scale_fn's, or the mode's."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / 2.0 ** (x - 1)
        return self.gamma ** x

    def get_lr(self):
        """The lr of each group at step last_epoch; with cycle_momentum, it also sets each
        group's momentum (or beta1) for that step, as torch.optim's does."""
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle   # how far into the cycle
        rise = x / self.step_ratio if x <= self.step_ratio else \
            (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (top - base) * rise * scale
               for base, top in zip(self._one_per_group(self.base_lrs, "base lrs"),
                                    self._one_per_group(self.max_lrs, "max lrs"))]
        if self.cycle_momentum:
            for group, base, top in zip(self.optimizer.param_groups, self.base_momentums,
                                        self.max_momentums):
                _set_momentum(group, top - (top - base) * rise * scale, self.use_beta1)
        return lrs

    def state_dict(self):
        state = super().state_dict()
        state["_scale_fn_custom"] = _function_state(self._scale_fn_custom)
        return state

    def load_state_dict(self, state_dict):
        op = "CyclicLR.load_state_dict"
        state = _as_state(op, state_dict)
        attributes = state.pop("_scale_fn_custom", None)
        if attributes is not None and not isinstance(attributes, Mapping):
            raise ValueError(f"{op}: '_scale_fn_custom' must be None or a dict of the "
                             f"scale_fn object's attributes, got {attributes!r}")
        self.__dict__.update(state)
        if attributes is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(attributes)


class OneCycleLR(LRScheduler):
    """The 1cycle policy, stepped once per batch, as torch.optim.lr_scheduler.OneCycleLR.

    OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
    pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85,
    max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
    last_epoch=-1)

    The cycle lasts total_steps (or epochs * steps_per_epoch) steps. Two phases: the lr
    goes from initial_lr = max_lr / div_factor up to max_lr over the first pct_start of
    the cycle, then down to min_lr = initial_lr / final_div_factor. With three_phase it
    goes up, back down to initial_lr over as many steps, then to min_lr. Each phase
    anneals along a half cosine ('cos') or a line ('linear'). With cycle_momentum the
    momentum (the group's "momentum" for SGD or RMSprop, beta1 for optimizers with
    "betas") moves the other way, between max_momentum and base_momentum. max_lr,
    base_momentum and max_momentum are a number or a list with one per group.

    On a fresh start each group gets "initial_lr", "max_lr", "min_lr" (and, with
    cycle_momentum, "max_momentum", "base_momentum" and its momentum set to
    max_momentum); resuming (last_epoch >= 0) needs those entries in the groups. Not
    chainable: the lr depends on the step alone. step() may be called total_steps times,
    the last one extrapolating one step past the cycle as torch.optim does; one more
    raises. A cycle in which a phase would last no steps (pct_start * total_steps == 1,
    say), which torch.optim meets with ZeroDivisionError after it has written to the
    groups or at the last step, is refused when the scheduler is made.
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        op = "OneCycleLR"
        _check_optimizer(op, optimizer)
        _check_int(op, "last_epoch", last_epoch, minimum=-1)
        if total_steps is not None:
            _check_int(op, "total_steps", total_steps, minimum=1)
        elif epochs is not None and steps_per_epoch is not None:
            _check_int(op, "epochs", epochs, minimum=1)
            _check_int(op, "steps_per_epoch", steps_per_epoch, minimum=1)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{op}: you must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        check_real(op, "pct_start", pct_start, lambda value: 0 <= value <= 1, "in [0, 1]")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{op}: anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy!r}")
        for name, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            check_real(op, name, value, lambda number: 0 < number < math.inf,
                       "a finite number > 0")
        max_lrs = _group_values(op, "max_lr", optimizer, max_lr,
                                lambda value: 0 <= value < math.inf, "a finite number >= 0")
        phases = _one_cycle_phases(op, total_steps, pct_start, three_phase)
        resume_keys = ["initial_lr", "max_lr", "min_lr"]
        if cycle_momentum:
            self.use_beta1 = _cycled_momentum(op, optimizer, max_momentum, base_momentum,
                                              last_epoch)
            resume_keys += ["max_momentum", "base_momentum"]
        if last_epoch == -1:
            for group, peak in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        _check_resumable(op, optimizer, resume_keys, last_epoch)
        self.total_steps = total_steps
        self._schedule_phases = phases
        self._anneal_func_type = anneal_strategy
        self.cycle_momentum = cycle_momentum
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _annealing_cos(start, end, pct):
        """Cosine anneal from `start` to `end` as pct goes from 0.0 to 1.0."""
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    @staticmethod
    def _annealing_linear(start, end, pct):
        """Linearly anneal from `start` to `end` as pct goes from 0.0 to 1.0."""
        return (end - start) * pct + start

    def _phase(self, step):
        """(the phase that holds `step`, the fraction of it done at `step`); past the
        last phase's end, the last phase with a fraction above 1."""
        start = 0.0
        for index, phase in enumerate(self._schedule_phases):
            end = phase["end_step"]
            if step <= end or index == len(self._schedule_phases) - 1:
                return phase, (step - start) / (end - start)
            start = end

    def get_lr(self):
        """The lr of each group at step last_epoch. With cycle_momentum, it also sets each
        group's momentum (or beta1) for that step, as torch.optim's does."""
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR.step: tried to step {step} times; the specified "
                             f"number of total steps is {self.total_steps}")
        self._base_lrs()  # a group added since has no max_lr or min_lr
        groups = self.optimizer.param_groups
        phase, pct = self._phase(step)
        anneal = self._annealing_cos if self._anneal_func_type == "cos" else \
            self._annealing_linear
        lrs = [anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct) for group in groups]
        if self.cycle_momentum:
            momentums = [anneal(group[phase["start_momentum"]], group[phase["end_momentum"]],
                                pct) for group in groups]
            for group, momentum in zip(groups, momentums):
                _set_momentum(group, momentum, self.use_beta1)
        return lrs


class ReduceLROnPlateau(LRScheduler):
    """Reduce each group's lr by `factor` once a metric has stopped improving.

    ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4,
    threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8); call step(metric) after each
    validation. A metric is an improvement on the best so far when it is below
    best * (1 - threshold) (mode 'min', threshold_mode 'rel'), below best - threshold
    ('min', 'abs'), above best * (1 + threshold) ('max', 'rel') or above best + threshold
    ('max', 'abs'). After more than `patience` epochs without one, each group's lr
    becomes max(lr * factor, its min_lr) unless that changes it by eps or less; then
    `cooldown` epochs pass in which bad epochs are not counted. min_lr is a number or
    a list with one per group. It reduces the groups' current lrs, so a change made by
    hand carries on, but it cannot join a ChainedScheduler or SequentialLR, whose step()
    passes no metric; it is made without a step, as in torch.optim. factor must be in
    [0, 1), the other numbers finite and >= 0 (torch.optim checks only factor < 1).
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        op = "ReduceLROnPlateau"
        check_real(op, "factor", factor, lambda value: 0 <= value < 1, "in [0, 1)")
        _check_optimizer(op, optimizer)
        min_lrs = _group_values(op, "min_lr", optimizer, min_lr,
                                lambda value: 0 <= value < math.inf, "a finite number >= 0")
        _check_int(op, "patience", patience, minimum=0)
        _check_int(op, "cooldown", cooldown, minimum=0)
        _check_finite(op, "threshold", threshold)
        _check_finite(op, "eps", eps)
        if mode not in ("min", "max"):
            raise ValueError(f"{op}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{op}: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        self.factor = factor
        self.optimizer = optimizer
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.min_lrs = min_lrs
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        """True while the epochs after a reduction pass uncounted."""
        return self.cooldown_counter > 0

    def _is_better(self, metric, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (self.threshold + 1.0)
        return metric > best + self.threshold

    def step(self, metrics, epoch=None):
        """Record one epoch's metric (a number or a one-element tensor) and reduce the lrs
        when it is time to. step(metrics, epoch) is deprecated, as in PyTorch. A step
        that raises changes nothing."""
        op = "ReduceLROnPlateau.step"
        try:
            current = float(metrics)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{op}: metrics must be a number or a one-element tensor, got "
                            f"{type(metrics).__name__}") from error
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            _warn_epoch_deprecated(op, epoch)
        if self._is_better(current, self.best):
            best, bad_epochs = current, 0
        else:
            best, bad_epochs = self.best, self.num_bad_epochs + 1
        cooldown_counter = self.cooldown_counter
        if cooldown_counter > 0:
            cooldown_counter -= 1
            bad_epochs = 0  # bad epochs in a cooldown do not count
        reduced = None
        if bad_epochs > self.patience:
            reduced = self._reduced_lrs()
            cooldown_counter, bad_epochs = self.cooldown, 0
        self.last_epoch, self.best = epoch, best
        self.num_bad_epochs, self.cooldown_counter = bad_epochs, cooldown_counter
        if reduced is not None:
            lrs, self.min_lrs = reduced
            for group, lr in zip(self.optimizer.param_groups, lrs):
                group["lr"] = lr
        self._last_lr = self._current_lrs()

    def _reduced_lrs(self):
        """(each group's reduced lr, the min_lrs with one per group), changing nothing.

        A group added since the scheduler was made gets the min_lr given as a number;
        given as a list, there is none for it, a RuntimeError as in torch.optim."""
        groups = self.optimizer.param_groups
        min_lrs = self.min_lrs
        if len(min_lrs) != len(groups):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau.step: the number of param groups in "
                                   f"the optimizer ({len(groups)}) differs from when "
                                   f"ReduceLROnPlateau was initialized ({len(min_lrs)}), "
                                   "usually due to a new param group being added to the "
                                   "optimizer; set min_lrs to a list with one per group")
            min_lrs = [self.default_min_lr] * len(groups)
        lrs = []
        for group, min_lr in zip(groups, min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            lrs.append(new_lr if old_lr - new_lr > self.eps else group["lr"])
        return lrs, min_lrs


class _SchedulerList(LRScheduler):
    """Common ground of ChainedScheduler and SequentialLR: schedulers of one optimizer,
    whose state dicts state_dict() saves as a list under "_schedulers", as torch.optim."""

    def state_dict(self):
        state = super().state_dict()
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        op = f"{type(self).__name__}.load_state_dict"
        state = _as_state(op, state_dict)
        saved = state.pop("_schedulers", None)
        if not isinstance(saved, (list, tuple)) or len(saved) != len(self._schedulers) or \
                not all(isinstance(entry, Mapping) for entry in saved):
            raise ValueError(f"{op}: '_schedulers' must be a list of {len(self._schedulers)} "
                             "state dicts, one per scheduler, as state_dict() saves them")
        self.__dict__.update(state)
        for scheduler, scheduler_state in zip(self._schedulers, saved):
            scheduler.load_state_dict(scheduler_state)


class ChainedScheduler(_SchedulerList):
    """ChainedScheduler(schedulers, optimizer=None): step() steps each of the schedulers
    in turn, so that their changes to the lrs compose. It takes no step when made (the
    schedulers have taken theirs). If one of them raises, the schedulers and the groups
    are put back as they were before the step.
    """

    def __init__(self, schedulers, optimizer=None):
        self.optimizer = _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers = list(schedulers)
        self._last_lr = self._current_lrs()

    def step(self):
        """Step each scheduler in turn; a step that raises changes nothing."""
        saved = self.state_dict()
        groups = [dict(group) for group in self.optimizer.param_groups]
        try:
            for scheduler in self._schedulers:
                scheduler.step()
        except BaseException:
            self.load_state_dict(saved)
            for group, values in zip(self.optimizer.param_groups, groups):
                group.update(values)
            raise
        self._last_lr = self._current_lrs()


class SequentialLR(_SchedulerList):
    """SequentialLR(optimizer, schedulers, milestones, last_epoch=-1): schedulers[0]
    sets the lrs until epoch milestones[0], where schedulers[1] takes over from its own
    epoch 0 (its closed form there: for most schedules, the groups' initial lrs), and so
    on. milestones are increasing ints, one fewer than the schedulers.

    When made, as torch.optim's, it resets each group's lr to its initial_lr, takes back
    the step each scheduler took when it was made, and has the first take it again.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        op = "SequentialLR"
        _check_schedulers(op, schedulers, optimizer)
        milestones = _int_list(op, "milestones", milestones, minimum=0)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"{op} expects number of schedulers provided to be one more than "
                             f"the number of milestone points, but got number of schedulers "
                             f"{len(schedulers)} and the number of milestones to be equal to "
                             f"{len(milestones)}")
        if any(later <= earlier for earlier, later in zip(milestones, milestones[1:])):
            raise ValueError(f"{op}: milestones must be increasing, got {milestones}")
        _check_int(op, "last_epoch", last_epoch, minimum=-1)
        missing = [index for index, group in enumerate(optimizer.param_groups)
                   if "initial_lr" not in group]
        if missing:
            raise KeyError(f"{op}: param_groups {missing} have no 'initial_lr', which the "
                           "schedulers record when made; add parameter groups before making "
                           "the schedulers")
        self._schedulers = list(schedulers)
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:
            _undo_initial_step(scheduler)
        first = self._schedulers[bisect.bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self):
        """Advance one epoch: the scheduler whose span holds it steps, or, at a milestone,
        the next one starts at its epoch 0. A step that raises changes nothing."""
        epoch = self.last_epoch + 1
        index = bisect.bisect_right(self._milestones, epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self.last_epoch = epoch
        self._last_lr = scheduler.get_last_lr()


def _undo_initial_step(scheduler):
    """Take back the step a scheduler took when it was made (each of a composite's
    schedulers, recursively): decrement its last_epoch, as torch.optim's SequentialLR."""
    if isinstance(scheduler, _SchedulerList):
        for inner in scheduler._schedulers:
            _undo_initial_step(inner)
    else:
        scheduler.last_epoch -= 1


def _one_cycle_phases(op, total_steps, pct_start, three_phase):
    """OneCycleLR's phases, laid out as torch.optim's: each ends at step "end_step" and
    anneals the lr (momentum) between the group entries it names. Raises ValueError for
    a cycle in which a phase would last no steps, where annealing divides by zero."""
    rise = float(pct_start * total_steps) - 1
    if three_phase:
        phases = [
            dict(end_step=rise, start_lr="initial_lr", end_lr="max_lr",
                 start_momentum="max_momentum", end_momentum="base_momentum"),
            dict(end_step=float(2 * pct_start * total_steps) - 2, start_lr="max_lr",
                 end_lr="initial_lr", start_momentum="base_momentum",
                 end_momentum="max_momentum"),
            dict(end_step=total_steps - 1, start_lr="initial_lr", end_lr="min_lr",
                 start_momentum="max_momentum", end_momentum="max_momentum"),
        ]
    else:
        phases = [
            dict(end_step=rise, start_lr="initial_lr", end_lr="max_lr",
                 start_momentum="max_momentum", end_momentum="base_momentum"),
            dict(end_step=total_steps - 1, start_lr="max_lr", end_lr="min_lr",
                 start_momentum="base_momentum", end_momentum="max_momentum"),
        ]
    start = 0.0
    for number, phase in enumerate(phases, 1):
        if phase["end_step"] == start:
            raise ValueError(f"{op}: with total_steps={total_steps}, pct_start={pct_start} "
                             f"and three_phase={three_phase}, phase {number} of the cycle "
                             f"would start and end at step {start:g}, and its annealing "
                             "divide by zero; choose another pct_start or total_steps")
        start = phase["end_step"]
    return phases


def _function_state(function):
    """What a state dict keeps of a user's function: None for a plain function or lambda
    (which do not pickle), a copy of a callable object's attributes otherwise."""
    if function is None or isinstance(function, types.FunctionType):
        return None
    return function.__dict__.copy()


def _checked_steps(op, name, value):
    """`value`, a number of steps: a finite number > 0."""
    check_real(op, name, value, lambda number: 0 < number < math.inf, "a finite number > 0")
    return value


def _set_momentum(group, momentum, use_beta1):
    """Set a group's momentum: beta1 of its "betas" for Adam-like optimizers (use_beta1),
    else its "momentum"."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _cycled_momentum(op, optimizer, max_momentum, base_momentum, last_epoch):
    """Check that `optimizer` has a momentum (or beta1) to cycle and that the momentums
    are in [0, 1) (one number, or one per group); on a fresh start (last_epoch -1),
    record them in each group as "max_momentum" and "base_momentum" and set its
    momentum to max_momentum. Returns whether the momentum is beta1."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{op}: optimizer must support momentum or beta1 with "
                         f"`cycle_momentum` option enabled; {type(optimizer).__name__} "
                         "has neither, so pass cycle_momentum=False")
    tops, bottoms = (_group_values(op, name, optimizer, value,
                                   lambda number: 0 <= number < 1, "in [0, 1)")
                     for name, value in (("max_momentum", max_momentum),
                                         ("base_momentum", base_momentum)))
    use_beta1 = "betas" in optimizer.defaults
    if last_epoch == -1:
        for group, top, bottom in zip(optimizer.param_groups, tops, bottoms):
            _set_momentum(group, top, use_beta1)
            group["max_momentum"] = top
            group["base_momentum"] = bottom
    return use_beta1


def _check_optimizer(op, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{op} needs a minitorch Optimizer, got {type(optimizer).__name__}")


def _check_resumable(op, optimizer, keys, last_epoch):
    """Raise KeyError, naming `op`, unless each group of `optimizer` has each of `keys`
    (entries that a scheduler made on a fresh start records and a resumed one reads)."""
    for index, group in enumerate(optimizer.param_groups):
        for key in keys:
            if key not in group:
                raise KeyError(f"{op}: param {key!r} is not specified in param_groups[{index}] "
                               f"when resuming an optimizer (at last_epoch={last_epoch}); "
                               "load the optimizer's state dict saved with the scheduler "
                               "first, or start with last_epoch=-1")


def _check_schedulers(op, schedulers, optimizer=None):
    """Raise unless `schedulers` is a non-empty list of schedulers other than
    ReduceLROnPlateau (whose step needs a metric), all of `optimizer` (by default, of the
    first one's); returns that optimizer."""
    if not isinstance(schedulers, (list, tuple)):
        raise TypeError(f"{op}: schedulers must be a list of schedulers, got "
                        f"{type(schedulers).__name__}")
    if not schedulers:
        raise ValueError(f"{op} expects at least one scheduler, but got none")
    for index, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"{op}: the scheduler at index {index} is a "
                            f"{type(scheduler).__name__}, not a minitorch LRScheduler")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{op} does not support ReduceLROnPlateau (at index {index}), "
                             "whose step() needs a metric; step it on its own")
    if optimizer is None:
        optimizer = schedulers[0].optimizer
    _check_optimizer(op, optimizer)
    for index, scheduler in enumerate(schedulers):
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{op} expects all schedulers to belong to the same optimizer, "
                             f"but the {type(scheduler).__name__} at index {index} has "
                             "another one")
    return optimizer


def _group_values(op, name, optimizer, value, valid, allowed):
    """`value` as a list with one entry per parameter group of `optimizer`: a number
    repeated, or a list or tuple with one per group; each entry is checked with
    check_real(valid, allowed)."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(f"{op}: {name} must have the same length as "
                             f"optimizer.param_groups: {name} has {len(value)} values, "
                             f"param_groups has {groups}")
        values, labels = list(value), [f"{name}[{index}]" for index in range(groups)]
    else:
        values, labels = [value] * groups, [name] * groups
    for label, entry in zip(labels, values):
        check_real(op, label, entry, valid, allowed)
    return values


def _int_list(op, name, values, minimum):
    """`values`, an iterable of ints each >= minimum, as a list."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{op}: {name} must be a list of ints, got {type(values).__name__}")
    values = list(values)
    for index, value in enumerate(values):
        _check_int(op, f"{name}[{index}]", value, minimum)
    return values


def _check_int(op, name, value, minimum):
    """Raise, naming `op`, unless `value` is an int (not a bool) >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value}")


def _check_finite(op, name, value):
    """Raise, naming `op`, unless `value` is a real number, finite and >= 0."""
    check_real(op, name, value, lambda number: 0 <= number < math.inf, "a finite number >= 0")


def _warn_epoch_deprecated(op, epoch):
    """Check an epoch passed to step() (an int >= 0) and warn, as PyTorch does, that
    passing one is deprecated."""
    _check_int(op, "epoch", epoch, minimum=0)
    warnings.warn("scheduler.step(epoch) is deprecated, as in PyTorch; call "
                  "scheduler.step() once per epoch instead", UserWarning, stacklevel=3)


def _as_state(op, state_dict):
    """A copy of a scheduler's state dict, once it is checked to be a dict."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"{op}: expected the dict state_dict() returns, got "
                        f"{type(state_dict).__name__}")
    return dict(state_dict)
