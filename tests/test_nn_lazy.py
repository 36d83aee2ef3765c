"""Lazy modules and nn.Buffer against torch.nn: every Lazy* layer, after its first
forward, has the same class, parameter shapes, state-dict keys and repr as torch's, and
the same initial values and outputs as minitorch's non-lazy layer seeded the same way;
outputs and gradients equal torch's with torch's state dict loaded (which materializes
the lazy layer), float32 and float64, batched and unbatched, through non-contiguous
views; UninitializedParameter/Buffer; loading state dicts in every direction; Module.to
before the first call; optimizers built after it; errors raised before anything
changes."""
import copy
import pickle

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.serialization import from_torch
from nn_helpers import assert_close, backend, check_backward, normal  # noqa: F401

DTYPES = {"float32": (minitorch.float32, torch.float32),
          "float64": (minitorch.float64, torch.float64)}

# (id, lazy layer from a namespace (minitorch.nn or torch.nn) and a dtype, the non-lazy
# layer it becomes, input shape)
CASES = [
    ("linear", lambda n, d: n.LazyLinear(3, dtype=d), lambda n, d: n.Linear(5, 3, dtype=d),
     (4, 5)),
    ("linear-1d-nobias", lambda n, d: n.LazyLinear(3, bias=False, dtype=d),
     lambda n, d: n.Linear(4, 3, bias=False, dtype=d), (4,)),
    ("linear-3d", lambda n, d: n.LazyLinear(2, dtype=d), lambda n, d: n.Linear(3, 2, dtype=d),
     (2, 4, 3)),
    ("conv1d", lambda n, d: n.LazyConv1d(4, 3, padding=1, dtype=d),
     lambda n, d: n.Conv1d(3, 4, 3, padding=1, dtype=d), (2, 3, 7)),
    ("conv2d-unbatched-groups", lambda n, d: n.LazyConv2d(4, 2, stride=2, groups=2, dtype=d),
     lambda n, d: n.Conv2d(6, 4, 2, stride=2, groups=2, dtype=d), (6, 5, 5)),
    ("conv3d", lambda n, d: n.LazyConv3d(2, 2, bias=False, dtype=d),
     lambda n, d: n.Conv3d(2, 2, 2, bias=False, dtype=d), (1, 2, 3, 4, 3)),
    ("convtranspose1d", lambda n, d: n.LazyConvTranspose1d(4, 3, stride=2, dtype=d),
     lambda n, d: n.ConvTranspose1d(3, 4, 3, stride=2, dtype=d), (2, 3, 5)),
    ("convtranspose2d-unbatched", lambda n, d: n.LazyConvTranspose2d(
        2, 2, groups=2, dilation=2, dtype=d),
     lambda n, d: n.ConvTranspose2d(4, 2, 2, groups=2, dilation=2, dtype=d), (4, 3, 4)),
    ("convtranspose3d", lambda n, d: n.LazyConvTranspose3d(3, 2, padding=1, dtype=d),
     lambda n, d: n.ConvTranspose3d(2, 3, 2, padding=1, dtype=d), (2, 2, 3, 3, 3)),
    ("batchnorm1d", lambda n, d: n.LazyBatchNorm1d(dtype=d),
     lambda n, d: n.BatchNorm1d(3, dtype=d), (5, 3)),
    ("batchnorm1d-3d", lambda n, d: n.LazyBatchNorm1d(momentum=None, bias=False, dtype=d),
     lambda n, d: n.BatchNorm1d(3, momentum=None, bias=False, dtype=d), (2, 3, 4)),
    ("batchnorm2d", lambda n, d: n.LazyBatchNorm2d(track_running_stats=False, dtype=d),
     lambda n, d: n.BatchNorm2d(2, track_running_stats=False, dtype=d), (2, 2, 3, 4)),
    ("batchnorm3d", lambda n, d: n.LazyBatchNorm3d(affine=False, dtype=d),
     lambda n, d: n.BatchNorm3d(2, affine=False, dtype=d), (2, 2, 2, 3, 2)),
    ("instancenorm1d", lambda n, d: n.LazyInstanceNorm1d(dtype=d),
     lambda n, d: n.InstanceNorm1d(3, affine=True, track_running_stats=True, dtype=d),
     (2, 3, 5)),
    ("instancenorm2d", lambda n, d: n.LazyInstanceNorm2d(track_running_stats=False, dtype=d),
     lambda n, d: n.InstanceNorm2d(2, affine=True, dtype=d), (2, 2, 3, 4)),
    ("instancenorm3d", lambda n, d: n.LazyInstanceNorm3d(affine=False, dtype=d),
     lambda n, d: n.InstanceNorm3d(2, track_running_stats=True, dtype=d), (2, 2, 2, 3, 2)),
]
UNBATCHED_INSTANCE_NORMS = [  # torch's lazy instance norms read dim 1 even unbatched
    (lambda d: nn.LazyInstanceNorm1d(dtype=d), (3, 5)),
    (lambda d: nn.LazyInstanceNorm2d(dtype=d), (2, 3, 4)),
    (lambda d: nn.LazyInstanceNorm3d(dtype=d), (3, 2, 4, 2)),
]


