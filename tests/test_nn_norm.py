"""The normalisation layers of minitorch.nn beyond BatchNorm1d/2d (tested with the conv
layers): BatchNorm3d, InstanceNorm1d/2d/3d, GroupNorm, RMSNorm, LocalResponseNorm and
their functional forms, against torch.nn: outputs and the gradients of input and
parameters (float32 and float64, batched and unbatched, through non-contiguous views),
running statistics over several training steps and in eval mode, state dicts loaded
from torch, reprs, and errors raised before anything changes; on the numpy and c
backends, with a tiny case on python."""
import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F
from minitorch.serialization import from_torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def transposed(tensor):
    """A non-contiguous view: the last two dims swapped (the arrays are made swapped)."""
    return tensor.transpose(-1, -2)


def loaded(ours, theirs, dtype):
    """theirs in dtype, with non-trivial parameters, loaded into ours."""
    theirs = theirs.to(TORCH_DTYPES[dtype])
    with torch.no_grad():
        for seed, parameter in enumerate(theirs.parameters(), 11):
            parameter.copy_(torch.tensor(normal(tuple(parameter.shape), dtype, seed)))
    ours.load_state_dict(from_torch(theirs.state_dict()))
    return ours, theirs


def step(ours, theirs, array, dtype, view=None):
    """One forward and backward of both on the same input (seen through `view`):
    outputs, input gradients and parameter gradients compared; gradients then zeroed."""
    x = minitorch.tensor(array, requires_grad=True)
    tx = torch.tensor(array, requires_grad=True)
    results = [(ours(view(x) if view else x), theirs(view(tx) if view else tx))]
    check_backward(results, [x], [tx], dtype, ours, theirs)
    ours.zero_grad()
    theirs.zero_grad()


def compare_buffers(ours, theirs, dtype):
    buffers = dict(theirs.named_buffers())
    assert [name for name, _ in ours.named_buffers()] == list(buffers)
    for name, buffer in ours.named_buffers():
        if name.endswith("num_batches_tracked"):
            assert buffer.item() == buffers[name].item()
        else:
            assert_close(buffer, buffers[name], dtype)


def train_then_evaluate(ours, theirs, shape, dtype, view=None, steps=3):
    """`steps` training steps on shifted, scaled inputs (the running statistics, if any,
    compared after each), then one step in eval mode."""
    for index in range(steps):
        step(ours, theirs, normal(shape, dtype, index) * (index + 1) + index, dtype, view)
        compare_buffers(ours, theirs, dtype)
    ours.eval()
    theirs.eval()
    step(ours, theirs, normal(shape, dtype, 9), dtype, view)
    compare_buffers(ours, theirs, dtype)


# ---- batch norm 3d ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs", [{}, dict(momentum=None), dict(momentum=0.3, bias=False),
                                    dict(affine=False, eps=0.1)])
def test_batch_norm3d_trains_and_evaluates_as_torch(backend, kwargs, dtype):
    ours, theirs = loaded(nn.BatchNorm3d(3, dtype=dtype, **kwargs),
                          torch.nn.BatchNorm3d(3, **kwargs), dtype)
    train_then_evaluate(ours, theirs, (2, 3, 3, 5, 4), dtype, view=transposed)
    assert ours.num_batches_tracked.item() == 3


# ---- instance norm ----------------------------------------------------------------------

INSTANCE_SHAPES = [("InstanceNorm1d", (4, 3, 6)), ("InstanceNorm1d", (3, 6)),
                   ("InstanceNorm2d", (2, 3, 4, 5)), ("InstanceNorm2d", (3, 4, 5)),
                   ("InstanceNorm3d", (2, 3, 2, 3, 4)), ("InstanceNorm3d", (3, 2, 3, 4))]


INSTANCE_OPTIONS = [
    {}, dict(affine=True, bias=False, track_running_stats=True, eps=0.1),
    dict(affine=True), dict(track_running_stats=True, momentum=0.3),
    dict(track_running_stats=True, momentum=None)]   # None: running stats stay put


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layer,shape,kwargs", [  # every option on 2d, the main two on all
    ("InstanceNorm2d", (2, 3, 4, 5), kwargs) for kwargs in INSTANCE_OPTIONS] + [
    (layer, shape, kwargs) for layer, shape in INSTANCE_SHAPES if shape != (2, 3, 4, 5)
    for kwargs in INSTANCE_OPTIONS[:2]])
