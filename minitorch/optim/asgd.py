"""ASGD: SGD with a decaying rate that also keeps a running average of the parameters
(the averaged iterate, in state "ax"), which is what averaged SGD returns."""
from ..creation import full, ones, zeros_like
from ..dtype import get_default_dtype
from . import functional
from .optimizer import Optimizer


class ASGD(Optimizer):
    """ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
    foreach=None, maximize=False, differentiable=False, capturable=False).

    The update is torch.optim.ASGD's (see minitorch.optim.functional.asgd_step).
    state[p] holds "step" (an int), "eta" and "mu" (0-d tensors of the default dtype, as
    torch's) and "ax", the averaged parameter.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        for name in ("lambd", "alpha", "t0"):
            self._check_range(op, name, group[name])

    def _update(self, group):
        for param, grad in self._with_gradients(group):
            state = self.state[param]
            if not state:
                scalar = dict(dtype=get_default_dtype(), backend=param.backend)
                state.update(step=0, eta=full((), group["lr"], **scalar),
                             mu=ones((), **scalar), ax=zeros_like(param))
            state["step"] += 1
            functional.asgd_step(param, grad, state["ax"], state["eta"], state["mu"],
                                 state["step"], group["lr"], group["lambd"], group["alpha"],
                                 group["t0"], group["weight_decay"])
