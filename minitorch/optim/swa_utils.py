"""torch.optim.swa_utils: weight averaging (stochastic weight averaging and exponential
moving averages) and its learning-rate schedule.

    swa_model = AveragedModel(model)            # or multi_avg_fn=get_ema_multi_avg_fn(0.99)
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)
    for epoch in ...:
        train_one_epoch(model, optimizer)
        swa_model.update_parameters(model); swa_scheduler.step()
    update_bn(loader, swa_model)                # batch-norm statistics of the averaged weights

An averaging function comes in two forms, as in torch: `avg_fn(averaged, current,
num_averaged)` returns the new average of one tensor; `multi_avg_fn(averaged_list,
current_list, num_averaged)` updates lists of tensors of one dtype in place.
"""
import copy
import itertools
import math

from .. import creation
from ..autograd import no_grad
from ..dtype import int64
from ..nn.module import Module
from ..nn.normalization import _BatchNorm
from .lr_scheduler import LRScheduler, _check_int, _group_values


def _check_decay(op, decay):
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"{op}: invalid decay {decay!r}; it must be in [0, 1]")


def get_ema_multi_avg_fn(decay=0.999):
    """A multi_avg_fn keeping an exponential moving average: each averaged tensor
    becomes decay * averaged + (1 - decay) * current, in place."""
    _check_decay("get_ema_multi_avg_fn", decay)
    average = get_ema_avg_fn(decay)

    def ema_update(ema_tensors, current_tensors, num_averaged):
        with no_grad():
            for ema, current in zip(ema_tensors, current_tensors):
                if ema.is_floating_point():
                    ema.lerp_(current, 1 - decay)
                else:
                    ema.copy_(average(ema, current, num_averaged))
    return ema_update


def get_swa_multi_avg_fn():
    """A multi_avg_fn keeping the running mean of the tensors seen: with num_averaged
    tensors averaged so far, each averaged tensor moves 1 / (num_averaged + 1) of the
    way to the current one, in place. (torch refuses integer tensors here; an integer
    average is the truncated float one, as get_swa_avg_fn gives.)"""
    average = get_swa_avg_fn()

    def swa_update(averaged_tensors, current_tensors, num_averaged):
        with no_grad():
            for averaged, current in zip(averaged_tensors, current_tensors):
                if averaged.is_floating_point():
                    averaged.lerp_(current, 1 / (num_averaged + 1))
                else:
                    averaged.copy_(average(averaged, current, num_averaged))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """An avg_fn returning the exponential moving average decay * averaged +
    (1 - decay) * current."""
    _check_decay("get_ema_avg_fn", decay)

    def ema_update(ema, current, num_averaged):
        with no_grad():
            return decay * ema + (1 - decay) * current
    return ema_update


