"""minitorch.nn: Module rules, layers, containers, init, functional and the loss modules,
checked against torch.nn where PyTorch defines the answer."""
import copy
import math
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch
from minitorch import nn
from minitorch.nn import functional as F

TOLERANCE = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


def assert_close(ours, theirs, dtype="float32"):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                               **TOLERANCE[dtype])


def pair(array, requires_grad=False):
    """The same values as a minitorch tensor and a torch tensor."""
    array = np.asarray(array)
    return (minitorch.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def random_array(*shape, seed=0, dtype=np.float32, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(4, 3)
        self.activation = nn.Tanh()
        self.second = nn.Linear(3, 2)
        self.scale = minitorch.ones(1)  # a plain tensor: not a parameter

    def forward(self, x):
        return self.second(self.activation(self.first(x))) * self.scale


# ---- Module registration and traversal ---------------------------------------------------

def test_assignment_registers_parameters_and_submodules_in_order():
    model = TwoLayer()
    assert [name for name, _ in model.named_parameters()] == [
        "first.weight", "first.bias", "second.weight", "second.bias"]
    assert [name for name, _ in model.named_children()] == ["first", "activation", "second"]
    assert [type(m).__name__ for m in model.modules()] == ["TwoLayer", "Linear", "Tanh",
                                                           "Linear"]
    assert all(isinstance(p, nn.Parameter) for p in model.parameters())
    assert "scale" not in dict(model.named_parameters())


def test_reassigning_an_attribute_moves_it_between_registries():
    model = nn.Module()
    model.thing = nn.ReLU()
    assert list(model.named_parameters()) == [] and list(model.children()) == [model.thing]
    model.thing = nn.Parameter(minitorch.zeros(2))
    assert list(model.children()) == [] and len(list(model.parameters())) == 1
    with pytest.raises(TypeError, match="thing"):   # as torch: a parameter's name takes
        model.thing = nn.ReLU()                     # only a Parameter or None
    assert list(model.children()) == [] and len(list(model.parameters())) == 1
    del model.thing
    assert list(model.parameters()) == []
    with pytest.raises(AttributeError, match="thing"):
        model.thing


def test_attribute_reads_follow_every_way_of_registering_and_removing():
    module = nn.Module()
    first, second = nn.Parameter(minitorch.zeros(1)), nn.Parameter(minitorch.ones(1))
    module.register_parameter("w", first)
    assert module.w is first
    module.w = second                       # replaced through assignment
    assert module.w is second and dict(module.named_parameters()) == {"w": second}
    module.w = None
    assert module.w is None and list(module.parameters()) == []
    module._parameters["direct"] = first    # written into the registry, as PyTorch code may
    assert module.direct is first
    del module.direct
    with pytest.raises(AttributeError, match="direct"):
        module.direct
    module.add_module("inner", nn.ReLU())
    module.inner = nn.Tanh()
    assert isinstance(module.inner, nn.Tanh) and list(module.children()) == [module.inner]
    del module.inner
    assert not hasattr(module, "inner") and list(module.children()) == []


def test_registered_names_take_only_their_kind_or_none():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="Linear.weight"):
        layer.weight = minitorch.zeros(2, 2)
    layer.bias = None
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]


