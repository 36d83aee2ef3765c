"""PyTorch's device API on minitorch: device-agnostic PyTorch code runs unchanged (every
backend is CPU memory), checked against torch where PyTorch defines the answer."""
import pickle

import numpy as np
import pytest
import torch

import minitorch

FACTORIES = {  # name -> call(library, device)
    "tensor": lambda lib, device: lib.tensor([1.0, 2.0], device=device),
    "as_tensor": lambda lib, device: lib.as_tensor([1.0, 2.0], device=device),
    "zeros": lambda lib, device: lib.zeros(2, 3, device=device),
    "ones": lambda lib, device: lib.ones((2, 3), device=device),
    "full": lambda lib, device: lib.full((2,), 7.0, device=device),
    "empty": lambda lib, device: lib.empty(2, device=device),
    "arange": lambda lib, device: lib.arange(5, device=device),
    "linspace": lambda lib, device: lib.linspace(0, 1, 5, device=device),
    "eye": lambda lib, device: lib.eye(3, device=device),
    "rand": lambda lib, device: lib.rand(2, device=device),
    "randn": lambda lib, device: lib.randn(2, device=device),
    "randint": lambda lib, device: lib.randint(0, 5, (3,), device=device),
    "randperm": lambda lib, device: lib.randperm(4, device=device),
    "zeros_like": lambda lib, device: lib.zeros_like(lib.ones(2), device=device),
    "ones_like": lambda lib, device: lib.ones_like(lib.ones(2), device=device),
    "empty_like": lambda lib, device: lib.empty_like(lib.ones(2), device=device),
    "full_like": lambda lib, device: lib.full_like(lib.ones(2), 3.0, device=device),
}


# ---- a device-agnostic training script, unchanged ----------------------------------------

def train(torch_like, X, Y, weights):
    """A typical PyTorch training loop written against `torch_like` (torch or minitorch):
    device selection, model.to(device), batches .to(device), loss.item(), .cpu().numpy()."""
    nn = torch_like.nn
    device = torch_like.device("cuda" if torch_like.cuda.is_available() else "cpu")
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    with torch_like.no_grad():
        for parameter, value in zip(model.parameters(), weights):
            parameter.copy_(torch_like.tensor(value))
    model = model.to(device)
    optimizer = torch_like.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    inputs = torch_like.tensor(X, device=device)
    targets = torch_like.tensor(Y, device="cpu")
    losses = []
    for start in range(0, len(X), 4):
        x = inputs[start:start + 4].to(device)
        y = targets[start:start + 4].to(device, non_blocking=True)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch_like.no_grad():
        logits = model(inputs.to(device)).cpu().numpy()
    assert next(model.parameters()).device == device
    assert not next(model.parameters()).is_cuda
    return losses, logits


def test_a_device_agnostic_training_script_runs_unchanged_and_matches_torch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 4)).astype(np.float32)
    Y = rng.integers(0, 3, 12)
    weights = [(rng.standard_normal(shape) * 0.5).astype(np.float32)
               for shape in [(8, 4), (8,), (3, 8), (3,)]]
    ours, theirs = train(minitorch, X, Y, weights), train(torch, X, Y, weights)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5, atol=1e-6)


def test_cuda_queries_say_there_is_no_cuda():
    assert minitorch.cuda.is_available() is torch.cuda.is_available() is False
    assert minitorch.cuda.device_count() == torch.cuda.device_count() == 0
    assert minitorch.cuda.manual_seed_all(0) is None and minitorch.cuda.manual_seed(0) is None


# ---- device ------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("cpu",), ("cpu", 0), ("cpu:0",), ("cuda",), ("cuda", 1),
                                  ("cuda:1",), ("mps",)])
def test_device_type_index_str_repr_and_equality_match_torch(args):
    ours, theirs = minitorch.device(*args), torch.device(*args)
    assert (ours.type, ours.index, str(ours), repr(ours)) == \
        (theirs.type, theirs.index, str(theirs), repr(theirs))
    for other in [("cpu",), ("cpu", 0), ("cuda",), ("cuda", 1)]:
        assert (ours == minitorch.device(*other)) == (theirs == torch.device(*other))
    # as in torch, a device is not equal to a string: compare .type
    assert (ours == str(ours)) == (theirs == str(theirs)) is False
    assert ours != "cpu" and ours.type == theirs.type