def strided_input(shape, dtype, contiguous):
    """(minitorch leaf, torch leaf, minitorch input, torch input): the input is the leaf,
    or a non-contiguous view of it (last two dims swapped; a stride-2 slice for 1-D)."""
    if contiguous:
        array = normal(shape, dtype)
        view = lambda t: t   # noqa: E731
    elif len(shape) == 1:
        array = normal((2 * shape[0],), dtype)
        view = lambda t: t[::2]   # noqa: E731
    else:
        array = normal(shape[:-2] + shape[:-3:-1], dtype)
        view = lambda t: t.transpose(-1, -2)   # noqa: E731
    leaf = minitorch.tensor(array, requires_grad=True)
    torch_leaf = torch.tensor(array, requires_grad=True)
    return leaf, torch_leaf, view(leaf), view(torch_leaf)


def parameters(module):
    return {name: tensor.detach().numpy().copy() for name, tensor in
            list(module.named_parameters()) + list(module.named_buffers())}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_first_forward_becomes_the_non_lazy_layer(case, dtype, backend):
    _, make_lazy, make_plain, shape = case
    ours_dtype, torch_dtype = DTYPES[dtype]
    x = minitorch.tensor(normal(shape, dtype))
    minitorch.manual_seed(7)
    lazy = make_lazy(nn, ours_dtype)
    assert lazy.has_uninitialized_params() or not list(lazy.parameters())
    output = lazy(x)
    minitorch.manual_seed(7)
    plain = make_plain(nn, ours_dtype)
    expected = plain(x)
    assert type(lazy) is type(plain)
    assert not lazy._forward_pre_hooks
    assert lazy.weight is None or lazy.weight.backend == backend
    assert list(lazy.state_dict()) == list(plain.state_dict())
    np.testing.assert_array_equal(output.detach().numpy(), expected.detach().numpy())
    ours, reference = parameters(lazy), parameters(plain)
    assert list(ours) == list(reference)
    for name, values in reference.items():   # the same draws, the same running statistics
        np.testing.assert_array_equal(ours[name], values)

    theirs = make_lazy(torch.nn, torch_dtype)
    theirs(torch.tensor(normal(shape, dtype)))
    assert type(lazy).__name__ == type(theirs).__name__
    assert repr(lazy) == repr(theirs)
    assert list(lazy.state_dict()) == list(theirs.state_dict())
    assert {name: tuple(t.shape) for name, t in lazy.state_dict().items()} == \
        {name: tuple(t.shape) for name, t in theirs.state_dict().items()}