def test_instance_norm_trains_and_evaluates_as_torch(backend, layer, shape, kwargs, dtype):
    ours, theirs = loaded(getattr(nn, layer)(3, dtype=dtype, **kwargs),
                          getattr(torch.nn, layer)(3, **kwargs), dtype)
    train_then_evaluate(ours, theirs, shape, dtype)


@pytest.mark.parametrize("layer,shape", INSTANCE_SHAPES[:3])
def test_instance_norm_takes_a_non_contiguous_input(backend, layer, shape):
    kwargs = dict(affine=True, track_running_stats=True)
    ours, theirs = loaded(getattr(nn, layer)(3, dtype="float64", **kwargs),
                          getattr(torch.nn, layer)(3, **kwargs), "float64")
    swapped = shape[:-2] + (shape[-1], shape[-2])
    train_then_evaluate(ours, theirs, swapped, "float64", view=transposed, steps=2)


def test_instance_norm_warns_as_torch_for_an_unused_channel_count(backend):
    array = normal((2, 5, 4), "float64")
    with pytest.warns(UserWarning, match="InstanceNorm1d: expected input with 3 channels"):
        out = nn.InstanceNorm1d(3)(minitorch.tensor(array))
    with pytest.warns(UserWarning):
        expected = torch.nn.InstanceNorm1d(3)(torch.tensor(array))
    assert_close(out, expected, "float64")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("use_input_stats", [True, False])
def test_functional_instance_norm_matches_torch(backend, use_input_stats, dtype):
    array = normal((3, 2, 5, 4), dtype)   # seen transposed: (3, 2, 4, 5)
    per_channel = [normal((2,), dtype, seed) for seed in (1, 2, 3, 4)]
    per_channel[1] = np.abs(per_channel[1]) + 0.5   # a running variance
    ours = [minitorch.tensor(a, requires_grad=seed > 1) for seed, a in enumerate(per_channel)]
    theirs = [torch.tensor(a, requires_grad=seed > 1) for seed, a in enumerate(per_channel)]
    x, tx = minitorch.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    out = F.instance_norm(transposed(x), *ours, use_input_stats=use_input_stats,
                          momentum=0.2, eps=1e-3)
    tout = torch.nn.functional.instance_norm(transposed(tx), *theirs,
                                             use_input_stats=use_input_stats,
                                             momentum=0.2, eps=1e-3)
    check_backward([(out, tout)], [x] + ours[2:], [tx] + theirs[2:], dtype)
    for mine, reference in zip(ours[:2], theirs[:2]):   # updated only with input stats
        assert_close(mine, reference.detach(), dtype)


# ---- group norm -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("groups,kwargs,shape", [
    (2, {}, (3, 6)), (3, {}, (2, 6, 5)), (1, {}, (2, 6, 3, 4)), (6, {}, (2, 6, 3, 4)),
    (2, dict(affine=False), (2, 6, 2, 3, 2)), (3, dict(bias=False, eps=0.1), (1, 6, 4))])
def test_group_norm_matches_torch(backend, groups, kwargs, shape, dtype):
    ours, theirs = loaded(nn.GroupNorm(groups, 6, dtype=dtype, **kwargs),
                          torch.nn.GroupNorm(groups, 6, **kwargs), dtype)
    step(ours, theirs, normal(shape, dtype) * 3 + 1, dtype)


def test_group_norm_of_one_value_per_group_is_the_bias(backend):
    # the input's gradient is zero; float32 rounding in torch's kernel leaves ~1e-5
    ours, theirs = loaded(nn.GroupNorm(6, 6, dtype="float64"), torch.nn.GroupNorm(6, 6),
                          "float64")
    step(ours, theirs, normal((2, 6), "float64"), "float64")


def test_group_norm_takes_a_non_contiguous_input(backend):
    ours, theirs = loaded(nn.GroupNorm(2, 4, dtype="float64"), torch.nn.GroupNorm(2, 4),
                          "float64")
    step(ours, theirs, normal((2, 4, 5, 3), "float64"), "float64", view=transposed)
    step(ours, theirs, normal((4, 2, 3), "float64"), "float64",   # channels from dim 0
         view=lambda t: t.permute(1, 0, 2))


