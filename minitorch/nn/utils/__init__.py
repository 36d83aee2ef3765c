"""torch.nn.utils: gradient clipping (clip_grad.py), parameter/vector conversion, the
hook-based weight_norm (weight_norm.py) and spectral_norm (spectral_norm.py), batch-norm
fusion (fusion.py) and skip_init (init.py); its submodules, at torch's paths: `rnn`
(padded and packed sequences), `parametrize` (register_parametrization),
`parametrizations` (weight_norm, spectral_norm, orthogonal), `prune` and `stateless`.

The conversions follow torch's (parameters_to_vector is differentiable,
vector_to_parameters repoints each parameter's .data at a slice of the vector).
"""
from ... import functions
from ...tensor import Tensor
from . import parametrizations, parametrize, prune, rnn, stateless  # noqa: F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,  # noqa: F401
                        clip_grads_with_norm_, get_total_norm)
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights,  # noqa: F401
                     fuse_linear_bn_eval, fuse_linear_bn_weights)
from .init import skip_init  # noqa: F401
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return functions.cat([parameter.reshape(-1) for parameter in parameters])


def vector_to_parameters(vec, parameters):
    """Point each parameter's .data, in order, at the next slice of the 1-D tensor vec
    (shaped as the parameter), as torch does: the parameters then share vec's memory.
    Unlike torch, a vec whose length is not the parameters' total size is an error."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got "
                        f"{type(vec).__name__}")
    parameters = list(parameters)
    total = sum(parameter.numel() for parameter in parameters)
    if vec.shape != (total,):
        raise ValueError(f"vector_to_parameters: expected a 1-D vector of {total} elements "
                         f"(the parameters' total size), got shape {tuple(vec.shape)}")
    start = 0
    for parameter in parameters:
        count = parameter.numel()
        parameter.data = vec[start:start + count].view_as(parameter)
        start += count
