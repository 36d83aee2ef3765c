"""Higher-order gradients: autograd.grad(..., create_graph=True) and
backward(create_graph=True), checked against PyTorch on the numpy and c backends."""
import os

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402
import minitorch.nn.functional as F  # noqa: E402
from minitorch import autograd  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.uniform(0.5, 2.0, (3, 4)) * RNG.choice([-1.0, 1.0], (3, 4))
POSITIVE = np.abs(X)
Y = RNG.uniform(0.5, 2.0, (3, 4))
TARGET = np.array([0, 3, 1])


@pytest.fixture(params=["numpy", "c"], autouse=True)
def backend(request):
    with minitorch.use_backend(request.param):
        yield request.param


def leaves(*arrays):
    """The same float64 leaves in minitorch and in torch."""
    return ([minitorch.tensor(a, dtype="float64", requires_grad=True) for a in arrays],
            [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays])


def close(mine, theirs):
    np.testing.assert_allclose(np.asarray(mine.detach().numpy()), theirs.detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def second_order(f, inputs, grad_of=None):
    """First gradients of f(*inputs).sum() w.r.t. inputs (with create_graph=True), and the
    gradients w.r.t. inputs of sum(first[i] * weight_i), fixed weights (a Hessian-vector
    product), for minitorch or torch (`grad_of` is that library's autograd.grad)."""
    first = grad_of(f(*inputs).sum(), inputs, create_graph=True)
    weights = [np.linspace(-1.0, 1.5, g.numel()).reshape(tuple(g.shape)) for g in first]
    like = minitorch.tensor if grad_of is autograd.grad else torch.tensor
    total = sum((g * like(w, dtype=g.dtype)).sum() for g, w in zip(first, weights))
    return first, grad_of(total, inputs, allow_unused=True)


def check_against_torch(mine, theirs, *arrays):
    """mine(*minitorch tensors) and theirs(*torch tensors) have equal first and second
    derivatives (second derivatives that are structurally zero may be None in either)."""
    ours, torchs = leaves(*arrays)
    my_first, my_second = second_order(mine, ours, autograd.grad)
    their_first, their_second = second_order(theirs, torchs, torch.autograd.grad)
    for a, b in zip(my_first, their_first):
        close(a, b)
    for a, b, x in zip(my_second, their_second, torchs):
        close(minitorch.zeros(*x.shape, dtype="float64") if a is None else a,
              torch.zeros_like(x) if b is None else b)


ELEMENTWISE = {
    "pow_scalar": (lambda x: x ** 3, lambda x: x ** 3, (X,)),
    "pow_tensor": (lambda x, y: x ** y, lambda x, y: x ** y, (POSITIVE, Y)),
    "exp": (minitorch.exp, torch.exp, (X,)),
    "log": (minitorch.log, torch.log, (POSITIVE,)),
    "sin": (minitorch.sin, torch.sin, (X,)),
    "tanh": (minitorch.tanh, torch.tanh, (X,)),
    "sigmoid": (minitorch.sigmoid, torch.sigmoid, (X,)),
    "div": (lambda x, y: x / y, lambda x, y: x / y, (X, Y)),
    "mul_chain": (lambda x, y: x * y * x, lambda x, y: x * y * x, (X, Y)),
    "relu": (lambda x: minitorch.relu(x) * x, lambda x: torch.relu(x) * x, (X,)),
}

REDUCTIONS = {
    "sum": (lambda x: x.sum(1) ** 2, lambda x: x.sum(1) ** 2),
    "mean": (lambda x: x.mean(0) ** 2, lambda x: x.mean(0) ** 2),
    "amax": (lambda x: minitorch.amax(x * x, 1) ** 2, lambda x: torch.amax(x * x, 1) ** 2),
    "max_dim": (lambda x: (x * x).max(1)[0] ** 2, lambda x: (x * x).max(1)[0] ** 2),
    "max_all": (lambda x: (x * x).max() ** 2, lambda x: (x * x).max() ** 2),
}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_second_derivatives_match_torch(name):
    mine, theirs, arrays = ELEMENTWISE[name]
    check_against_torch(mine, theirs, *arrays)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_second_derivatives_match_torch(name):
    mine, theirs = REDUCTIONS[name]
    check_against_torch(mine, theirs, X)


def test_matmul_second_derivatives_match_torch():
    b = RNG.standard_normal((4, 2))
    check_against_torch(lambda x, w: (x @ w) ** 2, lambda x, w: (x @ w) ** 2, X, b)
    batched = RNG.standard_normal((2, 3, 4))   # broadcast batch summed back to w's shape
    check_against_torch(lambda x, w: minitorch.tanh(x @ w), lambda x, w: torch.tanh(x @ w),
                        batched, b)


def test_linear_second_derivatives_match_torch():
    weight, bias = RNG.standard_normal((5, 4)), RNG.standard_normal(5)
    check_against_torch(lambda x, w, b: minitorch.tanh(F.linear(x, w, b)),
                        lambda x, w, b: torch.tanh(torch.nn.functional.linear(x, w, b)),
                        X, weight, bias)


def test_relu_second_derivative_is_zero():
    (x,), _ = leaves(X)
    (first,) = autograd.grad(minitorch.relu(x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(first.detach().numpy(), (X > 0).astype(float))
    # its gradient is a mask of x: as in PyTorch it records a graph whose derivative is 0
    assert first.requires_grad
    (second,) = autograd.grad(first.sum(), x)
    np.testing.assert_array_equal(second.numpy(), np.zeros_like(X))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_second_derivatives_match_torch(reduction):
    def mine(x):
        return F.cross_entropy(x * x, minitorch.tensor(TARGET), reduction=reduction)

    def theirs(x):
        return torch.nn.functional.cross_entropy(x * x, torch.tensor(TARGET),
                                                 reduction=reduction)
    check_against_torch(mine, theirs, X)


def test_log_softmax_second_derivatives_match_torch():
    check_against_torch(lambda x: minitorch.log_softmax(x, 1) ** 2,
                        lambda x: torch.log_softmax(x, 1) ** 2, X)
    check_against_torch(lambda x: minitorch.softmax(x, 0) * x,
                        lambda x: torch.softmax(x, 0) * x, X)


def test_indexing_second_derivatives_match_torch():
    rows = [2, 0, 2]
    check_against_torch(lambda x: x[rows] ** 3, lambda x: x[rows] ** 3, X)
    check_against_torch(lambda x: x[1:, ::2] ** 3, lambda x: x[1:, ::2] ** 3, X)


def test_setitem_second_derivatives_match_torch():
    def mine(x):
        y = x * 1.0
        y[[0, 2], 1] = (x[1, :2] ** 2)
        return y ** 3

    def theirs(x):
        y = x * 1.0
        y[[0, 2], 1] = (x[1, :2] ** 2)
        return y ** 3
    check_against_torch(mine, theirs, X)


def mlp_gradient_penalty(lib, x, params, target):
    """A gradient penalty on an MLP: ||d loss / d x||^2, the loss a cross-entropy after
    linear, tanh, linear, relu, linear."""
    functional = F if lib is minitorch else torch.nn.functional
    w1, b1, w2, b2, w3 = params
    hidden = lib.relu(functional.linear(lib.tanh(functional.linear(x, w1, b1)), w2, b2))
    loss = functional.cross_entropy(functional.linear(hidden, w3), target)
    grad_of = autograd.grad if lib is minitorch else torch.autograd.grad
    (grad_x,) = grad_of(loss, x, create_graph=True)
    return loss + (grad_x * grad_x).sum()


def test_gradient_penalty_weight_gradients_match_torch():
    torch.manual_seed(0)
    layers = [torch.nn.Linear(4, 6), torch.nn.Linear(6, 5), torch.nn.Linear(5, 4, bias=False)]
    arrays = [p.detach().double().numpy() for layer in layers for p in layer.parameters()]
    (x, *params), (tx, *tparams) = leaves(X, *arrays)
    mlp_gradient_penalty(minitorch, x, params, minitorch.tensor(TARGET)).backward()
    mlp_gradient_penalty(torch, tx, tparams, torch.tensor(TARGET)).backward()
    for mine, theirs in zip([x, *params], [tx, *tparams]):
        close(mine.grad, theirs.grad)


def test_hessian_vector_product():
    (x,), _ = leaves(X)
    v = minitorch.tensor(Y, dtype="float64")
    (g,) = autograd.grad((x ** 4).sum() + (x[0] * x[1]).sum(), x, create_graph=True)
    (hvp,) = autograd.grad(g, x, grad_outputs=v)
    expected = 12 * X ** 2 * Y
    expected[0] += Y[1]
    expected[1] += Y[0]
    np.testing.assert_allclose(hvp.numpy(), expected, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")  # torch's
def test_backward_create_graph_then_grad_of_grad():
    (x,), (tx,) = leaves(X)
    minitorch.sin(x * x).sum().backward(create_graph=True)
    torch.sin(tx * tx).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    close(x.grad, tx.grad)
    # retain_graph: the accumulation below reaches this graph again (as in PyTorch)
    (mine,) = autograd.grad(x.grad.sum(), x, retain_graph=True)
    (theirs,) = torch.autograd.grad(tx.grad.sum(), tx, retain_graph=True)
    close(mine, theirs)
    # a second backward accumulates into .grad, recording the sum too
    minitorch.sin(x * x).sum().backward(create_graph=True)
    torch.sin(tx * tx).sum().backward(create_graph=True)
    close(x.grad, tx.grad)
    close(autograd.grad(x.grad.sum(), x)[0], torch.autograd.grad(tx.grad.sum(), tx)[0])


def test_gradients_without_create_graph_carry_no_graph():
    (x,), _ = leaves(X)
    (g,) = autograd.grad((x ** 3).sum(), x)
    assert not g.requires_grad
    (x ** 3).sum().backward()
    assert not x.grad.requires_grad


def test_create_graph_keeps_the_graph_and_sets_grad_mode():
    (x,), _ = leaves(X)
    y = (x ** 3).sum()
    with minitorch.no_grad():   # as PyTorch: the pass records whatever the outer mode
        (g,) = autograd.grad(y, x, create_graph=True)
    assert g.requires_grad
    (again,) = autograd.grad(y, x)   # retain_graph defaulted to True
    close(again, torch.tensor(3 * X ** 2))


class KernelDouble(autograd.Function):
    """2 * a, with a backward that (as a fused kernel's) records no graph."""

    def forward(self, a):
        return a.detach() * 2

    def backward(self, grad):
        return grad.detach() * 2

    differentiable_backward = autograd.no_differentiable_backward


def test_unsupported_op_raises_naming_it():
    (x,), _ = leaves(X)
    y = KernelDouble.apply(x * x).sum()
    with pytest.raises(NotImplementedError, match="KernelDouble.*create_graph=True"):
        autograd.grad(y, x, create_graph=True)
    (plain,) = autograd.grad(y, x)   # without create_graph it still works
    close(plain, torch.tensor(4 * X))


def test_logits_changed_in_place_after_cross_entropy_only_stop_a_create_graph_pass():
    """A first-order backward does not read the logits (as torch's, it works from the
    softmax), so writing them in place after the loss is fine; a create_graph pass needs
    them and refuses, rather than differentiate values the logits no longer hold."""
    grads = []
    for lib in (torch, minitorch):
        w = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], requires_grad=True)
        logits = w * 2
        loss = lib.nn.functional.cross_entropy(logits, lib.tensor([2, 0]))
        logits.mul_(3)
        loss.backward()
        grads.append(w.grad.tolist())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
    w = minitorch.tensor([[0.5, -1.0, 2.0]], dtype=minitorch.float64, requires_grad=True)
    logits = w * 2
    loss = F.cross_entropy(logits, minitorch.tensor([1]))
    logits.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        autograd.grad(loss, w, create_graph=True)
