"""Gradients found to differ from torch's by differential fuzzing, each compared with
torch: second order through diagonal (det, eigvalsh), logdet of a negative determinant,
empty matrices in the LU-based linalg ops, and which tensor an elementwise op saves
(an in-place write to the other one must leave its backward valid)."""
import numpy as np
import pytest
import torch

import minitorch
from nn_helpers import assert_close, backend, normal  # noqa: F401 (backend: a fixture)


def _gradients_of_gradient(lib, function, value):
    """(gradient, gradient of the gradient's squared norm) of function at value."""
    x = lib.tensor(value, requires_grad=True)
    (gradient,) = lib.autograd.grad(function(lib, x).sum(), x, create_graph=True)
    (second,) = lib.autograd.grad((gradient * gradient).sum(), x)
    return gradient, second


SECOND_ORDER = {
    "det": lambda lib, x: lib.linalg.det(x),
    "eigvalsh": lambda lib, x: lib.linalg.eigvalsh(x @ x.mT + 3 * lib.eye(3, dtype=x.dtype)),
    "diagonal above": lambda lib, x: lib.diagonal(x * x, 1) ** 2,
    "diagonal of dims 0 and 2": lambda lib, x: lib.diagonal(x.exp(), -1, 2, 0) ** 2,
    "trace": lambda lib, x: lib.trace(x @ x),
    "as_strided": lambda lib, x: lib.as_strided(x * x, (2, 2), (1, 2)) ** 2,
    "unfold": lambda lib, x: (x * x).unfold(1, 2, 1) ** 2,
    "as_strided of an expanded input": lambda lib, x: lib.as_strided(
        (x * x)[:1].expand(3, 3), (2, 3), (1, 1)) ** 3,
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_through_diagonal(backend, name):
    value = normal((3, 3) if name != "diagonal of dims 0 and 2" else (3, 2, 4), "float64")
    ours = _gradients_of_gradient(minitorch, SECOND_ORDER[name], value)
    theirs = _gradients_of_gradient(torch, SECOND_ORDER[name], value)
    for mine, reference in zip(ours, theirs):
        assert_close(mine, reference, "float64")


def test_logdet_of_negative_determinant_has_zero_gradient(backend):
    value = normal((4, 3, 3), "float64", seed=2)        # some determinants are negative
    results = []
    for lib in (minitorch, torch):
        x = lib.tensor(value, requires_grad=True)
        result = lib.logdet(x)
        result.sum().backward()                          # nan, but its gradient is not
        results.append((result, x.grad))
    assert np.isnan(results[1][0].detach().numpy()).any()
    for mine, reference in zip(*results):
        np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)


EMPTY_MATRIX_OPS = {
    "det": lambda lib, x: lib.linalg.det(x),
    "slogdet": lambda lib, x: lib.linalg.slogdet(x).logabsdet,
    "logdet": lambda lib, x: lib.logdet(x),
    "inv": lambda lib, x: lib.linalg.inv(x),
    "solve": lambda lib, x: lib.linalg.solve(x, x),
    "lu_factor": lambda lib, x: lib.linalg.lu_factor(x).LU,
    "pinv": lambda lib, x: lib.linalg.pinv(x),
    "matrix_rank": lambda lib, x: lib.linalg.matrix_rank(x),
}


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0)])
@pytest.mark.parametrize("name", EMPTY_MATRIX_OPS)
def test_linalg_of_empty_matrices(name, shape):
    ours = EMPTY_MATRIX_OPS[name](minitorch, minitorch.zeros(shape, dtype=minitorch.float64))
    theirs = EMPTY_MATRIX_OPS[name](torch, torch.zeros(shape, dtype=torch.float64))
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _written_after_use(lib, op, write_output):
    """The gradient of op's output after an in-place write to its output (write_output)
    or to its input, as torch allows when the op saved the other one. A dotted op names
    a function of a submodule (special.i0)."""
    x = lib.tensor([1.2, 1.3, 1.45], dtype=lib.float64, requires_grad=True)
    a = x * 1
    module, _, name = op.rpartition(".")
    y = getattr(getattr(lib, module) if module else lib, name)(a)
    (y if write_output else a).add_(1)
    y.sum().backward()
    return x.grad


@pytest.mark.parametrize("op, write_output", [
    ("abs", True), ("log", True), ("sin", True), ("cos", True), ("asin", True),
    ("atanh", True), ("cosh", True), ("exp", False), ("sqrt", False), ("tanh", False),
    ("sigmoid", False), ("tan", False), ("special.gammaln", True), ("special.digamma", True),
    ("special.erfc", True), ("special.i0", True), ("special.entr", True)])
def test_in_place_write_to_what_an_elementwise_op_did_not_save(backend, op, write_output):
    ours = _written_after_use(minitorch, op, write_output)
    theirs = _written_after_use(torch, op, write_output)
    # the special functions' series agree with torch's to about 1e-9
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("op", ["exp", "sqrt", "tanh", "sigmoid", "tan"])
def test_in_place_write_to_a_saved_output_is_refused(op):
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        _written_after_use(minitorch, op, write_output=True)


def _operand_written_after_use(lib, op, written, constant_position):
    """The gradient reaching x through op(h, w) (or op(w, h) when constant_position is 0)
    for a constant w, after an in-place write to h (written="grad") or w ("constant"):
    torch saves only what the needed gradients use, so the write leaves it valid."""
    x = lib.tensor([1.2, 1.3, 1.45], dtype=lib.float64, requires_grad=True)
    h = x * 1
    w = lib.tensor([1.5, 2.0, 2.5], dtype=lib.float64)
    operands = (h, w) if constant_position == 1 else (w, h)
    y = op(lib, *operands)
    (h if written == "grad" else w).add_(1)
    (y * y).sum().backward()
    return x.grad


