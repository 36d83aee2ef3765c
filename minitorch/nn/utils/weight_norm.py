"""The hook-based torch.nn.utils.weight_norm / remove_weight_norm (torch's older API; the
parametrization is parametrizations.weight_norm): module.<name> is replaced by the
parameters <name>_g (magnitude) and <name>_v (direction), and recomputed from them by a
forward pre-hook before every call."""
import warnings

from ..parameter import Parameter
from .parametrizations import norm_except_dim


class WeightNorm:
    """The forward pre-hook of a weight-normalized tensor: sets module.<name> to
    g * v / ||v|| (the norm over all dimensions but dim; dim=-1: the whole tensor)."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        magnitude = getattr(module, self.name + "_g")
        direction = getattr(module, self.name + "_v")
        return direction * (magnitude / norm_except_dim(direction, self.dim))

    @staticmethod
    def apply(module, name, dim):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"weight_norm: cannot register two weight_norm hooks on "
                                   f"the same parameter {name}")
        weight = getattr(module, name, None)
        if not isinstance(weight, Parameter):
            raise ValueError(f"weight_norm: {type(module).__name__} has no parameter named "
                             f"{name!r}")
        if dim is not None and dim < -1:
            dim += weight.ndim
        method = WeightNorm(name, dim)
        del module._parameters[name]
        module.register_parameter(name + "_g",
                                  Parameter(norm_except_dim(weight, method.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, method.compute_weight(module))
        module.register_forward_pre_hook(method)
        return method

    def remove(self, module):
        weight = self.compute_weight(module).detach()
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        module.register_parameter(self.name, Parameter(weight))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Replace module.<name> by <name>_g and <name>_v (weight = g * v / ||v||, the norm
    over every dimension but dim; dim=None: over the whole tensor), recomputed before
    each forward. Returns module. Deprecated, as in torch (FutureWarning)."""
    warnings.warn("`minitorch.nn.utils.weight_norm` is deprecated in favor of "
                  "`minitorch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                  stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo weight_norm: module.<name> is again a Parameter holding the current weight.
    ValueError when module.<name> is not weight-normalized. Returns module."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of {name!r} not found in {module}")
