"""Pooling layers of minitorch.nn (max, average, LP, adaptive, max unpooling; 1-D to 3-D)
and their functional forms checked against torch.nn: outputs, indices and input
gradients (float32 and float64, batched and unbatched, non-contiguous inputs, ceil_mode,
padding, dilation, overlapping windows, ties), reprs, and bad arguments and inputs, on
the numpy and c backends (a tiny case on python)."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F
from minitorch.serialization import from_torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

TF = torch.nn.functional


def transposed(x):
    """A non-contiguous view: the last two dims swapped (the shapes below account for it)."""
    return x.transpose(-1, -2)


def absolute(x):
    return x.abs()


def compare(ours, theirs, array, dtype, view=None):
    """ours(x) against theirs(x), x the leaf `array` seen through `view`: the outputs
    (and, for a pair, the indices, exactly) and the input gradients."""
    x = minitorch.tensor(array, requires_grad=True)
    tx = torch.tensor(array, requires_grad=True)
    out = ours(view(x) if view else x)
    tout = theirs(view(tx) if view else tx)
    if isinstance(tout, tuple):
        (out, indices), (tout, tindices) = out, tout
        assert indices.dtype.name == "int64"
        np.testing.assert_array_equal(indices.numpy(), tindices.numpy())
    check_backward([(out, tout)], [x], [tx], dtype)


POOLS = [  # (layer, args, kwargs, input shape, view)
    ("MaxPool1d", (3,), {}, (2, 3, 10), None),
    ("MaxPool1d", (3, 2, 1), dict(ceil_mode=True), (2, 3, 10), None),
    ("MaxPool1d", (2, 3), dict(ceil_mode=True, dilation=2, return_indices=True), (3, 11),
     None),
    ("MaxPool1d", (3, 1, 1), dict(return_indices=True), (2, 7, 3), transposed),
    ("MaxPool2d", (3, 2, 1), dict(ceil_mode=True), (2, 2, 8, 9), None),
    ("MaxPool2d", ((2, 3), (2, 1)), dict(ceil_mode=True, return_indices=True), (3, 7, 6),
     transposed),
    ("MaxPool2d", (3, 2, 1), dict(dilation=(1, 2), return_indices=True), (1, 2, 7, 9), None),
    ("MaxPool3d", (2,), dict(return_indices=True), (1, 2, 4, 5, 4), None),
    ("MaxPool3d", (3, 2, 1), dict(ceil_mode=True), (2, 4, 5, 6), None),
    ("AvgPool1d", (3, 2, 1), dict(ceil_mode=True), (2, 3, 10), None),
    ("AvgPool1d", (4, 3, 2), dict(ceil_mode=True, count_include_pad=False), (3, 9), None),
    ("AvgPool1d", (2, 1), {}, (2, 6, 3), transposed),
    ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True), (2, 2, 8, 9), None),
    ("AvgPool2d", ((3, 2), 2, (1, 1)), dict(ceil_mode=True, count_include_pad=False),
     (2, 2, 6, 7), transposed),
    ("AvgPool2d", (2, 3), dict(ceil_mode=True, divisor_override=3), (2, 7, 8), None),
    ("AvgPool3d", (2, 2, 1), dict(count_include_pad=False), (1, 2, 4, 5, 3), None),
    ("AvgPool3d", (3, 2), dict(ceil_mode=True), (2, 5, 6, 5), None),
    ("LPPool1d", (2, 3), {}, (2, 3, 10), None),
    ("LPPool1d", (1.5, 3, 2), dict(ceil_mode=True), (3, 10), absolute),
    ("LPPool2d", (2, (2, 3), 2), dict(ceil_mode=True), (2, 2, 7, 8), transposed),
    ("LPPool2d", (math.inf, 2), {}, (2, 6, 6), None),
    ("LPPool3d", (3, 2), {}, (1, 2, 4, 4, 5), absolute),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10), None),
    ("AdaptiveAvgPool1d", (7,), {}, (5, 3), transposed),   # more outputs than inputs
    ("AdaptiveAvgPool2d", ((3, 4),), {}, (2, 2, 7, 9), None),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (3, 5, 7), transposed),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 5, 4), None),
    ("AdaptiveAvgPool3d", ((2, 3, None),), {}, (1, 2, 5, 7, 3), None),
    ("AdaptiveMaxPool1d", (4,), dict(return_indices=True), (2, 3, 10), None),
    ("AdaptiveMaxPool1d", (3,), {}, (7, 2), transposed),
    ("AdaptiveMaxPool2d", ((3, 4),), dict(return_indices=True), (2, 2, 7, 9), None),
    ("AdaptiveMaxPool2d", ((None, 5),), dict(return_indices=True), (3, 4, 6), transposed),
    ("AdaptiveMaxPool3d", (2,), dict(return_indices=True), (2, 3, 5, 4), None),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,args,kwargs,shape,view", POOLS)
def test_pooling_matches_torch(backend, layer, args, kwargs, shape, dtype, view):
    ours = getattr(nn, layer)(*args, **kwargs)
    theirs = getattr(torch.nn, layer)(*args, **kwargs)
    compare(ours, theirs, normal(shape, dtype), dtype, view)


def small_integers(shape, seed=3):
    """Values with ties in nearly every window, a whole plane of one value and a nan."""
    values = np.random.default_rng(seed).integers(0, 3, shape).astype(np.float64)
    values[1, 1] = 5.0
    values[(0, 0) + (2,) * (len(shape) - 2)] = math.nan
    return values


@pytest.mark.parametrize("ours,theirs", [
    (lambda x: F.max_pool2d(x, 3, 1, 1, return_indices=True),
     lambda x: TF.max_pool2d(x, 3, 1, 1, return_indices=True)),
    (lambda x: F.max_pool2d_with_indices(x, 2, 2, ceil_mode=True),
     lambda x: TF.max_pool2d_with_indices(x, 2, 2, ceil_mode=True)),
    (lambda x: F.adaptive_max_pool2d(x, (4, 3), return_indices=True),
     lambda x: TF.adaptive_max_pool2d(x, (4, 3), return_indices=True)),
    (lambda x: F.max_pool1d(x.reshape(2, 2, -1), 4, 3, 2, return_indices=True),
     lambda x: TF.max_pool1d(x.reshape(2, 2, -1), 4, 3, 2, return_indices=True))])
def test_max_pooling_breaks_ties_as_torch(backend, ours, theirs):
    compare(ours, theirs, small_integers((2, 2, 6, 7)), "float64")


def test_a_window_of_minus_infinity_reports_its_first_input_element_as_torch(backend):
    array = np.full((1, 2, 5, 6), -math.inf)
    array[0, 1, 3:, 4:] = 1.0
    for kwargs in (dict(kernel_size=3, stride=2, padding=1),
                   dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)):
        values, indices = F.max_pool2d(minitorch.tensor(array), return_indices=True, **kwargs)
        expected, expected_indices = TF.max_pool2d(torch.tensor(array), return_indices=True,
                                                   **kwargs)
        assert_close(values, expected, "float64")
        np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())


@pytest.mark.parametrize("name,args,kwargs", [
    ("max_pool1d_with_indices", (3, 2, 1, 2, True), {}),
    ("max_pool3d_with_indices", ((1, 2, 3), 2), dict(ceil_mode=True)),
    ("avg_pool1d", (3, 2, 1, True, False), {}),
    ("avg_pool3d", (2, 1, 1), dict(divisor_override=5)),
    ("lp_pool1d", (2, 3), dict(ceil_mode=True)),
    ("lp_pool2d", (-math.inf, 2), {}),
    ("adaptive_avg_pool1d", (3,), {}),
    ("adaptive_max_pool1d_with_indices", (4,), {}),
    ("adaptive_avg_pool3d", ((1, 2, 3),), {}),
    ("adaptive_max_pool3d_with_indices", ((3, 2, 2),), {})])
def test_functional_forms_match_torch(backend, name, args, kwargs):
    flat = "1d" in name   # a 1-D pooling pools the input's last two dims as one

    def call(module):
        return lambda x: getattr(module, name)(x.flatten(2) if flat else x, *args, **kwargs)
    compare(call(F), call(TF), normal((2, 3, 5, 7), "float64"), "float64")


def test_ceil_mode_output_sizes_and_divisors_match_torch():
    # every small geometry: ceil_mode's extra window, PyTorch's "starts inside" rule, the
    # divisors of the windows it makes, and which geometries leave no window at all
    x = normal((1, 1, 9), "float64")
    for size in range(1, 10):
        for kernel in range(1, 6):
            for stride in range(1, 5):
                for padding in range(kernel // 2 + 1):
                    args, array = (kernel, stride, padding), x[..., :size]
                    try:
                        theirs = TF.max_pool1d(torch.tensor(array), *args, ceil_mode=True,
                                               return_indices=True)
                    except RuntimeError:
                        with pytest.raises(ValueError, match="max_pool1d: the kernel"):
                            F.max_pool1d(minitorch.tensor(array), *args, ceil_mode=True)
                        continue
                    ours = F.max_pool1d(minitorch.tensor(array), *args, ceil_mode=True,
                                        return_indices=True)
                    assert_close(ours[0], theirs[0], "float64")
                    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
                    for count in (True, False):
                        assert_close(F.avg_pool1d(minitorch.tensor(array), *args, True, count),
                                     TF.avg_pool1d(torch.tensor(array), *args, True, count),
                                     "float64")


@pytest.mark.parametrize("dims,kwargs,shape", [
    (1, dict(kernel_size=3, stride=2, padding=1), (2, 3, 9)),
    (2, dict(kernel_size=2), (2, 3, 6, 6)),
    (2, dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 1)), (3, 6, 7)),
    (3, dict(kernel_size=2, stride=1), (1, 2, 3, 4, 5))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_unpool_inverts_max_pool_as_torch(backend, dims, kwargs, shape, dtype):
    pool, unpool = f"max_pool{dims}d", f"max_unpool{dims}d"
    values, indices = getattr(TF, pool)(torch.tensor(normal(shape, dtype)),
                                        return_indices=True, **kwargs)
    ours_indices = minitorch.tensor(indices.numpy())
    layer = getattr(nn, f"MaxUnpool{dims}d")(**kwargs)
    theirs_layer = getattr(torch.nn, f"MaxUnpool{dims}d")(**kwargs)
    default = layer(minitorch.tensor(values.numpy()), ours_indices).shape[-dims:]
    size = tuple(d + s - 1 for d, s in zip(default, layer.stride))   # the largest allowed
    x = minitorch.tensor(values.detach().numpy(), requires_grad=True)
    tx = values.detach().requires_grad_()
    check_backward([
        (layer(x, ours_indices), theirs_layer(tx, indices)),
        (getattr(F, unpool)(x, ours_indices, output_size=size, **kwargs),
         getattr(TF, unpool)(tx, indices, output_size=size, **kwargs))], [x], [tx], dtype)


def test_max_unpool_of_a_non_contiguous_input(backend):
    values, indices = TF.max_pool2d(torch.tensor(normal((2, 3, 6, 6), "float64")), 2,
                                    return_indices=True)
    x = minitorch.tensor(values.numpy().transpose(0, 1, 3, 2).copy(), requires_grad=True)
    tx = torch.tensor(values.numpy().transpose(0, 1, 3, 2).copy(), requires_grad=True)
    check_backward([(F.max_unpool2d(transposed(x), minitorch.tensor(indices.numpy()), 2),
                     TF.max_unpool2d(transposed(tx), indices, 2))], [x], [tx], "float64")


@pytest.mark.parametrize("name,args,kwargs", [
    ("MaxPool1d", (3,), {}), ("MaxPool2d", ((2, 3), 1, 1), dict(ceil_mode=True)),
    ("MaxPool3d", (2,), dict(dilation=2, return_indices=True)),
    ("AvgPool1d", (3, 2, 1), {}), ("AvgPool1d", ((3,),), dict(ceil_mode=True)),
    ("AvgPool2d", ((2, 3),), dict(padding=1)), ("AvgPool3d", (2, 1), {}),
    ("LPPool1d", (2, 3), {}), ("LPPool2d", (1.5, (2, 3), 2), dict(ceil_mode=True)),
    ("LPPool3d", (2, 2), {}),
    ("AdaptiveAvgPool1d", (3,), {}), ("AdaptiveAvgPool2d", ((None, 3),), {}),
    ("AdaptiveAvgPool3d", (2,), {}), ("AdaptiveMaxPool1d", (3,), {}),
    ("AdaptiveMaxPool2d", ((2, 4),), dict(return_indices=True)),
    ("AdaptiveMaxPool3d", ((1, 2, 3),), {}),
    ("MaxUnpool1d", (3,), {}), ("MaxUnpool2d", (2, 1, 1), {}),
    ("MaxUnpool3d", ((1, 2, 3),), {})])
def test_reprs_and_state_dicts_match_torch(name, args, kwargs):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


def test_a_network_with_pooling_loads_torch_state_and_matches(backend):
    torch.manual_seed(0)
    reference = torch.nn.Sequential(
        torch.nn.Conv1d(2, 4, 3), torch.nn.LPPool1d(2, 2), torch.nn.Conv1d(4, 4, 1),
        torch.nn.MaxPool1d(2, ceil_mode=True), torch.nn.AdaptiveAvgPool1d(3)).double()
    model = nn.Sequential(nn.Conv1d(2, 4, 3, dtype="float64"), nn.LPPool1d(2, 2),
                          nn.Conv1d(4, 4, 1, dtype="float64"),
                          nn.MaxPool1d(2, ceil_mode=True), nn.AdaptiveAvgPool1d(3))
    model.load_state_dict(from_torch(reference.state_dict()))
    assert list(model.state_dict()) == list(reference.state_dict())
    x = normal((3, 2, 16), "float64")
    assert_close(model(minitorch.tensor(x)), reference(torch.tensor(x)), "float64")


def test_python_backend_on_tiny_tensors():
    with minitorch.use_backend("python"):
        for ours, theirs in [
                (lambda x: F.max_pool2d(x, 2, 1, 1, ceil_mode=True, return_indices=True),
                 lambda x: TF.max_pool2d(x, 2, 1, 1, ceil_mode=True, return_indices=True)),
                (lambda x: F.avg_pool2d(x, 2, 2, 1, True, False),
                 lambda x: TF.avg_pool2d(x, 2, 2, 1, True, False)),
                (lambda x: F.adaptive_max_pool2d(x, 2),
                 lambda x: TF.adaptive_max_pool2d(x, 2)),
                (lambda x: F.adaptive_avg_pool2d(x, 2),
                 lambda x: TF.adaptive_avg_pool2d(x, 2))]:
            compare(ours, theirs, normal((1, 2, 3, 3), "float64"), "float64")


# ---- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("make,error,message", [
    (lambda: nn.MaxPool1d(2, padding=2), ValueError, r"MaxPool1d: padding \(2,\) must be at "
     "most half"),
    (lambda: nn.MaxPool2d((2, 2, 2)), ValueError, "MaxPool2d: kernel_size must be"),
    (lambda: nn.AvgPool3d(2, divisor_override=0), ValueError, "AvgPool3d: divisor_override"),
    (lambda: nn.AvgPool1d(2, stride=0), ValueError, "AvgPool1d: stride must be"),
    (lambda: nn.LPPool2d(2, 2, stride=(1, 2, 3)), ValueError, "LPPool2d: stride must be"),
    (lambda: nn.AdaptiveAvgPool2d((2, 0)), ValueError,
     r"AdaptiveAvgPool2d: output_size must be .* positive int or None, got \(2, 0\)"),
    (lambda: nn.AdaptiveMaxPool1d((2, 2)), ValueError, "AdaptiveMaxPool1d: output_size"),
    (lambda: nn.MaxUnpool2d(0), ValueError, "MaxUnpool2d: kernel_size must be"),
])
def test_layers_refuse_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def _pooled_indices():
    return F.max_pool2d(minitorch.randn(1, 2, 4, 4), 2, return_indices=True)


@pytest.mark.parametrize("call,error,message", [
    (lambda: nn.MaxPool1d(2)(minitorch.randn(2, 3, 4, 5)), ValueError,
     r"MaxPool1d: expected a 2-D \(C, L\) or 3-D \(N, C, L\) input, got 4-D input 2x3x4x5"),
    (lambda: F.max_pool3d(minitorch.randn(3, 4), 2), ValueError,
     r"max_pool3d: expected a 4-D .* got 2-D input 3x4"),
    (lambda: nn.MaxPool2d(3)(minitorch.randn(1, 1, 2, 5)), ValueError,
     "MaxPool2d: the kernel 3x3 .* larger than the padded input 2x5"),
    (lambda: F.max_pool1d(minitorch.randn(1, 1, 2), 4, 1, ceil_mode=True), ValueError,
     "max_pool1d: the kernel 4 .* larger than the padded input 2"),
    (lambda: F.avg_pool2d(minitorch.ones(1, 4, 4, dtype="bool"), 2), TypeError,
     "avg_pool2d: input must be floating point"),
    (lambda: F.avg_pool1d(minitorch.randn(1, 4, 4), 2, padding=2), ValueError,
     "avg_pool1d: padding"),
    (lambda: F.lp_pool1d(minitorch.randn(1, 4, 4), 0, 2), ValueError,
     "lp_pool1d: norm_type must be a non-zero number"),
    (lambda: F.adaptive_avg_pool2d(minitorch.randn(4, 4), 2), ValueError,
     "adaptive_avg_pool2d: expected a 3-D .* got 2-D input 4x4"),
    (lambda: F.adaptive_max_pool2d(minitorch.randn(1, 0, 4), 2), ValueError,
     "adaptive_max_pool2d: input 1x0x4 has an empty spatial dim"),
    (lambda: F.adaptive_avg_pool1d(minitorch.randn(1, 4, 4), (2, 2)), ValueError,
     "adaptive_avg_pool1d: output_size must be an int or a tuple of 1"),
    (lambda: F.max_unpool2d(_pooled_indices()[0], _pooled_indices()[1].float(), 2), TypeError,
     "max_unpool2d: indices must be an int64 tensor, got float32"),
    (lambda: F.max_unpool2d(_pooled_indices()[0], _pooled_indices()[1][0], 2), ValueError,
     "max_unpool2d: indices 2x2x2 must have the shape of input 1x2x2x2"),
    (lambda: F.max_unpool2d(*_pooled_indices(), 2, output_size=(6, 4)), ValueError,
     r"max_unpool2d: output_size \(6, 4\) is invalid: dim 0 must be between 2 and 6"),
    (lambda: F.max_unpool2d(*_pooled_indices(), 2, output_size=(4,)), ValueError,
     "max_unpool2d: output_size must hold 2 or 4 ints"),
    (lambda: F.max_unpool1d(minitorch.randn(1, 2, 2), minitorch.tensor([[[0, 4], [1, 2]]]), 2),
     IndexError, r"max_unpool1d: indices must lie in \[0, 4\)"),
])
def test_bad_input_is_refused_naming_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_failed_pooling_leaves_no_gradient():
    x = minitorch.randn(1, 2, 5, requires_grad=True)
    with pytest.raises(ValueError):
        F.max_pool2d(x, 3)   # a 3x3 kernel over a 2x5 plane
    assert x.grad is None and x._ctx is None
