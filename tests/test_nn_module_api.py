"""Module buffers, module-wide conversions and look-ups, and the container API
(Sequential/ModuleList edits, ModuleDict, ParameterList, ParameterDict), against torch.nn."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import ModuleDict, ParameterDict, ParameterList
from minitorch.serialization import from_torch, to_torch

LIBRARIES = {"minitorch": (nn, minitorch), "torch": (torch.nn, torch)}


def _dicts(library):
    """ModuleDict, ParameterList and ParameterDict of `library` (minitorch's may not be
    exported from minitorch.nn yet)."""
    if library is torch.nn:
        return torch.nn.ModuleDict, torch.nn.ParameterList, torch.nn.ParameterDict
    return ModuleDict, ParameterList, ParameterDict


def both(build):
    """build(nn, tensor_library) for minitorch and torch."""
    return [build(*LIBRARIES[name]) for name in ("minitorch", "torch")]


def norm_like(library, lib):
    """A module shaped like torch.nn.BatchNorm1d(3): two parameters, three buffers, a
    non-persistent one and an absent one, with a Linear child holding a buffer."""
    return (Norm if library is nn else TorchNorm)()


def _norm_class(library, lib):
    class Norm(library.Module):
        def __init__(self):
            super().__init__()
            self.weight = library.Parameter(lib.ones(3))
            self.bias = library.Parameter(lib.zeros(3))
            self.register_buffer("running_mean", lib.zeros(3))
            self.register_buffer("running_var", lib.ones(3))
            self.register_buffer("num_batches_tracked", lib.tensor(0))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)
            self.register_buffer("absent", None)
            self.child = library.Linear(2, 3)
            self.child.register_buffer("mask", lib.ones(3))

    return Norm


Norm = _norm_class(nn, minitorch)  # module level, so pickle finds them
Norm.__qualname__ = "Norm"
TorchNorm = _norm_class(torch.nn, torch)
TorchNorm.__qualname__ = "TorchNorm"


# ---- buffers -----------------------------------------------------------------------------

def test_buffers_are_listed_and_saved_like_torch():
    ours, theirs = both(norm_like)
    for recurse in (True, False):
        assert ([n for n, _ in ours.named_buffers(recurse=recurse)]
                == [n for n, _ in theirs.named_buffers(recurse=recurse)])
    assert ([n for n, _ in ours.named_buffers(prefix="m")]
            == [n for n, _ in theirs.named_buffers(prefix="m")])
    assert len(list(ours.buffers())) == len(list(theirs.buffers())) == 5
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "scratch" not in ours.state_dict() and "absent" not in ours.state_dict()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in
                                                       theirs.named_parameters()]
    assert ours.absent is None and ours.num_batches_tracked.dtype is minitorch.int64


def test_assigning_to_a_buffer_keeps_it_a_buffer_and_del_removes_it():
    for module, lib in zip(both(norm_like), (minitorch, torch)):
        new = lib.full((3,), 5.0)
        module.running_mean = new
        assert module.running_mean is new and module._buffers["running_mean"] is new
        module.scratch = lib.ones(2)  # stays non-persistent
        assert "scratch" not in module.state_dict()
        module.running_var = None
        assert "running_var" not in module.state_dict()
        with pytest.raises(TypeError):
            module.running_mean = 3.0
        del module.running_mean
        assert "running_mean" not in module._buffers and not hasattr(module, "running_mean")
        module.scratch = (nn if lib is minitorch else torch.nn).Parameter(lib.ones(2))
        assert "scratch" in dict(module.named_parameters())
        assert "scratch" not in module._buffers and "scratch" in module.state_dict()


def test_register_buffer_checks_type_and_name_like_torch():
    for library, lib in LIBRARIES.values():
        module = library.Linear(1, 1)
        with pytest.raises(TypeError):
            module.register_buffer("b", [1.0])
        for name, error in (("a.b", KeyError), ("", KeyError), ("weight", KeyError),
                            ("forward", KeyError), (1, TypeError)):
            with pytest.raises(error):
                module.register_buffer(name, lib.zeros(1))
    with pytest.raises(TypeError, match="register_buffer"):
        nn.Module().register_buffer("b", np.zeros(1))
    with pytest.raises(KeyError, match="register_parameter: attribute 'b' already"):
        module = nn.Module()
        module.register_buffer("b", minitorch.zeros(1))
        module.register_parameter("b", nn.Parameter(minitorch.zeros(1)))


def test_buffers_round_trip_through_torch_state_dicts():
    ours, theirs = both(norm_like)
    with torch.no_grad():
        theirs.running_mean.copy_(torch.tensor([1.0, 2.0, 3.0]))
        theirs.num_batches_tracked.fill_(7)
    ours.load_state_dict(from_torch(theirs.state_dict()))
    np.testing.assert_array_equal(ours.running_mean.numpy(), [1, 2, 3])
    assert ours.num_batches_tracked.item() == 7
    assert ours.num_batches_tracked.dtype is minitorch.int64
    ours.running_var = minitorch.full((3,), 4.0)
    theirs.load_state_dict(to_torch(ours.state_dict()))
    for name, value in ours.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), theirs.state_dict()[name].numpy())


def test_batchnorm_state_dict_loads_into_a_module_with_the_same_buffers():
    batchnorm = torch.nn.BatchNorm1d(3)
    batchnorm.train()(torch.randn(8, 3))  # moves the running statistics

    class Norm(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(minitorch.ones(3))
            self.bias = nn.Parameter(minitorch.zeros(3))
            self.register_buffer("running_mean", minitorch.zeros(3))
            self.register_buffer("running_var", minitorch.ones(3))
            self.register_buffer("num_batches_tracked", minitorch.tensor(0))

    ours = Norm()
    assert list(ours.state_dict()) == list(batchnorm.state_dict())
    ours.load_state_dict(from_torch(batchnorm.state_dict()))
    np.testing.assert_allclose(ours.running_var.numpy(), batchnorm.running_var.numpy())
    fresh = torch.nn.BatchNorm1d(3)
    fresh.load_state_dict(to_torch(ours.state_dict()))
    assert fresh.num_batches_tracked.item() == 1
    np.testing.assert_allclose(fresh.running_mean.numpy(), batchnorm.running_mean.numpy())


def test_load_state_dict_strict_counts_buffers():
    ours, theirs = both(norm_like)
    for module in (ours, theirs):
        state = dict(module.state_dict())
        del state["running_mean"]
        state["extra"] = state["running_var"]
        with pytest.raises(RuntimeError, match="running_mean"):
            module.load_state_dict(state)
        result = module.load_state_dict(state, strict=False)
        assert result.missing_keys == ["running_mean"]
        assert result.unexpected_keys == ["extra"]
    with pytest.raises(RuntimeError, match="size mismatch for running_var"):
        ours.load_state_dict({**ours.state_dict(), "running_var": minitorch.zeros(4)})


def test_buffers_move_with_to_and_only_floating_ones_change_dtype(backend_name):
    with minitorch.use_backend("numpy"):
        module = norm_like(nn, minitorch)
    module.to(backend_name)
    assert all(b.backend == backend_name for b in module.buffers())
    module.double()
    assert module.running_mean.dtype is minitorch.float64
    assert module.child.mask.dtype is minitorch.float64
    assert module.num_batches_tracked.dtype is minitorch.int64
    assert module.weight.dtype is minitorch.float64 and module.weight.requires_grad
    module.float()
    assert module.running_mean.dtype is module.child.weight.dtype is minitorch.float32
    with pytest.raises(TypeError, match="to: .*floating"):
        module.to(minitorch.int64)
    theirs = norm_like(torch.nn, torch).double()
    assert theirs.num_batches_tracked.dtype is torch.int64


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))])
def test_copies_carry_buffers_and_their_persistence(duplicate):
    module = norm_like(nn, minitorch)
    clone = duplicate(module)
    assert list(clone.state_dict()) == list(module.state_dict())
    assert [n for n, _ in clone.named_buffers()] == [n for n, _ in module.named_buffers()]
    clone.running_mean = minitorch.ones(3)
    assert clone._buffers["running_mean"] is clone.running_mean
    assert module.running_mean.numpy().tolist() == [0.0, 0.0, 0.0]


# ---- module-wide operations --------------------------------------------------------------

def test_requires_grad_freezes_and_unfreezes_every_parameter():
    for module in both(norm_like):
        assert module.requires_grad_(False) is module
        assert not any(p.requires_grad for p in module.parameters())
        module.requires_grad_()
        assert all(p.requires_grad for p in module.parameters())
        assert not module.running_mean.requires_grad


def test_state_dict_keep_vars_prefix_and_destination_like_torch():
    for module, parameter_type in zip(both(norm_like), (nn.Parameter, torch.nn.Parameter)):
        plain = module.state_dict()
        assert not any(isinstance(v, parameter_type) for v in plain.values())
        assert not plain["weight"].requires_grad
        kept = module.state_dict(keep_vars=True)
        assert kept["weight"] is module.weight and kept["running_mean"] is module.running_mean
        destination = OrderedDict(first=1)
        result = module.state_dict(destination=destination, prefix="m.")
        assert result is destination and list(result)[:3] == ["first", "m.weight", "m.bias"]
    ours, theirs = both(norm_like)
    assert list(ours.state_dict(prefix="p.")) == list(theirs.state_dict(prefix="p."))
    with pytest.raises(TypeError):
        ours.state_dict(OrderedDict())  # keyword-only (torch: deprecated positional form)


def build_tree(library, lib):
    shared = library.Linear(2, 2)
    model = library.Sequential(OrderedDict(a=shared, b=library.Sequential(shared,
                                                                         library.ReLU())))
    model.register_buffer("step", lib.zeros(1))
    return model


@pytest.mark.parametrize("remove_duplicate", [True, False])
def test_named_modules_memo_prefix_and_duplicates_like_torch(remove_duplicate):
    ours, theirs = both(build_tree)
    names = [[n for n, _ in m.named_modules(prefix="x", remove_duplicate=remove_duplicate)]
             for m in (ours, theirs)]
    assert names[0] == names[1]
    memo = {ours.a}
    assert [n for n, _ in ours.named_modules(memo)] == [
        n for n, _ in theirs.named_modules({theirs.a})]
    assert ([n for n, _ in ours.named_parameters(remove_duplicate=remove_duplicate)]
            == [n for n, _ in theirs.named_parameters(remove_duplicate=remove_duplicate)])


def test_get_submodule_parameter_and_buffer_like_torch():
    ours, theirs = both(build_tree)
    assert ours.get_submodule("") is ours and ours.get_submodule("b.0") is ours.a
    assert ours.get_parameter("b.0.weight") is ours.a.weight
    assert ours.get_buffer("step") is ours.step
    for module in (ours, theirs):
        for method, target in (("get_submodule", "b.9"), ("get_submodule", "a.weight"),
                               ("get_parameter", "a.nothing"), ("get_parameter", "step"),
                               ("get_buffer", "a.weight")):
            with pytest.raises(AttributeError):
                getattr(module, method)(target)
    with pytest.raises(AttributeError, match="get_submodule: `weight` is not an nn.Module"):
        ours.get_submodule("a.weight.x")
    with pytest.raises(AttributeError, match="get_parameter: `step` is not an nn.Parameter"):
        ours.get_parameter("step")


# ---- containers --------------------------------------------------------------------------

def module_names(container):
    return [(name, type(module).__name__) for name, module in container.named_children()]


def edit_sequential(library, lib):
    model = library.Sequential(library.ReLU(), library.Tanh(), library.Sigmoid())
    log = []
    model[1] = library.Identity()
    log.append(module_names(model))
    del model[0]
    log.append(module_names(model))
    model.insert(0, library.Tanh())
    model.insert(-1, library.ReLU())
    model.insert(len(model), library.Sigmoid())
    log.append(module_names(model))
    model.extend([library.ReLU()])
    model.append(library.Tanh())
    log.append(module_names(model))
    log.append(type(model.pop(2)).__name__)
    del model[1:3]
    log.append(module_names(model))
    combined = model + library.Sequential(library.Identity())
    log.append((type(combined).__name__, module_names(combined), len(model)))
    model += library.Sequential(library.ReLU())
    log.append(module_names(model))
    named = library.Sequential(OrderedDict(a=library.ReLU(), b=library.Tanh()))
    named[-1] = library.Sigmoid()
    log.append(module_names(named))
    del named[0]
    log.append(module_names(named))
    return log


def test_sequential_edits_match_torch():
    ours, theirs = both(edit_sequential)
    assert ours == theirs


def test_sequential_edit_errors():
    model = nn.Sequential(nn.ReLU())
    with pytest.raises(IndexError, match="Sequential.insert"):
        model.insert(5, nn.ReLU())
    with pytest.raises(TypeError, match="Sequential: expected a Module"):
        model.insert(0, 3)
    assert len(model) == 1
    with pytest.raises(ValueError, match="Sequential"):
        model + nn.ModuleList()
    with pytest.raises(IndexError, match="Sequential"):
        del model[3]
    with pytest.raises(TypeError, match="Sequential.extend"):
        model.extend(3)


def edit_module_list(library, lib):
    layers = library.ModuleList([library.ReLU(), library.Tanh(), library.Sigmoid()])
    log = []
    del layers[1]
    log.append(module_names(layers))
    layers.insert(1, library.Identity())
    layers += [library.ReLU()]
    log.append(module_names(layers))
    log.append(type(layers.pop(0)).__name__)
    log.append(module_names(layers))
    layers.extend((library.Tanh(), library.Tanh()))
    del layers[::2]
    log.append(module_names(layers))
    combined = layers + [library.Sigmoid()]
    log.append((type(combined).__name__, module_names(combined), len(layers)))
    popped = layers.pop(slice(0, 1))
    log.append((type(popped).__name__, module_names(popped), module_names(layers)))

    class Owner(library.Module):
        def __init__(self):
            super().__init__()
            self.layers = library.ModuleList([library.Linear(1, 1), library.Linear(1, 1)])

    owner = Owner()
    del owner.layers[0]
    log.append(list(owner.state_dict()))
    return log


def test_module_list_edits_match_torch():
    ours, theirs = both(edit_module_list)
    assert ours == theirs


def use_module_dict(library, lib):
    module_dict = _dicts(library)[0]
    modules = module_dict({"b": library.ReLU(), "a": library.Tanh()})
    log = [list(modules), list(modules.keys()), module_names(modules)]
    modules["c"] = library.Linear(1, 1)
    modules.update([("a", library.Sigmoid()), ("d", library.Identity())])
    log.append(module_names(modules))
    log.append(type(modules.pop("b")).__name__)
    del modules["d"]
    log.append(("a" in modules, "b" in modules, len(modules), module_names(modules)))
    log.append([n for n, _ in modules.named_parameters()])
    log.append([type(v).__name__ for v in modules.values()])
    log.append([k for k, _ in modules.items()])
    for bad in ("keys", "x.y"):
        with pytest.raises(KeyError):
            modules[bad] = library.ReLU()
    with pytest.raises(TypeError):
        modules.update(3)
    with pytest.raises(ValueError):
        modules.update([("x", library.ReLU(), 1)])
    with pytest.raises(KeyError):
        modules.pop("missing")
    modules.clear()
    log.append((len(modules), list(modules.children())))
    return log


def test_module_dict_matches_torch():
    ours, theirs = both(use_module_dict)
    assert ours == theirs


def use_parameter_containers(library, lib):
    _, parameter_list, parameter_dict = _dicts(library)

    class Owner(library.Module):
        def __init__(self):
            super().__init__()
            self.plist = parameter_list([lib.ones(2), library.Parameter(lib.zeros(3))])
            self.pdict = parameter_dict({"w": lib.ones(1)})

    owner = Owner()
    owner.plist.append(lib.ones(4))
    owner.plist.extend([lib.ones(5)])
    owner.plist[0] = lib.full((6,), 2.0)
    owner.pdict["v"] = library.Parameter(lib.ones(7))
    owner.pdict.update({"u": lib.ones(8)})
    log = [[(n, tuple(p.shape)) for n, p in owner.named_parameters()]]
    log.append([type(p).__name__ for p in owner.plist])
    log.append(all(p.requires_grad for p in owner.parameters()))
    log.append((len(owner.plist), len(owner.pdict), list(owner.pdict), "w" in owner.pdict))
    log.append([tuple(p.shape) for p in owner.plist[1:3]])
    log.append(type(owner.plist[-1:]).__name__)
    log.append(tuple(owner.pdict.pop("w").shape))
    log.append(list(owner.state_dict()))
    return log


def test_parameter_list_and_dict_match_torch():
    ours, theirs = both(use_parameter_containers)
    assert ours == theirs


def test_parameter_containers_reject_non_tensors():
    with pytest.raises(TypeError, match="ParameterList"):
        ParameterList([1.0])
    with pytest.raises(TypeError, match="ParameterDict"):
        ParameterDict({"a": "b"})


def test_containers_survive_deepcopy():
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    clone = copy.deepcopy(model)
    del clone[0]
    assert len(model) == 2 and module_names(clone) == [("0", "ReLU")]
    assert clone.__dict__["0"] is clone[0]


def test_module_list_repr_collapses_repeats_as_torch():
    def build(lib):
        linear = lambda: lib.nn.Linear(2, 3)  # noqa: E731
        return lib.nn.ModuleList([linear(), linear(), linear(), lib.nn.ReLU(), linear(),
                                  lib.nn.Sequential(lib.nn.ReLU(), lib.nn.ReLU()),
                                  lib.nn.ModuleList([lib.nn.Tanh(), lib.nn.Tanh()])])
    assert repr(build(minitorch)) == repr(build(torch))
    assert repr(minitorch.nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