def get_swa_avg_fn():
    """An avg_fn returning the running mean averaged + (current - averaged) /
    (num_averaged + 1)."""
    def swa_update(averaged, current, num_averaged):
        with no_grad():
            return averaged + (current - averaged) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A deep copy of `model` (as `self.module`, moved to `device` when given) whose
    parameters (and, with use_buffers, buffers) hold an average of the model's over the
    calls to update_parameters; the int64 buffer n_averaged counts those calls.
    Without use_buffers the buffers are copied from the model as they are (run update_bn
    to recompute batch-norm statistics). avg_fn or multi_avg_fn (at most one) choose
    the average; the default is the running mean (SWA). Calling it calls the copy.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers=False):
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("AveragedModel: pass avg_fn or multi_avg_fn, not both")
        super().__init__()
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", creation.tensor(0, dtype=int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_pairs(self, model):
        """(averaged tensor, model tensor) pairs: the parameters (and buffers, with
        use_buffers) of self.module and of model, in order, checked to match."""
        def tensors(module):
            if self.use_buffers:
                return list(itertools.chain(module.parameters(), module.buffers()))
            return list(module.parameters())
        averaged, current = tensors(self.module), tensors(model)
        what = "parameters and buffers" if self.use_buffers else "parameters"
        if len(averaged) != len(current):
            raise ValueError(f"AveragedModel.update_parameters: the model has "
                             f"{len(current)} {what}, the averaged model {len(averaged)}")
        for index, (mine, theirs) in enumerate(zip(averaged, current)):
            if mine.shape != theirs.shape:
                raise ValueError(f"AveragedModel.update_parameters: {what} {index} has "
                                 f"shape {tuple(theirs.shape)} in the model but "
                                 f"{tuple(mine.shape)} in the averaged model")
        return [(mine.detach(), theirs.detach()) for mine, theirs in zip(averaged, current)]

    def update_parameters(self, model):
        """Fold model's current parameters into the average: the first call copies
        them, later ones apply the averaging function. Then n_averaged grows by 1."""
        pairs = self._averaged_pairs(model)
        with no_grad():
            if self.n_averaged.item() == 0:
                for averaged, current in pairs:
                    averaged.copy_(current)
            elif self.multi_avg_fn is not None:
                for dtype in dict.fromkeys(averaged.dtype for averaged, _ in pairs):
                    group = [pair for pair in pairs if pair[0].dtype == dtype]
                    self.multi_avg_fn([averaged for averaged, _ in group],
                                      [current for _, current in group], self.n_averaged)
            else:
                avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
                for averaged, current in pairs:
                    averaged.copy_(avg_fn(averaged, current, self.n_averaged))
            if not self.use_buffers:
                for averaged, current in zip(self.module.buffers(), model.buffers()):
                    averaged.copy_(current.detach())
            self.n_averaged += 1


def update_bn(loader, model, device=None):
    """Recompute the running statistics of every batch-norm layer of model from one pass
    over loader (its batches, or each batch's first element when batches are lists or
    tuples), as a cumulative average over the batches; model is in training mode during
    the pass and back in its former mode after. Nothing happens without batch norm."""
    momenta = {module: module.momentum for module in model.modules()
               if isinstance(module, _BatchNorm)}
    if not momenta:
        return
    with no_grad():
        for module in momenta:
            module.reset_running_stats()
            module.momentum = None
        was_training = model.training
        model.train()
        try:
            for batch in loader:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                if device is not None:
                    batch = batch.to(device)
                model(batch)
        finally:
            for module, momentum in momenta.items():
                module.momentum = momentum
            model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to its swa_lr over anneal_epochs epochs ('cos' or 'linear'
    anneal_strategy), then hold it there. swa_lr is one number for every group or one
    per group, and is stored in each group as "swa_lr". Each step moves the lr from
    the previous epoch's value, as torch's SWALR does, so the lr the scheduler starts from
    is the group's lr when the scheduler is made.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        swa_lrs = _group_values("SWALR", "swa_lr", optimizer, swa_lr,
                                lambda value: 0 <= value < math.inf, "a finite number >= 0")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"SWALR: anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        _check_int("SWALR", "anneal_epochs", anneal_epochs, minimum=0)
        for group, group_swa_lr in zip(optimizer.param_groups, swa_lrs):
            group["swa_lr"] = group_swa_lr
        self.anneal_epochs = anneal_epochs
        self._anneal_strategy = anneal_strategy
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, fraction):
        """The share of the way to swa_lr after `fraction` (in [0, 1]) of the anneal."""
        if self._anneal_strategy == "cos":
            return (1 - math.cos(math.pi * fraction)) / 2
        return fraction

    def _anneal_fraction(self, step):
        return max(0, min(1, step / max(1, self.anneal_epochs)))

    def get_lr(self):
        # torch recovers the lr the anneal started from out of the current lr (the
        # previous step's blend), then blends it with swa_lr for this step.
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        previous_alpha = self.anneal_func(self._anneal_fraction(step - 1))
        alpha = self.anneal_func(self._anneal_fraction(step))
        lrs = []
        for group in self.optimizer.param_groups:
            if previous_alpha == 1:
                start_lr = group["swa_lr"]
            else:
                start_lr = (group["lr"] - previous_alpha * group["swa_lr"]) / (1 - previous_alpha)
            lrs.append(group["swa_lr"] * alpha + start_lr * (1 - alpha))
        return lrs
