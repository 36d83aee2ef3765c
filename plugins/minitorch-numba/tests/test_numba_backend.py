"""Tests of the numba backend beyond the conformance suite.

The conformance suite (`python -m minitorch.testing --backend numba`) checks every op
against PyTorch, on small tensors that run serially. These tests cover what it cannot
see: the parallel drivers (forced with parallel_grain=1 and compared with the serial
cores), the checks at the Python boundary, the optimizer kernels (which no op calls
yet) and the registration through the entry point.
"""
import importlib.metadata

import numpy as np
import pytest

import minitorch
from minitorch_numba.backend import NumbaBackend

SERIAL = NumbaBackend()
PARALLEL = NumbaBackend(parallel_grain=1)  # every kernel with a driver splits its rows
RNG = np.random.default_rng(0)


def random(size, dtype="float32", low=-2.0, high=2.0):
    if dtype == "int64":
        return RNG.integers(-5, 6, size=size)
    if dtype == "bool":
        return RNG.random(size) < 0.5
    return RNG.uniform(low, high, size=size).astype(dtype)


def both(kernel, *arguments, out):
    """Run `kernel` serially and in parallel into copies of `out`; return both results."""
    results = []
    for backend in (SERIAL, PARALLEL):
        target = out.copy()
        getattr(backend, kernel)(*arguments, target)
        results.append(target)
    return results


# ---- registration --------------------------------------------------------------------------

def test_entry_point_names_the_plugin_module():
    (entry_point,) = importlib.metadata.entry_points(group="minitorch.backends", name="numba")
    assert entry_point.value == "minitorch_numba.plugin"
    assert entry_point.dist.metadata["Name"] == "minitorch-numba"


def test_backend_meets_the_contract_with_the_fused_kernels():
    optional = minitorch.contract.check_backend(SERIAL, "minitorch-numba")
    assert optional == {"take_rows", "linear", "relu_backward", "log_softmax",
                        "log_softmax_backward", "cross_entropy", "cross_entropy_backward",
                        "sgd_step", "adam_step"}


def test_parallel_grain_must_be_positive():
    with pytest.raises(ValueError, match="parallel_grain"):
        NumbaBackend(parallel_grain=0)


# ---- parallel drivers agree with the serial cores ------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "maximum", "minimum", "pow", "floordiv"])
def test_binary_in_parallel(op, dtype):
    a, b = random(1001, dtype), random(1001, dtype)
    if op in ("pow", "floordiv"):
        b = np.abs(b) + (1 if dtype == "int64" else 0.5)
        b = b.astype(dtype)
    serial, parallel = both("binary", op, a, b, out=np.empty(1001, dtype))
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize("op", ["eq", "lt", "ge"])
def test_compare_in_parallel(op):
    a, b = random(1001, "int64"), random(1001, "int64")
    serial, parallel = both("binary", op, a, b, out=np.empty(1001, bool))
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize("op", ["neg", "exp", "tanh", "sigmoid", "relu"])
def test_unary_in_parallel(op):
    a = random(1001, "float64")
    serial, parallel = both("unary", op, a, out=np.empty(1001))
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_take_rows_gathers_rows_in_parallel(dtype):
    a = random(3 + 40 * 7, dtype)                 # 40 rows of 7 after 3 leading elements
    index = np.array([39, 0, 5, 5, 17] * 20, np.int64)
    serial, parallel = both("take_rows", a, 3, 40, 7, index, out=np.empty(100 * 7, dtype))
    np.testing.assert_array_equal(serial, a[3:].reshape(40, 7)[index].reshape(-1))
    np.testing.assert_array_equal(parallel, serial)


@pytest.mark.parametrize("call,error", [
    (lambda: SERIAL.take_rows(np.zeros(20), 0, 4, 5, np.array([4]), np.empty(5)), IndexError),
    (lambda: SERIAL.take_rows(np.zeros(20), 0, 4, 5, np.array([-1]), np.empty(5)), IndexError),
    (lambda: SERIAL.take_rows(np.zeros(20), 1, 4, 5, np.array([0]), np.empty(5)), ValueError),
    (lambda: SERIAL.take_rows(np.zeros(20), 0, 4, 5, np.array([0]), np.empty(4)), ValueError),
    (lambda: SERIAL.take_rows(np.zeros(20), 0, 4, 5, np.array([0]), np.empty(5, np.float32)),
     ValueError),
])
def test_take_rows_checks_its_buffers_and_indices(call, error):
    with pytest.raises(error, match="take_rows"):
        call()


