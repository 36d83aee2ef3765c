"""Learning-rate schedules: update each parameter group's "lr" once per epoch.

Call scheduler.step() once per epoch, after optimizer.step(). As in torch.optim, the
schedules are chainable: each step computes the next lr from the group's current "lr",
so a change made to it by hand or by another scheduler on the same optimizer carries
on, and a group added after the scheduler is scheduled too. Each group's "initial_lr"
(its lr when the first scheduler was made) is the base of the closed-form schedules.
"""
import math
import numbers
import warnings

from .optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses implement get_lr() and _closed_form_lr().

    With last_epoch=-1 (a fresh start), each group's lr is recorded as its "initial_lr"
    unless the group already has one; to resume at a later epoch, every group must have
    "initial_lr" already (load the optimizer's state dict first). base_lrs lists the
    groups' initial_lr. Making a scheduler takes its first step (which leaves the lrs
    as they are on a fresh start) and so sets last_epoch to 0 or one past the given one.
    """

    def __init__(self, optimizer, last_epoch=-1):
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name} needs a minitorch Optimizer, got "
                            f"{type(optimizer).__name__}")
        _check_epoch(name, "last_epoch", last_epoch, minimum=-1)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        for index, group in enumerate(optimizer.param_groups):
            if "initial_lr" not in group:
                raise KeyError(f"{name}: param 'initial_lr' is not specified in "
                               f"param_groups[{index}] when resuming an optimizer (at "
                               f"last_epoch={last_epoch}); load the optimizer's state dict "
                               "saved with the scheduler first, or start with last_epoch=-1")
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True  # get_lr() of some schedules treats the first step apart
        self.step()
        self._is_initial = False

    def get_lr(self):
        """The lr of each group for epoch self.last_epoch, from the groups' current lrs
        (those of the epoch before). step() calls it with last_epoch already advanced."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr")

    def _closed_form_lr(self):
        """The lr of each group for epoch self.last_epoch, from base_lrs alone."""
        raise NotImplementedError(f"{type(self).__name__} must implement _closed_form_lr")

    def _base_lrs(self):
        """base_lrs, after checking there is one for every group (a group added after the
        scheduler was made has none)."""
        groups = len(self.optimizer.param_groups)
        if groups != len(self.base_lrs):
            raise ValueError(f"{type(self).__name__}.step: the optimizer has {groups} "
                             f"parameter groups but the scheduler base lrs for "
                             f"{len(self.base_lrs)}, those it had when it was made; epoch "
                             f"{self.last_epoch} of this schedule needs a base lr for every "
                             "group, so make the scheduler after add_param_group")
        return self.base_lrs

    def step(self, epoch=None):
        """Advance one epoch and set every group's lr to get_lr().

        step(epoch), deprecated as in PyTorch, jumps to `epoch` and uses the closed form.
        A step that raises changes nothing.
        """
        if epoch is not None:
            _check_epoch(f"{type(self).__name__}.step", "epoch", epoch, minimum=0)
            warnings.warn("scheduler.step(epoch) is deprecated, as in PyTorch; call "
                          "scheduler.step() once per epoch instead", UserWarning,
                          stacklevel=2)
        previous = self.last_epoch, self._step_count
        self._step_count += 1
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        try:
            lrs = self.get_lr() if epoch is None else self._closed_form_lr()
        except BaseException:
            # get_lr() reads the advanced counters; put them back so a failed step is a no-op
            self.last_epoch, self._step_count = previous
            raise
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = list(lrs)

    def get_last_lr(self):
        """The lr of each group as last set by step() (not any later change by hand)."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer (which has its own state dict)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)


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
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self._base_lrs()]


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
            return [group["lr"] for group in groups]
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


def _check_epoch(op, name, value, minimum):
    """Raise, naming `op`, unless `value` is an int (not a bool) >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value}")
