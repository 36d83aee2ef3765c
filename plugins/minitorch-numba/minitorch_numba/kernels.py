"""The loops of the `numba` backend, compiled by Numba.

Every kernel is a serial *core* over a slice of its work, `name_range(..., lo, hi)`:
elements lo..hi for elementwise kernels, rows lo..hi for row kernels (reduce, matmul,
linear, softmax, cross-entropy, the outer rows of a strided copy). Kernels that pay for
threads also have a parallel *driver*, `name_parallel(..., parts)`, which cuts the same
work into `parts` slices and runs the core on each slice in a `prange` loop. The
backend (`minitorch_numba.backend`) validates arguments and then calls the core for
small work and the driver for large work, so a driver is compiled only the first time
some work is large enough to use it.

Compilation is lazy (once per argument types, on first call) and cached on disk
(`cache=True`: in `__pycache__` beside this file, or under $NUMBA_CACHE_DIR), so each
machine compiles a kernel once. Op names become small integer codes (the *_CODES
tables) so that one compiled core serves every op of its family; the `if` chain on the
code sits outside the element loop, which stays simple enough for LLVM to vectorize.

All kernels use error_model="numpy": float division by zero gives inf/nan (IEEE), and
integer division by zero is *not* checked here: the backend scans the divisor first.
"""
import math

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from minitorch.contract import BINARY_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS

UNARY_CODES = {op: code for code, op in enumerate(UNARY_OPS)}
BINARY_CODES = {op: code for code, op in enumerate(BINARY_OPS)}
COMPARE_CODES = {op: code for code, op in enumerate(COMPARE_OPS)}
REDUCE_CODES = {op: code for code, op in enumerate(REDUCE_OPS)}

# Numba reads module globals as compile-time constants.
NEG, ABS, SIGN, EXP, LOG, SQRT, SIN, COS, TANH, SIGMOID, RELU = (
    UNARY_CODES[op] for op in ("neg", "abs", "sign", "exp", "log", "sqrt", "sin", "cos",
                               "tanh", "sigmoid", "relu"))
TAN, ASIN, ACOS, ATAN, SINH, COSH, ASINH, ACOSH, ATANH, BITWISE_NOT = (
    UNARY_CODES[op] for op in ("tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
                               "acosh", "atanh", "bitwise_not"))
ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW, MAXIMUM, MINIMUM = (
    BINARY_CODES[op] for op in ("add", "sub", "mul", "div", "floordiv", "mod", "pow",
                                "maximum", "minimum"))
ATAN2, FMOD, BITWISE_AND, BITWISE_OR, BITWISE_XOR, LEFT_SHIFT, RIGHT_SHIFT = (
    BINARY_CODES[op] for op in ("atan2", "fmod", "bitwise_and", "bitwise_or", "bitwise_xor",
                                "bitwise_left_shift", "bitwise_right_shift"))
EQ, NE, LT, LE, GT, GE = (COMPARE_CODES[op] for op in ("eq", "ne", "lt", "le", "gt", "ge"))
SUM, MAX, MIN = (REDUCE_CODES[op] for op in ("sum", "max", "min"))

_SERIAL = {"cache": True, "nogil": True, "error_model": "numpy"}
_PARALLEL = {**_SERIAL, "parallel": True}
# Sums and dot products may be reassociated, so that LLVM vectorizes them (as BLAS does);
# this does not assume away nan or inf, which keep their IEEE meaning.
_SUMMING = {**_SERIAL, "fastmath": {"reassoc", "contract"}}


@njit(inline="always", **_SERIAL)
def _slice(part, parts, total):
    """Bounds of slice `part` of `parts` near-equal slices of range(total)."""
    return part * total // parts, (part + 1) * total // parts


# ---- scalar helpers ------------------------------------------------------------------------

def _power(x, y):
    """x ** y inside kernels (implemented per type by the overload below). Floats follow
    C's pow (0 ** -1 is inf). Integers follow torch: a negative exponent gives
    1 / x ** -y truncated toward zero, so 0 unless x is 1 or -1."""
    raise NotImplementedError("_power runs only inside Numba-compiled kernels")