def test_where_and_relu_backward_in_parallel():
    cond, a, b = random(999, "bool"), random(999), random(999)
    np.testing.assert_array_equal(*both("where", cond, a, b, out=np.empty(999, np.float32)))
    np.testing.assert_array_equal(*both("relu_backward", a, b, out=np.empty(999, np.float32)))


@pytest.mark.parametrize("op", ["sum", "max", "min"])
def test_reduce_rows_in_parallel(op):
    a = random(37 * 11, "float64")
    serial, parallel = both("reduce", op, a, 11, out=np.empty(37))
    np.testing.assert_array_equal(serial, parallel)
    expected = getattr(np, op)(a.reshape(37, 11), axis=1)
    np.testing.assert_allclose(parallel, expected, rtol=1e-12)


def test_strided_copy_in_parallel_transposes_and_casts():
    a = random(6 * 7 * 5, "float64")
    shape, a_strides = (5, 7, 6), (1, 5, 35)  # a viewed as (6, 7, 5), fully transposed
    serial, parallel = both("copy", a, a_strides, 0, shape, (42, 6, 1), 0,
                            out=np.empty(210, np.float32))
    expected = a.reshape(6, 7, 5).transpose(2, 1, 0).astype(np.float32).reshape(-1)
    np.testing.assert_array_equal(serial, expected)
    np.testing.assert_array_equal(parallel, expected)


