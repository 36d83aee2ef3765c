"""Adafactor: Adam-like steps whose second-moment estimate of a matrix is stored as
its row and column means (factored), so it costs O(rows + columns), not O(rows *
columns); steps are relative to the parameter's size and clipped in RMS."""
import math

from ..creation import empty, zeros, zeros_like
from . import functional
from .optimizer import Optimizer, check_real


class Adafactor(Optimizer):
    """Adafactor(params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
    weight_decay=0.0, *, foreach=None, maximize=False).

    torch.optim.Adafactor (see minitorch.optim.functional.adafactor_step). eps = (eps1, eps2): eps1 (None: the
    dtype's machine epsilon) bounds the second-moment estimate from below, eps2 the
    parameter RMS the step is relative to. d is the RMS above which an update is
    clipped; weight_decay is decoupled (param *= 1 - lr * weight_decay). foreach is
    accepted for torch's signature and changes nothing (there is one implementation).
    state[p] holds "step" (an int) and, for a parameter of 2 or more dims, "row_var"
    (its shape with the last dim 1) and "col_var" (its shape with the second-to-last dim
    1); for 0-d and 1-d parameters "variance", shaped like the parameter.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    def _check_hyperparameters(self, group, op):
        super()._check_hyperparameters(group, op)
        check_real(op, "beta2_decay", group["beta2_decay"], lambda value: value <= 0.0,
                   "<= 0")
        eps = group["eps"]
        if not isinstance(eps, (tuple, list)) or len(eps) != 2:
            raise TypeError(f"{op}: eps must be a pair (eps1 or None, eps2), got {eps!r}")
        if eps[0] is not None:
            self._check_range(op, "eps[0]", eps[0])
        self._check_range(op, "eps[1]", eps[1])
        check_real(op, "d", group["d"], lambda value: 1.0 <= value < math.inf,
                   "a finite number >= 1")

    def _update(self, group):
        eps1, eps2 = group["eps"]
        for param, grad in self._with_gradients(group):
            state = self.state[param]
            if not state:
                state["step"] = 0
                if param.dim() >= 2:
                    row_shape, col_shape = _factored_shapes(param.shape)
                    state["row_var"] = zeros(row_shape, dtype=param.dtype,
                                             backend=param.backend)
                    state["col_var"] = zeros(col_shape, dtype=param.dtype,
                                             backend=param.backend)
                else:
                    state["variance"] = zeros_like(param)
            state["step"] += 1
            functional.adafactor_step(param, grad, state.get("row_var"), state.get("col_var"),
                           state.get("variance"), state["step"], group["lr"],
                           group["beta2_decay"], eps1, eps2, group["d"],
                           group["weight_decay"])

    def _restore(self, name, value, param, where):
        """As Optimizer's, except that "row_var" and "col_var" have their factored
        shapes, not the parameter's."""
        if name not in ("row_var", "col_var") or not hasattr(value, "shape") or \
                param.dim() < 2:
            return Optimizer._restore(name, value, param, where)
        shape = _factored_shapes(param.shape)[name == "col_var"]
        if tuple(value.shape) != shape:
            raise ValueError(f"{where} {name!r} has shape {tuple(value.shape)}; for a "
                             f"parameter of shape {tuple(param.shape)} it must be {shape}")
        return Optimizer._restore(name, value,
                                  empty(shape, dtype=param.dtype, backend=param.backend),
                                  where)


def _factored_shapes(shape):
    """(row_var's shape, col_var's shape) for a parameter of `shape` (2 or more dims)."""
    shape = tuple(shape)
    return shape[:-1] + (1,), shape[:-2] + (1,) + shape[-1:]
