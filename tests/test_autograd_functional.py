"""minitorch.autograd.functional and gradcheck/gradgradcheck against torch's."""
import pytest
import torch
import torch.autograd.functional as TF

import minitorch
import minitorch.autograd.functional as F
from nn_helpers import assert_close, backend, normal  # noqa: F401


def two_outputs(x, y):
    return (x * y.exp()).sum(0), x.sin() * y


def scalar(x, y):
    return (x.sin() * y * y).sum()


def _inputs(dtype, transpose=False):
    values = [normal((3, 2), dtype, seed) for seed in (0, 1)]
    ours = tuple(minitorch.tensor(v) for v in values)
    theirs = tuple(torch.tensor(v) for v in values)
    if transpose:
        ours, theirs = tuple(t.T for t in ours), tuple(t.T for t in theirs)
    return ours, theirs


def _compare(ours, theirs, dtype):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for mine, reference in zip(ours, theirs):
            _compare(mine, reference, dtype)
        return
    assert not ours.requires_grad
    assert_close(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("transpose", [False, True])
def test_products_and_matrices_match_torch(backend, dtype, transpose):
    ours, theirs = _inputs(dtype, transpose)
    out_v = (minitorch.ones(ours[0].shape[1], dtype=dtype), ours[0])
    tout_v = (torch.ones(theirs[0].shape[1], dtype=getattr(torch, dtype)), theirs[0])
    _compare(F.vjp(two_outputs, ours, out_v), TF.vjp(two_outputs, theirs, tout_v), dtype)
    _compare(F.jvp(two_outputs, ours, ours), TF.jvp(two_outputs, theirs, theirs), dtype)
    _compare(F.jacobian(two_outputs, ours), TF.jacobian(two_outputs, theirs), dtype)
    _compare(F.hessian(scalar, ours), TF.hessian(scalar, theirs), dtype)
    _compare(F.vhp(scalar, ours, ours), TF.vhp(scalar, theirs, theirs), dtype)
    _compare(F.hvp(scalar, ours, ours), TF.hvp(scalar, theirs, theirs), dtype)


def test_single_tensor_structures_match_torch(backend):
    ours, theirs = _inputs("float64")
    x, tx = ours[0], theirs[0]
    _compare(F.jacobian(torch_free_sin, x), TF.jacobian(torch.sin, tx), "float64")
    _compare(F.jacobian(lambda a: (a.sin(), a.sum()), x),
             TF.jacobian(lambda a: (a.sin(), a.sum()), tx), "float64")
    _compare(F.hessian(lambda a: (a ** 3).sum(), x), TF.hessian(lambda a: (a ** 3).sum(), tx),
             "float64")
    one = minitorch.tensor([0.5], dtype="float64")
    tone = torch.tensor([0.5], dtype=torch.float64)
    _compare(F.vjp(lambda a: (a * a).sum(), x), TF.vjp(lambda a: (a * a).sum(), tx), "float64")
    _compare(F.jvp(lambda a: a.exp(), one), TF.jvp(lambda a: a.exp(), tone), "float64")
    _compare(F.vhp(lambda a: a.exp().sum(), one), TF.vhp(lambda a: a.exp().sum(), tone),
             "float64")


def torch_free_sin(a):
    return a.sin()


def test_create_graph_keeps_results_differentiable():
    x = minitorch.tensor([0.3, 0.7], dtype="float64", requires_grad=True)
    tx = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
    jac = F.jacobian(lambda a: a.sin() * a, x, create_graph=True)
    tjac = TF.jacobian(lambda a: a.sin() * a, tx, create_graph=True)
    assert jac.requires_grad
    jac.sum().backward()
    tjac.sum().backward()
    assert_close(x.grad, tx.grad, "float64")


def test_independent_outputs_give_zeros_or_strict_errors():
    x, y = _inputs("float64")[0]
    _, product = F.vjp(lambda a, b: a * 2, (x, y), x)
    assert product[1].tolist() == [[0.0, 0.0]] * 3
    jac = F.jacobian(lambda a, b: a.sum(), (x, y))
    assert jac[1].tolist() == [[0.0, 0.0]] * 3
    with pytest.raises(RuntimeError, match="vjp\\(\\): the output of the user-provided "
                                           "function is independent of input 1"):
        F.vjp(lambda a, b: a * 2, (x, y), x, strict=True)
    with pytest.raises(RuntimeError, match="jacobian\\(\\): output 0 .* independent of "
                                           "input 1"):
        F.jacobian(lambda a, b: a.sum(), (x, y), strict=True)
    with pytest.raises(RuntimeError, match="vjp\\(\\): output 0 of the user-provided "
                                           "function does not require gradients"):
        F.vjp(lambda a: minitorch.ones(3), x, minitorch.ones(3), strict=True)


def test_bad_arguments_are_refused():
    x = minitorch.randn(3, dtype="float64")
    with pytest.raises(TypeError, match="vjp\\(\\): the inputs must be a Tensor or a tuple "
                                        "of Tensors, but the value at index 1 has type int"):
        F.vjp(lambda a, b: a, (x, 3))
    with pytest.raises(RuntimeError, match="vjp\\(\\): the vector v can only be None"):
        F.vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="jvp\\(\\): v has invalid size: should be "
                                           "\\(3,\\) but got \\(2,\\)"):
        F.jvp(lambda a: a * 2, x, minitorch.ones(2, dtype="float64"))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length"):
        F.jvp(lambda a, b: a * b, (x, x), (x,))
    with pytest.raises(RuntimeError, match="hessian\\(\\): the Tensor returned by the "
                                           "function should contain a single element"):
        F.hessian(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="vhp\\(\\): the function should return a single"):
        F.vhp(lambda a: (a.sum(), a.sum()), x, x)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        F.jacobian(lambda a: a, x, strategy="forward-mode")


# ---- gradcheck ----------------------------------------------------------------------
class _WrongGradient(minitorch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


def test_gradcheck_passes_correct_gradients_and_catches_wrong_ones(backend):
    x = minitorch.tensor(normal((2, 3), "float64"), requires_grad=True)
    y = minitorch.tensor(normal((2,), "float64", 1), requires_grad=True)
    assert minitorch.autograd.gradcheck(lambda a, b: (a.sin() * b, a.sum()), (x.T, y))
    assert minitorch.autograd.gradgradcheck(lambda a, b: (a.sin() * b).exp(), (x.T, y))
    assert not minitorch.autograd.gradcheck(_WrongGradient.apply, x, raise_exception=False)
    with pytest.raises(minitorch.autograd.GradcheckError,
                       match="Jacobian mismatch for output 0 with respect to input 0"):
        minitorch.autograd.gradcheck(_WrongGradient.apply, (x,))
    with pytest.raises(ValueError, match="at least one input tensor to require grad"):
        minitorch.autograd.gradcheck(lambda a: a * 2, x.detach())
    with pytest.warns(UserWarning, match="input 0 requires grad and is float32"):
        minitorch.autograd.gradcheck(lambda a: a * 2, minitorch.ones(2, requires_grad=True),
                                     eps=1e-2, atol=1e-2, rtol=1e-2)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongSecond(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * 3 * x.detach() ** 2   # right values, constant in x

    x = minitorch.tensor([0.5, -1.2], dtype="float64", requires_grad=True)
    assert minitorch.autograd.gradcheck(WrongSecond.apply, x)
    assert not minitorch.autograd.gradgradcheck(WrongSecond.apply, x, raise_exception=False)