def test_copy_broadcasts_with_zero_strides_and_truncates_to_int():
    a = np.array([1.7, -2.5, 3.0])
    out = np.empty(12, np.int64)
    PARALLEL.copy(a, (0, 1), 0, (4, 3), (3, 1), 0, out)
    np.testing.assert_array_equal(out.reshape(4, 3), np.tile([1, -2, 3], (4, 1)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_batched_matmul_in_parallel(dtype):
    batch, m, k, n = 3, 17, 29, 13
    a, b = random(batch * m * k, dtype), random(batch * k * n, dtype)
    serial, parallel = both("matmul", a, b, batch, m, k, n, out=np.empty(batch * m * n, dtype))
    expected = (a.reshape(batch, m, k) @ b.reshape(batch, k, n)).reshape(-1)
    for result in (serial, parallel):
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_in_parallel(with_bias):
    m, k, n = 33, 70, 9
    x, weight = random(m * k), random(n * k)
    bias = random(n) if with_bias else None
    serial, parallel = both("linear", x, weight, bias, m, k, n, out=np.empty(m * n, np.float32))
    expected = x.reshape(m, k) @ weight.reshape(n, k).T + (0 if bias is None else bias)
    for result in (serial, parallel):
        np.testing.assert_allclose(result.reshape(m, n), expected, rtol=1e-5, atol=1e-5)


def test_softmax_and_cross_entropy_rows_in_parallel():
    rows, cols = 21, 10
    logits, grad_rows = random(rows * cols), random(rows * cols)
    target, grad = RNG.integers(0, cols, size=rows), random(rows)
    out = np.empty(rows * cols, np.float32)
    log_probs, parallel = both("log_softmax", logits, rows, cols, out=out)
    np.testing.assert_array_equal(log_probs, parallel)
    shifted = logits.reshape(rows, cols).astype(np.float64)
    expected = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(log_probs.reshape(rows, cols), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(*both("log_softmax_backward", grad_rows, log_probs, rows,
                                        cols, out=out))
    results = []
    for backend in (SERIAL, PARALLEL):
        losses, probs = np.empty(rows, np.float32), np.empty(rows * cols, np.float32)
        backend.cross_entropy(logits, target, rows, cols, losses, probs)
        results.append((losses, probs))
    (losses, probs), (parallel_losses, parallel_probs) = results
    np.testing.assert_array_equal(losses, parallel_losses)
    np.testing.assert_array_equal(probs, parallel_probs)
    np.testing.assert_allclose(losses, -expected[np.arange(rows), target], rtol=1e-5)
    np.testing.assert_allclose(probs.reshape(rows, cols), np.exp(expected), rtol=1e-5,
                               atol=1e-7)
    grads, parallel = both("cross_entropy_backward", probs, target, grad, rows, cols, out=out)
    np.testing.assert_array_equal(grads, parallel)
    one_hot = np.eye(cols)[target]
    np.testing.assert_allclose(grads.reshape(rows, cols),
                               grad[:, None] * (np.exp(expected) - one_hot), atol=1e-6)
    # the backward reads probs as given (here any matrix): it does not recompute a softmax
    grads, parallel = both("cross_entropy_backward", grad_rows, target, grad, rows, cols,
                           out=out)
    np.testing.assert_array_equal(grads, parallel)
    np.testing.assert_allclose(grads.reshape(rows, cols),
                               grad[:, None] * (grad_rows.reshape(rows, cols) - one_hot),
                               rtol=1e-6, atol=1e-7)


def test_cross_entropy_stays_finite_for_huge_logits_and_takes_no_rows():
    logits = np.array([1000, 0, -1000, 0, 0, 0], np.float32)
    losses, probs = np.empty(2, np.float32), np.empty(6, np.float32)
    SERIAL.cross_entropy(logits, np.array([1, 2]), 2, 3, losses, probs)
    np.testing.assert_allclose(losses, [1000, np.log(3)], rtol=1e-6)
    np.testing.assert_allclose(probs, [1, 0, 0, 1 / 3, 1 / 3, 1 / 3], rtol=1e-6)
    empty = np.empty(0, np.float32)
    SERIAL.cross_entropy(empty, np.empty(0, np.int64), 0, 3, empty, empty)
    SERIAL.cross_entropy_backward(empty, np.empty(0, np.int64), empty, 0, 3, empty)


# ---- optimizer kernels against their contract written in numpy -----------------------------

def sgd_reference(grad, buffer, param, lr, momentum, dampening, weight_decay, nesterov,
                  first_step):
    g = grad + weight_decay * param
    if momentum:
        buffer[:] = g if first_step else momentum * buffer + (1 - dampening) * g
        g = g + momentum * buffer if nesterov else buffer
    param -= lr * g


@pytest.mark.parametrize("backend", [SERIAL, PARALLEL], ids=["serial", "parallel"])
@pytest.mark.parametrize("momentum, dampening, weight_decay, nesterov",
                         [(0.0, 0.0, 0.0, False), (0.9, 0.1, 0.01, False),
                          (0.9, 0.0, 0.0, True)])
def test_sgd_step_matches_its_contract(backend, momentum, dampening, weight_decay, nesterov):
    param = random(500, "float64")
    expected = param.copy()
    buffer = np.zeros(500) if momentum else None
    expected_buffer = np.zeros(500)
    for step in range(3):
        grad = random(500, "float64")
        backend.sgd_step(grad, buffer, 0.1, momentum, dampening, weight_decay, nesterov,
                         step == 0, param)
        sgd_reference(grad, expected_buffer, expected, 0.1, momentum, dampening,
                      weight_decay, nesterov, step == 0)
    np.testing.assert_allclose(param, expected, rtol=1e-12)
    if momentum:
        np.testing.assert_allclose(buffer, expected_buffer, rtol=1e-12)


@pytest.mark.parametrize("backend", [SERIAL, PARALLEL], ids=["serial", "parallel"])
@pytest.mark.parametrize("decoupled", [False, True], ids=["adam", "adamw"])
def test_adam_step_matches_its_contract(backend, decoupled):
    lr, beta1, beta2, eps, weight_decay = 0.01, 0.9, 0.999, 1e-8, 0.1
    param = random(400, "float32")
    expected = param.astype(np.float64)
    exp_avg, exp_avg_sq = np.zeros(400, np.float32), np.zeros(400, np.float32)
    m, v = np.zeros(400), np.zeros(400)
    for step in range(1, 4):
        grad = random(400, "float32")
        backend.adam_step(grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps,
                          weight_decay, decoupled, param)
        g = grad.astype(np.float64)
        if decoupled:
            expected *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * expected
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        expected -= lr / (1 - beta1 ** step) * m / (np.sqrt(v / (1 - beta2 ** step)) + eps)
    np.testing.assert_allclose(param, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(exp_avg, m, rtol=1e-5, atol=1e-7)


# ---- checks at the Python boundary ---------------------------------------------------------

@pytest.mark.parametrize("op", ["floordiv", "mod"])
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_integer_division_by_zero_names_the_op(op, dtype):
    a = np.ones(4, dtype)
    b = np.array([1, 1, 0, 1], dtype)
    out = np.full(4, 7, dtype)
    with pytest.raises(ZeroDivisionError, match=f"binary {op}: integer division by zero"):
        SERIAL.binary(op, a, b, out)
    np.testing.assert_array_equal(out, np.full(4, 7, dtype))  # nothing written


def test_nan_wins_in_max_min_maximum_minimum():
    a = np.array([1.0, np.nan, 3.0, -1.0, 2.0, 0.5])
    out = np.empty(2)
    for op in ("max", "min"):
        SERIAL.reduce(op, a, 3, out)
        np.testing.assert_array_equal(out, [np.nan, 2.0 if op == "max" else -1.0])
    out = np.empty(6)
    for op in ("maximum", "minimum"):
        SERIAL.binary(op, a, a[::-1].copy(), out)
        assert np.isnan(out[1]) and np.isnan(out[4])


def test_float_division_by_zero_is_ieee():
    out = np.empty(3)
    SERIAL.binary("div", np.array([1.0, -1.0, 0.0]), np.zeros(3), out)
    np.testing.assert_array_equal(out, [np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("call, error, message", [
    (lambda: SERIAL.take(np.ones(3), np.array([0, 3]), np.empty(2)), IndexError,
     r"take: index\[1\] = 3 is out of range for size 3"),
    (lambda: SERIAL.index_put(np.array([-1]), np.ones(1), False, np.empty(2)), IndexError,
     r"index_put: index\[0\] = -1"),
    (lambda: SERIAL.copy(np.ones(4), (2,), 0, (3,), (1,), 0, np.empty(3)), IndexError,
     "copy: a elements 0..4"),
    (lambda: SERIAL.binary("add", np.ones(3), np.ones(4), np.empty(3)), ValueError,
     "binary: expected b like a"),
    (lambda: SERIAL.binary("xor", np.ones(3), np.ones(3), np.empty(3)), ValueError,
     "binary: unknown op 'xor'"),
    (lambda: SERIAL.unary("neg", np.ones(3, bool), np.empty(3, bool)), ValueError,
     "unary: neg of bool is not supported"),
    (lambda: SERIAL.unary("bitwise_not", np.ones(3), np.empty(3)), ValueError,
     "unary: bitwise_not of float64 is not supported"),
    (lambda: SERIAL.binary("bitwise_left_shift", np.ones(3, bool), np.ones(3, bool),
                           np.empty(3, bool)), ValueError,
     "binary: bitwise_left_shift of bool is not supported"),
    (lambda: SERIAL.binary("fmod", np.ones(3, np.int64), np.zeros(3, np.int64),
                           np.empty(3, np.int64)), ZeroDivisionError,
     "binary fmod: integer division by zero"),
    (lambda: SERIAL.unary("exp", np.ones(3, np.int64), np.empty(3, np.int64)), ValueError,
     "unary: exp of int64 is not supported"),
    (lambda: SERIAL.reduce("max", np.ones(0), 0, np.empty(2)), ValueError,
     "reduce: max of an empty row"),
    (lambda: SERIAL.matmul(np.ones(6), np.ones(6), 1, 2, 3, 2, np.empty(3)), ValueError,
     "matmul: expected one dtype"),
    (lambda: SERIAL.linear(np.ones(6, np.int64), np.ones(6, np.int64), None, 2, 3, 2,
                           np.empty(4, np.int64)), ValueError, "linear: expected one float"),
    (lambda: SERIAL.cross_entropy(np.ones(6), np.array([0, 3]), 2, 3, np.empty(2),
                                  np.empty(6)),
     IndexError, r"cross_entropy: target\[1\] = 3 is out of range for size 3"),
    (lambda: SERIAL.cross_entropy(np.ones(6), np.array([0, 1]), 2, 3, np.empty(2),
                                  np.empty(6, np.float32)),
     ValueError, "cross_entropy: .*probs is 6 x float32"),
    (lambda: SERIAL.cross_entropy_backward(np.ones(5), np.array([0, 1]), np.ones(2), 2, 3,
                                           np.empty(6)),
     ValueError, "cross_entropy_backward: .*probs is 5 x float64"),
    (lambda: SERIAL.cross_entropy_backward(np.ones(6), np.array([0, 3]), np.ones(2), 2, 3,
                                           np.empty(6)),
     IndexError, r"cross_entropy_backward: target\[1\] = 3 is out of range for size 3"),
    (lambda: SERIAL.sgd_step(np.ones(3), None, 0.1, 0.9, 0, 0, False, True, np.ones(3)),
     ValueError, "sgd_step: momentum_buffer must be None exactly when momentum is 0"),
    (lambda: SERIAL.adam_step(np.ones(3), np.ones(3), np.ones(2), 1, 0.1, 0.9, 0.99, 1e-8, 0,
                              False, np.ones(3)), ValueError, "adam_step: expected float"),
    (lambda: SERIAL.adam_step(np.ones(3), np.ones(3), np.ones(3), 0, 0.1, 0.9, 0.99, 1e-8, 0,
                              False, np.ones(3)), ValueError, "adam_step: step counts from 1"),
])
def test_bad_arguments_are_refused_before_any_loop_runs(call, error, message):
    with pytest.raises(error, match=message):
        call()
