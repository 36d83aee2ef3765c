"""minitorch.func (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap, functional_call) and
nn.utils.stateless against torch.func."""
import pytest
import torch
import torch.func as tfunc
from nn_helpers import assert_close, backend, normal  # noqa: F401

import minitorch
import minitorch.func as func
from minitorch import nn
from minitorch.nn.utils import stateless


def pair(shape, dtype="float64", seed=0):
    """The same values as a minitorch and a torch tensor."""
    values = normal(shape, dtype, seed)
    return minitorch.tensor(values), torch.tensor(values)


def close_trees(ours, theirs, dtype="float64"):
    """Two pytrees of the same structure with close tensors at the leaves."""
    if isinstance(theirs, torch.Tensor):
        assert_close(ours, theirs, dtype)
    elif isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for key in theirs:
            close_trees(ours[key], theirs[key], dtype)
    else:
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for mine, reference in zip(ours, theirs):
            close_trees(mine, reference, dtype)


def scalar_f(x, y):
    return (x.sin() * y).sum() + (x * x).sum()


def vector_f(x, y):
    return x.tanh() * y.sum() + y.exp()


# ---- grad ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1])
def test_grad_argnums(backend, dtype, argnums):
    (x, tx), (y, ty) = pair((3, 4), dtype), pair((4, 3), dtype, 1)
    x, tx = x.T, tx.T   # non-contiguous
    close_trees(func.grad(scalar_f, argnums)(x, y), tfunc.grad(scalar_f, argnums)(tx, ty),
                dtype)


def test_grad_and_value_has_aux_and_pytree_argument(backend):
    (w, tw), (b, tb), (x, tx) = pair((3,)), pair(()), pair((5, 3), seed=2)

    def loss(params, data):
        out = data @ params["w"] + params["rest"][0]
        return (out * out).mean(), {"out": out}

    (ours, (value, aux)) = func.grad_and_value(loss, has_aux=True)({"w": w, "rest": [b]}, x)
    theirs, (tvalue, taux) = tfunc.grad_and_value(loss, has_aux=True)({"w": tw, "rest": [tb]},
                                                                      tx)
    close_trees(ours, theirs)
    close_trees(value, tvalue)
    close_trees(aux, taux)
    assert not ours["w"].requires_grad and not value.requires_grad


def test_grad_unused_input_is_zeros_and_no_graph_kept():
    x, y = minitorch.ones(2, dtype=minitorch.float64), minitorch.ones(3, dtype=minitorch.float64)
    gx, gy = func.grad(lambda a, b: (a * 2).sum(), argnums=(0, 1))(x, y)
    assert gy.tolist() == [0.0, 0.0, 0.0] and gx.tolist() == [2.0, 2.0]
    assert not gx.requires_grad


def test_grad_of_tracked_input_keeps_graph():
    x, tx = pair((3,))
    x.requires_grad_()
    tx.requires_grad_()
    gradient, tgradient = (func.grad(lambda a: (a ** 3).sum())(x),
                           tfunc.grad(lambda a: (a ** 3).sum())(tx))
    assert gradient.requires_grad
    gradient.sum().backward()
    tgradient.sum().backward()
    assert_close(x.grad, tx.grad, "float64")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nested_grad(backend, dtype):
    (x, tx) = pair((4,), dtype)

    def inner(transform):
        return lambda a: transform(lambda b: (b.sin() * b * b).sum())(a).cos().sum()

    close_trees(func.grad(inner(func.grad))(x), tfunc.grad(inner(tfunc.grad))(tx), dtype)
    # closure over the outer variable
    ours = func.grad(lambda a: func.grad(lambda b: (a * b * b).sum())(a.exp()).sum())(x)
    theirs = tfunc.grad(lambda a: tfunc.grad(lambda b: (a * b * b).sum())(a.exp()).sum())(tx)
    close_trees(ours, theirs, dtype)


def test_grad_errors():
    x = minitorch.ones(2)
    with pytest.raises(RuntimeError, match="to return a scalar Tensor, got tensor with 1 dims"):
        func.grad(lambda a: a * 2)(x)
    with pytest.raises(RuntimeError, match="to return a Tensor, got <class 'tuple'>"):
        func.grad(lambda a: (a.sum(),))(x)
    with pytest.raises(RuntimeError, match=r"should be a tuple: \(output, aux\)"):
        func.grad(lambda a: a.sum(), has_aux=True)(x)
    with pytest.raises(RuntimeError, match="Expected tensors, got unsupported type <class 'int'>"):
        func.grad(lambda a: (a.sum(), {"n": 5}), has_aux=True)(x)
    with pytest.raises(RuntimeError, match="Got argnum=1, but only 1 positional inputs"):
        func.grad(lambda a: a.sum(), argnums=1)(x)
    with pytest.raises(RuntimeError, match="argnums must be int or Tuple"):
        func.grad(lambda a: a.sum(), argnums=[0])(x)
    with pytest.raises(RuntimeError, match="argnums must be non-empty"):
        func.grad(lambda a: a.sum(), argnums=())(x)
    with pytest.raises(RuntimeError, match="argnums must be unique"):
        func.grad(lambda a, b: a.sum(), argnums=(0, -2))(x, x)
    with pytest.raises(ValueError, match="must be Tensor, got <class 'float'>"):
        func.grad(lambda a: a * 2)(3.0)


