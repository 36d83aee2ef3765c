"""The `numba` backend: flat numpy buffers, loops compiled by Numba.

Storage is a 1-D numpy array (its dtype is the buffer's dtype). Numpy only allocates
and moves data in and out (`empty`, `from_numpy`, `to_numpy`); every loop is a Numba
kernel from `minitorch_numba.kernels`. Besides the required kernels of
`minitorch.contract` the backend implements the batch gather `take_rows` and the fused
training kernels (linear, relu_backward, log_softmax, cross_entropy and their
backwards, sgd_step, adam_step);
the strided `*_view` fast paths are left to the core's decompositions.

This class is the boundary that the compiled loops trust: Numba does not check bounds,
so before calling a kernel each method checks dtypes, sizes and counts, that a strided
copy stays inside its buffers and that index values are in range, and raises ValueError
or IndexError naming the kernel. Integer floordiv, mod and fmod by zero raise
ZeroDivisionError naming the op, before anything is written.

Threads: work of at least `parallel_grain` elements (multiply-adds for matmul and
linear) per thread is split over Numba's threads (NUMBA_NUM_THREADS,
`numba.set_num_threads`); smaller work runs serially on the calling thread.
"""
import math

import numpy as np
import numba
from numba import get_num_threads

from minitorch.contract import COMPARE_OPS, check_region

from . import kernels

DTYPES = ("float32", "float64", "int64", "bool")
FLOATS = ("float32", "float64")
INTEGER_UNARY_OPS = ("neg", "abs", "sign", "relu", "bitwise_not")
BOOL_UNARY_OPS = ("bitwise_not",)
BITWISE_OPS = ("bitwise_not", "bitwise_and", "bitwise_or", "bitwise_xor",
               "bitwise_left_shift", "bitwise_right_shift")
INTEGER_DIVISIONS = ("floordiv", "mod", "fmod")
# About 64k elements keep a thread busy for tens of microseconds, well above the cost of
# starting the parallel region.
PARALLEL_GRAIN = 1 << 16


# ---- argument checks (error reporting is the slow path) ----------------------------------

def _describe(buffer):
    return f"{buffer.size} x {buffer.dtype.name}"


def _mismatch(kernel, expected, **buffers):
    shown = ", ".join(f"{name} is {_describe(buffer)}" for name, buffer in buffers.items())
    raise ValueError(f"{kernel}: expected {expected}; got {shown}")


def _check_counts(kernel, **counts):
    for name, value in counts.items():
        if value < 0:
            raise ValueError(f"{kernel}: {name} = {value} is negative")


def _check_op(kernel, op, codes):
    if op not in codes:
        raise ValueError(f"{kernel}: unknown op {op!r}; expected one of {', '.join(codes)}")
    return codes[op]


def _check_indices(kernel, index, limit, what="index"):
    """index: an int64 buffer, every value of which must lie in [0, limit)."""
    if index.dtype.name != "int64":
        raise ValueError(f"{kernel}: {what} must be int64, got {index.dtype.name}")
    bad = kernels.first_out_of_range(index, limit)
    if bad >= 0:
        raise IndexError(f"{kernel}: {what}[{bad}] = {index[bad]} is out of range for size "
                         f"{limit}")


def _check_float_rows(kernel, rows, cols, first, **matrices):
    """first is a float buffer; each of matrices has its dtype and rows * cols elements."""
    _check_counts(kernel, rows=rows, cols=cols)
    if first.dtype.name not in FLOATS or any(
            m.dtype != first.dtype or m.size != rows * cols for m in matrices.values()):
        _mismatch(kernel, f"float buffers of rows * cols = {rows * cols} elements", **matrices)


def _check_like(kernel, param, **buffers):
    """param is a float buffer; every buffer has its dtype and size."""
    if param.dtype.name not in FLOATS or any(
            b.dtype != param.dtype or b.size != param.size for b in buffers.values()):
        _mismatch(kernel, "float buffers of param's dtype and size", param=param, **buffers)


