"""The backend contract: what a backend must provide, and what it may provide.

A backend owns *flat storage* and *loops*. The core (minitorch) owns layout: shape,
strides, offset and dtype live on the Tensor, and every view (reshape, permute,
expand, slicing) is computed there, identically for every backend.

A backend is any object with a `name`, a collection `dtypes` of dtype names it stores
(a subset of "float32", "float64", "int64", "bool"; it must include "float32", "int64"
and "bool") and the REQUIRED kernels below. Buffers are whatever the backend likes
(an `array.array`, a numpy array, a C pointer wrapper); the core never looks inside
one. A buffer must know its own dtype and size, so kernels take no dtype arguments.

Conventions for every kernel:
  * the output buffer comes last and was allocated by the core with `empty`;
    kernels never allocate (only `empty` and `from_numpy` make buffers);
  * flat kernels see contiguous row-major buffers of matching sizes; the core has
    already checked shapes, broadcast, and cast every input to one dtype;
  * `op` arguments are strings from the tables below.

Required kernels (signatures written as methods of the backend):

    empty(size, dtype) -> buffer
        A new buffer of `size` elements of `dtype` (a minitorch DType; read
        `dtype.name`). Contents are undefined.

    from_numpy(array) -> buffer
        A new buffer holding a copy of the 1-D contiguous numpy `array`, whose dtype is
        one of float32, float64, int64, bool.

    to_numpy(a) -> numpy.ndarray
        A 1-D numpy copy of the whole buffer `a` with the buffer's dtype.

    fill(value, out)
        for i in range(len(out)): out[i] = value        # value is a Python number

    copy(a, a_strides, a_offset, shape, out_strides, out_offset, out)
        The one kernel that knows strides. For every index tuple idx of `shape`
        (row-major order):
            out[out_offset + sum(idx[d] * out_strides[d])] = a[a_offset + sum(idx[d] * a_strides[d])]
        converting to out's dtype (float -> int truncates toward zero, anything ->
        bool is `!= 0`, bool -> number is 0/1). Strides may be 0 (broadcast) or
        negative-free; `a` and `out` may be the same buffer only if the core proved the
        regions do not overlap.

    unary(op, a, out)
        for i: out[i] = OP(a[i])                 # op in UNARY_OPS

    binary(op, a, b, out)
        for i: out[i] = OP(a[i], b[i])           # op in BINARY_OPS or COMPARE_OPS;
                                                 # comparisons write bool into out

    where(cond, a, b, out)
        for i: out[i] = a[i] if cond[i] else b[i]     # cond is a bool buffer

    reduce(op, a, reduce_size, out)
        for i in range(len(out)):                # op in REDUCE_OPS
            row = a[i * reduce_size:(i + 1) * reduce_size]
            out[i] = OP(row)                     # sum of an empty row is 0; the core
                                                 # never asks max/min of an empty row

    matmul(a, b, batch, m, k, n, out)
        for p in range(batch): for i in range(m): for j in range(n):
            out[(p*m + i)*n + j] = sum(a[(p*m + i)*k + t] * b[(p*k + t)*n + j] for t in range(k))

    take(a, index, out)
        for i: out[i] = a[index[i]]              # index: int64 buffer, in range (checked)

    index_put(index, values, accumulate, out)
        for i: out[index[i]] = values[i]         # or += when accumulate; with repeated
                                                 # indices and accumulate=False, last wins

Optional kernels are fast paths found by name; when one is missing, the core
decomposes the operation into required kernels (see minitorch.dispatch). A backend
can start with the required set and grow. See OPTIONAL_KERNELS for their contracts.
"""

import numpy as np

REQUIRED_KERNELS = ("empty", "from_numpy", "to_numpy", "fill", "copy", "unary", "binary",
                    "where", "reduce", "matmul", "take", "index_put")