def test_assigning_before_init_is_an_error_that_says_what_to_do():
    class Forgetful(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Forgetful()


def test_register_parameter_checks_type_and_name():
    module = nn.Module()
    with pytest.raises(TypeError, match="Parameter"):
        module.register_parameter("w", minitorch.zeros(1))
    with pytest.raises(KeyError, match="'a.b'"):
        module.register_parameter("a.b", nn.Parameter(minitorch.zeros(1)))
    with pytest.raises(TypeError, match="add_module: the name must be a string, got int"):
        module.add_module(1, nn.ReLU())
    module.add_module("inner", nn.ReLU())
    assert module.inner.__class__ is nn.ReLU


def name_clashes(library):
    """For each (method, name) on a module holding a parameter, a submodule, a plain
    attribute and a None parameter: the KeyError message, or "ok"."""
    n = library.nn
    results = {}
    for method, name in [(method, name)
                         for method in ("register_parameter", "add_module")
                         for name in ("weight", "sub", "plain", "empty", "forward", "new")]:
        module = n.Module()
        module.weight = n.Parameter(library.zeros(1))
        module.sub = n.ReLU()
        module.plain = 3
        module.register_parameter("empty", None)
        try:
            getattr(module, method)(name, None)
            results[method, name] = "ok"
        except KeyError as error:
            results[method, name] = error.args[0].split(": ")[-1]
    return results


def test_registering_over_an_existing_attribute_follows_torch():
    # register_parameter refuses any attribute but a parameter, add_module any but a module
    ours = name_clashes(minitorch)
    assert ours == name_clashes(torch)
    assert ours["register_parameter", "sub"] == "attribute 'sub' already exists"
    assert ours["add_module", "sub"] == "ok" and ours["register_parameter", "empty"] == "ok"


def test_tied_parameters_are_listed_once_but_saved_under_each_name():
    def build(library):
        shared = library.nn.Linear(2, 2)
        return library.nn.Sequential(shared, library.nn.ReLU(), shared)
    model = build(minitorch)
    assert len(list(model.parameters())) == 2 and len(list(model.modules())) == 3
    assert list(model.state_dict()) == list(build(torch).state_dict()) == [
        "0.weight", "0.bias", "2.weight", "2.bias"]
    outer = nn.Module()
    outer.a, outer.b = nn.Linear(2, 2), nn.Linear(2, 2)
    outer.b.weight = outer.a.weight
    assert len(list(outer.parameters())) == 3
    assert list(outer.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


def test_a_module_under_two_names_is_saved_and_loaded_under_both_like_torch():
    def build(library):
        class Twice(library.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = library.nn.Linear(2, 2)
                self.b = self.a
        return Twice()
    model = build(minitorch)
    keys = list(model.state_dict())
    assert keys == list(build(torch).state_dict()) == ["a.weight", "a.bias", "b.weight",
                                                       "b.bias"]
    assert [name for name, _ in model.named_parameters()] == ["a.weight", "a.bias"]
    state = {key: minitorch.full((2, 2) if key.endswith("weight") else (2,), 1.0)
             for key in keys}
    state["b.weight"] = minitorch.full((2, 2), 7.0)  # loaded last, so it wins
    del state["b.bias"]
    with pytest.raises(RuntimeError, match="missing key 'b.bias'"):
        model.load_state_dict(state)
    assert model.load_state_dict(state, strict=False).missing_keys == ["b.bias"]
    assert model.a.weight.tolist() == [[7.0, 7.0], [7.0, 7.0]]


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match="Module.*forward"):
        nn.Module()(minitorch.ones(1))


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    for mode in ("no", 0):
        with pytest.raises(ValueError, match="train: training mode is expected to be boolean"):
            model.train(mode)
        with pytest.raises(ValueError, match="training mode is expected to be boolean"):
            torch.nn.Linear(1, 1).train(mode)


def test_zero_grad_drops_or_zeroes_gradients():
    model = nn.Linear(3, 2)
    model(minitorch.ones(1, 3)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and p.grad.abs().sum().item() == 0
               for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_apply_visits_children_before_parents_in_torch_order():
    def visit(library):
        n = library.nn
        shared = n.Tanh()
        model = n.Sequential(n.Linear(2, 2), n.Sequential(n.ReLU(), shared), shared)
        visited = []
        assert model.apply(lambda m: visited.append(type(m).__name__)) is model
        return visited
    assert visit(minitorch) == visit(torch) == [
        "Linear", "ReLU", "Tanh", "Sequential", "Tanh", "Sequential"]


def registry_edits(library):
    """Attribute reads after each way of editing _parameters and _modules directly."""
    n = library.nn
    layer = n.Linear(2, 2)
    new_weight = n.Parameter(library.zeros(2, 2))
    layer._parameters["weight"] = new_weight
    output = layer(library.ones(1, 2))
    seen = {"set": layer.weight is new_weight,
            "forward uses it": output.tolist() == layer.bias.view(1, 2).tolist()}
    del layer._parameters["bias"]
    seen["del"] = hasattr(layer, "bias")
    seen["pop"] = (layer._parameters.pop("weight") is new_weight, hasattr(layer, "weight"))
    layer._parameters.update(a=n.Parameter(library.ones(1)), b=None)
    seen["update"] = (layer.a.tolist(), layer.b)
    seen["setdefault"] = (layer._parameters.setdefault("c", None), hasattr(layer, "c"))
    seen["popitem"] = layer._parameters.popitem()[0] == "c" and not hasattr(layer, "c")
    layer._parameters.clear()
    seen["clear"] = [hasattr(layer, name) for name in "ab"]
    net = n.Sequential(OrderedDict(fc=n.Linear(2, 2), act=n.ReLU()))
    net._modules["fc"] = n.Identity()
    seen["module set"] = (type(net.fc).__name__, type(net[0]).__name__)
    del net._modules["act"]
    seen["module del"] = (hasattr(net, "act"), len(net))
    return seen


def test_direct_registry_edits_are_seen_by_attribute_reads_like_torch():
    seen = registry_edits(minitorch)
    assert seen == registry_edits(torch)
    assert seen["set"] and seen["forward uses it"] and not seen["del"]
    assert seen["pop"] == (True, False) and seen["module set"] == ("Identity", "Identity")


def test_registries_stay_dict_like_and_in_step_with_the_instance_dict():
    layer = nn.Linear(2, 2)
    assert list(layer._parameters) == ["weight", "bias"] and len(layer._parameters) == 2
    assert dict(layer._parameters.items()) == {"weight": layer.weight, "bias": layer.bias}
    assert layer._parameters.get("missing") is None and "weight" in layer._parameters
    assert layer._parameters.popitem()[0] == "bias"  # the last, as dict.popitem
    assert "bias" not in vars(layer)
    # a name written into both registries: removing one leaves the other readable
    module = nn.Module()
    parameter, inner = nn.Parameter(minitorch.zeros(1)), nn.ReLU()
    module._parameters["x"] = parameter
    module._modules["x"] = inner
    del module._parameters["x"]
    assert module.x is inner
    module.__init__()  # a second __init__ forgets every registration, as in torch
    assert not hasattr(module, "x") and not module._modules


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m)),
                                       copy.copy])
