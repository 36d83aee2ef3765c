"""Module hooks (forward pre-, forward and full backward hooks) against torch, cuda()
refusals, and the DataLoader's worker-related arguments against torch's."""
import numpy as np
import pytest
import torch
import torch.utils.data

import minitorch
from minitorch.data import DataLoader, TensorDataset

# torch warns when a full backward hook fires with no input requiring grad (as some tests
# arrange on purpose); minitorch does not
pytestmark = pytest.mark.filterwarnings("ignore:Full backward hook is firing:UserWarning")


def twin_models(build):
    """(torch model, minitorch model) built by build(library), with torch's weights."""
    torch_model, mini_model = build(torch), build(minitorch)
    mini_model.load_state_dict({name: value.detach().numpy()
                                for name, value in torch_model.state_dict().items()})
    return torch_model, mini_model


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def linear(lib):
    return lib.nn.Linear(3, 2)


def inputs(requires_grad=False, seed=0):
    """The same (5, 3) float32 batch as (torch tensor, minitorch tensor)."""
    values = np.random.default_rng(seed).standard_normal((5, 3)).astype(np.float32)
    return (torch.tensor(values, requires_grad=requires_grad),
            minitorch.tensor(values, requires_grad=requires_grad))


def as_numpy(value):
    return None if value is None else value.detach().numpy()


def assert_close(mini, reference):
    np.testing.assert_allclose(as_numpy(mini), as_numpy(reference), rtol=1e-5, atol=1e-6)


def assert_all_close(mini_values, torch_values):
    assert len(mini_values) == len(torch_values)
    for mini, reference in zip(mini_values, torch_values):
        assert (mini is None) == (reference is None)
        if mini is not None:
            assert_close(mini, reference)


def both(run):
    """run(library, model, x) for torch and for minitorch on twin MLPs and inputs."""
    torch_model, mini_model = twin_models(mlp)
    torch_x, mini_x = inputs(requires_grad=True)
    return run(torch, torch_model, torch_x), run(minitorch, mini_model, mini_x)


# ---- forward hooks -------------------------------------------------------------------------

def test_forward_hooks_collect_sequential_activations_like_torch():
    def run(lib, model, x):
        activations = {}

        def keep(name):
            def hook(module, args, output):
                activations[name] = (args[0].detach(), output.detach())
            return hook
        handles = [module.register_forward_hook(keep(name))
                   for name, module in model.named_children()]
        model(x)
        for handle in handles:
            handle.remove()
        return activations

    torch_seen, mini_seen = both(run)
    assert list(mini_seen) == list(torch_seen) == ["0", "1", "2"]
    for name in torch_seen:
        assert_all_close(mini_seen[name], torch_seen[name])


def test_pre_hook_replaces_args_tuple_or_single_value():
    def run(lib, model, x):
        layer = model[0]
        handle = layer.register_forward_pre_hook(lambda module, args: (args[0] * 2,))
        doubled = model(x)
        handle.remove()
        handle = layer.register_forward_pre_hook(lambda module, args: args[0] + 1)  # wrapped
        shifted = model(x)
        handle.remove()
        return doubled, shifted, model(x)

    torch_outputs, mini_outputs = both(run)
    assert_all_close(mini_outputs, torch_outputs)


def test_forward_hook_replaces_output_and_sees_pre_hook_args():
    def run(lib, model, x):
        seen = []
        layer = model[2]
        layer.register_forward_pre_hook(lambda module, args: (args[0] - 1,))
        layer.register_forward_hook(lambda module, args, output: seen.append(args[0].detach()))
        layer.register_forward_hook(lambda module, args, output: output * 3)
        return seen + [model(x)]

    torch_values, mini_values = both(run)
    assert_all_close(mini_values, torch_values)


def test_hooks_run_in_registration_order_prepend_first_and_remove():
    def run(lib, model, x):
        order = []
        layer = model[0]
        handles = [layer.register_forward_pre_hook(lambda m, a, i=i: order.append(f"pre{i}"))
                   for i in range(2)]
        layer.register_forward_hook(lambda m, a, o: order.append("fwd0"))
        layer.register_forward_hook(lambda m, a, o: order.append("fwd-first"), prepend=True)
        model(x)
        handles[0].remove()
        handles[0].remove()  # a second remove() does nothing
        model(x)
        return order

    torch_order, mini_order = both(run)
    assert mini_order == torch_order
    assert mini_order[:4] == ["pre0", "pre1", "fwd-first", "fwd0"]