def test_functional_group_norm_matches_torch(backend):
    array = normal((2, 6, 4), "float32")
    weight, bias = normal((6,), "float32", 1), normal((6,), "float32", 2)
    out = F.group_norm(minitorch.tensor(array), 3, minitorch.tensor(weight),
                       minitorch.tensor(bias), eps=1e-2)
    tout = torch.nn.functional.group_norm(torch.tensor(array), 3, torch.tensor(weight),
                                          torch.tensor(bias), eps=1e-2)
    assert_close(out, tout, "float32")


# ---- RMS norm ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("normalized_shape,kwargs,shape,scale", [
    (5, {}, (3, 5), 1.0), (5, {}, (5,), 1.0), ((4, 5), {}, (2, 3, 4, 5), 2.0),
    ((3, 4, 5), dict(eps=0.5), (2, 3, 4, 5), 1.0),
    (5, dict(elementwise_affine=False), (2, 3, 5), 1.0),
    (5, {}, (3, 5), 1e-5)])   # tiny values: eps=None (the dtype's epsilon) dominates
def test_rms_norm_matches_torch(backend, normalized_shape, kwargs, shape, scale, dtype):
    ours, theirs = loaded(nn.RMSNorm(normalized_shape, dtype=dtype, **kwargs),
                          torch.nn.RMSNorm(normalized_shape, **kwargs), dtype)
    step(ours, theirs, normal(shape, dtype) * scale, dtype)


def test_rms_norm_takes_a_non_contiguous_input(backend):
    ours, theirs = loaded(nn.RMSNorm((3, 4), dtype="float32"), torch.nn.RMSNorm((3, 4)),
                          "float32")
    step(ours, theirs, normal((2, 4, 3), "float32"), "float32", view=transposed)


def test_functional_rms_norm_matches_torch(backend):
    array, weight = normal((2, 3, 4), "float64"), normal((3, 4), "float64", 1)
    x, tx = minitorch.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    w, tw = minitorch.tensor(weight, requires_grad=True), torch.tensor(weight,
                                                                       requires_grad=True)
    results = [(F.rms_norm(x, (3, 4), w, eps=1e-3),
                torch.nn.functional.rms_norm(tx, (3, 4), tw, eps=1e-3)),
               (F.rms_norm(x, (4,)), torch.nn.functional.rms_norm(tx, (4,)))]
    check_backward(results, [x, w], [tx, tw], "float64")


# ---- local response norm ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("size,kwargs,shape", [
    (2, {}, (2, 5, 6)), (3, dict(alpha=0.5, beta=0.6, k=2.0), (2, 5, 6)),
    (4, dict(alpha=1.0), (2, 5, 3, 4)), (1, dict(alpha=0.3), (2, 3, 4)),
    (5, dict(alpha=2.0, beta=1.5), (1, 6, 2, 3, 4)),
    (9, dict(alpha=1.0), (2, 4, 3, 2, 2, 2))])   # a window wider than the channels
def test_local_response_norm_matches_torch(backend, size, kwargs, shape, dtype):
    ours, theirs = nn.LocalResponseNorm(size, **kwargs), torch.nn.LocalResponseNorm(size,
                                                                                  **kwargs)
    step(ours, theirs, normal(shape, dtype), dtype)


def test_local_response_norm_takes_a_non_contiguous_input(backend):
    args = (3, 0.7, 0.8, 1.5)
    array = normal((2, 4, 6, 5), "float64")
    x, tx = minitorch.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    check_backward([(F.local_response_norm(transposed(x), *args),
                     torch.nn.functional.local_response_norm(transposed(tx), *args))],
                   [x], [tx], "float64")


# ---- modules: reprs, state dicts, the python backend ------------------------------------