def test_copies_have_their_own_registries(duplicate):
    model = nn.Sequential(OrderedDict(fc=nn.Linear(2, 2)))
    clone = duplicate(model)
    assert list(clone.state_dict()) == ["fc.weight", "fc.bias"]
    replacement = nn.Identity()
    clone._modules["fc"] = replacement
    assert clone.fc is replacement and clone[0] is replacement
    assert isinstance(model.fc, nn.Linear) and model._modules["fc"] is model.fc
    clone.extra = nn.ReLU()
    assert "extra" not in vars(model) and "extra" not in model._modules


def test_deepcopy_and_pickle_give_independent_parameters():
    model = nn.Sequential(nn.Linear(2, 2))
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert isinstance(clone[0].weight, nn.Parameter)
        assert clone[0].weight is clone[0]._parameters["weight"]
        np.testing.assert_array_equal(clone[0].weight.detach().numpy(),
                                      model[0].weight.detach().numpy())
        clone[0]._parameters["weight"] = nn.Parameter(minitorch.zeros(2, 2))
        assert clone(minitorch.ones(1, 2)).tolist() == clone[0].bias.view(1, 2).tolist()
        assert model[0].weight.abs().sum().item() > 0


# ---- state dicts -------------------------------------------------------------------------

def test_state_dict_keys_and_shapes_match_torch():
    ours = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2, bias=False))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                 torch.nn.Linear(3, 2, bias=False))
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]


