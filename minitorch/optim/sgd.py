"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""
from ..creation import empty_like
from . import functional
from .optimizer import Optimizer


class SGD(Optimizer):
    """SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False, foreach=None, differentiable=False, fused=None).

    The update is torch.optim.SGD's (see minitorch.optim.functional.sgd_step), run by
    the backend's fused `sgd_step` kernel where it has one; maximize ascends the
    gradient. state[p] holds "momentum_buffer" once momentum is used.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        self._check_range(op, "momentum", group["momentum"])
        self._check_range(op, "dampening", group["dampening"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"{op}: Nesterov momentum requires momentum > 0 and dampening "
                             f"0, got momentum {group['momentum']!r}, dampening "
                             f"{group['dampening']!r}")

    def _update(self, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        for param, grad in self._with_gradients(group):
            buffer, first_step = None, False
            if momentum:   # plain SGD keeps no state, as in PyTorch
                state = self.state[param]
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = empty_like(param)
                    first_step = True
            functional.sgd_step(param, grad, buffer, lr, momentum, dampening, weight_decay,
                                nesterov, first_step)
