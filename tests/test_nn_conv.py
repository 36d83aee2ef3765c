"""Conv1d/Conv2d, MaxPool2d/AvgPool2d/AdaptiveAvgPool2d and BatchNorm1d/BatchNorm2d of
minitorch.nn (and their functional forms) checked against torch.nn: outputs and the
gradients of input, weight and bias with the weights copied from torch, running
statistics, state dicts, initialisation, reprs and errors, on the numpy and c backends
(a tiny case on python), and a small CNN trained in both."""
import math

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F
from minitorch.serialization import from_torch, to_torch
from nn_helpers import assert_close, backend, normal  # noqa: F401  (backend: a fixture)

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
# torch warns that its own 'same' padding with an even kernel may copy the input
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def copied(ours, theirs, dtype):
    """theirs converted to dtype, with its parameters and buffers loaded into ours."""
    theirs = theirs.to(TORCH_DTYPES[dtype])
    ours.load_state_dict(from_torch(theirs.state_dict()))
    return ours, theirs


def compare(ours, theirs, array, dtype, view=None, parameters=("weight", "bias")):
    """ours(x) against theirs(x) for the input `array`, seen through `view` (a function
    of the leaf, the same for both): the output, then the gradients of input and of
    `parameters` for a random weighting of the output."""
    x = minitorch.tensor(array, requires_grad=True)
    tx = torch.tensor(array, requires_grad=True)
    out = ours(view(x) if view else x)
    tout = theirs(view(tx) if view else tx)
    assert_close(out, tout, dtype)
    weights = normal(tuple(tout.shape), dtype, seed=1)
    (out * minitorch.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    assert_close(x.grad, tx.grad, dtype)
    for name in parameters:
        if getattr(theirs, name, None) is not None:
            assert_close(getattr(ours, name).grad, getattr(theirs, name).grad, dtype)


# ---- convolution ------------------------------------------------------------------------

CONV2D = [  # (constructor args, kwargs, input shape)
    ((3, 4, 3), {}, (2, 3, 7, 6)),
    ((3, 4, (2, 3)), dict(stride=2, padding=1), (2, 3, 8, 7)),
    ((2, 3, 3), dict(stride=(1, 2), padding=(2, 0), dilation=(2, 1)), (2, 2, 6, 9)),
    ((3, 2, (2, 4)), dict(padding="same", dilation=(1, 3), bias=False), (2, 3, 5, 9)),
    ((3, 2, 3), dict(padding="same"), (1, 3, 4, 5)),
    ((3, 2, 2), dict(padding="valid"), (1, 3, 4, 5)),
    ((4, 6, 3), dict(groups=2, padding=1), (2, 4, 5, 5)),
    ((3, 6, (3, 1)), dict(groups=3, stride=(2, 1)), (2, 3, 7, 4)),   # depthwise
    ((1, 2, 5), dict(bias=False), (1, 1, 5, 5)),                    # kernel = input
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("args,kwargs,shape", CONV2D)
def test_conv2d_matches_torch(backend, args, kwargs, shape, dtype):
    torch.manual_seed(0)
    ours, theirs = copied(nn.Conv2d(*args, **kwargs, dtype=dtype),
                          torch.nn.Conv2d(*args, **kwargs), dtype)
    compare(ours, theirs, normal(shape, dtype), dtype)


CONV1D = [
    ((3, 4, 3), {}, (2, 3, 9)),
    ((2, 4, 4), dict(stride=3, padding=2, dilation=2), (2, 2, 13)),
    ((4, 2, 4), dict(padding="same", groups=2), (3, 4, 7)),
    ((2, 3, 2), dict(bias=False), (2, 6)),   # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("args,kwargs,shape", CONV1D)
def test_conv1d_matches_torch(backend, args, kwargs, shape, dtype):
    torch.manual_seed(0)
    ours, theirs = copied(nn.Conv1d(*args, **kwargs, dtype=dtype),
                          torch.nn.Conv1d(*args, **kwargs), dtype)
    compare(ours, theirs, normal(shape, dtype), dtype)


@pytest.mark.parametrize("view", [lambda x: x.transpose(2, 3), lambda x: x[:, :, ::2, 1:],
                                  lambda x: x[0]], ids=["transposed", "strided", "unbatched"])
def test_conv2d_takes_non_contiguous_and_unbatched_input(backend, view):
    torch.manual_seed(0)
    ours, theirs = copied(nn.Conv2d(3, 4, 3, padding=1, dtype="float64"),
                          torch.nn.Conv2d(3, 4, 3, padding=1), "float64")
    compare(ours, theirs, normal((2, 3, 8, 6), "float64"), "float64", view)


@pytest.mark.parametrize("name", ["conv1d", "conv2d"])
def test_functional_convolutions_match_torch(backend, name):
    dims = 1 if name == "conv1d" else 2
    x, weight, bias = (normal(shape, "float64", seed) for seed, shape in
                       enumerate([(2, 4) + (7,) * dims, (6, 2) + (3,) * dims, (6,)]))
    for kwargs in (dict(groups=2), dict(stride=2, padding=1, groups=2),
                   dict(padding="same", dilation=2, groups=2)):
        for with_bias in (True, False):
            args = [minitorch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
            targs = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
            out = getattr(F, name)(args[0], args[1], args[2] if with_bias else None, **kwargs)
            tout = getattr(torch.nn.functional, name)(targs[0], targs[1],
                                                       targs[2] if with_bias else None,
                                                       **kwargs)
            assert_close(out, tout, "float64")
            out.sum().backward()
            tout.sum().backward()
            for ours, theirs in zip(args, targs):
                if theirs.grad is not None:
                    assert_close(ours.grad, theirs.grad, "float64")
            assert (args[2].grad is None) == (not with_bias)


def test_convolution_of_an_empty_batch(backend):
    x = minitorch.zeros(0, 2, 5, 5, requires_grad=True)
    conv = nn.Conv2d(2, 3, 3)
    conv(x).sum().backward()
    assert conv(x).shape == (0, 3, 3, 3)
    assert x.grad.shape == (0, 2, 5, 5) and conv.weight.grad.abs().sum().item() == 0


@pytest.mark.parametrize("layer,args,kwargs,fan_in", [
    ("Conv2d", (3, 4, 3), {}, 27), ("Conv2d", (4, 6, (2, 3)), dict(groups=2), 12),
    ("Conv1d", (5, 2, 4), {}, 20)])
def test_convolution_initialisation_is_pytorchs_default_from_the_seeded_generator(
        layer, args, kwargs, fan_in):
    minitorch.manual_seed(7)
    conv = getattr(nn, layer)(*args, **kwargs)
    minitorch.manual_seed(7)   # the same draws, in the same order: weight, then bias
    bound = 1 / math.sqrt(fan_in)   # kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3/fan)
    weight = minitorch.empty(*conv.weight.shape).uniform_(-bound, bound)
    bias = minitorch.empty(args[1]).uniform_(-bound, bound)
    np.testing.assert_allclose(conv.weight.detach().numpy(), weight.numpy(), rtol=1e-6)
    np.testing.assert_allclose(conv.bias.detach().numpy(), bias.numpy(), rtol=1e-6)
    # drawn from the whole range: a wrong fan_in would shrink or overflow it
    assert 0.8 * bound < conv.weight.abs().max().item() <= bound


def test_layer_reprs_match_torch():
    for name, args, kwargs in [
            ("Conv2d", (1, 8, 3), {}),
            ("Conv2d", (4, 6, (2, 3)), dict(stride=2, padding=1, dilation=2, groups=2,
                                            bias=False)),
            ("Conv2d", (3, 3, 3), dict(padding="same")),
            ("Conv1d", (3, 3, 3), dict(padding="valid")),
            ("MaxPool2d", (2,), {}), ("MaxPool2d", (3, 2, 1), dict(dilation=2)),
            ("AvgPool2d", ((2, 3),), dict(padding=1)),
            ("AdaptiveAvgPool2d", (1,), {}), ("AdaptiveAvgPool2d", ((1, 1),), {}),
            ("BatchNorm2d", (3,), {}), ("BatchNorm2d", (3,), dict(bias=False)),
            ("BatchNorm1d", (4,), dict(momentum=None, affine=False))]:
        assert repr(getattr(nn, name)(*args, **kwargs)) == \
            repr(getattr(torch.nn, name)(*args, **kwargs))


# ---- pooling ----------------------------------------------------------------------------

POOLS = [  # (layer, args, kwargs, input shape)
    ("MaxPool2d", (2,), {}, (2, 3, 6, 7)),
    ("MaxPool2d", (3, 2, 1), {}, (2, 2, 7, 8)),
    ("MaxPool2d", ((2, 3), (1, 2)), dict(dilation=(2, 1), padding=(1, 0)), (1, 2, 6, 7)),
    ("MaxPool2d", (3, 1), {}, (3, 5, 5)),   # unbatched, overlapping windows
    ("AvgPool2d", (2,), {}, (2, 3, 6, 7)),
    ("AvgPool2d", (3, 2, 1), {}, (2, 2, 7, 8)),
    ("AvgPool2d", (3, 2, 1), dict(count_include_pad=False), (2, 2, 7, 8)),
    ("AvgPool2d", ((3, 2), 1, (1, 1)), dict(divisor_override=4), (1, 2, 5, 5)),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, (2, 3, 5, 4)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,args,kwargs,shape", POOLS)
def test_pooling_matches_torch(backend, layer, args, kwargs, shape, dtype):
    ours, theirs = getattr(nn, layer)(*args, **kwargs), getattr(torch.nn, layer)(*args, **kwargs)
    compare(ours, theirs, normal(shape, dtype), dtype, parameters=())


@pytest.mark.parametrize("args", [(2,), (3, 1), (3, 2, 1), ((2, 3), 1, (1, 0))])
def test_max_pool_sends_the_gradient_of_a_tie_where_torch_does(backend, args):
    # small integers: nearly every window holds a tie, and windows overlap for stride 1
    values = np.random.default_rng(3).integers(0, 3, (2, 2, 6, 7)).astype(np.float64)
    values[1, 1] = 5.0   # a whole plane of one value
    values[0, 0, 2, 3] = math.nan   # a nan wins its windows, and takes their gradient
    compare(nn.MaxPool2d(*args), torch.nn.MaxPool2d(*args), values, "float64",
            parameters=())


@pytest.mark.parametrize("name,kwargs", [
    ("max_pool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool2d", dict(kernel_size=2, padding=1, count_include_pad=False)),
    ("adaptive_avg_pool2d", dict(output_size=1))])
def test_functional_pooling_matches_torch(backend, name, kwargs):
    compare(lambda x: getattr(F, name)(x, **kwargs),
            lambda x: getattr(torch.nn.functional, name)(x, **kwargs),
            normal((2, 3, 6, 5), "float64"), "float64", parameters=())


def test_python_backend_on_tiny_tensors():
    with minitorch.use_backend("python"):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(2, 3, 2, padding=1, dtype="float64"),
                              nn.BatchNorm2d(3, dtype="float64"), nn.MaxPool2d(2, 1),
                              nn.AvgPool2d(2, padding=1))
        reference = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 2, padding=1),
                                        torch.nn.BatchNorm2d(3), torch.nn.MaxPool2d(2, 1),
                                        torch.nn.AvgPool2d(2, padding=1))
        ours, theirs = copied(model, reference, "float64")
        compare(ours, theirs, normal((2, 2, 3, 3), "float64"), "float64", parameters=())
        for index in (0, 1):
            assert_close(ours[index].weight.grad, theirs[index].weight.grad, "float64")
            assert_close(ours[index].bias.grad, theirs[index].bias.grad, "float64")
        assert_close(ours[1].running_var, theirs[1].running_var, "float64")


# ---- batch norm -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,shape,kwargs", [
    ("BatchNorm2d", (4, 3, 5, 6), {}), ("BatchNorm1d", (6, 3), {}),
    ("BatchNorm1d", (4, 3, 5), dict(momentum=0.3)),
    ("BatchNorm2d", (2, 3, 4, 4), dict(momentum=None)),   # cumulative average
    ("BatchNorm2d", (3, 3, 2, 2), dict(affine=False)),
    ("BatchNorm1d", (5, 3), dict(bias=False, eps=0.1))])