def test_state_dict_shares_storage_and_load_copies_values():
    source, target = nn.Linear(3, 2), nn.Linear(3, 2)
    result = target.load_state_dict(source.state_dict())
    assert result == nn.IncompatibleKeys([], []) and not result.missing_keys
    np.testing.assert_array_equal(target.weight.detach().numpy(),
                                  source.weight.detach().numpy())
    with minitorch.no_grad():
        source.weight.fill_(5.0)
    assert source.state_dict()["weight"].numpy()[0, 0] == 5.0
    assert target.weight.detach().numpy()[0, 0] != 5.0


def test_load_state_dict_strict_reports_missing_and_unexpected_keys():
    model = nn.Sequential(nn.Linear(2, 2))
    state = {"0.weight": minitorch.zeros(2, 2), "0.extra": minitorch.zeros(1)}
    with pytest.raises(RuntimeError, match="missing key '0.bias'.*\n.*unexpected key '0.extra'"):
        model.load_state_dict(state)
    assert model[0].weight.abs().sum().item() > 0  # nothing was copied
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["0.extra"]
    assert model[0].weight.abs().sum().item() == 0


def test_load_state_dict_always_refuses_shape_mismatch_and_foreign_values():
    model = nn.Linear(2, 3)
    with pytest.raises(RuntimeError, match="size mismatch for weight.*model 3x2"):
        model.load_state_dict({"weight": minitorch.zeros(2, 2)}, strict=False)
    with pytest.raises(TypeError, match="torch.Tensor.*from_torch"):
        model.load_state_dict(torch.nn.Linear(2, 3).state_dict())


def test_load_state_dict_takes_numpy_arrays_and_casts():
    model = nn.Linear(2, 1)
    model.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([3])})
    assert model.bias.dtype is minitorch.float32 and model.bias.item() == 3.0
    assert model(minitorch.tensor([[1.0, 1.0]])).item() == 6.0


def test_to_moves_parameters_in_place_and_keeps_identity(backend_name):
    with minitorch.use_backend("numpy"):
        model = nn.Linear(3, 2)
    weight = model.weight
    before = weight.detach().numpy()
    model(minitorch.ones(1, 3, backend="numpy")).sum().backward()
    assert model.to(backend_name) is model
    assert model.weight is weight and weight.backend == backend_name
    assert weight.grad.backend == backend_name and weight.requires_grad
    np.testing.assert_array_equal(weight.detach().numpy(), before)
    model.to(minitorch.float64)
    assert weight.dtype is minitorch.float64
    out = model(minitorch.ones(1, 3, dtype="float64", backend=backend_name))
    assert out.backend == backend_name and out.dtype is minitorch.float64


# ---- repr --------------------------------------------------------------------------------

def test_repr_matches_torch():
    def build(library):
        n = library.nn
        return n.Sequential(n.Linear(4, 3), n.ReLU(), n.Flatten(),
                            n.Sequential(n.Tanh(), n.Sigmoid(), n.Identity()),
                            n.Softmax(dim=1), n.LogSoftmax(dim=1), n.Linear(3, 2, bias=False))
    assert repr(build(minitorch)) == repr(build(torch))
    for args in [(), (0.25,), (0.1, True)]:
        assert repr(nn.Dropout(*args)) == repr(torch.nn.Dropout(*args))
    assert repr(nn.Linear(2, 2).weight).startswith("Parameter containing:\ntensor(")


def test_loss_repr_is_torchs_bare_class_name():
    assert repr(nn.CrossEntropyLoss(reduction="sum")) == repr(
        torch.nn.CrossEntropyLoss(reduction="sum")) == "CrossEntropyLoss()"


# ---- Parameter ---------------------------------------------------------------------------

