"""The numpy backend: flat numpy arrays as storage, numpy ufuncs as loops.

Besides the required kernels of minitorch.contract it implements the strided fast
paths (`view` and the `*_view` kernels: numpy can look at any layout the core computes
without copying, including stride-0 broadcasts and transposes, which BLAS then takes
as they are) and the fused training kernels (linear, relu_backward, log_softmax,
cross_entropy and their backwards).
"""
import functools
import math
import warnings

import numpy as np
import threadpoolctl

from minitorch.contract import first_out_of_range
from minitorch.layout import contiguous_layout

# IEEE results (inf, nan) are the answers we want; numpy's RuntimeWarnings about them are
# noise that PyTorch does not print. The filter applies only to warnings raised here.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)


def _sigmoid(x, out):
    """1 / (1 + e**-x) computed from e**-|x|, which never overflows."""
    z = np.exp(-np.abs(x))
    np.divide(np.where(x >= 0, 1.0, z), 1.0 + z, out=out, casting="unsafe")


def _relu(x, out):
    np.maximum(x, _zeros_like_flat(x), out=out)


def _sign(x, out):
    """np.sign, but 0 for nan (np.sign gives nan), as PyTorch and the contract say; the
    sign of a bool is the bool (numpy has no sign for bools)."""
    if x.dtype == np.bool_:
        np.copyto(out, x)
        return
    np.sign(x, out=out)
    if out.dtype.kind == "f":
        out[np.isnan(out)] = 0


def _pow(x, y, out):
    """np.power; for integers a negative exponent gives 1 // x**-y as in PyTorch (0, but
    1 for a base of 1 and +-1 for -1) where numpy raises."""
    if out.dtype.kind not in "iu":
        np.power(x, y, out=out)
        return
    negative = np.less(y, 0)
    if not negative.any():
        np.power(x, y, out=out)
        return
    np.power(x, np.abs(y), out=out)
    np.copyto(out, 0, where=negative & (np.abs(x) != 1))


def _remainder(x, y, out):
    """np.remainder, but a zero result keeps x's sign (numpy gives it y's), as PyTorch's
    C fmod-based remainder does: -0.0 % 2 and 4.0 % -2 are -0.0 and 0.0."""
    np.remainder(x, y, out=out)
    if out.dtype.kind == "f":
        np.copysign(out, x, out=out, where=out == 0)


UNARY = {"neg": np.negative, "abs": np.abs, "sign": _sign, "exp": np.exp, "log": np.log,
         "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
         "sigmoid": _sigmoid, "relu": _relu, "tan": np.tan, "asin": np.arcsin,
         "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
         "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
         "bitwise_not": np.invert}


def _integer_division(op, divide):
    """divide(x, y, out), but an integer division by zero raises ZeroDivisionError (numpy
    warns and gives 0), as in PyTorch."""
    def checked(x, y, *, out):
        if y.dtype.kind in "iub" and not np.all(y):
            raise ZeroDivisionError(f"{op}: integer division by zero")
        divide(x, y, out=out)
    return checked


BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
          "floordiv": _integer_division("floordiv", np.floor_divide),
          "mod": _integer_division("mod", _remainder), "pow": _pow,
          "maximum": np.maximum, "minimum": np.minimum, "eq": np.equal, "ne": np.not_equal,
          "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
          "atan2": np.arctan2, "fmod": _integer_division("fmod", np.fmod),
          "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or,
          "bitwise_xor": np.bitwise_xor,
          # numpy's shifts give torch's results for shifts < 0 or >= 64 (0, or the sign)
          "bitwise_left_shift": np.left_shift, "bitwise_right_shift": np.right_shift}
REDUCE = {"sum": np.add.reduce, "max": np.maximum.reduce, "min": np.minimum.reduce}
ARG_REDUCE = {"argmax": np.argmax, "argmin": np.argmin}
_SHORT_ROW = 16   # rows of at most this many elements reduce faster transposed (see reduce)


@functools.lru_cache(maxsize=64)
def _ones(length, dtype):
    return np.ones(length, dtype)


@functools.lru_cache(maxsize=8)
def _zero(dtype):
    """A 0-d zero of dtype: a ufunc takes it ~0.4 us sooner than the Python int 0, which
    it must first convert."""
    return np.zeros((), dtype)


@functools.lru_cache(maxsize=16)
def _zeros(length, dtype):
    return np.zeros(length, dtype)


def _zeros_like_flat(x):
    """Zeros to compare x with: an array of x's length for a flat x of up to 2**20
    elements, a 0-d zero otherwise. numpy's SIMD loops for maximum and the comparisons
    need two contiguous operands; against a 0-d zero, relu of 128 x 128 floats takes
    8.5 us instead of 2.2."""
    if x.ndim == 1 and x.size <= 1 << 20:
        return _zeros(x.size, x.dtype)
    return _zero(x.dtype)


def _check_range(kernel, index, limit):
    """An IndexError unless every value of `index` lies in [0, limit)."""
    bad = first_out_of_range(index, limit)
    if bad is not None:
        raise IndexError(f"{kernel}: index {bad} is out of range for size {limit}")