def test_device_is_hashable_immutable_copyable_and_built_from_a_device():
    cpu = minitorch.device("cpu")
    assert {cpu: 1}[minitorch.device("cpu")] == 1
    assert minitorch.device(cpu) == cpu and pickle.loads(pickle.dumps(cpu)) == cpu
    with pytest.raises(AttributeError):
        cpu.type = "cuda"


@pytest.mark.parametrize("args", [("foo",), ("CPU",), ("cuda:x",), ("cpu:-1",), ("cpu", -1),
                                  ("cpu:0", 0), ("numpy",), (0,)])
def test_bad_devices_are_refused_as_torch_refuses_them(args):
    with pytest.raises(RuntimeError):
        torch.device(*args)
    with pytest.raises(RuntimeError):
        minitorch.device(*args)


def test_a_backend_name_is_not_a_device_and_the_error_says_where_it_goes():
    with pytest.raises(RuntimeError, match="backend name goes to backend= or Tensor.to"):
        minitorch.device("numpy")
    with pytest.raises(TypeError, match="device type string"):
        minitorch.device(1.5)


# ---- Tensor.device, cpu(), is_cuda --------------------------------------------------------

def test_every_backend_is_on_the_cpu_device(backend_name):
    a = minitorch.ones(2).to(backend_name)
    assert a.device == minitorch.device("cpu") and repr(a.device) == repr(torch.ones(2).device)
    assert a.backend == backend_name
    assert a.cpu() is a and a.is_cuda is torch.ones(2).is_cuda is False
    np.testing.assert_array_equal(a.cpu().numpy(), [1.0, 1.0])


# ---- Tensor.to: PyTorch's signatures -----------------------------------------------------

TO_CALLS = {  # name -> (call(library, tensor), float64 result?)
    "device string": (lambda lib, t: t.to("cpu"), False),
    "device": (lambda lib, t: t.to(lib.device("cpu")), False),
    "device keyword": (lambda lib, t: t.to(device="cpu"), False),
    "same dtype": (lambda lib, t: t.to(lib.float32), False),
    "dtype": (lambda lib, t: t.to(lib.float64), True),
    "dtype keyword": (lambda lib, t: t.to(dtype=lib.float64), True),
    "device and dtype": (lambda lib, t: t.to("cpu", lib.float64), True),
    "both keywords": (lambda lib, t: t.to(dtype=lib.float64, device=lib.device("cpu")), True),
    "other tensor": (lambda lib, t: t.to(lib.zeros(1, dtype=lib.float64)), True),
    "same-dtype tensor": (lambda lib, t: t.to(lib.zeros(1)), False),
    "non_blocking": (lambda lib, t: t.to("cpu", non_blocking=True), False),
    "nothing": (lambda lib, t: t.to(), False),
    "copy": (lambda lib, t: t.to(copy=True), False),
    "copy with device": (lambda lib, t: t.to("cpu", copy=True), False),
    "copy=False": (lambda lib, t: t.to(lib.float32, copy=False), False),
}


@pytest.mark.parametrize("name", TO_CALLS)
def test_to_signatures_give_torchs_dtype_and_identity(name):
    call, _ = TO_CALLS[name]
    ours, theirs = minitorch.tensor([1.5, 2.5]), torch.tensor([1.5, 2.5])
    our_result, their_result = call(minitorch, ours), call(torch, theirs)
    assert our_result.dtype.name == str(their_result.dtype).removeprefix("torch.")
    assert (our_result is ours) == (their_result is theirs)  # self when nothing changes
    np.testing.assert_array_equal(our_result.numpy(), their_result.numpy())


def test_to_with_copy_does_not_share_memory():
    a = minitorch.tensor([1.0, 2.0])
    copied = a.to(copy=True)
    copied.add_(1)
    assert a.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("call", [
    lambda lib, t: t.to(lib.float32, lib.float64),
    lambda lib, t: t.to("cpu", device="cpu"),
    lambda lib, t: t.to(lib.float32, dtype=lib.float64),
    lambda lib, t: t.to(t, dtype=lib.float64),
    lambda lib, t: t.to(t, lib.float64),
    lambda lib, t: t.to(lib.float64, "cpu"),
], ids=["two dtypes", "two devices", "dtype twice", "tensor and dtype",
        "tensor then dtype", "dtype then device"])
