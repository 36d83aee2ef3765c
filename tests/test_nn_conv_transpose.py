"""ConvTranspose1d/2d/3d, Conv3d, Unfold and Fold of minitorch.nn (and their functional
forms) checked against torch.nn: outputs and the gradients of input, weight and bias
with torch's state dict loaded, output_size, initialisation, reprs and errors, on the
numpy and c backends (a tiny case on python)."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F
from minitorch.serialization import from_torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def copied(ours, theirs, dtype):
    """theirs converted to dtype, its state dict (the same keys as ours) loaded into ours."""
    theirs = theirs.to(TORCH_DTYPES[dtype])
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(from_torch(theirs.state_dict()))
    return ours, theirs


def compare_layers(ours, theirs, array, dtype, view=lambda x: x, **call):
    """ours(view(x), **call) against theirs: the output, and the gradients of x and of
    every parameter for a random weighting of it."""
    x = minitorch.tensor(array, requires_grad=True)
    tx = torch.tensor(array, requires_grad=True)
    check_backward([(ours(view(x), **call), theirs(view(tx), **call))], [x], [tx], dtype,
                   ours, theirs)


# ---- transposed convolution -------------------------------------------------------------

CONV_TRANSPOSE = [  # (layer, constructor args, kwargs, input shape)
    ("ConvTranspose2d", (3, 4, 3), {}, (2, 3, 5, 4)),
    ("ConvTranspose2d", (3, 2, (2, 3)), dict(stride=2, padding=1, output_padding=1),
     (2, 3, 4, 5)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=(2, 3), padding=(2, 1), output_padding=(1, 2),
                                        groups=2, dilation=(2, 1)), (2, 4, 4, 3)),
    ("ConvTranspose2d", (2, 3, 2), dict(dilation=3, output_padding=2, bias=False),
     (1, 2, 3, 3)),   # output_padding >= stride, allowed as it is < dilation
    ("ConvTranspose2d", (6, 3, (3, 1)), dict(groups=3, stride=(1, 2)), (6, 4, 4)),  # unbatched
    ("ConvTranspose2d", (2, 2, 4), dict(padding=2), (1, 2, 3, 3)),   # padding eats the edge
    ("ConvTranspose1d", (3, 4, 3), {}, (2, 3, 6)),
    ("ConvTranspose1d", (4, 2, 4), dict(stride=3, padding=2, output_padding=1, groups=2,
                                        dilation=2), (2, 4, 5)),
    ("ConvTranspose1d", (2, 3, 2), dict(stride=2, bias=False), (2, 4)),   # unbatched
    ("ConvTranspose3d", (2, 3, 2), dict(stride=2, padding=1, output_padding=(1, 0, 1)),
     (2, 2, 3, 2, 3)),
    ("ConvTranspose3d", (4, 2, (1, 2, 3)), dict(groups=2, dilation=(1, 2, 1)), (4, 2, 3, 2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,args,kwargs,shape", CONV_TRANSPOSE)
def test_conv_transpose_matches_torch(backend, layer, args, kwargs, shape, dtype):
    torch.manual_seed(0)
    ours, theirs = copied(getattr(nn, layer)(*args, **kwargs, dtype=dtype),
                          getattr(torch.nn, layer)(*args, **kwargs), dtype)
    compare_layers(ours, theirs, normal(shape, dtype), dtype)


@pytest.mark.parametrize("view", [lambda x: x.transpose(2, 3), lambda x: x[:, :, ::2, 1:],
                                  lambda x: x[1].transpose(1, 2)],
                         ids=["transposed", "strided", "unbatched-view"])
def test_conv_transpose_takes_non_contiguous_input(backend, view):
    torch.manual_seed(0)
    ours, theirs = copied(nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, dtype="float64"),
                          torch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1), "float64")
    compare_layers(ours, theirs, normal((2, 3, 6, 6), "float64"), "float64", view)


@pytest.mark.parametrize("output_size", [(9, 10), [2, 3, 10, 9], (3, 10, 10)],
                         ids=["spatial", "all-sizes", "unbatched-with-channels"])
def test_conv_transpose_output_size_picks_the_output_padding(backend, output_size):
    torch.manual_seed(0)
    ours, theirs = copied(nn.ConvTranspose2d(2, 3, 3, stride=2, dtype="float64"),
                          torch.nn.ConvTranspose2d(2, 3, 3, stride=2), "float64")
    shape = (2, 2, 4, 4) if len(output_size) != 3 else (2, 4, 4)
    compare_layers(ours, theirs, normal(shape, "float64"), "float64",
                   output_size=output_size)


@pytest.mark.parametrize("name,dims", [("conv_transpose1d", 1), ("conv_transpose2d", 2),
                                       ("conv_transpose3d", 3)])
@pytest.mark.parametrize("kwargs", [dict(groups=2), dict(groups=1, stride=2, padding=1,
                                                         output_padding=1),
                                    dict(groups=1, dilation=2, output_padding=1)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_functional_conv_transpose_matches_torch(backend, name, dims, kwargs, with_bias):
    shapes = [(2, 4) + (3,) * dims, (4, 6 // kwargs["groups"]) + (2,) * dims, (6,)]
    arrays = [normal(shape, "float64", seed) for seed, shape in enumerate(shapes)]
    count = 3 if with_bias else 2   # input, weight (and bias)
    args = [minitorch.tensor(a, requires_grad=True) for a in arrays[:count]]
    targs = [torch.tensor(a, requires_grad=True) for a in arrays[:count]]
    check_backward([(getattr(F, name)(*args, **kwargs),
                     getattr(torch.nn.functional, name)(*targs, **kwargs))],
                   args, targs, "float64")


def test_conv_transpose_is_the_adjoint_of_conv(backend):
    # <conv(x), y> == <x, conv_transpose(y)> for the same weight and geometry
    geometry = dict(stride=2, padding=1, dilation=2, groups=2)
    x = minitorch.tensor(normal((2, 4, 9, 8), "float64", 1))
    weight = minitorch.tensor(normal((6, 2, 3, 2), "float64", 2))
    y = F.conv2d(x, weight, **geometry)
    y_other = minitorch.tensor(normal(y.shape, "float64", 3))
    back = F.conv_transpose2d(y_other, weight, output_padding=(0, 1), **geometry)
    assert back.shape == x.shape
    np.testing.assert_allclose((y * y_other).sum().item(), (x * back).sum().item(),
                               rtol=1e-12)


def test_conv_transpose_of_an_empty_batch(backend):
    x = minitorch.zeros(0, 2, 3, 3, requires_grad=True)
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2)
    out = layer(x)
    out.sum().backward()
    assert out.shape == (0, 3, 7, 7) and x.grad.shape == (0, 2, 3, 3)
    assert layer.weight.grad.abs().sum().item() == 0


# ---- conv3d -----------------------------------------------------------------------------

CONV3D = [
    ((2, 3, 3), {}, (2, 2, 5, 4, 5)),
    ((4, 2, (2, 3, 1)), dict(stride=(2, 1, 2), padding=(1, 0, 2), dilation=(1, 2, 1),
                             groups=2), (2, 4, 5, 6, 4)),
    ((2, 4, 3), dict(padding="same", bias=False), (2, 4, 3, 5)),   # unbatched
    ((2, 2, 3), dict(padding=1, padding_mode="reflect"), (1, 2, 4, 4, 3)),
    ((2, 2, 2), dict(padding=(1, 0, 1), padding_mode="circular"), (1, 2, 3, 4, 3)),
    ((2, 2, 2), dict(padding=1, padding_mode="replicate"), (2, 3, 3, 3)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("args,kwargs,shape", CONV3D)
def test_conv3d_matches_torch(backend, args, kwargs, shape, dtype):
    torch.manual_seed(0)
    ours, theirs = copied(nn.Conv3d(*args, **kwargs, dtype=dtype),
                          torch.nn.Conv3d(*args, **kwargs), dtype)
    compare_layers(ours, theirs, normal(shape, dtype), dtype)


def test_conv3d_takes_non_contiguous_input_and_its_functional_form_matches(backend):
    torch.manual_seed(0)
    ours, theirs = copied(nn.Conv3d(3, 2, 2, padding=1, dtype="float64"),
                          torch.nn.Conv3d(3, 2, 2, padding=1), "float64")
    compare_layers(ours, theirs, normal((2, 3, 4, 3, 5), "float64"), "float64",
                   lambda x: x.transpose(2, 4))
    x, weight = normal((1, 4, 3, 4, 5), "float64"), normal((2, 2, 2, 2, 2), "float64", 1)
    assert_close(F.conv3d(minitorch.tensor(x), minitorch.tensor(weight), stride=2, groups=2),
                 torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(weight), stride=2,
                                            groups=2), "float64")


# ---- unfold and fold --------------------------------------------------------------------

BLOCKS = [  # (kwargs, image shape): unfold of the image, fold back to its size
    (dict(kernel_size=2), (2, 3, 4, 5)),
    (dict(kernel_size=(2, 3), stride=2, padding=1), (2, 2, 5, 6)),
    (dict(kernel_size=3, dilation=(2, 1), padding=(1, 2), stride=(1, 2)), (1, 3, 6, 5)),
    (dict(kernel_size=(1, 2), stride=(3, 1)), (3, 7, 4)),   # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs,shape", BLOCKS)
def test_unfold_and_fold_match_torch(backend, kwargs, shape, dtype):
    image = normal(shape, dtype)
    x, tx = minitorch.tensor(image, requires_grad=True), torch.tensor(image, requires_grad=True)
    blocks, tblocks = F.unfold(x, **kwargs), torch.nn.functional.unfold(tx, **kwargs)
    columns = normal(tuple(tblocks.shape), dtype, 5)
    c, tc = minitorch.tensor(columns, requires_grad=True), \
        torch.tensor(columns, requires_grad=True)
    folded = F.fold(c, shape[-2:], **kwargs)
    tfolded = torch.nn.functional.fold(tc, shape[-2:], **kwargs)
    check_backward([(blocks, tblocks), (folded, tfolded)], [x, c], [tx, tc], dtype)


def test_unfold_and_fold_layers_take_non_contiguous_input(backend):
    image = normal((2, 3, 6, 5), "float64")
    unfold, tunfold = nn.Unfold((2, 3), padding=1), torch.nn.Unfold((2, 3), padding=1)
    compare_layers(unfold, tunfold, image, "float64", lambda x: x.transpose(2, 3))
    fold = nn.Fold((5, 6), (2, 3), padding=1)
    tfold = torch.nn.Fold((5, 6), (2, 3), padding=1)
    columns = normal((2, 36, 18), "float64")   # fold of a (2, 18, 36) transposed view
    compare_layers(fold, tfold, columns, "float64",
                   lambda c: c.transpose(1, 2))


def test_fold_of_unfold_counts_the_blocks_holding_each_element(backend):
    ones = minitorch.ones(1, 1, 4, 4)
    counts = F.fold(F.unfold(ones, 3, padding=1), (4, 4), 3, padding=1)
    expected = np.outer([2, 3, 3, 2], [2, 3, 3, 2])   # windows covering each element
    np.testing.assert_array_equal(counts.numpy()[0, 0], expected)


# ---- layers: initialisation, reprs, state dicts ------------------------------------------

@pytest.mark.parametrize("layer,args,kwargs,fan_in", [
    ("ConvTranspose2d", (3, 4, 3), {}, 36), ("ConvTranspose2d", (4, 6, (2, 3)),
                                             dict(groups=2), 18),
    ("ConvTranspose1d", (5, 2, 4), {}, 8), ("Conv3d", (2, 3, 2), {}, 16)])
def test_initialisation_is_pytorchs_default_with_its_fan_in(layer, args, kwargs, fan_in):
    minitorch.manual_seed(7)
    conv = getattr(nn, layer)(*args, **kwargs)
    assert tuple(conv.weight.shape) == tuple(getattr(torch.nn, layer)(*args, **kwargs)
                                             .weight.shape)
    minitorch.manual_seed(7)   # the same draws, in the same order: weight, then bias
    bound = 1 / math.sqrt(fan_in)
    weight = minitorch.empty(*conv.weight.shape).uniform_(-bound, bound)
    bias = minitorch.empty(args[1]).uniform_(-bound, bound)
    np.testing.assert_allclose(conv.weight.detach().numpy(), weight.numpy(), rtol=1e-6)
    np.testing.assert_allclose(conv.bias.detach().numpy(), bias.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name,args,kwargs", [
    ("ConvTranspose2d", (4, 6, 3), {}),
    ("ConvTranspose2d", (4, 6, (2, 3)), dict(stride=2, padding=1, output_padding=1,
                                             dilation=2, groups=2, bias=False)),
    ("ConvTranspose1d", (2, 3, 3), dict(output_padding=0, padding_mode="zeros")),
    ("ConvTranspose3d", (2, 2, 2), dict(stride=(1, 2, 3), output_padding=(0, 1, 2))),
    ("Conv3d", (2, 4, 3), dict(padding="same", padding_mode="reflect")),
    ("Conv3d", (2, 4, (1, 2, 3)), dict(stride=2, dilation=(1, 1, 2), groups=2)),
    ("Unfold", (2,), dict(padding=1)), ("Unfold", ((2, 3),), dict(dilation=(1, 2), stride=2)),
    ("Fold", ((4, 5), (2, 3)), dict(stride=2)), ("Fold", (6, 2), dict(padding=(0, 1)))])
def test_layer_reprs_and_state_dict_keys_match_torch(name, args, kwargs):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_python_backend_on_tiny_tensors():
    with minitorch.use_backend("python"):
        torch.manual_seed(0)
        ours, theirs = copied(nn.ConvTranspose2d(2, 2, 2, stride=2, padding=1,
                                                 output_padding=1, dtype="float64"),
                              torch.nn.ConvTranspose2d(2, 2, 2, stride=2, padding=1,
                                                       output_padding=1), "float64")
        compare_layers(ours, theirs, normal((1, 2, 2, 3), "float64"), "float64")
        image = normal((1, 2, 3, 3), "float64")
        assert_close(F.fold(F.unfold(minitorch.tensor(image), 2), (3, 3), 2),
                     torch.nn.functional.fold(torch.nn.functional.unfold(
                         torch.tensor(image), 2), (3, 3), 2), "float64")


# ---- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("make,message", [
    (lambda: nn.ConvTranspose2d(3, 6, 3, padding_mode="reflect"),
     "ConvTranspose2d: only padding_mode 'zeros' is supported"),
    (lambda: nn.ConvTranspose2d(3, 6, 3, padding="same"),
     "ConvTranspose2d: padding must be an int or a tuple of 2 ints"),
    (lambda: nn.ConvTranspose1d(4, 6, 3, groups=4), r"groups=4 must divide both"),
    (lambda: nn.ConvTranspose3d(2, 2, 3, output_padding=-1),
     "ConvTranspose3d: output_padding must be"),
    (lambda: nn.Conv3d(2, 2, (3, 3)), "Conv3d: kernel_size must be an int or a tuple of 3"),
    (lambda: nn.Unfold(0), "Unfold: kernel_size must be"),
    (lambda: nn.Fold((4, 0), 2), "Fold: output_size must be"),
])
def test_layers_refuse_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def _input(*shape, dtype="float32"):
    return minitorch.randn(*shape, dtype=dtype)


@pytest.mark.parametrize("call,error,message", [
    (lambda: nn.ConvTranspose2d(3, 4, 3)(_input(3, 5)), ValueError,
     r"ConvTranspose2d: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got 2-D "
     "input 3x5"),
    (lambda: nn.ConvTranspose3d(2, 4, 2)(_input(2, 2, 5)), ValueError,
     r"ConvTranspose3d: expected a 4-D \(C, D, H, W\) or 5-D .* got 3-D input 2x2x5"),
    (lambda: nn.ConvTranspose2d(3, 4, 3)(_input(1, 2, 5, 5)), ValueError,
     "ConvTranspose2d: weight 3x4x3x3 expects input with 3 channels, got input 1x2x5x5 "
     "with 2"),
    (lambda: nn.ConvTranspose1d(2, 2, 3)(_input(1, 2, 5, dtype="float64")), TypeError,
     r"ConvTranspose1d: input \(float64\) and weights \(float32\) must have the same dtype"),
    (lambda: nn.ConvTranspose1d(2, 2, 3)(minitorch.ones(1, 2, 5, dtype="int64")), TypeError,
     "ConvTranspose1d: input must be floating point"),
    (lambda: nn.ConvTranspose1d(2, 2, 3, stride=2, output_padding=2)(_input(1, 2, 5)),
     ValueError, r"ConvTranspose1d: output_padding \(2,\) must be smaller than either the "
     r"stride \(2,\) or the dilation \(1,\)"),
    (lambda: nn.ConvTranspose1d(2, 2, 1, padding=1)(_input(1, 2, 2)), ValueError,
     r"ConvTranspose1d: the output would be 0, too small \(input 1x2x2"),
    (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2)(_input(1, 2, 4, 4), output_size=(12, 9)),
     ValueError, r"ConvTranspose2d: requested an output size of \(12, 9\), but valid sizes "
     r"range from \(9, 9\) to \(10, 10\)"),
    (lambda: nn.ConvTranspose2d(2, 3, 3)(_input(1, 2, 4, 4), output_size=(6,)), ValueError,
     "ConvTranspose2d: output_size must be an int or a tuple of 2 ints"),
    (lambda: F.conv_transpose2d(_input(1, 4, 3, 3), _input(3, 2, 2, 2), groups=2),
     ValueError, "conv_transpose2d: groups=2 must divide the weight's in_channels"),
    (lambda: F.conv_transpose2d(_input(1, 3, 3, 3), _input(3, 2, 2)), ValueError,
     r"conv_transpose2d: weight must be 4-D \(in_channels, out_channels / groups"),
    (lambda: F.conv_transpose1d(_input(1, 2, 3), _input(2, 3, 2), _input(2)), ValueError,
     r"conv_transpose1d: bias must have shape \(3,\)"),
    (lambda: nn.Conv3d(2, 2, 3)(_input(1, 2, 2, 5, 5)), ValueError,
     r"Conv3d: the kernel 3x3x3 \(with dilation\) is larger than the padded input 2x5x5"),
    (lambda: F.conv3d(_input(1, 2, 4, 4, 4), _input(2, 2, 2, 2)), ValueError,
     r"conv3d: weight must be 5-D \(out_channels, in_channels / groups"),
    (lambda: F.unfold(_input(2, 3, 4, 4, 4), 2), ValueError,
     r"unfold: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got 5-D"),
    (lambda: nn.Unfold(3)(_input(1, 1, 2, 5)), ValueError,
     r"Unfold: the kernel 3x3 \(with dilation\) is larger than the padded input 2x5"),
    (lambda: F.unfold(minitorch.ones(1, 1, 3, 3, dtype="int64"), 2), TypeError,
     "unfold: input must be floating point"),
    (lambda: F.fold(_input(1, 13, 20), (5, 6), 2), ValueError,
     r"fold: the input's size 13 in dim -2 must be divisible by the 4 elements of "
     r"kernel_size \(2, 2\)"),
    (lambda: nn.Fold((5, 6), 2)(_input(1, 12, 21)), ValueError,
     r"Fold: output_size \(5, 6\) with kernel_size \(2, 2\), dilation \(1, 1\), padding "
     r"\(0, 0\) and stride \(1, 1\) has 4 x 5 sliding blocks, but the input 1x12x21 has 21"),
    (lambda: F.fold(_input(4, 1), (1, 1), 2), ValueError, "has 0 x 0 sliding blocks"),
    (lambda: F.fold(_input(2, 3, 4, 1), (3, 3), 2), ValueError,
     r"fold: expected a 2-D \(C \* K, L\) or 3-D \(N, C \* K, L\) input, got 4-D"),
])
def test_bad_input_is_refused_naming_the_op_and_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_failed_transposed_convolution_leaves_no_graph_or_gradient():
    layer = nn.ConvTranspose2d(3, 4, 3)
    x = minitorch.randn(2, 2, 5, 5, requires_grad=True)
    with pytest.raises(ValueError):
        layer(x)
    with pytest.raises(ValueError):
        layer(minitorch.randn(2, 3, 5, 5), output_size=(20, 20))
    assert layer.weight.grad is None and x.grad is None
    assert layer.weight.shape == (3, 4, 3, 3) and layer.output_padding == (0, 0)