UNARY_OPS = {
    "neg": "-x", "abs": "abs(x)", "sign": "-1, 0 or 1 with the sign of x",
    "exp": "e**x", "log": "natural log (log(0) = -inf, log(x<0) = nan)",
    "sqrt": "square root (nan below 0)", "sin": "sin(x)", "cos": "cos(x)",
    "tanh": "tanh(x)", "sigmoid": "1 / (1 + e**-x), without overflow",
    "relu": "max(x, 0)",
    # floats only, as IEEE/libm defines them: outside the domain the result is nan, at a
    # pole it is an infinity, and where the true value overflows it is +-inf
    "tan": "tan(x)", "asin": "arcsin(x) (nan outside [-1, 1])",
    "acos": "arccos(x) (nan outside [-1, 1])", "atan": "arctan(x)",
    "sinh": "sinh(x)", "cosh": "cosh(x)", "asinh": "arsinh(x)",
    "acosh": "arcosh(x) (nan below 1)",
    "atanh": "artanh(x) (+-inf at +-1, nan outside [-1, 1])",
    # int64 and bool only
    "bitwise_not": "~x (int64: every bit flipped; bool: not x)",
}
BINARY_OPS = {
    "add": "x + y", "sub": "x - y", "mul": "x * y", "div": "x / y (floats only)",
    "floordiv": "floor(x / y) (Python's //)", "mod": "x - floor(x / y) * y (Python's %)",
    "pow": "x ** y", "maximum": "max(x, y), nan if either is nan",
    "minimum": "min(x, y), nan if either is nan",
    "atan2": "the angle of the point (y, x) = C's atan2(x, y), signed zeros kept "
             "(floats only)",
    "fmod": "x - trunc(x / y) * y computed exactly (C's fmod: the sign of x; floats: nan "
            "for y == 0 or x infinite, x for y infinite; int64: division by zero is an "
            "error, as for floordiv and mod)",
    # int64 and bool (the shifts: int64 only)
    "bitwise_and": "x & y", "bitwise_or": "x | y", "bitwise_xor": "x ^ y",
    "bitwise_left_shift": "x << y with the bits shifted out dropped (wraps like C's "
                          "uint64 shift); 0 when y < 0 or y >= 64",
    "bitwise_right_shift": "x >> y, arithmetic (the sign bit fills); for y < 0 or "
                           "y >= 64: -1 when x < 0, else 0",
}
COMPARE_OPS = {"eq": "x == y", "ne": "x != y", "lt": "x < y", "le": "x <= y",
               "gt": "x > y", "ge": "x >= y"}
REDUCE_OPS = {"sum": "sum(row)", "max": "max(row), nan if any is nan",
              "min": "min(row), nan if any is nan"}

OPTIONAL_KERNELS = {
    # Strided fast paths. A backend with `view` hands the core a native handle for any
    # layout; the *_view kernels then take such handles instead of compact buffers.
    "view": "view(a, shape, strides, offset) -> handle on buffer a with that layout; "
            "the core caches it on the tensor",
    "copy_view": "copy_view(a, out): out[idx] = a[idx] for every idx, casting",
    "unary_view": "unary_view(op, a, out): out[idx] = OP(a[idx])",
    "binary_view": "binary_view(op, a, b, out): out[idx] = OP(a[idx], b[idx]) where a "
                   "and b broadcast to out's shape (NumPy rules; the core checked them)",
    "where_view": "where_view(cond, a, b, out): out[idx] = a[idx] if cond[idx] else b[idx], "
                  "broadcasting like binary_view",
    "reduce_view": "reduce_view(op, a, axes, out): out has a's shape with every axis in "
                   "`axes` of size 1; op in REDUCE_OPS or argmax/argmin (one axis)",
    "matmul_view": "matmul_view(a, b, out): (..., m, k) @ (..., k, n) -> (..., m, n), "
                   "batch dimensions broadcast to out's",
    "take_rows": "take_rows(a, offset, rows, row_size, index, out): for i, j: "
                 "out[i * row_size + j] = a[offset + index[i] * row_size + j], where "
                 "0 <= index[i] < rows (a batch of rows, e.g. x[index] in a DataLoader)",
    # Fused kernels on compact buffers.
    "linear": "linear(x, weight, bias, m, k, n, out): out[i, j] = sum_t x[i, t] * "
              "weight[j, t] + bias[j] (bias may be None)",
    "linear_backward": "linear_backward(grad, x, weight, m, k, n, grad_x, grad_weight, "
                       "grad_bias): the gradients of linear: grad_x[i, t] = sum_j grad[i, j] * "
                       "weight[j, t], grad_weight[j, t] = sum_i grad[i, j] * x[i, t], "
                       "grad_bias[j] = sum_i grad[i, j]; an output given as None is not "
                       "wanted",
    "relu_backward": "relu_backward(grad, x, out): out[i] = 0 if x[i] <= 0 else grad[i] "
                     "(PyTorch's threshold_backward: a nan x passes its gradient on, and a "
                     "dropped gradient is 0 even when it is inf or nan); the core passes "
                     "relu's output as x, as PyTorch saves it (relu(x) <= 0 exactly where "
                     "x <= 0, and relu(nan) is nan, so the mask is the input's)",
    "log_softmax": "log_softmax(x, rows, cols, out): each row of cols values, "
                   "out = x - max - log(sum(exp(x - max)))",
    "log_softmax_backward": "log_softmax_backward(grad, y, rows, cols, out): "
                            "out = grad - exp(y) * sum(grad over the row)",
    "cross_entropy": "cross_entropy(logits, target, rows, cols, out, probs): out[r] = "
                     "logsumexp(logits[r]) - logits[r, target[r]] and probs[r, c] = "
                     "softmax(logits[r])[c] (probs: rows * cols elements of logits' dtype, "
                     "kept for the backward)",
    "cross_entropy_backward": "cross_entropy_backward(probs, target, grad, rows, cols, out): "
                              "out[r, c] = grad[r] * (probs[r, c] - (c == target[r])), "
                              "probs as cross_entropy wrote them",
    # Optimizer updates, in place on compact buffers (param last, as the output).
    "sgd_step": "sgd_step(grad, momentum_buffer, lr, momentum, dampening, weight_decay, "
                "nesterov, first_step, param): g = grad + weight_decay * param; if momentum: "
                "buf = g if first_step else momentum * buf + (1 - dampening) * g; "
                "g = g + momentum * buf if nesterov else buf; param -= lr * g "
                "(momentum_buffer is None when momentum == 0)",
    "adam_step": "adam_step(grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, "
                 "weight_decay, decoupled, param): if decoupled (AdamW): param *= 1 - lr * "
                 "weight_decay, else g = grad + weight_decay * param; exp_avg = beta1 * exp_avg "
                 "+ (1 - beta1) * g; exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g; "
                 "param -= lr / (1 - beta1**step) * exp_avg / "
                 "(sqrt(exp_avg_sq / (1 - beta2**step)) + eps)",
}