def test_to_refuses_the_combinations_torch_refuses(call):
    with pytest.raises(TypeError):
        call(torch, torch.ones(2))
    with pytest.raises(TypeError):
        call(minitorch, minitorch.ones(2))


@pytest.mark.parametrize("place", ["cuda", "cuda:0", "mps", minitorch.device("cuda", 1)])
def test_to_refuses_other_devices_naming_the_backends(place):
    with pytest.raises(RuntimeError, match=r"CPU backends only \(.*numpy.*\)"):
        minitorch.ones(2).to(place)
    with pytest.raises(RuntimeError, match="CPU backends only"):
        minitorch.ones(2).to(device=place, dtype=minitorch.float64)


def test_a_backend_name_still_moves_the_tensor_and_cpu_keeps_it(backend_name):
    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    moved = a.to(backend_name, minitorch.float64)
    assert (moved.backend, moved.dtype) == (backend_name, minitorch.float64)
    assert moved.to("cpu") is moved and moved.to(device=backend_name) is moved
    moved.sum().backward()  # the move is differentiable
    assert a.grad.tolist() == [1.0, 1.0] and a.grad.backend == a.backend
    other = minitorch.zeros(1).to(backend_name)
    assert a.to(other).backend == backend_name  # to(tensor) takes its backend


# ---- Module.to(device), Module.cpu() -----------------------------------------------------

def test_module_to_device_and_cpu_return_the_module_unchanged():
    model = minitorch.nn.Linear(2, 2)
    weight = model.weight
    data = weight.detach()._storage
    assert model.to(minitorch.device("cpu")) is model
    assert model.to("cpu") is model and model.to(device="cpu") is model
    assert model.cpu() is model and model.weight is weight
    assert model.weight._storage is data  # nothing was copied


def test_module_to_takes_torchs_forms(backend_name):
    model = minitorch.nn.Linear(2, 2)
    model.to("cpu", minitorch.float64)
    assert model.weight.dtype is minitorch.float64
    model.to(device=backend_name, dtype=minitorch.float32)
    assert (model.weight.backend, model.weight.dtype) == (backend_name, minitorch.float32)
    model.to(minitorch.zeros(1, dtype=minitorch.float64).to(backend_name))
    assert (model.bias.backend, model.bias.dtype) == (backend_name, minitorch.float64)


def test_module_to_refuses_cuda_and_integer_dtypes_as_torch_does():
    with pytest.raises(RuntimeError, match="CPU backends only"):
        minitorch.nn.Linear(2, 2).to("cuda")
    with pytest.raises(TypeError, match="floating point"):
        torch.nn.Linear(2, 2).to(torch.ones(1, dtype=torch.int64))
    with pytest.raises(TypeError, match="floating point"):
        minitorch.nn.Linear(2, 2).to(minitorch.ones(1, dtype=minitorch.int64))


# ---- factories with device= --------------------------------------------------------------

@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("device", ["cpu", "cpu:0", minitorch.device("cpu"), None])
def test_factories_take_a_cpu_device(name, device):
    torch_device = torch.device(str(device)) if isinstance(device, minitorch.device) else device
    ours, theirs = FACTORIES[name](minitorch, device), FACTORIES[name](torch, torch_device)
    assert ours.device == minitorch.device("cpu") and theirs.device == torch.device("cpu")
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")


@pytest.mark.parametrize("name", FACTORIES)
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps", minitorch.device("cuda")])
def test_factories_refuse_other_devices_with_a_clear_error(name, device):
    with pytest.raises(RuntimeError, match=rf"^{name.removesuffix('_like')}(_like)?: device "
                                           r".* CPU backends only \(.*numpy.*\)"):
        FACTORIES[name](minitorch, device)


def test_a_backend_name_as_device_is_refused_and_points_to_backend():
    with pytest.raises(RuntimeError, match="backend="):
        minitorch.zeros(2, device="python")