def test_a_hook_may_remove_itself_while_running():
    model = mlp(minitorch)
    calls = []

    def once(module, args):
        calls.append(1)
        handle.remove()
    handle = model.register_forward_pre_hook(once)
    model(minitorch.randn(2, 3))
    model(minitorch.randn(2, 3))
    assert calls == [1] and not model._forward_pre_hooks


def test_with_kwargs_and_always_call_are_refused():
    layer = linear(minitorch)
    with pytest.raises(NotImplementedError, match="with_kwargs"):
        layer.register_forward_pre_hook(lambda m, a, k: None, with_kwargs=True)
    with pytest.raises(NotImplementedError, match="always_call"):
        layer.register_forward_hook(lambda m, a, o: None, always_call=True)


def test_hooks_survive_deepcopy_and_pickle_free_modules_have_none():
    import copy
    import pickle
    layer = linear(minitorch)
    seen = []
    layer.register_forward_hook(lambda m, a, o: seen.append(m))
    clone = copy.deepcopy(layer)
    clone(minitorch.randn(1, 3))
    assert seen == [clone]
    plain = pickle.loads(pickle.dumps(linear(minitorch)))
    assert not plain._forward_hooks and not plain._backward_hooks


# ---- full backward hooks -------------------------------------------------------------------

def backward_log(lib, model, x):
    """(name, grad_input, grad_output) for every layer of model after sum().backward()."""
    log = []
    for name, module in model.named_children():
        module.register_full_backward_hook(
            lambda module, grad_input, grad_output, name=name:
                log.append((name, grad_input, grad_output)))
    model(x).sum().backward()
    return log


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_see_torch_grad_input_and_grad_output(input_requires_grad):
    torch_model, mini_model = twin_models(mlp)
    torch_x, mini_x = inputs(requires_grad=input_requires_grad)
    torch_log = backward_log(torch, torch_model, torch_x)
    mini_log = backward_log(minitorch, mini_model, mini_x)
    assert [entry[0] for entry in mini_log] == [entry[0] for entry in torch_log] == ["2", "1", "0"]
    for (_, mini_in, mini_out), (_, torch_in, torch_out) in zip(mini_log, torch_log):
        assert_all_close(mini_in, torch_in)    # (None,) for layer 0 when x needs no grad
        assert_all_close(mini_out, torch_out)


def test_gradient_norms_of_linear_layers_via_backward_hooks():
    def run(lib, model, x):
        norms = {}
        for name, module in model.named_modules():
            if isinstance(module, lib.nn.Linear):
                module.register_full_backward_hook(
                    lambda module, grad_input, grad_output, name=name:
                        norms.__setitem__(name, grad_output[0].norm().item()))
        lib.nn.functional.cross_entropy(model(x), lib.tensor([0, 1, 1, 0, 1])).backward()
        return norms

    torch_model, mini_model = twin_models(mlp)
    torch_x, mini_x = inputs()
    torch_norms, mini_norms = run(torch, torch_model, torch_x), run(minitorch, mini_model, mini_x)
    assert list(mini_norms) == list(torch_norms) == ["2", "0"]
    for name in torch_norms:
        assert mini_norms[name] == pytest.approx(torch_norms[name], rel=1e-5)


def test_backward_hook_replaces_grad_input_chained_in_order():
    def run(lib, model, x):
        seen = []
        layer = model[2]
        layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 2,))
        layer.register_full_backward_hook(lambda m, gi, go: seen.append(gi[0].clone()))
        model(x).sum().backward()
        return seen + [x.grad, model[0].weight.grad]

    torch_values, mini_values = both(run)
    assert_all_close(mini_values, torch_values)


def test_backward_hook_of_a_single_layer_and_its_removal():
    def run(lib, model, x):
        calls = []
        handle = model.register_full_backward_hook(lambda m, gi, go: calls.append(m))
        model(x).sum().backward()
        handle.remove()
        model(x).sum().backward()
        return len(calls), x.grad

    torch_model, mini_model = twin_models(linear)
    torch_x, mini_x = inputs(requires_grad=True)
    torch_count, torch_grad = run(torch, torch_model, torch_x)
    mini_count, mini_grad = run(minitorch, mini_model, mini_x)
    assert mini_count == torch_count == 1
    assert_close(mini_grad, torch_grad)