@overload(_power)
def _power_for_types(x, y):
    if isinstance(x, types.Float):
        return lambda x, y: x ** y
    return _integer_power


def _integer_power(x, y):
    if y < 0:
        if x == 1:
            return 1
        if x == -1:
            return 1 if y % 2 == 0 else -1
        return 0
    result, base, exponent = 1, x, y
    while exponent:  # square and multiply; overflow wraps around, as in torch
        if exponent & 1:
            result *= base
        base *= base
        exponent >>= 1
    return result


def _fmod(x, y):
    """C's fmod inside kernels (per type, by the overload below): floats as libm (nan for
    y == 0 or x infinite), integers x - trunc(x / y) * y for y != 0 (the backend refuses
    a zero divisor first)."""
    raise NotImplementedError("_fmod runs only inside Numba-compiled kernels")


@overload(_fmod)
def _fmod_for_types(x, y):
    if isinstance(x, types.Float):
        return lambda x, y: np.fmod(x, y)   # numba has no math.fmod
    return _integer_fmod


def _integer_fmod(x, y):
    if y == -1:
        return 0  # the most negative int64 % -1 would overflow
    remainder = abs(x) % abs(y)
    return -remainder if x < 0 else remainder


# The bitwise ops exist for int64 and bool only. A kernel is compiled for each dtype with
# every branch of its op chain, so for floats (which the backend refuses before any
# kernel runs) each bitwise helper compiles to a nan that is never computed.

def _invert(x):
    """~x inside kernels: every bit flipped for integers, not x for a bool (where numba,
    like Python, would give the int ~True == -2)."""
    raise NotImplementedError("_invert runs only inside Numba-compiled kernels")


@overload(_invert)
def _invert_for_types(x):
    if isinstance(x, types.Float):
        return lambda x: math.nan
    if isinstance(x, types.Boolean):
        return lambda x: not x
    return lambda x: ~x


def _integer_only(function):
    """A kernel helper computing function(x, y) for int64 and bool (see above)."""
    def helper(x, y):
        raise NotImplementedError("bitwise helpers run only inside Numba-compiled kernels")

    @overload(helper)
    def helper_for_types(x, y):
        if isinstance(x, types.Float):
            return lambda x, y: math.nan
        return function
    return helper


def _shifted_left(x, y):
    """x << y with the bits shifted out dropped; 0 for y outside [0, 64), as torch."""
    if y < 0 or y >= 64:
        return 0
    return np.int64(np.uint64(x) << np.uint64(y))


def _shifted_right(x, y):
    """x >> y filling with the sign bit; only the sign for y outside [0, 64), as torch."""
    return x >> (63 if y < 0 or y >= 64 else y)


_and = _integer_only(lambda x, y: x & y)
_or = _integer_only(lambda x, y: x | y)
_xor = _integer_only(lambda x, y: x ^ y)
_left_shift = _integer_only(_shifted_left)
_right_shift = _integer_only(_shifted_right)