def test_batch_norm_trains_and_evaluates_as_torch(backend, layer, shape, kwargs, dtype):
    ours, theirs = copied(getattr(nn, layer)(3, **kwargs, dtype=dtype),
                          getattr(torch.nn, layer)(3, **kwargs), dtype)
    if kwargs.get("affine", True):
        with torch.no_grad():   # not the initial ones and zeros, so they matter
            theirs.weight.copy_(torch.tensor([0.5, 2.0, -1.0]))
            if theirs.bias is not None:
                theirs.bias.copy_(torch.tensor([0.1, -0.3, 0.7]))
        ours.load_state_dict(from_torch(theirs.state_dict()))
    for step in range(3):   # batch statistics, running statistics updated each step
        array = normal(shape, dtype, seed=step) * (step + 1) + step
        compare(ours, theirs, array, dtype)
        for name in ("running_mean", "running_var"):
            assert_close(getattr(ours, name), getattr(theirs, name), dtype)
        assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == step + 1
        ours.zero_grad()
        theirs.zero_grad()
    ours.eval()
    theirs.eval()
    compare(ours, theirs, normal(shape, dtype, seed=9), dtype)   # running statistics
    assert ours.num_batches_tracked.item() == 3


def test_batch_norm_without_running_stats_uses_batch_statistics_in_eval(backend):
    ours = nn.BatchNorm2d(3, track_running_stats=False, dtype="float64").eval()
    theirs = torch.nn.BatchNorm2d(3, track_running_stats=False).double().eval()
    assert ours.running_mean is None and list(ours.state_dict()) == ["weight", "bias"]
    compare(ours, theirs, normal((2, 3, 4, 4), "float64"), "float64")