BINARY_SAVES = {
    "matmul": (lambda lib, a, b: a @ b, ["grad"], [0, 1]),
    "matmul 2-D": (lambda lib, a, b: a[:, None] @ b[None], ["grad"], [0, 1]),
    "remainder": (lambda lib, a, b: lib.remainder(a, b), ["grad", "constant"], [1]),
    "fmod": (lambda lib, a, b: lib.fmod(a, b), ["grad", "constant"], [1]),
    "lerp": (lambda lib, a, b: lib.lerp(a, b, 0.25), ["grad", "constant"], [0, 1]),
}


@pytest.mark.parametrize("name, written, constant_position", [
    (name, written, position) for name, (_, writes, positions) in BINARY_SAVES.items()
    for written in writes for position in positions])
def test_in_place_write_to_what_a_binary_op_did_not_save(backend, name, written,
                                                         constant_position):
    op = BINARY_SAVES[name][0]
    assert_close(_operand_written_after_use(minitorch, op, written, constant_position),
                 _operand_written_after_use(torch, op, written, constant_position), "float64")


def _custom_function_gradient(lib, gradient_of):
    """x.grad after backward through a custom Function whose backward returns
    gradient_of(lib, grad) for its float32 input x of shape (2,)."""
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return gradient_of(lib, grad)

    x = lib.tensor([2.0, 1.0], requires_grad=True)
    Double.apply(x).sum().backward()
    return x.grad


@pytest.mark.parametrize("gradient_of", [
    lambda lib, grad: grad.double(),                          # cast to the input's dtype
    lambda lib, grad: lib.ones(2, dtype=lib.int64),
    lambda lib, grad: grad.expand(3, 2)], ids=["float64", "int64", "broadcast"])
def test_custom_function_gradient_takes_the_input_dtype_and_shape(gradient_of):
    assert_close(_custom_function_gradient(minitorch, gradient_of),
                 _custom_function_gradient(torch, gradient_of), "float32")


@pytest.mark.parametrize("gradient_of, message", [
    (lambda lib, grad: grad.sum(), r"invalid gradient at index 0 - got \[\] but expected "
                                   r"shape compatible with \[2\]"),
    (lambda lib, grad: lib.ones(3), r"invalid gradient at index 0 - got \[3\]"),
    (lambda lib, grad: 1.0, "DoubleBackward returned a float")])
def test_custom_function_gradient_of_a_wrong_kind_is_refused(gradient_of, message):
    with pytest.raises(RuntimeError):
        _custom_function_gradient(torch, gradient_of)
    with pytest.raises(RuntimeError, match=message):
        _custom_function_gradient(minitorch, gradient_of)


# ---- gradcheck -----------------------------------------------------------------------


def test_gradcheck_of_an_empty_input():
    for lib in (minitorch, torch):
        x = lib.zeros((2, 0), dtype=lib.float64, requires_grad=True)
        y = lib.ones(3, dtype=lib.float64, requires_grad=True)
        assert lib.autograd.gradcheck(lambda a, b: (a.sum() * b, a * 2), (x, y))


def test_gradcheck_refuses_an_expanded_input():
    for lib in (minitorch, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64).expand(3, 2).requires_grad_()
        with pytest.raises(RuntimeError, match="stride 0"):
            lib.autograd.gradcheck(lambda a: a.sin(), (x,))


def _gradcheck_of_a_nondeterministic_backward(lib, **options):
    """gradcheck of x * 2 whose backward adds 1e-9 more on each call."""
    calls = []

    class Drifting(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            calls.append(None)
            return grad * (2 + 1e-9 * len(calls))

    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    return lib.autograd.gradcheck(Drifting.apply, (x,), raise_exception=False, **options)


@pytest.mark.parametrize("options", [{}, {"nondet_tol": 1e-6}], ids=["exact", "nondet_tol"])
def test_gradcheck_checks_that_backward_is_reentrant(options):
    assert (_gradcheck_of_a_nondeterministic_backward(minitorch, **options)
            == _gradcheck_of_a_nondeterministic_backward(torch, **options))


def test_gradcheck_without_backward_ad_is_refused():
    with pytest.raises(AssertionError, match="check_forward_ad or check_backward_ad"):
        _gradcheck_of_a_nondeterministic_backward(torch, check_backward_ad=False)
    with pytest.raises(ValueError, match="check_forward_ad or check_backward_ad"):
        _gradcheck_of_a_nondeterministic_backward(minitorch, check_backward_ad=False)


def test_func_linearize():
    def function(a, b):
        return a.sin() * b, a.sum()

    results = []
    for lib in (minitorch, torch):
        output, jvp_fn = lib.func.linearize(function, lib.tensor([1.0, 2.0]),
                                            lib.tensor([3.0, 0.5]))
        results.append(output + jvp_fn(lib.ones(2), lib.tensor([1.0, -1.0])))
    for mine, reference in zip(*results):
        assert_close(mine, reference, "float32")


@pytest.mark.parametrize("hook, error", [(lambda grad: grad.double(), RuntimeError),
                                         (lambda grad: 3, TypeError)],
                         ids=["another dtype", "not a tensor"])
def test_tensor_hook_returning_a_wrong_kind_is_refused(hook, error):
    for lib in (minitorch, torch):
        x = lib.tensor([2.0, 1.0], requires_grad=True)
        y = x * 2
        y.register_hook(hook)
        with pytest.raises(error, match="hook"):
            y.sum().backward()