MODULES = [  # (name, args, kwargs)
    ("BatchNorm3d", (3,), {}), ("BatchNorm3d", (4,), dict(momentum=None, affine=False)),
    ("InstanceNorm1d", (3,), {}), ("InstanceNorm2d", (3,), dict(affine=True, bias=False)),
    ("InstanceNorm3d", (2,), dict(track_running_stats=True, eps=1e-3, momentum=0.2)),
    ("GroupNorm", (2, 6), {}), ("GroupNorm", (3, 6), dict(affine=False, eps=0.1)),
    ("GroupNorm", (1, 2), dict(bias=False)),
    ("RMSNorm", (4,), {}), ("RMSNorm", ([3, 4],), dict(eps=1e-3)),
    ("RMSNorm", (4,), dict(elementwise_affine=False)),
    ("LocalResponseNorm", (2,), {}), ("LocalResponseNorm", (3, 0.1, 0.5, 2.0), {})]


@pytest.mark.parametrize("name,args,kwargs", MODULES)
def test_reprs_and_state_dict_keys_match_torch(name, args, kwargs):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in ours.state_dict().items():   # initial values and shapes
        np.testing.assert_array_equal(value.numpy(), theirs.state_dict()[key].numpy())


@pytest.mark.parametrize("name,shape", [("BatchNorm3d", (2, 3, 2, 2, 3)),
                                        ("InstanceNorm2d", (2, 3, 4, 4)),
                                        ("GroupNorm", (2, 6, 5)), ("RMSNorm", (2, 3, 4))])
def test_a_state_dict_trained_in_torch_loads_into_ours(backend, name, shape):
    kwargs = {"BatchNorm3d": {}, "InstanceNorm2d": dict(affine=True, track_running_stats=True),
              "GroupNorm": {}, "RMSNorm": {}}[name]
    args = {"GroupNorm": (3, 6), "RMSNorm": ((3, 4),)}.get(name, (3,))
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    optimizer = torch.optim.SGD(theirs.parameters(), lr=0.5)
    for seed in range(3):   # weights, biases and running statistics move away from init
        optimizer.zero_grad()
        output = theirs(torch.tensor(normal(shape, "float32", seed) + seed))
        (output * torch.tensor(normal(shape, "float32", 7))).sum().backward()
        optimizer.step()
    ours = getattr(nn, name)(*args, **kwargs)
    ours.load_state_dict(from_torch(theirs.state_dict()))   # strict: every key and shape
    for training in (True, False):
        ours.train(training)
        theirs.train(training)
        array = normal(shape, "float32", 8)
        assert_close(ours(minitorch.tensor(array)), theirs(torch.tensor(array)), "float32")


def test_python_backend_on_tiny_tensors():
    with minitorch.use_backend("python"):
        for ours, theirs, shape in [
                (nn.InstanceNorm1d(2, affine=True, track_running_stats=True),
                 torch.nn.InstanceNorm1d(2, affine=True, track_running_stats=True), (2, 2, 3)),
                (nn.BatchNorm3d(2), torch.nn.BatchNorm3d(2), (2, 2, 1, 2, 2)),
                (nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4), (2, 4, 2)),
                (nn.RMSNorm(3), torch.nn.RMSNorm(3), (2, 3)),
                (nn.LocalResponseNorm(2, alpha=1.0), torch.nn.LocalResponseNorm(2, alpha=1.0),
                 (1, 3, 2))]:
            ours, theirs = loaded(ours.to("float64"), theirs, "float64")
            train_then_evaluate(ours, theirs, shape, "float64", steps=2)


# ---- errors -----------------------------------------------------------------------------

def tensor(*shape, dtype="float32"):
    return minitorch.tensor(normal(shape, dtype))