def test_functional_batch_norm_matches_torch(backend):
    array = normal((5, 3, 4), "float64")
    running = [minitorch.zeros(3, dtype="float64"), minitorch.ones(3, dtype="float64")]
    torch_running = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
    weight, bias = normal((3,), "float64", 1), normal((3,), "float64", 2)
    for training in (True, False):
        out = F.batch_norm(minitorch.tensor(array), *running, minitorch.tensor(weight),
                           minitorch.tensor(bias), training=training, momentum=0.2, eps=1e-3)
        tout = torch.nn.functional.batch_norm(torch.tensor(array), *torch_running,
                                              torch.tensor(weight), torch.tensor(bias),
                                              training=training, momentum=0.2, eps=1e-3)
        assert_close(out, tout, "float64")
        for mine, reference in zip(running, torch_running):
            assert_close(mine, reference, "float64")


def test_batch_norm_state_dict_has_torchs_keys_and_loads_both_ways(backend):
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3))
    reference = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3))
    assert list(model.state_dict()) == list(reference.state_dict())
    assert model[1].num_batches_tracked.dtype.name == "int64"
    assert model[1].num_batches_tracked.shape == ()
    for step in range(2):
        model(minitorch.tensor(normal((4, 2, 5, 5), "float32", step)))
    reference.load_state_dict(to_torch(model.state_dict()))   # strict: every key, shape
    assert reference[1].num_batches_tracked.item() == 2
    model.eval()
    reference.eval()
    array = normal((2, 2, 5, 5), "float32", 5)
    assert_close(model(minitorch.tensor(array)), reference(torch.tensor(array)), "float32")
    fresh = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)).eval()
    fresh.load_state_dict(from_torch(reference.state_dict()))
    assert_close(fresh(minitorch.tensor(array)), reference(torch.tensor(array)), "float32")