@pytest.mark.parametrize("contiguous", [True, False], ids=["contiguous", "transposed"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_loading_torch_state_materializes_and_matches_torch(case, dtype, contiguous,
                                                            backend):
    _, make_lazy, _, shape = case
    ours_dtype, torch_dtype = DTYPES[dtype]
    theirs = make_lazy(torch.nn, torch_dtype)
    theirs(torch.tensor(normal(shape, dtype)))
    with torch.no_grad():
        for seed, parameter in enumerate(theirs.parameters(), 11):
            parameter.copy_(torch.tensor(normal(tuple(parameter.shape), dtype, seed)))
    ours = make_lazy(nn, ours_dtype)
    ours.load_state_dict(from_torch(theirs.state_dict()))
    assert not ours.has_uninitialized_params()
    assert type(ours).__name__.startswith("Lazy")   # until the first call, as torch's
    leaf, torch_leaf, x, tx = strided_input(shape, dtype, contiguous)
    results = [(ours(x), theirs(tx))]
    assert type(ours).__name__ == type(theirs).__name__
    assert repr(ours) == repr(theirs)
    for name, buffer in theirs.named_buffers():
        assert_close(ours.get_buffer(name), buffer, dtype) if buffer.is_floating_point() \
            else np.testing.assert_array_equal(ours.get_buffer(name).numpy(), buffer.numpy())
    check_backward(results, [leaf], [torch_leaf], dtype, ours, theirs)


@pytest.mark.parametrize("make, shape", UNBATCHED_INSTANCE_NORMS)
def test_unbatched_instance_norm_infers_channels_from_the_channel_dim(make, shape):
    x = minitorch.tensor(normal(shape, "float64"))
    lazy = make(minitorch.float64)
    output = lazy(x)
    assert lazy.num_features == shape[0] and lazy.running_mean.shape == (shape[0],)
    expected = torch.nn.functional.instance_norm(torch.tensor(normal(shape, "float64"))[None])
    assert_close(output, expected[0], "float64")


def test_instance_norm_without_tensors_keeps_num_features_0_as_torch():
    ours, theirs = nn.LazyInstanceNorm1d(affine=False, track_running_stats=False), \
        torch.nn.LazyInstanceNorm1d(affine=False, track_running_stats=False)
    assert not ours.has_uninitialized_params()
    x = normal((2, 3, 4), "float32")
    with pytest.warns(UserWarning):
        output = ours(minitorch.tensor(x))
    with pytest.warns(UserWarning):
        expected = theirs(torch.tensor(x))
    assert type(ours) is nn.InstanceNorm1d and repr(ours) == repr(theirs)
    assert_close(output, expected, "float32")


def test_reprs_and_state_dict_before_the_first_call_match_torch():
    for name, make_lazy, _, _ in CASES:
        ours, theirs = make_lazy(nn, None), make_lazy(torch.nn, None)
        assert repr(ours) == repr(theirs), name
        assert {key: repr(value) for key, value in ours.state_dict().items()
                if key != "num_batches_tracked"} == \
            {key: repr(value) for key, value in theirs.state_dict().items()
             if key != "num_batches_tracked"}, name
        assert [key for key, _ in ours.named_buffers()] == \
            [key for key, _ in theirs.named_buffers()], name
    assert nn.LazyBatchNorm1d().num_batches_tracked.item() == 0


def test_initialize_parameters_then_the_first_call():
    lazy = nn.LazyLinear(2)
    x = minitorch.tensor(normal((3, 4), "float32"))
    minitorch.manual_seed(1)
    lazy.initialize_parameters(x)
    assert not lazy.has_uninitialized_params() and type(lazy) is nn.LazyLinear
    assert lazy.in_features == 4 and lazy.weight.shape == (2, 4)
    weight = lazy.weight.detach().numpy().copy()
    lazy(x)
    assert type(lazy) is nn.Linear
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), weight)   # not redrawn
    minitorch.manual_seed(1)
    np.testing.assert_array_equal(nn.Linear(4, 2).weight.detach().numpy(), weight)