@njit(inline="always", **_SERIAL)
def _sigmoid(x):
    """1 / (1 + e**-x) from e**-|x|, which cannot overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# ---- elementwise ---------------------------------------------------------------------------

@njit(**_SERIAL)
def unary_range(code, a, out, lo, hi):
    """for i in range(lo, hi): out[i] = OP(a[i])        # OP = UNARY_OPS[code]"""
    a, out = a[lo:hi], out[lo:hi]
    if code == NEG:
        for i in range(out.size):
            out[i] = -a[i]
    elif code == ABS:
        for i in range(out.size):
            out[i] = abs(a[i])
    elif code == SIGN:
        for i in range(out.size):
            out[i] = (a[i] > 0) - (a[i] < 0)  # 0 for nan, as torch
    elif code == EXP:
        for i in range(out.size):
            out[i] = math.exp(a[i])
    elif code == LOG:
        for i in range(out.size):
            out[i] = math.log(a[i])
    elif code == SQRT:
        for i in range(out.size):
            out[i] = math.sqrt(a[i])
    elif code == SIN:
        for i in range(out.size):
            out[i] = math.sin(a[i])
    elif code == COS:
        for i in range(out.size):
            out[i] = math.cos(a[i])
    elif code == TANH:
        for i in range(out.size):
            out[i] = math.tanh(a[i])
    elif code == SIGMOID:
        for i in range(out.size):
            out[i] = _sigmoid(a[i])
    elif code == RELU:
        for i in range(out.size):
            out[i] = 0 if a[i] < 0 else a[i]  # nan stays nan
    elif code == TAN:
        for i in range(out.size):
            out[i] = math.tan(a[i])
    elif code == ASIN:
        for i in range(out.size):
            out[i] = math.asin(a[i])
    elif code == ACOS:
        for i in range(out.size):
            out[i] = math.acos(a[i])
    elif code == ATAN:
        for i in range(out.size):
            out[i] = math.atan(a[i])
    elif code == SINH:
        for i in range(out.size):
            out[i] = math.sinh(a[i])
    elif code == COSH:
        for i in range(out.size):
            out[i] = math.cosh(a[i])
    elif code == ASINH:
        for i in range(out.size):
            out[i] = math.asinh(a[i])
    elif code == ACOSH:
        for i in range(out.size):
            out[i] = math.acosh(a[i])
    elif code == ATANH:
        for i in range(out.size):
            out[i] = math.atanh(a[i])
    elif code == BITWISE_NOT:
        for i in range(out.size):
            out[i] = _invert(a[i])


@njit(**_PARALLEL)
def unary_parallel(code, a, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size)
        unary_range(code, a, out, lo, hi)


@njit(**_SERIAL)
def binary_range(code, a, b, out, lo, hi):
    """for i in range(lo, hi): out[i] = OP(a[i], b[i])  # OP = BINARY_OPS[code]

    floordiv and mod follow Python (floor rounding, the remainder takes the divisor's
    sign); maximum and minimum return nan when either operand is nan.
    """
    a, b, out = a[lo:hi], b[lo:hi], out[lo:hi]
    if code == ADD:
        for i in range(out.size):
            out[i] = a[i] + b[i]
    elif code == SUB:
        for i in range(out.size):
            out[i] = a[i] - b[i]
    elif code == MUL:
        for i in range(out.size):
            out[i] = a[i] * b[i]
    elif code == DIV:
        for i in range(out.size):
            out[i] = a[i] / b[i]
    elif code == FLOORDIV:
        for i in range(out.size):
            x, y = a[i], b[i]
            # the most negative int64 (the one nonzero x with x == -x) // -1 wraps to
            # itself, as in C, numpy and torch; numba's // gives 0 there
            out[i] = x if y == -1 and x == -x and x != 0 else x // y
    elif code == MOD:
        for i in range(out.size):
            out[i] = a[i] % b[i]
    elif code == POW:
        for i in range(out.size):
            out[i] = _power(a[i], b[i])
    elif code == MAXIMUM:
        for i in range(out.size):
            x, y = a[i], b[i]
            out[i] = x if x >= y or x != x else y
    elif code == MINIMUM:
        for i in range(out.size):
            x, y = a[i], b[i]
            out[i] = x if x <= y or x != x else y
    elif code == ATAN2:
        for i in range(out.size):
            out[i] = math.atan2(a[i], b[i])
    elif code == FMOD:
        for i in range(out.size):
            out[i] = _fmod(a[i], b[i])
    elif code == BITWISE_AND:
        for i in range(out.size):
            out[i] = _and(a[i], b[i])
    elif code == BITWISE_OR:
        for i in range(out.size):
            out[i] = _or(a[i], b[i])
    elif code == BITWISE_XOR:
        for i in range(out.size):
            out[i] = _xor(a[i], b[i])
    elif code == LEFT_SHIFT:
        for i in range(out.size):
            out[i] = _left_shift(a[i], b[i])
    elif code == RIGHT_SHIFT:
        for i in range(out.size):
            out[i] = _right_shift(a[i], b[i])