def running_state(layer):
    return [getattr(layer, name).numpy().copy()
            for name in ("running_mean", "running_var", "num_batches_tracked")]


@pytest.mark.parametrize("layer,shape,message", [
    ("BatchNorm2d", (4, 3, 5), "BatchNorm2d: expected 4-D .* got 3-D input 4x3x5"),
    ("BatchNorm1d", (4, 3, 5, 5), "BatchNorm1d: expected 2-D .* got 4-D"),
    ("BatchNorm2d", (4, 2, 5, 5), "BatchNorm2d: expected input with 3 channels .* 4x2x5x5"),
    ("BatchNorm1d", (1, 3), "BatchNorm1d: expected more than 1 value per channel .* 1x3"),
    ("BatchNorm2d", (1, 3, 1, 1), "more than 1 value per channel")])
def test_batch_norm_refuses_bad_input_before_changing_anything(backend, layer, shape,
                                                               message):
    bn = getattr(nn, layer)(3)
    bn(minitorch.randn(*((5, 3) if layer == "BatchNorm1d" else (5, 3, 2, 2))))   # a valid step
    before = running_state(bn)
    with pytest.raises(ValueError, match=message):
        bn(minitorch.randn(*shape))
    for old, new in zip(before, running_state(bn)):
        np.testing.assert_array_equal(old, new)


def test_batch_norm_evaluates_a_single_sample():
    bn = nn.BatchNorm1d(3).eval()   # eval uses running statistics: one value is fine
    assert bn(minitorch.ones(1, 3)).shape == (1, 3)