def _merged_layout(shape, a_strides, out_strides):
    """The same walk as int64 arrays over fewer, longer dimensions: size-1 dimensions are
    dropped, and a dimension joins the one before it when both layouts step over the
    pair as one run. Always at least one dimension."""
    dims = []
    for size, a_stride, out_stride in zip(shape, a_strides, out_strides):
        if size == 1:
            continue
        if dims and dims[-1][1] == a_stride * size and dims[-1][2] == out_stride * size:
            dims[-1] = (dims[-1][0] * size, a_stride, out_stride)
        else:
            dims.append((size, a_stride, out_stride))
    return tuple(np.array(column, np.int64) for column in zip(*(dims or [(1, 0, 0)])))


class NumbaBackend:
    """minitorch's `numba` backend. See minitorch.contract for the kernel contracts."""

    name = "numba"
    dtypes = DTYPES

    def __init__(self, parallel_grain=PARALLEL_GRAIN):
        """parallel_grain: the least work per thread worth a thread; 1 makes every
        kernel with a parallel driver use it whenever there are two rows of work."""
        if parallel_grain < 1:
            raise ValueError(f"NumbaBackend: parallel_grain must be at least 1, got "
                             f"{parallel_grain}")
        self.parallel_grain = parallel_grain

    def set_num_threads(self, count):
        """Threads the parallel drivers may use (at most Numba's NUMBA_NUM_THREADS)."""
        numba.set_num_threads(min(count, numba.config.NUMBA_NUM_THREADS))

    def _parts(self, work, rows):
        """How many slices to cut `rows` rows holding `work` units of work into."""
        parts = min(rows, work // self.parallel_grain)
        return 1 if parts < 2 else min(parts, get_num_threads())

    # ---- storage and host transfer ------------------------------------------------------
    def empty(self, size, dtype):
        """A new buffer of `size` elements of `dtype` (contents undefined)."""
        if dtype.name not in DTYPES:
            raise ValueError(f"empty: unsupported dtype {dtype.name}")
        _check_counts("empty", size=size)
        return np.empty(size, dtype.numpy)

    def from_numpy(self, array):
        """A new buffer holding a copy of the 1-D numpy `array`."""
        if array.dtype.name not in DTYPES:
            raise ValueError(f"from_numpy: unsupported numpy dtype {array.dtype}")
        return np.array(array, order="C").reshape(-1)

    def to_numpy(self, a):
        """A 1-D numpy copy of buffer `a`."""
        return a.copy()

    # ---- required kernels ----------------------------------------------------------------
    def fill(self, value, out):
        """for i in range(len(out)): out[i] = value   (converted to out's dtype first)"""
        kernels.fill(out.dtype.type(value), out)

    def copy(self, a, a_strides, a_offset, shape, out_strides, out_offset, out):
        """For every index tuple idx of shape (row-major):
            out[out_offset + sum(idx[d] * out_strides[d])] =
                a[a_offset + sum(idx[d] * a_strides[d])]
        converting to out's dtype (float -> int truncates toward zero, -> bool is != 0)."""
        total = math.prod(shape)
        check_region("copy", "a", a.size, shape, a_strides, a_offset)
        check_region("copy", "out", out.size, shape, out_strides, out_offset)
        if total == 0:
            return
        dims, a_steps, out_steps = _merged_layout(shape, a_strides, out_strides)
        rows = total // dims[-1]
        parts = self._parts(total, rows)
        if parts == 1:
            kernels.copy_range(a, a_steps, a_offset, dims, out_steps, out_offset, out, 0, rows)
        else:
            kernels.copy_parallel(a, a_steps, a_offset, dims, out_steps, out_offset, out,
                                  rows, parts)

    def unary(self, op, a, out):
        """for i: out[i] = OP(a[i])   (op in minitorch.contract.UNARY_OPS)"""
        code = _check_op("unary", op, kernels.UNARY_CODES)
        if a.dtype != out.dtype or a.size != out.size:
            _mismatch("unary", "out like a", a=a, out=out)
        if a.dtype.name == "bool" and op not in BOOL_UNARY_OPS:
            raise ValueError(f"unary: {op} of bool is not supported")
        if a.dtype.name == "int64" and op not in INTEGER_UNARY_OPS:
            raise ValueError(f"unary: {op} of int64 is not supported (its result is a float; "
                             "the core casts to a float dtype first)")
        if a.dtype.name in FLOATS and op in BITWISE_OPS:
            raise ValueError(f"unary: {op} of {a.dtype.name} is not supported")
        parts = self._parts(a.size, a.size)
        if parts == 1:
            kernels.unary_range(code, a, out, 0, a.size)
        else:
            kernels.unary_parallel(code, a, out, parts)

    def binary(self, op, a, b, out):
        """for i: out[i] = OP(a[i], b[i])   (op in BINARY_OPS, or COMPARE_OPS writing bool)"""
        compare = op in COMPARE_OPS
        code = (kernels.COMPARE_CODES[op] if compare
                else _check_op("binary", op, kernels.BINARY_CODES))
        out_dtype = np.bool_ if compare else a.dtype
        if a.dtype != b.dtype or out.dtype != out_dtype or not a.size == b.size == out.size:
            _mismatch("binary", f"b like a and out of {np.dtype(out_dtype).name} for {op}",
                      a=a, b=b, out=out)
        if op in BITWISE_OPS and (a.dtype.name in FLOATS or (
                a.dtype.name == "bool" and op.endswith("shift"))):
            raise ValueError(f"binary: {op} of {a.dtype.name} is not supported")
        if op in INTEGER_DIVISIONS and a.dtype.name not in FLOATS and kernels.has_zero(b):
            raise ZeroDivisionError(f"binary {op}: integer division by zero")
        parts = self._parts(a.size, a.size)
        if compare:
            if parts == 1:
                kernels.compare_range(code, a, b, out, 0, a.size)
            else:
                kernels.compare_parallel(code, a, b, out, parts)
        elif parts == 1:
            kernels.binary_range(code, a, b, out, 0, a.size)
        else:
            kernels.binary_parallel(code, a, b, out, parts)

    def where(self, cond, a, b, out):
        """for i: out[i] = a[i] if cond[i] else b[i]"""
        if (cond.dtype.name != "bool" or a.dtype != b.dtype or a.dtype != out.dtype
                or not cond.size == a.size == b.size == out.size):
            _mismatch("where", "a bool cond and a, b, out of one dtype, all of one size",
                      cond=cond, a=a, b=b, out=out)
        parts = self._parts(out.size, out.size)
        if parts == 1:
            kernels.where_range(cond, a, b, out, 0, out.size)
        else:
            kernels.where_parallel(cond, a, b, out, parts)

    def reduce(self, op, a, reduce_size, out):
        """for i in range(len(out)): out[i] = OP(a[i * reduce_size:(i + 1) * reduce_size])
        (op in REDUCE_OPS; an empty row sums to 0, max/min of an empty row is an error)"""
        code = _check_op("reduce", op, kernels.REDUCE_CODES)
        _check_counts("reduce", reduce_size=reduce_size)
        if a.dtype != out.dtype or a.size != out.size * reduce_size:
            _mismatch("reduce", f"a of out's dtype and out.size * {reduce_size} elements",
                      a=a, out=out)
        if reduce_size == 0 and op != "sum" and out.size:
            raise ValueError(f"reduce: {op} of an empty row")
        parts = self._parts(a.size, out.size)
        if parts == 1:
            kernels.reduce_range(code, a, reduce_size, out, 0, out.size)
        else:
            kernels.reduce_parallel(code, a, reduce_size, out, parts)

    def matmul(self, a, b, batch, m, k, n, out):
        """for p, i, j:
            out[(p*m + i)*n + j] = sum(a[(p*m + i)*k + t] * b[(p*k + t)*n + j] for t)"""
        _check_counts("matmul", batch=batch, m=m, k=k, n=n)
        if (a.dtype != b.dtype or a.dtype != out.dtype or a.size != batch * m * k
                or b.size != batch * k * n or out.size != batch * m * n):
            _mismatch("matmul", f"one dtype, a of {batch}*{m}*{k}, b of {batch}*{k}*{n}, out "
                      f"of {batch}*{m}*{n} elements", a=a, b=b, out=out)
        if out.size == 0:
            return
        parts = self._parts(out.size * k, batch * m)
        if parts == 1:
            kernels.matmul_range(a, b, m, k, n, out, 0, batch * m)
        else:
            kernels.matmul_parallel(a, b, m, k, n, out, parts)

    def take(self, a, index, out):
        """for i: out[i] = a[index[i]]"""
        if a.dtype != out.dtype or out.size != index.size:
            _mismatch("take", "out of a's dtype and index's size", a=a, index=index, out=out)
        _check_indices("take", index, a.size)
        kernels.take(a, index, out)

    def take_rows(self, a, offset, rows, row_size, index, out):
        """for i < index.size, j < row_size:
            out[i*row_size + j] = a[offset + index[i]*row_size + j], 0 <= index[i] < rows"""
        _check_counts("take_rows", offset=offset, rows=rows, row_size=row_size)
        if (a.dtype != out.dtype or offset + rows * row_size > a.size
                or out.size != index.size * row_size):
            _mismatch("take_rows", f"out of a's dtype and index.size * {row_size} elements, "
                      f"and a holding {rows} rows of {row_size} from {offset}", a=a,
                      index=index, out=out)
        _check_indices("take_rows", index, rows)
        parts = self._parts(out.size, index.size)
        if parts == 1:
            kernels.take_rows_range(a, offset, row_size, index, out, 0, index.size)
        else:
            kernels.take_rows_parallel(a, offset, row_size, index, out, parts)

    def index_put(self, index, values, accumulate, out):
        """for i: out[index[i]] = values[i], or += when accumulate (last write wins)"""
        if values.dtype != out.dtype or values.size != index.size:
            _mismatch("index_put", "values of out's dtype and index's size", index=index,
                      values=values, out=out)
        _check_indices("index_put", index, out.size)
        kernels.index_put(index, values, bool(accumulate), out)

    # ---- fused training kernels (float32 / float64) --------------------------------------
    def linear(self, x, weight, bias, m, k, n, out):
        """for i, j: out[i*n + j] = sum(x[i*k + t] * weight[j*k + t] for t) + bias[j]
        (bias may be None)"""
        _check_counts("linear", m=m, k=k, n=n)
        buffers = {"x": x, "weight": weight, "out": out}
        if bias is not None:
            buffers["bias"] = bias
        if (x.dtype.name not in FLOATS or any(b.dtype != x.dtype for b in buffers.values())
                or x.size != m * k or weight.size != n * k or out.size != m * n
                or (bias is not None and bias.size != n)):
            _mismatch("linear", f"one float dtype, x of {m}*{k}, weight of {n}*{k}, bias of "
                      f"{n}, out of {m}*{n} elements", **buffers)
        if out.size == 0:
            return
        parts = self._parts(out.size * k, m)
        if parts == 1:
            kernels.linear_range(x, weight, bias, k, n, out, 0, m)
        else:
            kernels.linear_parallel(x, weight, bias, k, n, out, parts)

    def relu_backward(self, grad, x, out):
        """for i: out[i] = 0 if x[i] <= 0 else grad[i] (a nan x passes grad on)"""
        if (x.dtype.name not in FLOATS or grad.dtype != x.dtype or out.dtype != x.dtype
                or not grad.size == x.size == out.size):
            _mismatch("relu_backward", "float buffers of one dtype and size", grad=grad, x=x,
                      out=out)
        parts = self._parts(x.size, x.size)
        if parts == 1:
            kernels.relu_backward_range(grad, x, out, 0, x.size)
        else:
            kernels.relu_backward_parallel(grad, x, out, parts)

    def log_softmax(self, x, rows, cols, out):
        """for each row of cols values: out = row - max(row) - log(sum(exp(row - max(row))))"""
        _check_float_rows("log_softmax", rows, cols, x, x=x, out=out)
        if out.size == 0:
            return
        parts = self._parts(out.size, rows)
        if parts == 1:
            kernels.log_softmax_range(x, cols, out, 0, rows)
        else:
            kernels.log_softmax_parallel(x, cols, out, parts)

    def log_softmax_backward(self, grad, y, rows, cols, out):
        """for each row: out = grad - exp(y) * sum(grad over the row)"""
        _check_float_rows("log_softmax_backward", rows, cols, y, grad=grad, y=y, out=out)
        if out.size == 0:
            return
        parts = self._parts(out.size, rows)
        if parts == 1:
            kernels.log_softmax_backward_range(grad, y, cols, out, 0, rows)
        else:
            kernels.log_softmax_backward_parallel(grad, y, cols, out, parts)

    def cross_entropy(self, logits, target, rows, cols, out, probs):
        """for r: out[r] = logsumexp(logits[r]) - logits[r, target[r]]
        and probs[r, c] = softmax(logits[r])[c]"""
        _check_float_rows("cross_entropy", rows, cols, logits, logits=logits, probs=probs)
        if out.dtype != logits.dtype or out.size != rows or target.size != rows:
            _mismatch("cross_entropy", f"target and out of rows = {rows} elements",
                      target=target, out=out)
        _check_indices("cross_entropy", target, cols, "target")
        parts = self._parts(logits.size, rows)
        if parts == 1:
            kernels.cross_entropy_range(logits, target, cols, out, probs, 0, rows)
        else:
            kernels.cross_entropy_parallel(logits, target, cols, out, probs, parts)

    def cross_entropy_backward(self, probs, target, grad, rows, cols, out):
        """for r, c: out[r, c] = grad[r] * (probs[r, c] - (c == target[r]))"""
        _check_float_rows("cross_entropy_backward", rows, cols, probs, probs=probs, out=out)
        if grad.dtype != probs.dtype or grad.size != rows or target.size != rows:
            _mismatch("cross_entropy_backward", f"target and grad of rows = {rows} elements",
                      target=target, grad=grad)
        _check_indices("cross_entropy_backward", target, cols, "target")
        parts = self._parts(probs.size, rows)
        if parts == 1:
            kernels.cross_entropy_backward_range(probs, target, grad, cols, out, 0, rows)
        else:
            kernels.cross_entropy_backward_parallel(probs, target, grad, cols, out, parts)

    # ---- optimizer steps (in place) ------------------------------------------------------
    def sgd_step(self, grad, momentum_buffer, lr, momentum, dampening, weight_decay,
                 nesterov, first_step, param):
        """for i: g = grad[i] + weight_decay * param[i]
            if momentum: buf[i] = g if first_step else momentum * buf[i] + (1 - dampening) * g
                         g = g + momentum * buf[i] if nesterov else buf[i]
            param[i] -= lr * g
        (momentum_buffer is None exactly when momentum == 0)"""
        buffers = {"grad": grad}
        if momentum_buffer is not None:
            buffers["momentum_buffer"] = momentum_buffer
        _check_like("sgd_step", param, **buffers)
        if (momentum_buffer is None) != (momentum == 0):
            raise ValueError(f"sgd_step: momentum_buffer must be None exactly when momentum "
                             f"is 0; got momentum {momentum} and "
                             f"{'no' if momentum_buffer is None else 'a'} buffer")
        arguments = (grad, momentum_buffer, float(lr), float(momentum), float(dampening),
                     float(weight_decay), bool(nesterov), bool(first_step), param)
        parts = self._parts(param.size, param.size)
        if parts == 1:
            kernels.sgd_step_range(*arguments, 0, param.size)
        else:
            kernels.sgd_step_parallel(*arguments, parts)

    def adam_step(self, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay,
                  decoupled, param):
        """for i: if decoupled (AdamW): param[i] *= 1 - lr * weight_decay; g = grad[i]
                   else: g = grad[i] + weight_decay * param[i]
            exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
            exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
            param[i] -= lr / (1 - beta1**step) * exp_avg[i] /
                        (sqrt(exp_avg_sq[i] / (1 - beta2**step)) + eps)
        (step counts from 1)"""
        _check_like("adam_step", param, grad=grad, exp_avg=exp_avg, exp_avg_sq=exp_avg_sq)
        if step < 1:
            raise ValueError(f"adam_step: step counts from 1, got {step}")
        step_size = lr / (1 - beta1 ** step)
        arguments = (grad, exp_avg, exp_avg_sq, float(step_size), float(1 - beta2 ** step),
                     float(lr), float(beta1), float(beta2), float(eps), float(weight_decay),
                     bool(decoupled), param)
        parts = self._parts(param.size, param.size)
        if parts == 1:
            kernels.adam_step_range(*arguments, 0, param.size)
        else:
            kernels.adam_step_parallel(*arguments, parts)

    def __repr__(self):
        return (f"<minitorch numba backend: {get_num_threads()} thread(s), parallel above "
                f"{self.parallel_grain} elements per thread>")
