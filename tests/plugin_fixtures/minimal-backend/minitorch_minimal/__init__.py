"""The smallest minitorch backend: the required kernels only, on flat numpy arrays.

Everything else (softmax, cross-entropy, argmax, strided views, optimizer steps) the
core builds from these kernels. See minitorch/contract.py for each kernel's contract.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from minitorch.plugins import hookimpl

UNARY = {
    "neg": np.negative, "abs": np.abs, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
    "sign": lambda x, out: np.sign(np.nan_to_num(x), out=out),  # sign(nan) is 0
    "relu": lambda x, out: np.maximum(x, 0, out=out),
    "sigmoid": lambda x, out: np.divide(1, 1 + np.exp(-x), out=out),
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "bitwise_not": np.invert,
}
BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power,
    "maximum": np.maximum, "minimum": np.minimum, "eq": np.equal, "ne": np.not_equal,
    "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
    "atan2": np.arctan2, "fmod": np.fmod, "bitwise_and": np.bitwise_and,
    "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor,
    "bitwise_left_shift": np.left_shift, "bitwise_right_shift": np.right_shift,
}
REDUCE = {"sum": np.sum, "max": np.max, "min": np.min}


def strided(buffer, shape, strides, offset):
    """A numpy view of `buffer` with an element layout (strides counted in elements)."""
    return as_strided(buffer[offset:], shape, [s * buffer.itemsize for s in strides])


class MinimalBackend:
    name = "minimal"
    dtypes = ("float32", "float64", "int64", "bool")

    def empty(self, size, dtype):
        return np.empty(size, dtype.numpy)

    def from_numpy(self, array):
        return np.array(array).reshape(-1)

    def to_numpy(self, a):
        return a.copy()

    def fill(self, value, out):
        out.fill(value)

    def copy(self, a, a_strides, a_offset, shape, out_strides, out_offset, out):
        np.copyto(strided(out, shape, out_strides, out_offset),
                  strided(a, shape, a_strides, a_offset), casting="unsafe")

    def unary(self, op, a, out):
        with np.errstate(all="ignore"):  # inf and nan are valid results
            UNARY[op](a, out=out)

    def binary(self, op, a, b, out):
        if op in ("floordiv", "mod", "fmod") and a.dtype.kind in "iub" and not b.all():
            raise ZeroDivisionError(f"{op}: integer division by zero")
        with np.errstate(all="ignore"):
            BINARY[op](a, b, out=out)

    def where(self, cond, a, b, out):
        np.copyto(out, b)
        np.copyto(out, a, where=cond)

    def reduce(self, op, a, reduce_size, out):
        REDUCE[op](a.reshape(out.size, reduce_size), axis=1, out=out)

    def matmul(self, a, b, batch, m, k, n, out):
        np.matmul(a.reshape(batch, m, k), b.reshape(batch, k, n), out=out.reshape(batch, m, n))

    def take(self, a, index, out):
        np.take(a, index, out=out)

    def index_put(self, index, values, accumulate, out):
        if accumulate:
            np.add.at(out, index, values)
        else:
            out[index] = values


@hookimpl
def minitorch_register_backends(register):
    register("minimal", MinimalBackend)