def test_parameter_shares_storage_and_is_a_leaf_tensor():
    data = minitorch.zeros(3)
    parameter = nn.Parameter(data)
    assert isinstance(parameter, minitorch.Tensor) and parameter.is_leaf
    assert parameter.requires_grad and parameter.grad is None
    data.fill_(2.0)
    assert parameter.tolist() == [2.0, 2.0, 2.0]
    assert type(parameter * 2) is minitorch.Tensor
    assert not nn.Parameter(minitorch.zeros(1), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_parameter_refuses_non_tensors_and_integer_gradients():
    with pytest.raises(TypeError, match="minitorch.tensor"):
        nn.Parameter([1.0, 2.0])
    with pytest.raises(TypeError, match="int64"):
        nn.Parameter(minitorch.tensor([1, 2]))


# ---- containers --------------------------------------------------------------------------

def test_sequential_indexing_slicing_iteration_and_append():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    assert head(minitorch.ones(1, 2)).shape == (1, 3)
    with pytest.raises(IndexError, match="index 3 is out of range for 3"):
        model[3]
    model.append(nn.Sigmoid())
    assert [name for name, _ in model.named_children()] == ["0", "1", "2", "3"]


def test_sequential_from_ordered_dict_uses_its_names():
    model = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 2), act=nn.ReLU()))
    assert list(model.state_dict()) == ["hidden.weight", "hidden.bias"]
    assert model.act is model[1]


def test_module_list_registers_and_indexes():
    blocks = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    owner = nn.Module()
    owner.blocks = blocks
    assert len(list(owner.parameters())) == 4
    blocks.append(nn.Linear(2, 1)).extend([nn.ReLU()])
    assert len(blocks) == 4 and isinstance(blocks[-1], nn.ReLU)
    blocks[0] = nn.Identity()
    assert isinstance(blocks[0], nn.Identity) and len(list(owner.parameters())) == 4
    assert isinstance(blocks[1:3], nn.ModuleList) and len(blocks[1:3]) == 2
    with pytest.raises(NotImplementedError):
        blocks(minitorch.ones(2))
    assert len(nn.ModuleList(None)) == len(torch.nn.ModuleList(None)) == 0


# ---- layers against torch ----------------------------------------------------------------

def copy_linear(ours, theirs):
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
        if ours.bias is not None:
            theirs.bias.copy_(torch.tensor(ours.bias.detach().numpy()))