# ---- vjp, jvp -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_vjp(backend, dtype):
    (x, tx), (y, ty), (c, tc) = pair((3,), dtype), pair((3,), dtype, 1), pair((3,), dtype, 2)

    def f(a, b):
        return a * b.exp(), {"s": (a * b).sum()}

    output, vjp_fn = func.vjp(f, x, y)
    toutput, tvjp_fn = tfunc.vjp(f, tx, ty)
    close_trees(output, toutput, dtype)
    s, ts = minitorch.tensor(2.0, dtype=getattr(minitorch, dtype)), torch.tensor(2.0).to(
        getattr(torch, dtype))
    for _ in range(2):   # callable more than once
        close_trees(vjp_fn((c, {"s": s})), tvjp_fn((tc, {"s": ts})), dtype)
    with pytest.raises(RuntimeError, match="structure of cotangents to be the same"):
        vjp_fn(c)
    with pytest.raises(RuntimeError, match="has invalid size"):
        vjp_fn((c[:2], {"s": s}))


def test_vjp_has_aux(backend):
    (x, tx) = pair((2, 3))
    out, vjp_fn, aux = func.vjp(lambda a: (a.sin(), a.cos()), x.T, has_aux=True)
    tout, tvjp_fn, taux = tfunc.vjp(lambda a: (a.sin(), a.cos()), tx.T, has_aux=True)
    close_trees((out, aux), (tout, taux))
    close_trees(vjp_fn(out), tvjp_fn(tout))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_jvp(backend, dtype):
    (x, tx), (y, ty), (u, tu), (v, tv) = (pair((3,), dtype, seed) for seed in range(4))
    close_trees(func.jvp(vector_f, (x, y), (u, v)), tfunc.jvp(vector_f, (tx, ty), (tu, tv)),
                dtype)
    ours = func.jvp(lambda a: (a.sin(), a.sum()), (x,), (u,), has_aux=False)
    theirs = tfunc.jvp(lambda a: (a.sin(), a.sum()), (tx,), (tu,))
    close_trees(ours, theirs, dtype)
    ours = func.jvp(lambda a: (a.exp(), a * 2), (x,), (u,), has_aux=True)
    theirs = tfunc.jvp(lambda a: (a.exp(), a * 2), (tx,), (tu,), has_aux=True)
    close_trees(ours, theirs, dtype)


def test_jvp_errors():
    x = minitorch.ones(2)
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        func.jvp(lambda a: a, x, (x,))
    with pytest.raises(RuntimeError, match="the same python structure"):
        func.jvp(lambda a: a, (x,), (x, x))


# ---- jacrev, jacfwd, hessian --------------------------------------------------------------

@pytest.mark.parametrize("ours, theirs", [(func.jacrev, tfunc.jacrev),
                                          (func.jacfwd, tfunc.jacfwd)])