def test_lazy_layers_inside_a_model_and_an_optimizer_built_after():
    model = nn.Sequential(nn.LazyConv2d(3, 2), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    x = normal((2, 2, 4, 4), "float64")
    model.double()(minitorch.tensor(x))
    assert repr(model) == repr(torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 2), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(27, 2)))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 2), torch.nn.ReLU(), torch.nn.Flatten(),
                                 torch.nn.Linear(27, 2)).double()
    theirs.load_state_dict({key: torch.tensor(value.numpy())
                            for key, value in model.state_dict().items()})
    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch_optimizer = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        optimizer.zero_grad()
        torch_optimizer.zero_grad()
        model(minitorch.tensor(x)).square().sum().backward()
        theirs(torch.tensor(x)).square().sum().backward()
        optimizer.step()
        torch_optimizer.step()
    for (name, ours), (_, reference) in zip(model.named_parameters(),
                                            theirs.named_parameters()):
        assert_close(ours, reference, "float64")


def test_to_before_the_first_call_moves_the_uninitialized_tensors():
    lazy = nn.LazyBatchNorm2d().to(minitorch.float64)
    assert lazy.weight.dtype is minitorch.float64
    assert lazy.running_mean.dtype is minitorch.float64
    assert lazy.num_batches_tracked.dtype is minitorch.int64
    assert type(lazy.running_mean) is nn.UninitializedBuffer
    lazy.to("python")
    assert lazy.weight.backend == "python" and lazy.running_var.backend == "python"
    lazy(minitorch.tensor(normal((2, 3, 2, 2), "float64"), backend="python"))
    assert lazy.running_var.dtype is minitorch.float64 and lazy.weight.backend == "python"
    assert lazy.weight.shape == (3,) and type(lazy.running_mean) is minitorch.Tensor


def test_copies_and_pickles_of_a_lazy_module_initialize_on_their_own():
    lazy = nn.LazyLinear(2, dtype=minitorch.float64)
    x = minitorch.tensor(normal((3, 4), "float64"))
    for twin in (copy.deepcopy(lazy), pickle.loads(pickle.dumps(lazy))):
        assert type(twin.weight) is nn.UninitializedParameter
        assert twin.weight.dtype is minitorch.float64
        twin(x)
        assert type(twin) is nn.Linear and twin.weight.shape == (2, 4)
    assert lazy.has_uninitialized_params() and type(lazy) is nn.LazyLinear


# ---- load_state_dict ------------------------------------------------------------------

def test_lazy_state_into_lazy_module_leaves_it_uninitialized():
    lazy = nn.LazyConv1d(2, 3)
    assert lazy.load_state_dict(nn.LazyConv1d(2, 3).state_dict()) == ([], [])
    assert lazy.has_uninitialized_params()


def test_lazy_state_into_initialized_module_is_an_error_changing_nothing():
    plain = nn.Linear(4, 2)
    before = parameters(plain)
    with pytest.raises(RuntimeError, match="weight: the state dict holds an uninitialized "
                                           "UninitializedParameter"):
        plain.load_state_dict(nn.LazyLinear(2).state_dict())
    for name, values in parameters(plain).items():
        np.testing.assert_array_equal(values, before[name])


def test_failed_load_leaves_the_lazy_module_uninitialized():
    lazy = nn.LazyLinear(2)
    state = nn.Linear(4, 2).state_dict()
    state["extra"] = minitorch.zeros(1)
    with pytest.raises(RuntimeError, match="unexpected key 'extra'"):
        lazy.load_state_dict(state)
    assert lazy.has_uninitialized_params()


def test_first_call_disagreeing_with_loaded_shapes_changes_nothing():
    lazy = nn.LazyLinear(2)
    lazy.load_state_dict(nn.Linear(4, 2).state_dict())
    with pytest.raises(ValueError, match="LazyLinear: the input 3x5 gives in_features=5, so "
                                         "weight of shape 2x5, but the loaded weight has "
                                         "shape 2x4"):
        lazy(minitorch.zeros(3, 5))
    assert type(lazy) is nn.LazyLinear and lazy.in_features == 0
    lazy(minitorch.zeros(3, 4))
    assert type(lazy) is nn.Linear and lazy.in_features == 4