# ---- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("make,error,message", [
    (lambda: nn.Conv2d(4, 6, 3, groups=4), ValueError,
     r"Conv2d: groups=4 must divide both in_channels \(4\) and out_channels \(6\)"),
    (lambda: nn.Conv2d(3, 6, 3, groups=0), ValueError, "groups must be a positive int"),
    (lambda: nn.Conv2d(3, 6, 3, padding_mode="mirror"), ValueError,
     "padding_mode must be one of"),
    (lambda: nn.Conv2d(3, 6, 3, stride=2, padding="same"), ValueError,
     "padding='same' is not supported for strided convolutions"),
    (lambda: nn.Conv1d(3, 6, 3, padding="full"), ValueError,
     "Conv1d: padding must be an int, a tuple, 'valid' or 'same'"),
    (lambda: nn.Conv2d(3, 6, (3, 0)), ValueError, "Conv2d: kernel_size must be"),
    (lambda: nn.Conv2d(3, 6, 3, stride=(1, 2, 3)), ValueError, "Conv2d: stride must be"),
    (lambda: nn.MaxPool2d(2, padding=2), ValueError, "MaxPool2d: padding .* at most half"),
    (lambda: nn.AvgPool2d(2, divisor_override=0), ValueError, "divisor_override"),
])
def test_layers_refuse_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("call,error,message", [
    (lambda: nn.Conv2d(3, 4, 3)(minitorch.randn(2, 3, 5, 5, 5)), ValueError,
     r"Conv2d: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got 5-D input "
     "2x3x5x5x5"),
    (lambda: nn.Conv1d(3, 4, 3)(minitorch.randn(5)), ValueError,
     "Conv1d: expected a 2-D .* got 1-D input 5"),
    (lambda: nn.Conv2d(3, 4, 3)(minitorch.randn(2, 2, 5, 5)), ValueError,
     "Conv2d: weight 4x3x3x3 with groups=1 expects input with 3 channels, got input "
     "2x2x5x5 with 2"),
    (lambda: nn.Conv2d(4, 4, 3, groups=2)(minitorch.randn(2, 2, 5, 5)), ValueError,
     "groups=2 expects input with 4 channels"),
    (lambda: nn.Conv2d(3, 4, (2, 4), padding=(1, 0))(minitorch.randn(1, 3, 5, 3)), ValueError,
     r"Conv2d: the kernel 2x4 \(with dilation\) is larger than the padded input 7x3"),
    (lambda: nn.Conv1d(3, 4, 3, dilation=3)(minitorch.randn(1, 3, 6)), ValueError,
     "kernel 7 .* larger than the padded input 6"),
    (lambda: F.conv2d(minitorch.randn(1, 4, 5, 5), minitorch.randn(3, 2, 3, 3), groups=2),
     ValueError, "conv2d: groups=2 must divide the weight's out_channels"),
    (lambda: F.conv2d(minitorch.randn(1, 3, 5, 5), minitorch.randn(4, 3, 3, 3),
                      minitorch.randn(3)), ValueError, r"conv2d: bias must have shape \(4,\)"),
    (lambda: nn.Conv2d(3, 4, 3)(minitorch.randn(1, 3, 5, 5, dtype="float64")), TypeError,
     "Conv2d: input .float64. and weights .float32. must have the same dtype"),
    (lambda: nn.Conv2d(3, 4, 3)(minitorch.ones(1, 3, 5, 5, dtype="int64")), TypeError,
     "Conv2d: input must be floating point"),
    (lambda: nn.MaxPool2d(3)(minitorch.randn(1, 1, 2, 5)), ValueError,
     "MaxPool2d: the kernel 3x3 .* larger than the padded input 2x5"),
    (lambda: nn.AvgPool2d(2)(minitorch.randn(4, 4)), ValueError,
     "AvgPool2d: expected a 3-D .* got 2-D input 4x4"),
])
def test_bad_input_is_refused_naming_the_layer_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_failed_convolution_leaves_no_graph_or_gradient():
    conv = nn.Conv2d(3, 4, 3)
    x = minitorch.randn(2, 2, 5, 5, requires_grad=True)
    with pytest.raises(ValueError):
        conv(x)
    assert conv.weight.grad is None and x.grad is None


# ---- end to end -------------------------------------------------------------------------

def test_a_small_cnn_trains_as_in_torch(backend):
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(),
                                    torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                    torch.nn.Linear(4 * 3 * 3, 3))
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 3 * 3, 3))
    model.load_state_dict(from_torch(reference.state_dict()))
    images = normal((16, 1, 8, 8), "float32")
    labels = np.random.default_rng(1).integers(0, 3, 16)
    x, y = minitorch.tensor(images), minitorch.tensor(labels)
    tx, ty = torch.tensor(images), torch.tensor(labels)
    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    torch_optimizer = torch.optim.SGD(reference.parameters(), lr=0.5, momentum=0.9)
    losses, torch_losses = [], []
    for _ in range(6):
        for opt, net, inputs, targets, record, loss_fn in (
                (optimizer, model, x, y, losses, nn.CrossEntropyLoss()),
                (torch_optimizer, reference, tx, ty, torch_losses,
                 torch.nn.CrossEntropyLoss())):
            opt.zero_grad()
            loss = loss_fn(net(inputs), targets)
            loss.backward()
            opt.step()
            record.append(loss.item())
    np.testing.assert_allclose(losses, torch_losses, rtol=1e-4)
    assert losses[-1] < 0.8 * losses[0]   # it learned: the comparison is not of constants
    assert_close(model[0].weight, reference[0].weight, "float32")