def test_backward_hook_must_return_grad_input_of_its_length():
    torch_model, mini_model = twin_models(linear)
    for lib, model, x in ((torch, torch_model, inputs(True)[0]),
                          (minitorch, mini_model, inputs(True)[1])):
        model.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError, match="invalid number of grad_input"):
            model(x).sum().backward()


def test_backward_hook_without_input_grad_must_return_none():
    torch_model, mini_model = twin_models(linear)
    for lib, model, x in ((torch, torch_model, inputs()[0]),
                          (minitorch, mini_model, inputs()[1])):
        model.register_full_backward_hook(lambda m, gi, go: (go[0],))
        with pytest.raises(RuntimeError, match="no input requires gradient"):
            model(x).sum().backward()


def test_backward_hooks_do_nothing_under_no_grad():
    layer = linear(minitorch)
    calls = []
    layer.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    with minitorch.no_grad():
        out = layer(inputs(requires_grad=True)[1])
    assert not out.requires_grad and calls == []


class Pair(minitorch.nn.Module):
    def forward(self, a, b):
        return a + b, a * b


def test_backward_hooks_refuse_what_they_cannot_match():
    module = Pair()
    module.register_full_backward_hook(lambda m, gi, go: None)
    a, b = minitorch.randn(2, requires_grad=True), minitorch.randn(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="at most one Tensor argument"):
        module(a, b)
    with pytest.raises(NotImplementedError, match="output is one Tensor"):
        module(a, b.detach())


# ---- cuda() --------------------------------------------------------------------------------

@pytest.mark.parametrize("move", [lambda: minitorch.zeros(2).cuda(),
                                  lambda: minitorch.zeros(2).cuda(0),
                                  lambda: linear(minitorch).cuda(),
                                  lambda: linear(minitorch).cuda("cuda:0")])
def test_cuda_is_refused_naming_the_cpu_backends(move):
    with pytest.raises(RuntimeError, match="runs on CPU backends"):
        move()


# ---- DataLoader arguments ------------------------------------------------------------------

def loaders(**options):
    """Build torch's DataLoader and minitorch's with options: ("ok", ...) or the error
    type each raised."""
    values = np.arange(6, dtype=np.float32)
    results = []
    for loader_class, dataset in (
            (torch.utils.data.DataLoader, torch.utils.data.TensorDataset(torch.tensor(values))),
            (DataLoader, TensorDataset(minitorch.tensor(values)))):
        try:
            results.append(("ok", loader_class(dataset, batch_size=4, **options)))
        except Exception as error:  # noqa: BLE001  (the type is what is compared)
            results.append((type(error), str(error)))
    return results


@pytest.mark.parametrize("options", [
    dict(pin_memory=True), dict(pin_memory=False), dict(timeout=0), dict(timeout=-1),
    dict(worker_init_fn=print), dict(prefetch_factor=None), dict(prefetch_factor=2),
    dict(persistent_workers=False), dict(persistent_workers=True),
    dict(num_workers=-1, timeout=-1), dict(timeout=-1, prefetch_factor=2),
    dict(prefetch_factor=2, persistent_workers=True), dict(multiprocessing_context="fork"),
    dict(num_workers=2, prefetch_factor=-1), dict(num_workers=2, timeout=-1),
    dict(num_workers=2, multiprocessing_context="bogus"),
    dict(num_workers=2, prefetch_factor=3, persistent_workers=True)])
def test_dataloader_worker_options_accepted_or_refused_as_torch(options):
    (torch_outcome, torch_detail), (mini_outcome, mini_detail) = loaders(**options)
    assert mini_outcome == torch_outcome
    if torch_outcome != "ok":
        assert mini_detail == torch_detail


def test_dataloader_keeps_options_and_pin_memory_changes_nothing():
    torch_loader, mini_loader = (loader for _, loader in
                                 loaders(pin_memory=True, worker_init_fn=print))
    for name in ("pin_memory", "timeout", "worker_init_fn", "prefetch_factor",
                 "persistent_workers"):
        assert getattr(mini_loader, name) == getattr(torch_loader, name)
    with pytest.warns(UserWarning):   # torch: "no accelerator is found"
        torch_batches = [batch[0].tolist() for batch in torch_loader]
    assert [batch[0].tolist() for batch in mini_loader] == torch_batches


def test_dataloader_positive_timeout_fails_on_iteration_as_torch():
    for _, loader in loaders(timeout=5):
        with pytest.raises(AssertionError):
            list(loader)