def test_partially_loaded_lazy_module_refuses_its_first_call():
    lazy = nn.LazyLinear(2)
    lazy.load_state_dict({"weight": minitorch.zeros(2, 4)}, strict=False)
    with pytest.raises(RuntimeError, match="LazyLinear: bias uninitialized while"):
        lazy(minitorch.zeros(3, 4))
    assert type(lazy) is nn.LazyLinear


# ---- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("make, x, error, match", [
    (lambda: nn.LazyLinear(2), minitorch.tensor(1.0), ValueError,
     r"LazyLinear: expected input \(\*, in_features\) with at least 1 dim, got scalar"),
    (lambda: nn.LazyLinear(2), minitorch.zeros(3, 4, dtype=minitorch.int64), TypeError,
     "LazyLinear: input must be floating point, got int64"),
    (lambda: nn.LazyLinear(2), np.zeros((3, 4)), TypeError,
     "LazyLinear: expected a Tensor input to infer in_features from, got ndarray"),
    (lambda: nn.LazyLinear(2), minitorch.zeros(3, 4, dtype=minitorch.float64), TypeError,
     "LazyLinear: input is float64 but weight is float32"),
    (lambda: nn.LazyConv2d(4, 3), minitorch.zeros(1, 1, 2, 5, 5), ValueError,
     r"LazyConv2d: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got 5-D"),
    (lambda: nn.LazyConvTranspose1d(4, 3, groups=2), minitorch.zeros(2, 3, 5), ValueError,
     "LazyConvTranspose1d: groups=2 must divide the input's 3 channels"),
    (lambda: nn.LazyBatchNorm2d(), minitorch.zeros(2, 3, 4), ValueError,
     r"LazyBatchNorm2d: expected 4-D \(N, C, H, W\) input, got 3-D"),
    (lambda: nn.LazyInstanceNorm1d(), minitorch.zeros(3), ValueError,
     "LazyInstanceNorm1d: expected 2-D"),
])
def test_bad_first_input_raises_before_anything_changes(make, x, error, match):
    lazy = make()
    kind = type(lazy)
    with pytest.raises(error, match=match):
        lazy(x)
    assert type(lazy) is kind and lazy.has_uninitialized_params()
    assert lazy._forward_pre_hooks


def test_the_input_must_be_positional_on_the_first_call():
    with pytest.raises(TypeError, match="input"):
        nn.LazyLinear(2)(input=minitorch.zeros(3, 4))


def test_conv_out_channels_not_divisible_by_groups_is_refused_at_construction():
    with pytest.raises(ValueError, match=r"LazyConv1d: groups=2 must divide both "
                                         r"in_channels \(0\) and out_channels \(3\)"):
        nn.LazyConv1d(3, 2, groups=2)