SUPPORTED_DTYPES = ("float32", "float64", "int64", "bool")
MANDATORY_DTYPES = ("float32", "int64", "bool")


def first_out_of_range(values, limit):
    """The first of `values` (a numpy int64 array) outside [0, limit), or None when every
    one lies inside: class targets, gather indices. One pass when all are in range, the
    common case: read as unsigned, a negative int64 is larger than any limit, so only the
    largest needs comparing. (argmax is a plain C loop: on a batch of 128 indices it takes
    0.3 us where a ufunc reduction, max(), takes 1.3; item() of a flat position gives a
    Python int, which compares sooner than a numpy scalar.)"""
    if values.size == 0:
        return None
    unsigned = values.view(np.uint64)
    if unsigned.item(unsigned.argmax()) < limit:
        return None
    return int(values[(values < 0) | (values >= limit)][0])


def check_region(kernel, name, buffer_size, shape, strides, offset):
    """For backends that must not trust their inputs (C, Numba): raise unless every
    element offset + sum(idx[d] * strides[d]) for idx in `shape` lies in a buffer of
    buffer_size elements. An empty shape reaches nothing and always passes."""
    if len(strides) != len(shape):
        raise ValueError(f"{kernel}: {name} has {len(strides)} strides for shape "
                         f"{tuple(shape)}")
    if any(size < 0 for size in shape):
        raise ValueError(f"{kernel}: negative size in shape {tuple(shape)}")
    if 0 in shape:
        return
    low = high = offset
    for size, stride in zip(shape, strides):
        if stride > 0:
            high += (size - 1) * stride
        else:
            low += (size - 1) * stride
    if low < 0 or high >= buffer_size:
        raise IndexError(f"{kernel}: {name} elements {low}..{high} (shape {tuple(shape)}, "
                         f"strides {tuple(strides)}, offset {offset}) are outside its "
                         f"buffer of {buffer_size}")


class BackendError(RuntimeError):
    """A backend does not meet the contract, or cannot be used."""


def check_backend(candidate, origin):
    """Validate `candidate` against the contract; raise BackendError naming `origin`.

    Returns the frozenset of optional kernel names the candidate implements.
    """
    name = getattr(candidate, "name", None)
    if not isinstance(name, str) or not name:
        raise BackendError(f"{origin} registered {candidate!r}, which is not a backend: "
                           "it has no string attribute `name`")
    missing = [k for k in REQUIRED_KERNELS if not callable(getattr(candidate, k, None))]
    if missing:
        raise BackendError(f"backend {name!r} from {origin} lacks required kernels: "
                           f"{', '.join(missing)} (see minitorch.contract)")
    dtypes = tuple(getattr(candidate, "dtypes", ()))
    unknown = [d for d in dtypes if d not in SUPPORTED_DTYPES]
    if unknown:
        raise BackendError(f"backend {name!r} from {origin} declares unsupported dtypes "
                           f"{unknown}; supported are {', '.join(SUPPORTED_DTYPES)}")
    absent = [d for d in MANDATORY_DTYPES if d not in dtypes]
    if absent:
        raise BackendError(f"backend {name!r} from {origin} must support dtypes "
                           f"{', '.join(absent)} (declare them in `dtypes`)")
    optional = frozenset(k for k in OPTIONAL_KERNELS if callable(getattr(candidate, k, None)))
    strided = sorted(k for k in optional if k.endswith("_view"))
    if strided and "view" not in optional:
        raise BackendError(f"backend {name!r} from {origin} has {', '.join(strided)} but no "
                           "`view` kernel to make the handles they take")
    return optional