def _minus_row_max(x, rows, cols, out):
    """(z, axis): z = every row of the (rows, cols) matrix x minus its max (a softmax's
    overflow-free start), with each row's values along `axis` of z.

    numpy reduces a short last axis row by row, ~40 ns a row: the max over a 128 x 10
    batch of logits takes 6.5 us. With fewer columns than rows, z is a new transposed
    (cols, rows) array (axis 0), whose reductions run elementwise across the rows instead
    (1.4 us, plus 0.7 us for the copy). Otherwise z is `out` seen as (rows, cols) (axis 1).
    """
    x = x.reshape(rows, cols)
    if cols < rows:
        z = x.T.copy()
        z -= np.maximum.reduce(z, axis=0)
        return z, 0
    z = out.reshape(rows, cols)
    np.subtract(x, np.maximum.reduce(x, axis=1, keepdims=True), out=z)
    return z, 1


def _store_rows(z, axis, rows, cols, out):
    """out (rows, cols) = z, the result of a kernel that started with _minus_row_max."""
    if axis == 0:
        np.copyto(out.reshape(rows, cols), z.T)


def _row_targets(target, axis):
    """Index of each row's target class in a matrix whose classes lie along `axis`."""
    row_numbers = np.arange(len(target))
    return (target, row_numbers) if axis == 0 else (row_numbers, target)


