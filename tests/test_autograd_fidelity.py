"""Autograd details compared with torch: register_multi_grad_hook, the double-backward
graph of relu's family of activations, jacobian/hessian's vectorize and forward-mode
arguments, and gradcheck's fast mode."""
import pytest
import torch
import torch.nn.functional as TF

import minitorch
import minitorch.nn.functional as F
from nn_helpers import assert_close, backend, normal  # noqa: F401 (backend: a fixture)

# ---- register_multi_grad_hook --------------------------------------------------------


def _multi_hook_log(lib):
    """What "all" and "any" multi-grad hooks see over four passes in library lib."""
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0], requires_grad=True)
    seen = []
    every = lib.autograd.graph.register_multi_grad_hook(
        (a, b), lambda grads: seen.append([None if g is None else g.tolist() for g in grads]))
    (a * 2).sum().backward()                       # b not reached: None
    (a.sum() * b).sum().backward()
    first = lib.autograd.graph.register_multi_grad_hook(
        (a, b), lambda grad: seen.append(("any", grad.tolist())), mode="any")
    (a.sum() * b * 5).sum().backward()
    (b * 4).sum().backward()                       # a not reached: None
    every.remove()
    first.remove()
    (a.sum() * b).sum().backward()                 # removed: nothing more
    return seen


def test_multi_grad_hook_matches_torch():
    assert _multi_hook_log(minitorch) == _multi_hook_log(torch)


def _non_leaf_log(lib):
    """A multi-grad hook on a non-leaf and a leaf, over two passes, the second reaching
    only the leaf."""
    x = lib.tensor([1.0, -2.0], requires_grad=True)
    hidden = x * 3
    calls = []
    lib.autograd.graph.register_multi_grad_hook(
        (hidden, x), lambda grads: calls.append([None if g is None else g.tolist()
                                                 for g in grads]))
    (hidden * hidden).sum().backward()
    (x * 5).sum().backward()
    return calls


def test_multi_grad_hook_non_leaf_matches_torch():
    assert _non_leaf_log(minitorch) == _non_leaf_log(torch)


def test_multi_grad_hook_refuses_bad_arguments():
    a = minitorch.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="register_multi_grad_hook.*mode"):
        minitorch.autograd.graph.register_multi_grad_hook((a,), print, mode="some")
    with pytest.raises(RuntimeError, match="register_multi_grad_hook: tensor 1 does not"):
        minitorch.autograd.graph.register_multi_grad_hook((a, minitorch.tensor([1.0])), print)


# ---- double backward of relu's family -------------------------------------------------

