"""Muon: momentum whose update is orthogonalised by a Newton-Schulz iteration, for the
2-D weights of hidden layers."""
from ..creation import zeros_like
from .functional import muon_step
from .optimizer import Optimizer

_ADJUST_LR_FNS = (None, "original", "match_rms_adamw")


class Muon(Optimizer):
    """Muon(params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
    ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None).

    torch.optim.Muon's update (see muon_step): momentum, its Newton-Schulz
    orthogonalisation, decoupled weight decay and a step scaled to the parameter's shape
    by adjust_lr_fn (None or "original", or "match_rms_adamw"). Every parameter must be
    2-D (ValueError otherwise, as torch): optimize biases and embeddings with another
    optimizer. state[p] holds "momentum_buffer". The iteration runs in the parameter's
    dtype, not torch's bfloat16 (see functional.zeropower_via_newtonschulz).
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5,
                 adjust_lr_fn=None):
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                                      nesterov=nesterov, ns_coefficients=ns_coefficients,
                                      eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        self._check_range(op, "momentum", group["momentum"])
        self._check_range(op, "eps", group["eps"])
        self._check_flag(op, "nesterov", group["nesterov"])
        coefficients = group["ns_coefficients"]
        if not isinstance(coefficients, (tuple, list)) or len(coefficients) != 3:
            raise ValueError(f"{op}: ns_coefficients must be a tuple of exactly 3 values "
                             f"(a, b, c), got {coefficients!r}")
        steps = group["ns_steps"]
        if isinstance(steps, bool) or not isinstance(steps, int):
            raise TypeError(f"{op}: ns_steps must be an int, got {type(steps).__name__} "
                            f"{steps!r}")
        if not 0 <= steps < 100:
            raise ValueError(f"{op}: ns_steps must be in [0, 100) (fewer than 100 for "
                             f"computational efficiency, as torch), got {steps}")
        if group["adjust_lr_fn"] not in _ADJUST_LR_FNS:
            raise ValueError(f"{op}: adjust_lr_fn {group['adjust_lr_fn']!r} is not "
                             "supported; use None, 'original' or 'match_rms_adamw'")
        for param in group["params"]:
            if param.ndim != 2:
                raise ValueError(f"{op}: Muon only supports 2D parameters whereas we found a "
                                 f"parameter with size: {tuple(param.shape)}")

    def _update(self, group):
        for param, grad in self._with_gradients(group):
            state = self.state[param]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = zeros_like(param)
            muon_step(param, grad, state["momentum_buffer"], group["lr"],
                      group["weight_decay"], group["momentum"], group["nesterov"],
                      group["ns_coefficients"], group["ns_steps"], group["eps"],
                      group["adjust_lr_fn"])