class NumpyBackend:
    """Storage is a 1-D numpy array; a view is a numpy array sharing its memory."""

    name = "numpy"
    dtypes = ("float32", "float64", "int64", "bool")

    def set_num_threads(self, count):
        """Cap the threads of numpy's BLAS (OpenBLAS, MKL) for this process."""
        threadpoolctl.threadpool_limits(limits=count, user_api="blas")

    # ---- required kernels -------------------------------------------------------------
    def empty(self, size, dtype):
        return np.empty(size, dtype.numpy)

    def from_numpy(self, array):
        return np.array(array, copy=True).reshape(-1)

    def to_numpy(self, a):
        return a.copy()

    def fill(self, value, out):
        out.fill(value)

    def copy(self, a, a_strides, a_offset, shape, out_strides, out_offset, out):
        source = self.view(a, shape, a_strides, a_offset)
        np.copyto(self.view(out, shape, out_strides, out_offset), source, casting="unsafe")

    def unary(self, op, a, out):
        UNARY[op](a, out=out)

    def binary(self, op, a, b, out):
        BINARY[op](a, b, out=out)

    def where(self, cond, a, b, out):
        self.where_view(cond, a, b, out)

    def reduce(self, op, a, reduce_size, out):
        rows = a.reshape(out.size, reduce_size)
        if reduce_size <= _SHORT_ROW < out.size:
            # numpy reduces a short last axis row by row (a max over 86,528 rows of 4, a
            # 2x2 pooling, takes 3.2 ms); across a transposed copy the reduction runs
            # elementwise over the rows (0.14 ms, the copy included)
            REDUCE[op](np.ascontiguousarray(rows.T), axis=0, out=out)
        else:
            REDUCE[op](rows, axis=1, out=out)

    def matmul(self, a, b, batch, m, k, n, out):
        np.matmul(a.reshape(batch, m, k), b.reshape(batch, k, n), out=out.reshape(batch, m, n))

    # np.take with out= and mode="raise" gathers into a temporary and copies that into
    # out (numpy buffers `out` to leave it untouched on an error); checking the range
    # first and taking with mode="clip", which never clips in-range indices, writes out
    # directly: 25 us less for a 128 x 784 batch.
    def take(self, a, index, out):
        _check_range("take", index, a.size)
        a.take(index, out=out, mode="clip")

    def index_put(self, index, values, accumulate, out):
        if accumulate:
            np.add.at(out, index, values)
        else:
            out[index] = values

    # ---- strided fast paths -----------------------------------------------------------
    def view(self, a, shape, strides, offset):
        if offset == 0 and (strides, a.size) == contiguous_layout(shape):
            return a.reshape(shape)  # the common case, ~10x cheaper than the general one
        itemsize = a.itemsize
        if 0 in shape:   # reaches no element: its offset may lie past the buffer's end,
            offset = 0   # which numpy refuses even for an empty array
        return np.ndarray(shape, a.dtype, a, offset * itemsize,
                          tuple([s * itemsize for s in strides]))

    def copy_view(self, a, out):
        np.copyto(out, a, casting="unsafe")

    def unary_view(self, op, a, out):
        UNARY[op](a, out=out)

    binary_view = binary   # numpy arrays of any layout take the same call

    def where_view(self, cond, a, b, out):
        np.copyto(out, b)
        np.copyto(out, a, where=cond)

    def reduce_view(self, op, a, axes, out):
        if op in ARG_REDUCE:
            ARG_REDUCE[op](a, axis=axes[0], out=out, keepdims=True)
        elif op == "sum" and axes == (0,) and a.ndim == 2 and a.dtype.kind == "f":
            # column sums (a bias gradient) as ones @ a: BLAS takes ~1.5 us for a
            # 128 x 128 batch where numpy's reduction over the first axis takes ~5 us
            np.dot(_ones(a.shape[0], a.dtype), a, out=out.reshape(-1))
        else:
            REDUCE[op](a, axis=axes, out=out, keepdims=True)

    def matmul_view(self, a, b, out):
        if a.ndim == 2 and b.ndim == 2:
            np.dot(a, b, out=out)   # ~0.5 us sooner to BLAS than np.matmul's gufunc
        else:
            np.matmul(a, b, out=out)

    def take_rows(self, a, offset, rows, row_size, index, out):
        block = a[offset:offset + rows * row_size].reshape(rows, row_size)
        _check_range("take_rows", index, rows)
        block.take(index, axis=0, out=out.reshape(index.size, row_size), mode="clip")

    # ---- fused kernels (compact buffers) -----------------------------------------------
    # 2-D products use np.dot, as matmul_view does.
    def linear(self, x, weight, bias, m, k, n, out):
        result = out.reshape(m, n)
        np.dot(x.reshape(m, k), weight.reshape(n, k).T, out=result)
        if bias is not None:
            result += bias

    def linear_backward(self, grad, x, weight, m, k, n, grad_x, grad_weight, grad_bias):
        grad_rows = grad.reshape(m, n)
        if grad_x is not None:
            np.dot(grad_rows, weight.reshape(n, k), out=grad_x.reshape(m, k))
        if grad_weight is not None:
            np.dot(grad_rows.T, x.reshape(m, k), out=grad_weight.reshape(n, k))
        if grad_bias is not None:
            self.reduce_view("sum", grad_rows, (0,), grad_bias.reshape(1, n))

    def relu_backward(self, grad, x, out):
        np.multiply(grad, np.greater(x, _zeros_like_flat(x)), out=out)
        # That is exact unless x holds a nan (whose gradient passes on, as PyTorch's
        # threshold_backward) or grad an inf or nan (0 where dropped, not nan); either
        # makes x . grad non-finite (so may an overflow), and only then is out redone.
        if not math.isfinite(x.dot(grad)):
            np.copyto(out, np.where(np.less_equal(x, 0), 0, grad))

    def log_softmax(self, x, rows, cols, out):
        z, axis = _minus_row_max(x, rows, cols, out)
        z -= np.log(np.add.reduce(np.exp(z), axis=axis, keepdims=True))
        _store_rows(z, axis, rows, cols, out)

    def log_softmax_backward(self, grad, y, rows, cols, out):
        grad_rows = grad.reshape(rows, cols)
        np.subtract(grad_rows, np.exp(y.reshape(rows, cols)) * grad_rows.sum(axis=1, keepdims=True),
                    out=out.reshape(rows, cols))

    def cross_entropy(self, logits, target, rows, cols, out, probs):
        # loss = logsumexp(x) - x[t] = log(sum(exp(x - max))) - (x[t] - max) and
        # probs = exp(x - max) / sum(exp(x - max)); z is probs itself (axis 1) or a
        # transposed work copy (axis 0), see _minus_row_max
        if rows == 0:
            return
        z, axis = _minus_row_max(logits, rows, cols, probs)
        picked = z[_row_targets(target, axis)]
        np.exp(z, out=z)
        totals = np.add.reduce(z, axis=axis)
        np.log(totals, out=out)
        out -= picked
        if axis == 0:
            np.divide(z, totals, out=probs.reshape(rows, cols).T)
        else:
            z /= totals.reshape(rows, 1)

    def cross_entropy_backward(self, probs, target, grad, rows, cols, out):
        if rows == 0:
            return
        np.multiply(probs.reshape(rows, cols), grad.reshape(rows, 1), out=out.reshape(rows, cols))
        positions = np.arange(0, rows * cols, cols)   # row r's target at r * cols + target[r]
        positions += target
        out[positions] -= grad

    # ---- fused optimizer updates (compact buffers, param written in place) --------------
    def sgd_step(self, grad, momentum_buffer, lr, momentum, dampening, weight_decay,
                 nesterov, first_step, param):
        if weight_decay:
            grad = grad + weight_decay * param
        if momentum:
            if first_step:
                np.copyto(momentum_buffer, grad)
            else:
                momentum_buffer *= momentum
                momentum_buffer += grad if dampening == 0 else (1 - dampening) * grad
            grad = grad + momentum * momentum_buffer if nesterov else momentum_buffer
        param -= lr * grad

    def adam_step(self, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay,
                  decoupled, param):
        if decoupled:
            param *= 1 - lr * weight_decay
        elif weight_decay:
            grad = grad + weight_decay * param
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denominator = np.sqrt(exp_avg_sq)
        denominator /= (1 - beta2 ** step) ** 0.5
        denominator += eps
        param -= (lr / (1 - beta1 ** step)) * exp_avg / denominator