ACTIVATIONS = {
    "relu": lambda lib, F, x: F.relu(x),
    "leaky_relu": lambda lib, F, x: F.leaky_relu(x, 0.2),
    "hardtanh": lambda lib, F, x: F.hardtanh(x, -0.5, 1.5),
    "relu6": lambda lib, F, x: F.relu6(x * 4),
    "threshold": lambda lib, F, x: F.threshold(x, 0.1, 20.0),
    "prelu": lambda lib, F, x: F.prelu(
        x, lib.tensor([0.25, -0.5, 2.0, 0.75][:x.shape[1]], dtype=x.dtype)),
    "rrelu": lambda lib, F, x: F.rrelu(x, 0.1, 0.3),
    "hardshrink": lambda lib, F, x: F.hardshrink(x, 0.4),
    "softshrink": lambda lib, F, x: F.softshrink(x, 0.4),
    "leaky_relu_inplace": lambda lib, F, x: F.leaky_relu(x * 1, 0.2, inplace=True),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batched", [False, True])
def test_activation_double_backward_matches_torch(backend, name, dtype, batched):
    values = normal((2, 3, 4) if batched else (3, 4), dtype)
    ours = minitorch.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    if batched:   # a non-contiguous input: a transposed view
        ours_in, theirs_in = ours.transpose(0, 1), theirs.transpose(0, 1)
    else:
        ours_in, theirs_in = ours, theirs
    activation = ACTIVATIONS[name]
    weights = normal(tuple(theirs_in.shape), dtype, 1)
    out = activation(minitorch, F, ours_in)
    expected = activation(torch, TF, theirs_in)
    assert_close(out, expected, dtype)
    g, = minitorch.autograd.grad((out * minitorch.tensor(weights)).sum(), ours,
                                 create_graph=True)
    tg, = torch.autograd.grad((expected * torch.tensor(weights)).sum(), theirs,
                              create_graph=True)
    assert_close(g, tg, dtype)
    assert g.requires_grad and g.grad_fn is not None
    second, = minitorch.autograd.grad(g.sum(), ours)
    tsecond, = torch.autograd.grad(tg.sum(), theirs)
    assert_close(second, tsecond, dtype)


def test_hardsigmoid_double_backward_is_zero():
    # torch records the graph but has no derivative for hardsigmoid_backward (it raises);
    # minitorch gives the mathematically right zeros
    x = minitorch.tensor([-4.0, -1.0, 0.5, 3.5], dtype=minitorch.float64, requires_grad=True)
    g, = minitorch.autograd.grad(F.hardsigmoid(x).sum(), x, create_graph=True)
    assert g.requires_grad and g.tolist() == [0.0, 1 / 6, 1 / 6, 0.0]
    assert minitorch.autograd.grad(g.sum(), x)[0].tolist() == [0.0] * 4


def test_activation_gradients_at_kinks_and_nan_match_torch():
    values = [float("nan"), 0.2, 1.0, -3.0, 0.0, 0.4, -0.4, -0.5, 1.5, 0.1]
    for name in ("relu", "leaky_relu", "hardtanh", "threshold", "hardshrink", "softshrink"):
        ours = minitorch.tensor(values, requires_grad=True)
        theirs = torch.tensor(values, requires_grad=True)
        ACTIVATIONS[name](minitorch, F, ours).sum().backward()
        ACTIVATIONS[name](torch, TF, theirs).sum().backward()
        assert ours.grad.tolist() == theirs.grad.tolist(), name


def test_activation_third_order_and_gradient_weight():
    x = minitorch.tensor([-1.0, 0.5, 2.0], dtype=minitorch.float64, requires_grad=True)
    seed = minitorch.tensor([1.0, 2.0, 3.0], dtype=minitorch.float64, requires_grad=True)
    g, = minitorch.autograd.grad(F.leaky_relu(x, 0.1), x, seed, create_graph=True)
    # g = seed * slope: linear in seed, differentiable again w.r.t. seed and x
    d_seed, d_x = minitorch.autograd.grad(g.sum(), (seed, x), create_graph=True)
    assert d_seed.tolist() == pytest.approx([0.1, 1.0, 1.0])
    assert d_x.tolist() == [0.0, 0.0, 0.0]
    assert d_seed.requires_grad


# ---- jacobian / hessian: vectorize and strategy -----------------------------------------

def _function(lib):
    return lambda a, b: (a.sin() * b, (a * b).sum())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", [dict(vectorize=True),
                                     dict(vectorize=True, strategy="forward-mode")])
def test_jacobian_vectorize_matches_torch(dtype, options):
    a, b = normal((2, 3), dtype), normal((2, 3), dtype, 1)
    ours = minitorch.autograd.functional.jacobian(
        _function(minitorch), (minitorch.tensor(a).T, minitorch.tensor(b).T), **options)
    theirs = torch.autograd.functional.jacobian(
        _function(torch), (torch.tensor(a).T, torch.tensor(b).T), **options)
    for ours_row, theirs_row in zip(ours, theirs):
        for block, expected in zip(ours_row, theirs_row):
            assert_close(block, expected, dtype)


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
def test_hessian_vectorize_matches_torch(strategy):
    values = normal((3,), "float64")
    def cubic(x):
        return (x ** 3 * x.roll(1, 0)).sum()
    ours = minitorch.autograd.functional.hessian(
        cubic, minitorch.tensor(values), vectorize=True, outer_jacobian_strategy=strategy)
    theirs = torch.autograd.functional.hessian(
        cubic, torch.tensor(values), vectorize=True, outer_jacobian_strategy=strategy)
    assert_close(ours, theirs, "float64")