def test_mixin_without_initialize_parameters():
    class Lazy(nn.LazyModuleMixin, nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(NotImplementedError, match="initialize_parameters is not "
                                                  "implemented for Lazy"):
        Lazy()(minitorch.zeros(1))


def test_mixin_that_leaves_a_parameter_uninitialized():
    class Lazy(nn.LazyModuleMixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.UninitializedParameter()

        def initialize_parameters(self, x):
            pass

    with pytest.raises(RuntimeError, match="module Lazy has not been fully initialized"):
        Lazy()(minitorch.zeros(1))


# ---- uninitialized tensors ------------------------------------------------------------

def test_uninitialized_parameter_and_buffer():
    parameter = nn.UninitializedParameter(dtype=minitorch.float64)
    buffer = nn.UninitializedBuffer()
    assert repr(parameter) == repr(torch.nn.UninitializedParameter()) == \
        "<UninitializedParameter>"
    assert repr(buffer) == repr(torch.nn.UninitializedBuffer())
    assert isinstance(parameter, nn.Parameter) and parameter.requires_grad
    assert not buffer.requires_grad and buffer.dtype is minitorch.float32
    for tensor in (parameter, buffer):
        with pytest.raises(RuntimeError, match=f"{type(tensor).__name__}: an uninitialized "
                                               "parameter or buffer has no shape"):
            tensor.shape
        with pytest.raises(RuntimeError, match="uninitialized"):
            tensor + 1
        with pytest.raises(RuntimeError, match="uninitialized"):
            tensor.detach()
    assert parameter.to(minitorch.float64) is parameter
    converted = parameter.to(minitorch.float32)
    assert type(converted) is nn.UninitializedParameter and converted.dtype is minitorch.float32
    parameter.materialize((2, 3))
    buffer.materialize(4)
    assert type(parameter) is nn.Parameter and parameter.shape == (2, 3)
    assert parameter.dtype is minitorch.float64 and parameter.requires_grad
    assert type(buffer) is minitorch.Tensor and buffer.shape == (4,)
    with pytest.raises(TypeError, match="UninitializedParameter: only floating point"):
        nn.UninitializedParameter(dtype=minitorch.int64)


def test_module_with_uninitialized_parameter_in_an_op_is_an_error():
    lazy = nn.LazyLinear(2)
    with pytest.raises(RuntimeError, match="call the module once on a batch"):
        lazy.forward(minitorch.zeros(3, 4))


# ---- Buffer ---------------------------------------------------------------------------

def test_buffer_assignment_registers_like_torch():
    def counter(namespace, make):
        module = namespace.Module()
        module.total = namespace.Buffer(make([1.0, 2.0]))
        module.scratch = namespace.Buffer(make([0.0]), persistent=False)
        module.weight = namespace.Parameter(make([3.0]))
        return module

    ours, theirs = counter(nn, minitorch.tensor), counter(torch.nn, torch.tensor)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "total"]
    assert [name for name, _ in ours.named_buffers()] == \
        [name for name, _ in theirs.named_buffers()] == ["total", "scratch"]
    assert isinstance(ours.total, nn.Buffer) and repr(ours.total) == "tensor([1., 2.])"
    assert type(ours.total * 2) is minitorch.Tensor
    ours.scratch = nn.Buffer(minitorch.zeros(1))       # a Buffer brings its persistence
    theirs.scratch = torch.nn.Buffer(torch.zeros(1))
    ours.total = minitorch.zeros(2)                    # a plain tensor keeps the old one
    theirs.total = torch.zeros(2)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == \
        ["weight", "total", "scratch"]
    ours.load_state_dict(from_torch(theirs.state_dict()))
    ours.double()
    assert ours.total.dtype is minitorch.float64


def test_buffer_shares_memory_and_keeps_requires_grad():
    data = minitorch.ones(3, requires_grad=True)
    buffer = nn.Buffer(data, persistent=False)
    assert buffer.requires_grad and buffer.grad is None and buffer.grad_fn is None
    with minitorch.no_grad():
        data.mul_(2)
    np.testing.assert_array_equal(buffer.detach().numpy(), [2.0, 2.0, 2.0])
    copied = pickle.loads(pickle.dumps(buffer))
    assert isinstance(copied, nn.Buffer) and not copied.persistent and copied.requires_grad
    empty = nn.Buffer()
    assert empty.shape == (0,) and empty.persistent


def test_bad_buffer_assignments():
    module = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="Linear.weight: it is a registered Parameter"):
        module.weight = nn.Buffer(minitorch.zeros(2, 2))
    module.plain = 1
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        module.plain = nn.Buffer(minitorch.zeros(1))
    with pytest.raises(TypeError, match="Buffer: data must be a minitorch Tensor"):
        nn.Buffer([1.0])
    assert list(module.state_dict()) == ["weight", "bias"]