@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_and_backward_match_torch(backend_name, bias):
    ours, theirs = nn.Linear(5, 3, bias=bias), torch.nn.Linear(5, 3, bias=bias)
    copy_linear(ours, theirs)
    x, tx = pair(random_array(4, 5), requires_grad=True)
    out, tout = ours(x), theirs(tx)
    assert_close(out, tout)
    weights = random_array(4, 3, seed=1)
    (out * minitorch.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    assert_close(x.grad, tx.grad)
    assert_close(ours.weight.grad, theirs.weight.grad)
    if bias:
        assert_close(ours.bias.grad, theirs.bias.grad)


@pytest.mark.parametrize("sizes", [(0, 5), (5, 0), (0, 0)])
def test_linear_with_no_features_builds_like_torch(sizes):
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        ours = nn.Linear(*sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.Linear(*sizes)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    assert ours.bias.tolist() == theirs.bias.tolist()  # zeros with no inputs, else empty
    x, tx = pair(random_array(3, sizes[0]))
    assert ours(x).shape == tuple(theirs(tx).shape) == (3, sizes[1])
    if sizes[0] == 0:  # no inputs: the output is the (zero) bias
        assert ours(x).abs().sum().item() == 0


def test_identity_takes_and_ignores_arguments():
    x = minitorch.ones(2)
    assert nn.Identity(54, unused="x")(x) is x
    assert repr(nn.Identity(54, unused="x")) == repr(torch.nn.Identity(54, unused="x"))


def test_linear_takes_extra_leading_dims():
    layer = nn.Linear(4, 2)
    assert layer(minitorch.ones(3, 5, 4)).shape == (3, 5, 2)


def test_linear_default_init_is_uniform_in_one_over_sqrt_fan_in():
    minitorch.manual_seed(0)
    layer = nn.Linear(400, 300)
    weight = layer.weight.detach().numpy()
    bound = 1 / math.sqrt(400)
    assert weight.min() >= -bound and weight.max() < bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.02 * bound  # std of U(-b, b)
    assert np.abs(layer.bias.detach().numpy()).max() < bound


def test_same_seed_gives_same_weights_on_every_backend(backend_name):
    minitorch.manual_seed(3)
    with minitorch.use_backend("numpy"):
        reference = nn.Linear(6, 4)
    minitorch.manual_seed(3)
    layer = nn.Linear(6, 4)
    assert layer.weight.backend == backend_name
    np.testing.assert_array_equal(layer.weight.detach().numpy(),
                                  reference.weight.detach().numpy())
    np.testing.assert_array_equal(layer.bias.detach().numpy(), reference.bias.detach().numpy())


@pytest.mark.parametrize("name,args", [
    ("ReLU", ()), ("Sigmoid", ()), ("Tanh", ()), ("Softmax", (1,)), ("LogSoftmax", (1,)),
    ("Softmax", (0,)), ("LogSoftmax", (-1,)), ("Flatten", ()), ("Flatten", (0, 1)),
    ("Identity", ()),
])
def test_parameter_free_layers_match_torch(backend_name, name, args):
    x, tx = pair(random_array(3, 4, 2, scale=3.0), requires_grad=True)
    if name in ("Softmax", "LogSoftmax"):
        x, tx = pair(random_array(3, 4, scale=3.0), requires_grad=True)
    out, tout = getattr(nn, name)(*args)(x), getattr(torch.nn, name)(*args)(tx)
    assert out.shape == tuple(tout.shape)
    assert_close(out, tout)
    weights = random_array(*tout.shape, seed=2)
    (out * minitorch.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    assert_close(x.grad, tx.grad)


def test_mlp_matches_torch_in_float64():
    ours = nn.Sequential(nn.Linear(6, 5, dtype="float64"), nn.ReLU(),
                         nn.Linear(5, 3, dtype="float64"))
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(),
                                 torch.nn.Linear(5, 3)).double()
    theirs.load_state_dict(minitorch.serialization.to_torch(ours.state_dict()))
    x, tx = pair(random_array(7, 6, dtype=np.float64))
    labels = np.array([0, 1, 2, 0, 1, 2, 2])
    loss = nn.CrossEntropyLoss()(ours(x), minitorch.tensor(labels))
    tloss = torch.nn.CrossEntropyLoss()(theirs(tx), torch.tensor(labels))
    loss.backward()
    tloss.backward()
    assert_close(loss, tloss, "float64")
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        assert_close(p.grad, tp.grad, "float64")


def test_dropout_zeroes_and_rescales_while_training_only():
    minitorch.manual_seed(1)
    layer = nn.Dropout(0.25)
    x = minitorch.ones(200, 50, requires_grad=True)
    out = layer(x)
    values = out.detach().numpy()
    assert set(np.unique(values)) == {0.0, np.float32(1 / 0.75)}
    assert abs((values == 0).mean() - 0.25) < 0.02
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)  # gradient takes the same mask
    assert layer.eval()(x) is x
    assert F.dropout(x, 1.0).abs().sum().item() == 0 and F.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_mask_is_seeded_and_backend_independent(backend_name):
    minitorch.manual_seed(5)
    mask = F.dropout(minitorch.ones(4, 8), 0.5).numpy()
    minitorch.manual_seed(5)
    with minitorch.use_backend("numpy"):
        reference = F.dropout(minitorch.ones(4, 8), 0.5).numpy()
    np.testing.assert_array_equal(mask, reference)


# ---- init --------------------------------------------------------------------------------

@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
    ("leaky_relu", 0.2), ("selu", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
    ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param))