@pytest.mark.parametrize("call,error,message", [
    (lambda: nn.GroupNorm(4, 6), ValueError,
     "GroupNorm: num_groups must be a positive int dividing the 6 channels, got 4"),
    (lambda: nn.GroupNorm(0, 6), ValueError, "GroupNorm: num_groups must be a positive"),
    (lambda: nn.GroupNorm(2, 6)(tensor(2, 4, 3)), ValueError,
     r"group_norm: weight must have shape \(4,\), one value per channel of input 2x4x3"),
    (lambda: F.group_norm(tensor(2, 6, 3), 4), ValueError,
     "group_norm: num_groups must be a positive int dividing the 6 channels, got 4"),
    (lambda: F.group_norm(tensor(6), 3), ValueError,
     r"group_norm: expected input \(N, C, \*\) with at least 2 dims, got 6"),
    (lambda: F.group_norm(tensor(1, 3), 3), ValueError,
     "group_norm: expected more than 1 value per group, got input 1x3 with num_groups=3"),
    (lambda: F.group_norm(minitorch.ones(2, 4, dtype="int64"), 2), TypeError,
     "group_norm: input must be floating point, got int64"),
    (lambda: nn.BatchNorm3d(3)(tensor(2, 3, 4, 4)), ValueError,
     r"BatchNorm3d: expected 5-D \(N, C, D, H, W\) input, got 4-D input 2x3x4x4"),
    (lambda: nn.BatchNorm3d(3)(tensor(2, 2, 2, 2, 2)), ValueError,
     "BatchNorm3d: expected input with 3 channels .* got 2x2x2x2x2"),
    (lambda: nn.InstanceNorm1d(3)(tensor(2, 3, 4, 4)), ValueError,
     r"InstanceNorm1d: expected 2-D \(C, L\) or 3-D \(N, C, L\) input, got 4-D"),
    (lambda: nn.InstanceNorm3d(3)(tensor(3, 4, 4)), ValueError,
     "InstanceNorm3d: expected 4-D .* got 3-D input 3x4x4"),
    (lambda: nn.InstanceNorm2d(3, affine=True)(tensor(2, 4, 3, 3)), ValueError,
     "InstanceNorm2d: expected input with 3 channels .* in dim 1, got 2x4x3x3"),
    (lambda: nn.InstanceNorm2d(3, affine=True)(tensor(4, 3, 3)), ValueError,
     "InstanceNorm2d: expected input with 3 channels .* in dim 0, got 4x3x3"),
    (lambda: nn.InstanceNorm1d(3, track_running_stats=True,
                                      dtype="float64")(tensor(2, 3, 4)), TypeError,
     "instance_norm: running_mean is float64 but input is float32"),
    (lambda: nn.InstanceNorm1d(3)(tensor(2, 3, 1)), ValueError,
     "instance_norm: expected more than 1 spatial element .* got input 2x3x1"),
    (lambda: F.instance_norm(tensor(2, 3, 4), use_input_stats=False), ValueError,
     "instance_norm: running_mean and running_var must be given when use_input_stats=False"),
    (lambda: F.instance_norm(tensor(2, 3, 4), weight=tensor(2)), ValueError,
     r"instance_norm: weight must have shape \(3,\)"),
    (lambda: F.batch_norm(tensor(2, 3, 4), None, None), ValueError,
     "batch_norm: running_mean and running_var must be given when training=False"),
    (lambda: nn.RMSNorm(4)(tensor(4, 3)), ValueError,
     "rms_norm: input 4x3 does not end in normalized_shape 4$"),
    (lambda: F.rms_norm(tensor(2, 3), (2, 3, 4)), ValueError,
     "rms_norm: input 2x3 does not end in normalized_shape"),
    (lambda: F.rms_norm(tensor(2, 3), (3,), tensor(2, 3)), ValueError,
     "rms_norm: weight must have normalized_shape 3, got 2x3"),
    (lambda: F.rms_norm(minitorch.ones(2, 3, dtype="int64"), 3), TypeError,
     "rms_norm: input must be floating point"),
    (lambda: nn.LocalResponseNorm(2)(tensor(3, 4)), ValueError,
     r"local_response_norm: expected input \(N, C, \*\) with at least 3 dims, got 2-D"),
    (lambda: F.local_response_norm(tensor(2, 3, 4), 0), ValueError,
     "local_response_norm: size must be a positive int, got 0")])
def test_bad_input_is_refused_with_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda layer: layer(tensor(2, 4, 5)),                        # channels
    lambda layer: layer(tensor(2, 3, 1)),                        # one spatial element
    lambda layer: layer(tensor(2, 3, 5, dtype="float64"))])      # dtype
def test_instance_norm_refuses_bad_input_before_changing_anything(call):
    layer = nn.InstanceNorm1d(3, affine=True, track_running_stats=True)
    layer(tensor(2, 3, 5))   # a valid step
    before = [buffer.numpy().copy() for buffer in layer.buffers()]
    with pytest.raises((ValueError, TypeError), match="InstanceNorm1d|instance_norm"):
        call(layer)
    for old, buffer in zip(before, layer.buffers()):
        np.testing.assert_array_equal(old, buffer.numpy())