def test_jacobian_refuses_what_torch_refuses():
    x = minitorch.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="jacobian.*forward-mode.*vectorize=True"):
        minitorch.autograd.functional.jacobian(lambda t: t * 2, x, strategy="forward-mode")
    with pytest.raises(NotImplementedError, match="jacobian.*create_graph=True"):
        minitorch.autograd.functional.jacobian(lambda t: t * 2, x, create_graph=True,
                                               vectorize=True, strategy="forward-mode")
    with pytest.raises(ValueError, match="jacobian.*strategy.*'sideways'"):
        minitorch.autograd.functional.jacobian(lambda t: t * 2, x, strategy="sideways")
    with pytest.raises(NotImplementedError, match="jacobian.*vectorize=True"):
        minitorch.autograd.functional.hessian(lambda t: t.sum(), x,
                                              outer_jacobian_strategy="forward-mode")


# ---- gradcheck fast mode ----------------------------------------------------------------

class _WrongSquare(minitorch.autograd.Function):
    """a * a with a planted wrong backward (2.1 a instead of 2 a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return grad * a * 2.1


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_modes(fast_mode):
    x = minitorch.tensor(normal((4, 3), "float64"), requires_grad=True).T   # non-contiguous
    y = minitorch.tensor(normal((4,), "float64", 1), requires_grad=True)
    def correct(a, b):
        return (a.sin() * b, (a * a).sum(0) + b)
    assert minitorch.autograd.gradcheck(correct, (x, y), fast_mode=fast_mode)
    assert minitorch.autograd.gradgradcheck(correct, (x, y), fast_mode=fast_mode)
    assert not minitorch.autograd.gradcheck(_WrongSquare.apply, (x,), fast_mode=fast_mode,
                                            raise_exception=False)
    with pytest.raises(minitorch.autograd.GradcheckError, match="output 0 with respect to"):
        minitorch.autograd.gradcheck(_WrongSquare.apply, (x,), fast_mode=fast_mode)
    assert not minitorch.autograd.gradgradcheck(
        lambda a: _WrongSquare.apply(a) * a, (x,), fast_mode=fast_mode,
        raise_exception=False)


def test_gradcheck_fast_mode_catches_a_wrong_gradient_on_one_element():
    x = minitorch.tensor(normal((5,), "float64"), requires_grad=True)
    mask = minitorch.tensor([0.0, 0.0, 1.0, 0.0, 0.0], dtype=minitorch.float64)

    class OneWrong(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 3 + grad * mask * 0.5

    for seed in range(5):   # whatever the random projection, the error shows
        with minitorch.random.fork_rng():
            minitorch.manual_seed(seed)
            assert not minitorch.autograd.gradcheck(OneWrong.apply, (x,), fast_mode=True,
                                                    raise_exception=False)


def test_prelu_special_values_match_torch():
    values = [[float("nan"), 0.0, -1.0, 2.0, float("inf"), -float("inf")]] * 2
    slopes = [0.25, 0.5, 1.0, -1.0, 2.0, 3.0]
    results = []
    for lib, functional in ((minitorch, F), (torch, TF)):
        x = lib.tensor(values, requires_grad=True)
        weight = lib.tensor(slopes, requires_grad=True)
        y = functional.prelu(x, weight)
        y.sum().backward()
        results.append([y.tolist(), x.grad.tolist(), weight.grad.tolist()])
    assert str(results[0]) == str(results[1])   # str: nan equals nan