def test_fans_match_torch():
    shape = (8, 3, 5, 5)
    assert nn.init.fans(minitorch.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.fans(minitorch.empty(4))


@pytest.mark.parametrize("name,kwargs,expected_std", [
    ("kaiming_uniform_", dict(nonlinearity="relu"), math.sqrt(2 / 200)),
    ("kaiming_normal_", dict(nonlinearity="relu"), math.sqrt(2 / 200)),
    ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu"), math.sqrt(2 / 300)),
    ("xavier_uniform_", {}, math.sqrt(2 / 500)),
    ("xavier_normal_", dict(gain=2.0), 2 * math.sqrt(2 / 500)),
    ("uniform_", dict(a=-1.0, b=3.0), 4 / math.sqrt(12)),
    ("normal_", dict(mean=1.0, std=0.5), 0.5),
])
def test_initialisers_have_the_documented_spread(name, kwargs, expected_std):
    minitorch.manual_seed(0)
    weight = nn.Parameter(minitorch.empty(300, 200))
    assert getattr(nn.init, name)(weight, **kwargs) is weight
    values = weight.detach().numpy()
    assert values.std() == pytest.approx(expected_std, rel=0.02)
    if "uniform" in name and name != "uniform_":
        assert np.abs(values).max() <= expected_std * math.sqrt(3)


def test_zeros_and_ones_and_bad_mode():
    weight = nn.Parameter(minitorch.empty(2, 3))
    assert nn.init.ones_(weight).tolist() == [[1.0] * 3] * 2
    assert nn.init.zeros_(weight).abs().sum().item() == 0
    with pytest.raises(ValueError, match="fan_in"):
        nn.init.kaiming_uniform_(weight, mode="sideways")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        nn.init.calculate_gain("swish")


def test_initialisers_use_an_explicit_generator():
    first = nn.init.normal_(minitorch.empty(5), generator=minitorch.Generator(9))
    second = nn.init.normal_(minitorch.empty(5), generator=minitorch.Generator(9))
    np.testing.assert_array_equal(first.numpy(), second.numpy())


# ---- losses against torch ----------------------------------------------------------------

REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_loss_matches_torch(backend_name, reduction, dtype):
    logits, tlogits = pair(random_array(5, 4, dtype=dtype, scale=3.0), requires_grad=True)
    labels = np.array([0, 3, 1, 3, 2])
    loss = nn.CrossEntropyLoss(reduction=reduction)(logits, minitorch.tensor(labels))
    tloss = torch.nn.CrossEntropyLoss(reduction=reduction)(tlogits, torch.tensor(labels))
    assert_close(loss, tloss, dtype)
    loss.sum().backward()
    tloss.sum().backward()
    assert_close(logits.grad, tlogits.grad, dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_scaled_upstream_and_empty_batches_match_torch(backend_name,
                                                                     reduction):
    # the reduced loss is one graph node: its backward must use the incoming gradient
    # (here 2.5, not 1) and survive a batch of no rows (mean: nan, gradient (0, C))
    for rows in (3, 0):
        logits, tlogits = pair(random_array(rows, 4, scale=2.0), requires_grad=True)
        labels = np.array([2, 0, 3][:rows], dtype=np.int64)
        loss = F.cross_entropy(logits, minitorch.tensor(labels), reduction=reduction)
        tloss = torch.nn.functional.cross_entropy(tlogits, torch.tensor(labels),
                                                  reduction=reduction)
        np.testing.assert_allclose(loss.detach().numpy(),
                                   tloss.detach().numpy(), rtol=1e-6, equal_nan=True)
        (loss * 2.5).sum().backward()
        (tloss * 2.5).sum().backward()
        assert logits.grad.shape == (rows, 4)
        np.testing.assert_allclose(logits.grad.numpy(), tlogits.grad.numpy(), rtol=1e-5,
                                   atol=1e-7)


def test_cross_entropy_is_finite_for_huge_logits():
    logits, tlogits = pair(np.array([[1e4, -1e4, 0.0], [-3e4, 3e4, 2e4]], np.float32),
                           requires_grad=True)
    labels = np.array([1, 2])
    loss = F.cross_entropy(logits, minitorch.tensor(labels))
    tloss = torch.nn.functional.cross_entropy(tlogits, torch.tensor(labels))
    assert np.isfinite(loss.item())
    assert_close(loss, tloss)
    loss.backward()
    tloss.backward()
    assert_close(logits.grad, tlogits.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(backend_name, reduction):
    log_probs, tlog_probs = pair(random_array(4, 3), requires_grad=True)
    labels = np.array([2, 0, 0, 1])
    loss = nn.NLLLoss(reduction=reduction)(log_probs, minitorch.tensor(labels))
    tloss = torch.nn.NLLLoss(reduction=reduction)(tlog_probs, torch.tensor(labels))
    assert_close(loss, tloss)
    loss.sum().backward()
    tloss.sum().backward()
    assert_close(log_probs.grad, tlog_probs.grad)


@pytest.mark.parametrize("loss", [
    lambda x, t: F.cross_entropy(x, t), lambda x, t: F.nll_loss(x, t),
    lambda x, t: F.mse_loss(x, t.reshape(1, 1).expand(1, 2))])
def test_losses_refuse_integer_inputs_by_name(backend_name, loss):
    with pytest.raises(TypeError, match="input must be floating point, got int64"):
        loss(minitorch.tensor([[1, 2]]), minitorch.tensor([0]))


def test_nll_of_log_softmax_equals_cross_entropy():
    logits = minitorch.tensor(random_array(6, 5))
    labels = minitorch.tensor([0, 1, 2, 3, 4, 0])
    assert F.nll_loss(F.log_softmax(logits, 1), labels).item() == pytest.approx(
        F.cross_entropy(logits, labels).item(), rel=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_matches_torch(backend_name, reduction):
    prediction, tprediction = pair(random_array(3, 4), requires_grad=True)
    target, ttarget = pair(random_array(3, 4, seed=1))
    loss = nn.MSELoss(reduction=reduction)(prediction, target)
    tloss = torch.nn.MSELoss(reduction=reduction)(tprediction, ttarget)
    assert_close(loss, tloss)
    loss.sum().backward()
    tloss.sum().backward()
    assert_close(prediction.grad, tprediction.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_with_logits_matches_torch(backend_name, reduction, weighted):
    values = np.array([[-120.0, -3.0, 0.0, 0.5], [2.0, 0.0, 40.0, -0.25]], np.float32)
    logits, tlogits = pair(values, requires_grad=True)
    target, ttarget = pair(np.array([[0.0, 1.0, 1.0, 0.3], [1.0, 0.0, 0.0, 1.0]], np.float32),
                           requires_grad=True)
    weight, tweight = pair(np.array([1.0, 2.0, 0.5, 3.0], np.float32)) if weighted else \
        (None, None)
    loss = nn.BCEWithLogitsLoss(weight, reduction)(logits, target)
    tloss = torch.nn.BCEWithLogitsLoss(tweight, reduction=reduction)(tlogits, ttarget)
    assert np.all(np.isfinite(loss.detach().numpy()))
    assert_close(loss, tloss)
    loss.sum().backward()
    tloss.sum().backward()
    assert_close(logits.grad, tlogits.grad)  # includes sigmoid(0) - y at logit 0
    assert_close(target.grad, ttarget.grad)


def test_loss_errors_name_the_problem():
    with pytest.raises(ValueError, match="CrossEntropyLoss: reduction must be"):
        nn.CrossEntropyLoss(reduction="average")
    with pytest.raises(ValueError, match="mse_loss: shapes 2x3 and 2 cannot be broadcast"):
        F.mse_loss(minitorch.ones(2, 3), minitorch.ones(2))
    with pytest.raises(IndexError, match="nll_loss: target 5 is out of bounds for 3"):
        F.nll_loss(minitorch.zeros(2, 3), minitorch.tensor([0, 5]))
    with pytest.raises(TypeError, match="int64 class indices"):
        F.nll_loss(minitorch.zeros(2, 3), minitorch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="expected input \\(N, C\\)"):
        F.nll_loss(minitorch.zeros(3), minitorch.tensor([0]))
