"""RMSprop: divide the gradient by a running root mean square of recent gradients."""
from ..creation import zeros_like
from . import functional
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, capturable=False, foreach=None, maximize=False, differentiable=False).

    The update is torch.optim.RMSprop's (see minitorch.optim.functional.rmsprop_step);
    maximize ascends the gradient. state[p] holds "step", "square_avg", and "grad_avg"
    (centered) and "momentum_buffer" (momentum > 0) when used.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered,
                                      capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        for name in ("alpha", "eps", "momentum"):
            self._check_range(op, name, group[name])

    def _update(self, group):
        for param, grad in self._with_gradients(group):
            state = self.state[param]
            if not state:
                state.update(step=0, square_avg=zeros_like(param))
                if group["momentum"] > 0:
                    state["momentum_buffer"] = zeros_like(param)
                if group["centered"]:
                    state["grad_avg"] = zeros_like(param)
            state["step"] += 1
            functional.rmsprop_step(param, grad, state["square_avg"], state.get("grad_avg"),
                                    state.get("momentum_buffer"), group["lr"], group["alpha"],
                                    group["eps"], group["weight_decay"], group["momentum"])