@pytest.mark.parametrize("argnums", [0, (0, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_jacobians(backend, ours, theirs, argnums, dtype):
    (x, tx), (y, ty) = pair((3, 2), dtype), pair((2, 3), dtype, 1)

    def f(a, b):
        return {"p": a * b.T, "q": (a.sin() @ b).sum()}

    close_trees(ours(f, argnums)(x, y.T.T), theirs(f, argnums)(tx, ty), dtype)


def test_jacobian_has_aux(backend):
    (x, tx) = pair((3,))
    ours = func.jacrev(lambda a, scale: (a.exp() * scale, a.sum()), has_aux=True)(x, 2.0)
    theirs = tfunc.jacrev(lambda a, scale: (a.exp() * scale, a.sum()), has_aux=True)(tx, 2.0)
    close_trees(ours, theirs)
    ours = func.jacfwd(lambda a: (a.exp(), a.sum()), has_aux=True)(x)
    theirs = tfunc.jacfwd(lambda a: (a.exp(), a.sum()), has_aux=True)(tx)
    close_trees(ours, theirs)


@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_hessian(backend, argnums):
    (x, tx), (y, ty) = pair((3,)), pair((2,), seed=1)

    def f(a, b):
        return (a.sin() * a).sum() * (b * b).sum()

    close_trees(func.hessian(f, argnums)(x, y), tfunc.hessian(f, argnums)(tx, ty))


# ---- vmap ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_vmap_in_dims_out_dims(backend, dtype):
    (x, tx), (y, ty) = pair((4, 3), dtype), pair((3, 4), dtype, 1)

    def f(a, b, scale):
        return a * b * scale, (a - b).sum()

    close_trees(func.vmap(f, in_dims=(0, 1, None))(x, y, 2.0),
                torch.vmap(f, in_dims=(0, 1, None))(tx, ty, 2.0), dtype)
    close_trees(func.vmap(f, in_dims=(1, 0, None), out_dims=(1, 0))(x.T, y.T, 2.0),
                torch.vmap(f, in_dims=(1, 0, None), out_dims=(1, 0))(tx.T, ty.T, 2.0), dtype)
    close_trees(func.vmap(lambda a: a.sum(0), in_dims=-1, out_dims=-1)(x),
                torch.vmap(lambda a: a.sum(0), in_dims=-1, out_dims=-1)(tx), dtype)


def test_vmap_nested_structures_and_nesting(backend):
    (x, tx), (y, ty), (z, tz) = pair((2, 3)), pair((3, 2), seed=1), pair((3,), seed=2)

    def f(pair_of, extra):
        return {"sum": pair_of[0] + pair_of[1] * extra["z"]}

    ours = func.vmap(f, in_dims=((0, 1), {"z": None}))((x, y), {"z": z})
    theirs = torch.vmap(f, in_dims=((0, 1), {"z": None}))((tx, ty), {"z": tz})
    close_trees(ours, theirs)
    outer = func.vmap(func.vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(0, 0))
    touter = torch.vmap(torch.vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(0, 0))
    close_trees(outer(x, z[:2]), touter(tx, tz[:2]))
    close_trees(func.vmap(lambda a: minitorch.ones(()), out_dims=None)(x),
                torch.vmap(lambda a: torch.ones(()), out_dims=None)(tx), "float32")


def test_vmap_errors():
    x, y = minitorch.ones(2), minitorch.ones(3)
    with pytest.raises(ValueError, match=r"same size in the mapped dimension, got sizes \[2, 3\]"):
        func.vmap(lambda a, b: a)(x, y)
    with pytest.raises(ValueError, match="Got in_dim=0 for an input but the input is of type "
                                         "<class 'float'>"):
        func.vmap(lambda a, b: a)(x, 3.0)
    with pytest.raises(ValueError, match="in_dims is not compatible with the structure"):
        func.vmap(lambda a, b: a, in_dims=(0,))(x, x)
    with pytest.raises(ValueError, match=r"expected in_dim to satisfy -1 <= in_dim < 1"):
        func.vmap(lambda a: a, in_dims=2)(x)
    with pytest.raises(ValueError, match="expected `in_dims` to be int or a"):
        func.vmap(lambda a: a, in_dims=None)(x)
    with pytest.raises(ValueError, match="must only return Tensors, got type <class 'float'>"):
        func.vmap(lambda a: 1.0)(x)
    with pytest.raises(ValueError, match="out_dims is not compatible with the structure"):
        func.vmap(lambda a: a, out_dims=(0, 1))(x)
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        func.vmap(lambda a: a, randomness="foo")
    with pytest.raises(ValueError, match="chunk_size should be None or greater than 0"):
        func.vmap(lambda a: a, chunk_size=0)


def test_vmap_randomness():
    x = minitorch.zeros(3)
    state = minitorch.get_rng_state()
    with pytest.raises(RuntimeError, match="called random operation while in randomness error"):
        func.vmap(lambda a: a + minitorch.rand(()))(x)
    minitorch.set_rng_state(state)
    same = func.vmap(lambda a: a + minitorch.rand(()), randomness="same")(x)
    assert len(set(same.tolist())) == 1
    minitorch.set_rng_state(state)
    assert same.tolist()[0] == minitorch.rand(()).item()
    different = func.vmap(lambda a: a + minitorch.rand(()), randomness="different")(x)
    assert len(set(different.tolist())) == 3


# ---- functional_call, per-sample gradients -----------------------------------------------

class MLP(nn.Module):
    def __init__(self, module):
        super().__init__()
        self.fc1 = module.Linear(4, 8)
        self.fc2 = module.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


class TorchMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


def mlps(dtype="float64"):
    theirs = TorchMLP().to(getattr(torch, dtype))
    ours = MLP(nn).to(dtype=getattr(minitorch, dtype))
    ours.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_per_sample_gradients(backend, dtype):
    model, tmodel = mlps(dtype)
    (x, tx) = pair((5, 4), dtype)
    targets = [0, 2, 1, 1, 0]
    y, ty = minitorch.tensor(targets), torch.tensor(targets)

    def loss_of(call, module, cross_entropy):
        def loss(params, sample, target):
            out = call(module, params, (sample.unsqueeze(0),))
            return cross_entropy(out, target.unsqueeze(0))
        return loss

    params = {k: v.detach() for k, v in model.named_parameters()}
    tparams = {k: v.detach() for k, v in tmodel.named_parameters()}
    ours = func.vmap(func.grad(loss_of(func.functional_call, model,
                                       nn.functional.cross_entropy)),
                     in_dims=(None, 0, 0))(params, x, y)
    theirs = tfunc.vmap(tfunc.grad(loss_of(tfunc.functional_call, tmodel,
                                           torch.nn.functional.cross_entropy)),
                        in_dims=(None, 0, 0))(tparams, tx, ty)
    close_trees(ours, theirs, dtype)
    assert ours["fc1.weight"].shape == (5, 8, 4)


def test_functional_call_gradients_and_restore(backend):
    model, tmodel = mlps()
    (x, tx) = pair((2, 4))
    (w, tw) = pair((3, 8), seed=3)
    w.requires_grad_()
    tw.requires_grad_()
    own = model.fc2.weight
    out = func.functional_call(model, ({"fc2.weight": w}, {}), x)
    tout = tfunc.functional_call(tmodel, ({"fc2.weight": tw}, {}), tx)
    assert_close(out, tout, "float64")
    out.sum().backward()
    tout.sum().backward()
    assert_close(w.grad, tw.grad, "float64")
    assert model.fc2.weight is own and own.grad is None
    assert list(model.state_dict()) == list(tmodel.state_dict())

    class Failing(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(minitorch.ones(2))

        def forward(self, x):
            raise ValueError("boom")

    failing = Failing()
    own = failing.weight
    with pytest.raises(ValueError, match="boom"):
        func.functional_call(failing, {"weight": minitorch.zeros(2)}, (x,))
    assert failing.weight is own and failing._parameters["weight"] is own


def test_functional_call_strict_tied_and_buffers():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    model.eval()
    new_mean = minitorch.ones(2)
    out = func.functional_call(model, {"1.running_mean": new_mean}, minitorch.ones(1, 2))
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2)).eval()
    tmodel.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    tout = tfunc.functional_call(tmodel, {"1.running_mean": torch.ones(2)}, torch.ones(1, 2))
    assert_close(out, tout, "float32")
    assert model[1].running_mean.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match=r"Error\(s\) in reparametrizing for Sequential:\n\t"
                                           r"Unexpected key\(s\): 'bogus'.\n\tMissing key\(s\): "
                                           r"'0.bias', '0.weight'"):
        func.functional_call(model, {"bogus": new_mean, "1.weight": new_mean,
                                     "1.bias": new_mean, "1.running_mean": new_mean,
                                     "1.running_var": new_mean,
                                     "1.num_batches_tracked": minitorch.tensor(0)},
                             minitorch.ones(1, 2), strict=True)
    with pytest.raises(ValueError, match=r"\['a'\] appeared in multiple dictionaries"):
        func.functional_call(model, ({"a": new_mean}, {"a": new_mean}), minitorch.ones(1, 2))
    with pytest.raises(ValueError, match="Expected parameter_and_buffer_dicts to be a dict"):
        func.functional_call(model, new_mean, minitorch.ones(1, 2))

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Parameter(minitorch.ones(2))
            self.b = self.a

        def forward(self, x):
            return x + self.a + self.b

    tied = Tied()
    zeros = minitorch.zeros(2)
    assert func.functional_call(tied, {"a": zeros}, minitorch.zeros(2)).tolist() == [0, 0]
    assert func.functional_call(tied, {"a": zeros}, minitorch.zeros(2),
                                tie_weights=False).tolist() == [1, 1]
    with pytest.raises(ValueError, match="got multiple values for keys"):
        func.functional_call(tied, {"a": zeros, "b": minitorch.ones(2)}, minitorch.zeros(2))
    assert tied.a is tied.b


def test_stateless_functional_call_is_deprecated():
    model = nn.Linear(2, 1)
    weight = minitorch.ones(1, 2)
    with pytest.warns(FutureWarning, match="deprecated"):
        out = stateless.functional_call(model, {"weight": weight, "bias": minitorch.zeros(1)},
                                        minitorch.tensor([[1.0, 2.0]]))
    assert out.tolist() == [[3.0]]
    assert model.weight is not weight
