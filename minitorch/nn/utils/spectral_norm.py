"""The hook-based torch.nn.utils.spectral_norm / remove_spectral_norm (torch's older API;
the parametrization is parametrizations.spectral_norm): module.<name> is replaced by the
parameter <name>_orig and the power-iteration buffers <name>_u and <name>_v, and a
forward pre-hook sets module.<name> = <name>_orig / sigma before every call, sigma the
largest singular value of <name>_orig estimated by power iteration.

Unlike torch, loading a state dict saved before torch's spectral-norm version 1 (one
holding <name> but not <name>_v) is not supported: such a dict fails as a missing key.
"""

from ... import creation, functions
from .. import functional as F
from ..parameter import Parameter
from .parametrizations import _tensor_named, power_iteration


class SpectralNorm:
    """The forward pre-hook of a spectrally normalized tensor module.<name>."""

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        if n_power_iterations <= 0:
            raise ValueError("spectral_norm: expected n_power_iterations to be positive, got "
                             f"n_power_iterations={n_power_iterations}")
        self.name = name
        self.dim = dim
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        """weight as a matrix: dimension dim as rows, the others flattened as columns."""
        order = [self.dim] + [axis for axis in range(weight.ndim) if axis != self.dim]
        return weight.permute(order).reshape(weight.shape[self.dim], -1)

    def compute_weight(self, module, do_power_iteration):
        """<name>_orig / sigma with sigma = u . (W v), after n_power_iterations steps on the
        buffers u and v (in place) when do_power_iteration."""
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        matrix = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            # torch's step here is v <- normalize(W^T u), then u <- normalize(W v):
            # power_iteration's step on the transpose, with the vectors' roles swapped
            power_iteration(matrix.mT, v, u, self.n_power_iterations, self.eps)
            u, v = u.clone(), v.clone()
        sigma = functions.vdot(u, functions.mv(matrix, v))
        return weight / sigma

    def remove(self, module):
        weight = self.compute_weight(module, do_power_iteration=False).detach()
        delattr(module, self.name)
        for suffix in ("_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"spectral_norm: cannot register two spectral_norm hooks "
                                   f"on the same parameter {name}")
        weight = _tensor_named("spectral_norm", module, name)
        if name not in module._parameters:
            raise ValueError(f"spectral_norm: {name!r} of {type(module).__name__} is not a "
                             "parameter")
        if not -weight.ndim <= dim < max(weight.ndim, 1):
            raise IndexError(f"spectral_norm: dim {dim} is out of range for a weight with "
                             f"{weight.ndim} dimensions")
        method = SpectralNorm(name, n_power_iterations, dim % max(weight.ndim, 1), eps)
        rows, columns = method.reshape_weight_to_matrix(weight.detach()).shape
        u = F.normalize(creation.empty(rows, dtype=weight.dtype).normal_(0, 1), dim=0, eps=eps)
        v = F.normalize(creation.empty(columns, dtype=weight.dtype).normal_(0, 1), dim=0,
                        eps=eps)
        del module._parameters[name]
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, weight.detach())
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(method)
        return method


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide the parameter module.<name> by its spectral norm before each forward (the
    power iteration takes n_power_iterations steps per call in training mode only). dim
    (the output dimension) defaults to 1 for the ConvTranspose modules, 0 otherwise.
    Returns module. RuntimeError when <name> already has the hook."""
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo spectral_norm: module.<name> is again a Parameter holding the current
    normalized weight. ValueError when module.<name> is not spectrally normalized.
    Returns module."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"spectral_norm of {name!r} not found in {module}")
