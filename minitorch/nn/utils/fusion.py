"""Folding an eval-mode batch norm into the convolution or linear layer before it, as
torch.nn.utils.fusion: batch norm in eval mode is the affine map
    y = (x - running_mean) / sqrt(running_var + eps) * weight + bias
per channel, so scaling the layer's weight by weight / sqrt(running_var + eps) along its
output channels and adjusting its bias gives one layer with the same outputs.
"""
import copy

from ... import creation
from ..parameter import Parameter


def _check_fusable(op, layer, bn):
    """Both modules in eval mode and bn tracking running statistics (ValueError naming op
    otherwise)."""
    if layer.training or bn.training:
        raise ValueError(f"{op}: fusion is only for eval mode; call .eval() on both modules "
                         f"first (training: {type(layer).__name__} {layer.training}, "
                         f"{type(bn).__name__} {bn.training})")
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError(f"{op}: the batch norm has no running statistics "
                         "(track_running_stats=False), so there is nothing to fold")


def _bn_scale_and_shift(bn_rm, bn_rv, bn_eps, bn_w, bn_b, bias):
    """(scale, shifted bias) of the folded batch norm: scale = bn_w / sqrt(bn_rv + eps)
    per channel and (bias - bn_rm) * scale + bn_b; a missing bn_w is 1, a missing bias or
    bn_b is 0."""
    if bias is None:
        bias = creation.zeros_like(bn_rm)
    scale = (bn_rv + bn_eps).rsqrt()
    if bn_w is not None:
        scale = scale * bn_w
    shifted = (bias - bn_rm) * scale
    return scale, shifted if bn_b is None else shifted + bn_b


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """The (weight, bias) Parameters of a convolution followed by an eval-mode batch norm
    with running mean bn_rm, running var bn_rv, eps bn_eps and affine bn_w, bn_b (None:
    not affine). conv_b None is a zero bias. The output channels are dimension 0 of
    conv_w, or 1 with transpose (a transposed convolution). The results keep conv_w's
    and conv_b's dtypes and requires_grad (the bias made for conv_b None requires none)."""
    scale, bias = _bn_scale_and_shift(bn_rm, bn_rv, bn_eps, bn_w, bn_b, conv_b)
    shape = [1, -1] if transpose else [-1, 1]
    shape += [1] * (conv_w.ndim - 2)
    weight = (conv_w * scale.reshape(shape)).to(conv_w.dtype)
    bias_dtype = conv_w.dtype if conv_b is None else conv_b.dtype
    bias_requires_grad = conv_b is not None and conv_b.requires_grad
    return (Parameter(weight.detach(), conv_w.requires_grad),
            Parameter(bias.to(bias_dtype).detach(), bias_requires_grad))


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of the eval-mode convolution `conv` with the eval-mode batch norm `bn`
    folded in: fused(x) equals bn(conv(x)). transpose: conv is a transposed convolution
    (output channels along weight dimension 1). ValueError unless both are in eval mode
    and bn has running statistics."""
    _check_fusable("fuse_conv_bn_eval", conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
        bn.bias, transpose)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """The (weight, bias) Parameters of a linear layer followed by an eval-mode batch
    norm (arguments as fuse_conv_bn_weights; the output features are linear_w's rows)."""
    return fuse_conv_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)


def fuse_linear_bn_eval(linear, bn):
    """A copy of the eval-mode Linear `linear` with the eval-mode batch norm `bn` folded
    in: fused(x) equals bn(linear(x)). bn.num_features must be linear.out_features or 1
    (then its one channel scales every feature); ValueError otherwise, or unless both
    are in eval mode and bn has running statistics."""
    _check_fusable("fuse_linear_bn_eval", linear, bn)
    if bn.num_features not in (linear.out_features, 1):
        raise ValueError(f"fuse_linear_bn_eval: to fuse, bn.num_features must be "
                         f"linear.out_features or 1, got bn.num_features={bn.num_features} "
                         f"and linear.out_features={linear.out_features}")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
        bn.bias)
    return fused