@njit(**_PARALLEL)
def binary_parallel(code, a, b, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size)
        binary_range(code, a, b, out, lo, hi)


@njit(**_SERIAL)
def compare_range(code, a, b, out, lo, hi):
    """for i in range(lo, hi): out[i] = OP(a[i], b[i])  # OP = COMPARE_OPS[code], bool out"""
    a, b, out = a[lo:hi], b[lo:hi], out[lo:hi]
    if code == EQ:
        for i in range(out.size):
            out[i] = a[i] == b[i]
    elif code == NE:
        for i in range(out.size):
            out[i] = a[i] != b[i]
    elif code == LT:
        for i in range(out.size):
            out[i] = a[i] < b[i]
    elif code == LE:
        for i in range(out.size):
            out[i] = a[i] <= b[i]
    elif code == GT:
        for i in range(out.size):
            out[i] = a[i] > b[i]
    elif code == GE:
        for i in range(out.size):
            out[i] = a[i] >= b[i]


@njit(**_PARALLEL)
def compare_parallel(code, a, b, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size)
        compare_range(code, a, b, out, lo, hi)


@njit(**_SERIAL)
def where_range(cond, a, b, out, lo, hi):
    """for i in range(lo, hi): out[i] = a[i] if cond[i] else b[i]"""
    cond, a, b, out = cond[lo:hi], a[lo:hi], b[lo:hi], out[lo:hi]
    for i in range(out.size):
        out[i] = a[i] if cond[i] else b[i]


@njit(**_PARALLEL)
def where_parallel(cond, a, b, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size)
        where_range(cond, a, b, out, lo, hi)


@njit(**_SERIAL)
def fill(value, out):
    """for i in range(len(out)): out[i] = value      # value already of out's dtype"""
    for i in range(out.size):
        out[i] = value


# ---- strided copy --------------------------------------------------------------------------

@njit(**_SERIAL)
def copy_range(a, a_strides, a_offset, shape, out_strides, out_offset, out, lo, hi):
    """Rows lo..hi of the strided copy, a row being the last dimension of `shape`:

        for r in range(lo, hi): idx = the r-th index tuple of shape[:-1] (row-major)
            for t in range(shape[-1]):
                out[out_offset + sum(idx[d] * out_strides[d]) + t * out_strides[-1]] =
                    a[a_offset + sum(idx[d] * a_strides[d]) + t * a_strides[-1]]

    converting to out's dtype on the store (float -> int truncates, -> bool is != 0).
    `shape` and the strides are int64 arrays of at least one dimension. Positions are
    used as unsigned integers: the backend checked that they lie inside both buffers,
    and Numba then skips its negative-index handling, so LLVM can vectorize the rows
    whose steps are 1 (and the repeated element of a broadcast row, step 0).
    """
    last = shape.size - 1
    size, a_step, out_step = shape[last], a_strides[last], out_strides[last]
    for r in range(lo, hi):
        a_start, out_start, rest = a_offset, out_offset, r
        for d in range(last - 1, -1, -1):
            index = rest % shape[d]
            rest //= shape[d]
            a_start += index * a_strides[d]
            out_start += index * out_strides[d]
        for t in range(size):
            out[np.uint64(out_start + t * out_step)] = a[np.uint64(a_start + t * a_step)]


@njit(**_PARALLEL)
def copy_parallel(a, a_strides, a_offset, shape, out_strides, out_offset, out, rows, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, rows)
        copy_range(a, a_strides, a_offset, shape, out_strides, out_offset, out, lo, hi)


# ---- reductions ----------------------------------------------------------------------------

@njit(**_SUMMING)
def reduce_range(code, a, reduce_size, out, lo, hi):
    """for i in range(lo, hi): out[i] = OP(a[i * reduce_size:(i + 1) * reduce_size])

    sum accumulates floats in float64 and integers in int64 (an empty row sums to 0);
    max and min are nan when the row holds a nan, and need a non-empty row.
    """
    for i in range(lo, hi):
        row = a[i * reduce_size:(i + 1) * reduce_size]
        if code == SUM:
            total = 0
            for t in range(row.size):
                total += row[t]
            out[i] = total
        elif code == MAX:
            best = row[0]
            for t in range(1, row.size):
                if row[t] > best or row[t] != row[t]:
                    best = row[t]
            out[i] = best
        elif code == MIN:
            best = row[0]
            for t in range(1, row.size):
                if row[t] < best or row[t] != row[t]:
                    best = row[t]
            out[i] = best


@njit(**_PARALLEL)
def reduce_parallel(code, a, reduce_size, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size)
        reduce_range(code, a, reduce_size, out, lo, hi)


# ---- matmul and linear ---------------------------------------------------------------------

@njit(**_SUMMING)
def matmul_range(a, b, m, k, n, out, lo, hi):
    """Output rows lo..hi of the batched product (row r = p * m + i):

        for r in range(lo, hi): p = r // m
            for j in range(n):
                out[r*n + j] = sum(a[r*k + t] * b[(p*k + t)*n + j] for t in range(k))

    computed as out row += a[r, t] * b row t, so the inner loop runs along rows of b.
    Rows are sliced out first: indexing a slice with a range() variable lets Numba drop
    its negative-index handling, which is what allows LLVM to vectorize the loop.
    """
    for r in range(lo, hi):
        a_row = a[r * k:(r + 1) * k]
        b_block = b[(r // m) * k * n:(r // m + 1) * k * n]
        out_row = out[r * n:(r + 1) * n]
        for j in range(n):
            out_row[j] = 0
        for t in range(k):
            x = a_row[t]
            b_row = b_block[t * n:(t + 1) * n]
            for j in range(n):
                out_row[j] += x * b_row[j]


@njit(**_PARALLEL)
def matmul_parallel(a, b, m, k, n, out, parts):
    rows = out.size // n
    for part in prange(parts):
        lo, hi = _slice(part, parts, rows)
        matmul_range(a, b, m, k, n, out, lo, hi)


@njit(**_SUMMING)
def linear_range(x, weight, bias, k, n, out, lo, hi):
    """Rows lo..hi of x @ weight.T + bias, with weight stored (n, k):

        for i in range(lo, hi): for j in range(n):
            out[i*n + j] = sum(x[i*k + t] * weight[j*k + t] for t in range(k)) + bias[j]

    (no bias term when bias is None). Dot products accumulate in the buffers' dtype.
    """
    zero = out.dtype.type(0)
    for i in range(lo, hi):
        x_row = x[i * k:(i + 1) * k]
        out_row = out[i * n:(i + 1) * n]
        for j in range(n):
            weight_row = weight[j * k:(j + 1) * k]
            total = zero
            for t in range(k):
                total += x_row[t] * weight_row[t]
            if bias is not None:
                total += bias[j]
            out_row[j] = total


@njit(**_PARALLEL)
def linear_parallel(x, weight, bias, k, n, out, parts):
    rows = out.size // n
    for part in prange(parts):
        lo, hi = _slice(part, parts, rows)
        linear_range(x, weight, bias, k, n, out, lo, hi)


# ---- gather and scatter --------------------------------------------------------------------

@njit(**_SERIAL)
def take(a, index, out):
    """for i in range(len(out)): out[i] = a[index[i]]      # index checked in range"""
    for i in range(out.size):
        out[i] = a[index[i]]


@njit(**_SERIAL)
def take_rows_range(a, offset, row_size, index, out, lo, hi):
    """for i in range(lo, hi), j < row_size:
        out[i*row_size + j] = a[offset + index[i]*row_size + j]    # index checked in range
    (a batch of rows, e.g. a DataLoader's)"""
    for i in range(lo, hi):
        start = offset + index[i] * row_size
        out[i * row_size:(i + 1) * row_size] = a[start:start + row_size]


@njit(**_PARALLEL)
def take_rows_parallel(a, offset, row_size, index, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, index.size)
        take_rows_range(a, offset, row_size, index, out, lo, hi)


@njit(**_SERIAL)
def index_put(index, values, accumulate, out):
    """for i in range(len(index)): out[index[i]] = values[i], or += when accumulate

    In order, so with repeated indices the last write wins; accumulating into bool is a
    logical or (the sum is stored as != 0).
    """
    if accumulate:
        for i in range(index.size):
            out[index[i]] += values[i]
    else:
        for i in range(index.size):
            out[index[i]] = values[i]


# ---- checks the backend runs before a kernel -----------------------------------------------

@njit(**_SERIAL)
def first_out_of_range(index, limit):
    """The first i with index[i] outside [0, limit), or -1."""
    for i in range(index.size):
        if index[i] < 0 or index[i] >= limit:
            return i
    return -1


@njit(**_SERIAL)
def has_zero(a):
    """True when some a[i] == 0."""
    for i in range(a.size):
        if a[i] == 0:
            return True
    return False


# ---- fused training kernels (float buffers) ------------------------------------------------

@njit(**_SERIAL)
def relu_backward_range(grad, x, out, lo, hi):
    """for i in range(lo, hi): out[i] = 0 if x[i] <= 0 else grad[i] (a nan x passes
    grad on)"""
    grad, x, out = grad[lo:hi], x[lo:hi], out[lo:hi]
    for i in range(out.size):
        out[i] = 0 if x[i] <= 0 else grad[i]


@njit(**_PARALLEL)
def relu_backward_parallel(grad, x, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size)
        relu_backward_range(grad, x, out, lo, hi)


@njit(inline="always", **_SERIAL)
def _row_max(row):
    """max(row), nan if any is nan; row is not empty."""
    top = row[0]
    for c in range(1, row.size):
        if row[c] > top or row[c] != row[c]:
            top = row[c]
    return top


@njit(inline="always", **_SUMMING)
def _logsumexp(row):
    """(max(row), log(sum(exp(row - max(row))))), the sum in float64; row is not empty."""
    top = _row_max(row)
    total = 0.0
    for c in range(row.size):
        total += math.exp(row[c] - top)
    return top, math.log(total)


@njit(**_SUMMING)
def log_softmax_range(x, cols, out, lo, hi):
    """for r in range(lo, hi): row = x[r*cols:(r + 1)*cols]
        out[r*cols + c] = row[c] - max(row) - log(sum(exp(row - max(row))))"""
    for r in range(lo, hi):
        row, out_row = x[r * cols:(r + 1) * cols], out[r * cols:(r + 1) * cols]
        top, log_total = _logsumexp(row)
        for c in range(cols):
            out_row[c] = row[c] - top - log_total


@njit(**_PARALLEL)
def log_softmax_parallel(x, cols, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size // cols)
        log_softmax_range(x, cols, out, lo, hi)


@njit(**_SUMMING)
def log_softmax_backward_range(grad, y, cols, out, lo, hi):
    """for r in range(lo, hi): for each c of the row,
        out[r*cols + c] = grad[r*cols + c] - exp(y[r*cols + c]) * sum(grad over row r)"""
    for r in range(lo, hi):
        row = slice(r * cols, (r + 1) * cols)
        grad_row, y_row, out_row = grad[row], y[row], out[row]
        total = 0.0
        for c in range(cols):
            total += grad_row[c]
        for c in range(cols):
            out_row[c] = grad_row[c] - math.exp(y_row[c]) * total


@njit(**_PARALLEL)
def log_softmax_backward_parallel(grad, y, cols, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size // cols)
        log_softmax_backward_range(grad, y, cols, out, lo, hi)


@njit(**_SUMMING)
def cross_entropy_range(logits, target, cols, out, probs, lo, hi):
    """for r in range(lo, hi): row = logits[r*cols:(r + 1)*cols]
        out[r] = logsumexp(row) - row[target[r]]
        probs[r*cols + c] = softmax(row)[c] = exp(row[c] - max(row)) / sum(exp(row - max(row)))
    (the sum in float64; probs holds exp(row - max(row)) until it is known)"""
    for r in range(lo, hi):
        row, probs_row = logits[r * cols:(r + 1) * cols], probs[r * cols:(r + 1) * cols]
        top = _row_max(row)
        total = 0.0
        for c in range(cols):
            shifted = math.exp(row[c] - top)
            probs_row[c] = shifted
            total += shifted
        # (top - row[t]) first: top + log(total) would lose log(total) when |top| is huge
        out[r] = (top - row[target[r]]) + math.log(total)
        scale = 1.0 / total
        for c in range(cols):
            probs_row[c] *= scale


@njit(**_PARALLEL)
def cross_entropy_parallel(logits, target, cols, out, probs, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, out.size)
        cross_entropy_range(logits, target, cols, out, probs, lo, hi)


@njit(**_SERIAL)
def cross_entropy_backward_range(probs, target, grad, cols, out, lo, hi):
    """for r in range(lo, hi): for c in range(cols):
        out[r*cols + c] = grad[r] * (probs[r*cols + c] - (c == target[r]))"""
    for r in range(lo, hi):
        probs_row, out_row = probs[r * cols:(r + 1) * cols], out[r * cols:(r + 1) * cols]
        g = grad[r]
        for c in range(cols):
            out_row[c] = g * probs_row[c]
        out_row[target[r]] -= g


@njit(**_PARALLEL)
def cross_entropy_backward_parallel(probs, target, grad, cols, out, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, grad.size)
        cross_entropy_backward_range(probs, target, grad, cols, out, lo, hi)


# ---- optimizer steps (in place; scalars are float64, results round to param's dtype) ------

@njit(**_SERIAL)
def sgd_step_range(grad, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov,
                   first_step, param, lo, hi):
    """for i in range(lo, hi):
        g = grad[i] + weight_decay * param[i]
        if momentum_buffer is not None:
            buf[i] = g if first_step else momentum * buf[i] + (1 - dampening) * g
            g = g + momentum * buf[i] if nesterov else buf[i]
        param[i] -= lr * g"""
    grad, param = grad[lo:hi], param[lo:hi]
    if momentum_buffer is None:
        for i in range(param.size):
            param[i] -= lr * (grad[i] + weight_decay * param[i])
        return
    buf = momentum_buffer[lo:hi]
    for i in range(param.size):
        g = grad[i] + weight_decay * param[i]
        buf[i] = g if first_step else momentum * buf[i] + (1 - dampening) * g
        param[i] -= lr * (g + momentum * buf[i] if nesterov else buf[i])


@njit(**_PARALLEL)
def sgd_step_parallel(grad, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov,
                      first_step, param, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, param.size)
        sgd_step_range(grad, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov,
                       first_step, param, lo, hi)


@njit(**_SERIAL)
def adam_step_range(grad, exp_avg, exp_avg_sq, step_size, correction2, lr, beta1, beta2, eps,
                    weight_decay, decoupled, param, lo, hi):
    """for i in range(lo, hi):                 # step_size = lr / (1 - beta1**step),
                                               # correction2 = 1 - beta2**step
        if decoupled: param[i] *= 1 - lr * weight_decay; g = grad[i]
        else: g = grad[i] + weight_decay * param[i]
        exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
        exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
        param[i] -= step_size * exp_avg[i] / (sqrt(exp_avg_sq[i] / correction2) + eps)"""
    grad, param = grad[lo:hi], param[lo:hi]
    exp_avg, exp_avg_sq = exp_avg[lo:hi], exp_avg_sq[lo:hi]
    for i in range(param.size):
        g = grad[i]
        if decoupled:
            param[i] *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param[i]
        exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
        exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
        param[i] -= step_size * exp_avg[i] / (math.sqrt(exp_avg_sq[i] / correction2) + eps)


@njit(**_PARALLEL)
def adam_step_parallel(grad, exp_avg, exp_avg_sq, step_size, correction2, lr, beta1, beta2,
                       eps, weight_decay, decoupled, param, parts):
    for part in prange(parts):
        lo, hi = _slice(part, parts, param.size)
        adam_step_range(grad, exp_avg, exp_avg_sq, step_size, correction2, lr, beta1, beta2,
                        eps, weight_decay, decoupled, param, lo, hi)
