"""The `c` backend: C99 kernels compiled with cffi (API mode), driven from here.

Storage is a `CBuffer`: a C array (not zero-filled; large ones from mt_alloc, which
caches freed blocks for reuse, see memory.c) plus its dtype name and size. Its cffi
pointer is made once and kept, so a kernel call costs one cffi call (~0.15 us) plus the
checks below, not a `ffi.from_buffer` per argument.

This module is the boundary the C code trusts. Before calling C, every kernel checks
that its buffers have the dtypes and sizes its contract needs, that the strides and
offsets given to `copy` keep every access inside the buffers, and (with a C scan) that
the index values of take / take_rows / index_put / cross_entropy are in range; a
violation raises ValueError or IndexError naming the kernel and the sizes. All checks
are O(1) per call (O(ndim) for strided handles) except those index scans. Integer
floordiv/mod by zero raise ZeroDivisionError: the C kernel scans the divisor and reports
it before writing anything.

Strided fast paths: `view(buffer, shape, strides, offset)` returns a `CView`, validated
once when it is made (every element it can reach lies inside the buffer, strides >= 0);
the core caches it on the tensor, and matmul_view / reduce_view take such handles.
Their outputs must be compact views (fresh buffers, as the core makes them).

The compiled half is `minitorch_backends._c_kernels`, built from minitorch_backends/c/
by `pip install .` / `pip install -e .` (see setup.py) when a C compiler is available,
or in place with `python backends/minitorch_backends/c/build_kernels.py`. After editing
the C, rebuild with either. Without the extension, CBackend() raises BackendUnavailable
and minitorch lists the `c` backend as unavailable, with the reason.
"""
import numpy as np

from minitorch.contract import BINARY_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS, check_region
from minitorch.registry import BackendUnavailable

try:
    from minitorch_backends._c_kernels import ffi, lib
except ImportError as error:  # not built (no compiler at install time), or built elsewhere
    ffi = lib = None
    _IMPORT_ERROR = error

DTYPES = ("float32", "float64", "int64", "bool")
_FLOATS = ("float32", "float64")
_ARRAY_TYPES = {"float32": "float[]", "float64": "double[]", "int64": "int64_t[]",
                "bool": "uint8_t[]"}
_NUMPY = {name: np.dtype(name) for name in DTYPES}
_ITEMSIZE = {name: dtype.itemsize for name, dtype in _NUMPY.items()}
_NAME_OF = {dtype: name for name, dtype in _NUMPY.items()}   # numpy's dtype.name is slow

if lib is not None:
    # Large buffers come from mt_alloc, which caches freed blocks for the next
    # allocation of the same size (see memory.c): a training step's large buffers then
    # never page-fault after the first step. Small ones come from cffi's own allocator
    # (malloc), which costs ~0.3 us less per buffer to call.
    _allocate_large = ffi.new_allocator(alloc=lib.mt_alloc, free=lib.mt_free,
                                        should_clear_after_alloc=False)
    _allocate_small = ffi.new_allocator(should_clear_after_alloc=False)
    _LARGE_BYTES = lib.MT_CACHE_MIN_BYTES
    _DTYPE = {name: getattr(lib, "MT_" + name.upper()) for name in DTYPES}
    _UNARY = {op: getattr(lib, "MT_" + op.upper()) for op in UNARY_OPS}
    _BINARY = {op: getattr(lib, "MT_" + op.upper()) for op in (*BINARY_OPS, *COMPARE_OPS)}
    _REDUCE = {op: getattr(lib, "MT_" + op.upper()) for op in REDUCE_OPS}


class CBuffer:
    """A flat C array of `size` elements of `dtype_name` (bool: one byte, 0 or 1).

    `ptr` is the cffi array the kernels pass to C; `owner` is the object keeping the
    memory alive (here the same cffi array, which frees it when collected). Only `empty`
    and `from_numpy` make CBuffers, and the kernels trust `size` and `dtype_name`.
    """

    __slots__ = ("ptr", "dtype_name", "size", "owner")

    def __init__(self, size, dtype_name):
        allocate = (_allocate_large if size * _ITEMSIZE[dtype_name] >= _LARGE_BYTES
                    else _allocate_small)
        self.ptr = self.owner = allocate(_ARRAY_TYPES[dtype_name], size)
        self.dtype_name = dtype_name
        self.size = size

    def __repr__(self):
        return f"<CBuffer {self.size} x {self.dtype_name}>"


class CView:
    """A strided handle on a CBuffer: element idx is buffer[offset + sum(idx[d] * strides[d])].

    Made only by CBackend.view, which checks that every element it can reach lies inside
    the buffer and that no stride is negative; the *_view kernels trust that. `layout`
    caches the int64 array of shape + strides that the C reductions take (made on first
    use). `compact` says whether the elements are row-major and gap-free from `offset`.
    """

    __slots__ = ("buffer", "shape", "strides", "offset", "compact", "layout")

    def __init__(self, buffer, shape, strides, offset, compact):
        self.buffer = buffer
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.compact = compact
        self.layout = None

    def __repr__(self):
        return (f"<CView {self.shape} strides {self.strides} offset {self.offset} of "
                f"{self.buffer!r}>")


def _layout(handle):
    """The cached int64 array shape + strides of a CView, for the C reductions."""
    layout = handle.layout
    if layout is None:
        layout = handle.layout = ffi.new("int64_t[]", (*handle.shape, *handle.strides))
    return layout


# ---- error reporting (the slow path: only called once a check has failed) -------------

def _mismatch(kernel, expected, **buffers):
    shown = ", ".join(f"{name} is {b.size} x {b.dtype_name}" for name, b in buffers.items())
    raise ValueError(f"{kernel}: expected {expected}; got {shown}")


def _raise_status(kernel, status, what):
    if status == lib.MT_ZERO_DIVISION:
        raise ZeroDivisionError(f"{kernel}: integer division by zero")
    if status == lib.MT_UNSUPPORTED:
        raise ValueError(f"{kernel}: {what} is not supported")
    if status == lib.MT_NO_MEMORY:
        raise MemoryError(f"{kernel}: the GEMM cannot allocate its packing buffers")
    raise RuntimeError(f"{kernel}: unexpected status {status} from C")


# ---- checks ---------------------------------------------------------------------------

def _check_counts(kernel, **counts):
    for name, value in counts.items():
        if value < 0:
            raise ValueError(f"{kernel}: {name} = {value} is negative")


def _check_indices(kernel, index, limit, what="index"):
    """index: an int64 CBuffer, every value of which must lie in [0, limit)."""
    if index.dtype_name != "int64":
        raise ValueError(f"{kernel}: {what} must be int64, got {index.dtype_name}")
    bad = lib.mt_find_out_of_range(index.ptr, index.size, limit)
    if bad >= 0:
        raise IndexError(f"{kernel}: {what}[{bad}] = {index.ptr[bad]} is out of range for "
                         f"size {limit}")


def _check_float_rows(kernel, rows, cols, first, **matrices):
    """first is a float buffer; each of matrices has its dtype and rows * cols elements."""
    _check_counts(kernel, rows=rows, cols=cols)
    if first.dtype_name not in _FLOATS or any(
            m.dtype_name != first.dtype_name or m.size != rows * cols for m in matrices.values()):
        _mismatch(kernel, f"float buffers of rows * cols = {rows * cols} elements", **matrices)


def _check_like(kernel, reference, **buffers):
    """reference is a float buffer; each of buffers has its dtype and size."""
    if reference.dtype_name not in _FLOATS or any(
            b.dtype_name != reference.dtype_name or b.size != reference.size
            for b in buffers.values()):
        _mismatch(kernel, f"float buffers of one dtype and param's size {reference.size}",
                  **buffers)


def _is_row_major(handle):
    """True when handle's elements are row-major without gaps (size-1 dims ignored); an
    empty handle reaches no element, so it always is."""
    if 0 in handle.shape:
        return True
    expected = 1
    for size, stride in zip(reversed(handle.shape), reversed(handle.strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def _batch_strides(name, handle, batch):
    """handle's strides over the batch dims `batch` of a matmul: its own batch dims
    right-aligned, 0 where it broadcasts (missing or size-1 dims)."""
    own = handle.shape[:-2]
    skip = len(batch) - len(own)
    strides = [0] * skip
    for size, stride, target in zip(own, handle.strides[:-2], batch[skip:]):
        if size != target and size != 1:
            raise ValueError(f"matmul_view: {name} batch dims {own} do not broadcast to "
                             f"{batch}")
        strides.append(stride if size == target and size != 1 else 0)
    return strides


class CBackend:
    """minitorch's `c` backend. See minitorch.contract for the kernel contracts."""

    name = "c"
    dtypes = DTYPES

    def __init__(self):
        if lib is None:
            raise BackendUnavailable(
                f"its compiled kernels are not built ({_IMPORT_ERROR}); `pip install -e .` "
                "compiles them when a C compiler is available (`pip install -v -e .` shows "
                "why a build failed), and so does "
                "`python backends/minitorch_backends/c/build_kernels.py`")

    # ---- threads and GEMM ---------------------------------------------------------------
    def set_num_threads(self, n):
        """Threads the kernels may use (default: OpenMP's, i.e. $OMP_NUM_THREADS or the CPU
        count; always 1 without OpenMP): the GEMM (products under ~2 MFLOP use 1) and
        the large take_rows, sgd_step and adam_step loops. On a machine busy with other
        processes a thread without a CPU stalls a parallel loop at its join; the kernels
        then run on one thread for a while (see threads.c's oversubscription guard;
        `lib.mt_thread_backoff()` says how many loops are left), which halves the cost
        of a busy CPU but does not remove it: OpenMP's idle threads still spin for a
        while after each loop. 1 thread, or OMP_WAIT_POLICY=passive, is the
        choice for a machine known to be busy."""
        if n < 1:
            raise ValueError(f"set_num_threads: need at least 1 thread, got {n}")
        lib.mt_set_num_threads(n)

    def get_num_threads(self):
        return lib.mt_get_num_threads()

    # ---- memory -------------------------------------------------------------------------
    def cached_bytes(self):
        """Bytes of freed buffers the allocator keeps for reuse (see memory.c)."""
        return lib.mt_cached_bytes()

    def empty_cache(self):
        """Give the allocator's cached blocks back to the system (like PyTorch's
        torch.cuda.empty_cache); buffers in use are not affected."""
        lib.mt_empty_cache()

    @property
    def openmp(self):
        """True when the extension was compiled with OpenMP."""
        return bool(lib.mt_openmp_enabled())

    @property
    def gemm_isa(self):
        """The GEMM micro-kernel in use: "avx512", "avx2" or "generic" (settable)."""
        return ffi.string(lib.mt_gemm_isa()).decode()

    @gemm_isa.setter
    def gemm_isa(self, name):
        if lib.mt_gemm_use_isa(name.encode()) != 0:
            raise ValueError(f"gemm_isa: {name!r} is unknown or not supported by this CPU")

    # ---- storage ------------------------------------------------------------------------
    def empty(self, size, dtype):
        if dtype.name not in _DTYPE or size < 0:
            raise ValueError(f"empty: cannot make {size} elements of {dtype.name}")
        return CBuffer(size, dtype.name)

    def from_numpy(self, array):
        array = np.ascontiguousarray(array).reshape(-1)
        name = _NAME_OF.get(array.dtype)
        if name is None:
            raise ValueError(f"from_numpy: unsupported numpy dtype {array.dtype}")
        buffer = CBuffer(array.size, name)
        ffi.memmove(buffer.ptr, array, array.nbytes)
        return buffer

    def to_numpy(self, a):
        array = np.empty(a.size, _NUMPY[a.dtype_name])
        ffi.memmove(array, a.ptr, array.nbytes)
        return array

    # ---- required kernels ---------------------------------------------------------------
    def fill(self, value, out):
        if out.dtype_name in _FLOATS:
            lib.mt_fill(_DTYPE[out.dtype_name], float(value), 0, out.ptr, out.size)
        else:
            integer = bool(value) if out.dtype_name == "bool" else int(value)
            lib.mt_fill(_DTYPE[out.dtype_name], 0.0, integer, out.ptr, out.size)

    def copy(self, a, a_strides, a_offset, shape, out_strides, out_offset, out):
        ndim = len(shape)
        if ndim > lib.MT_MAX_NDIM:
            raise ValueError(f"copy: {ndim} dims, at most {lib.MT_MAX_NDIM} are supported")
        check_region("copy", "a", a.size, shape, a_strides, a_offset)
        check_region("copy", "out", out.size, shape, out_strides, out_offset)
        layout = ffi.new("int64_t[]", (*shape, *a_strides, *out_strides))
        lib.mt_copy(_DTYPE[a.dtype_name], a.ptr, layout + ndim, a_offset, ndim, layout,
                    _DTYPE[out.dtype_name], out.ptr, layout + 2 * ndim, out_offset)

    def unary(self, op, a, out):
        if a.dtype_name != out.dtype_name or a.size != out.size:
            _mismatch("unary", "out like a", a=a, out=out)
        if op not in _UNARY:
            raise ValueError(f"unary: unknown op {op!r}")
        status = lib.mt_unary(_UNARY[op], _DTYPE[a.dtype_name], a.ptr, out.ptr, a.size)
        if status:
            _raise_status("unary", status, f"{op} of {a.dtype_name}")

    def binary(self, op, a, b, out):
        out_dtype = "bool" if op in COMPARE_OPS else a.dtype_name
        if (a.dtype_name != b.dtype_name or out.dtype_name != out_dtype
                or a.size != b.size or a.size != out.size):
            _mismatch("binary", f"b like a and out of {out_dtype} for {op}", a=a, b=b, out=out)
        if op not in _BINARY:
            raise ValueError(f"binary: unknown op {op!r}")
        status = lib.mt_binary(_BINARY[op], _DTYPE[a.dtype_name], a.ptr, b.ptr, out.ptr,
                               a.size)
        if status:
            _raise_status("binary", status, f"{op} of {a.dtype_name}")

    def where(self, cond, a, b, out):
        if (cond.dtype_name != "bool" or a.dtype_name != b.dtype_name
                or a.dtype_name != out.dtype_name
                or not cond.size == a.size == b.size == out.size):
            _mismatch("where", "a bool cond and a, b, out of one dtype, all of one size",
                      cond=cond, a=a, b=b, out=out)
        lib.mt_where(_DTYPE[a.dtype_name], cond.ptr, a.ptr, b.ptr, out.ptr, cond.size)

    def reduce(self, op, a, reduce_size, out):
        _check_counts("reduce", reduce_size=reduce_size)
        if a.dtype_name != out.dtype_name or a.size != out.size * reduce_size:
            _mismatch("reduce", f"a of out's dtype and out.size * {reduce_size} elements",
                      a=a, out=out)
        if op not in _REDUCE:
            raise ValueError(f"reduce: unknown op {op!r}")
        if reduce_size == 0 and op != "sum" and out.size:
            raise ValueError(f"reduce: {op} of an empty row")
        status = lib.mt_reduce(_REDUCE[op], _DTYPE[a.dtype_name], a.ptr, reduce_size,
                               out.ptr, out.size)
        if status:
            _raise_status("reduce", status, f"{op} of {a.dtype_name}")

    def matmul(self, a, b, batch, m, k, n, out):
        _check_counts("matmul", batch=batch, m=m, k=k, n=n)
        if (a.dtype_name != b.dtype_name or a.dtype_name != out.dtype_name
                or a.size != batch * m * k or b.size != batch * k * n
                or out.size != batch * m * n):
            _mismatch("matmul", f"one dtype, a of {batch}*{m}*{k}, b of {batch}*{k}*{n}, out "
                      f"of {batch}*{m}*{n} elements", a=a, b=b, out=out)
        status = lib.mt_matmul(_DTYPE[a.dtype_name], a.ptr, b.ptr, batch, m, k, n, out.ptr)
        if status:
            _raise_status("matmul", status, f"matmul of {a.dtype_name}")

    def take(self, a, index, out):
        if a.dtype_name != out.dtype_name or out.size != index.size:
            _mismatch("take", "out of a's dtype and index's size", a=a, index=index, out=out)
        _check_indices("take", index, a.size)
        lib.mt_take(_DTYPE[a.dtype_name], a.ptr, index.ptr, out.ptr, index.size)

    def index_put(self, index, values, accumulate, out):
        if values.dtype_name != out.dtype_name or values.size != index.size:
            _mismatch("index_put", "values of out's dtype and index's size", index=index,
                      values=values, out=out)
        _check_indices("index_put", index, out.size)
        lib.mt_index_put(_DTYPE[out.dtype_name], index.ptr, values.ptr, bool(accumulate),
                         out.ptr, index.size)

    def take_rows(self, a, offset, rows, row_size, index, out):
        """for i < index.size, j < row_size:
            out[i*row_size + j] = a[offset + index[i]*row_size + j], 0 <= index[i] < rows"""
        _check_counts("take_rows", offset=offset, rows=rows, row_size=row_size)
        if (a.dtype_name != out.dtype_name or offset + rows * row_size > a.size
                or out.size != index.size * row_size):
            _mismatch("take_rows", f"out of a's dtype and index.size * {row_size} elements, "
                      f"and a holding {rows} rows of {row_size} from {offset}", a=a,
                      index=index, out=out)
        _check_indices("take_rows", index, rows)
        lib.mt_take_rows(_DTYPE[a.dtype_name], a.ptr, offset, row_size, index.ptr,
                         index.size, out.ptr)

    # ---- strided fast paths (CView handles) ---------------------------------------------
    def view(self, a, shape, strides, offset):
        """A CView of buffer `a`; raises unless every element it can reach is inside `a`."""
        ndim = len(shape)
        if len(strides) != ndim:
            raise ValueError(f"view: {len(strides)} strides for shape {tuple(shape)}")
        high = offset
        expected = 1                  # the row-major stride of the dim being looked at
        compact = offset == 0
        for i in range(ndim - 1, -1, -1):
            size = shape[i]
            stride = strides[i]
            if size > 1:
                if stride != expected:
                    compact = False
                    if stride < 0:
                        break
                high += (size - 1) * stride
                expected *= size
            elif size == 1:
                if stride < 0:
                    break
            else:
                if size < 0 or stride < 0:
                    break
                expected = 0          # empty: reaches nothing
        else:
            if offset < 0 or (expected and high >= a.size):
                raise IndexError(f"view: elements {offset}..{high} (shape {tuple(shape)}, "
                                 f"strides {tuple(strides)}, offset {offset}) are outside "
                                 f"the buffer of {a.size}")
            return CView(a, tuple(shape), tuple(strides), offset,
                         compact and expected == a.size)
        raise ValueError(f"view: negative size or stride in shape {tuple(shape)}, strides "
                         f"{tuple(strides)}")

    def matmul_view(self, a, b, out):
        """(..., m, k) @ (..., k, n) -> out (..., m, n), batch dims broadcast to out's; a and
        b may have any strides (transposed and sliced matrices are read in place); out
        must be compact."""
        a_shape, b_shape, out_shape = a.shape, b.shape, out.shape
        dtype = a.buffer.dtype_name
        nbatch = len(out_shape) - 2
        if (len(a_shape) < 2 or len(b_shape) < 2 or nbatch < max(len(a_shape), len(b_shape)) - 2
                or a_shape[-1] != b_shape[-2] or out_shape[-2:] != (a_shape[-2], b_shape[-1])
                or b.buffer.dtype_name != dtype or out.buffer.dtype_name != dtype):
            raise ValueError(f"matmul_view: cannot multiply {a_shape} {dtype} by {b_shape} "
                             f"{b.buffer.dtype_name} into {out_shape} {out.buffer.dtype_name}")
        if not out.compact and not _is_row_major(out):
            raise ValueError(f"matmul_view: out must be compact, got strides {out.strides}")
        if out.buffer is a.buffer or out.buffer is b.buffer:
            raise ValueError("matmul_view: out shares its buffer with an operand")
        m, k = a_shape[-2:]
        n = b_shape[-1]
        if nbatch == 0:
            layout = ffi.NULL
        else:
            if nbatch > lib.MT_MAX_NDIM:
                raise ValueError(f"matmul_view: {nbatch} batch dims, at most "
                                 f"{lib.MT_MAX_NDIM} are supported")
            batch = out_shape[:-2]
            layout = ffi.new("int64_t[]", (*batch, *_batch_strides("a", a, batch),
                                           *_batch_strides("b", b, batch)))
        status = lib.mt_matmul_view(_DTYPE[dtype], nbatch, layout, m, k, n, a.buffer.ptr,
                                    a.offset, a.strides[-2], a.strides[-1], b.buffer.ptr,
                                    b.offset, b.strides[-2], b.strides[-1],
                                    out.buffer.ptr + out.offset)
        if status:
            _raise_status("matmul_view", status, f"matmul of {dtype}")

    def reduce_view(self, op, a, axes, out):
        """out (a's shape, every axis in `axes` of size 1, compact) = OP over those axes;
        op in sum / max / min (out of a's dtype) or argmax / argmin (one axis, out int64)."""
        ndim = len(a.shape)
        dtype = a.buffer.dtype_name
        arg = op in ("argmax", "argmin")
        if not arg and op not in _REDUCE:
            raise ValueError(f"reduce_view: unknown op {op!r}")
        mask = 0
        for axis in axes:
            if not 0 <= axis < ndim or mask >> axis & 1:
                raise ValueError(f"reduce_view: bad or repeated axis {axis} in {tuple(axes)} "
                                 f"for {ndim} dims")
            mask |= 1 << axis
        kept = tuple(1 if mask >> d & 1 else size for d, size in enumerate(a.shape))
        out_dtype = "int64" if arg else dtype
        if (out.shape != kept or out.buffer.dtype_name != out_dtype
                or (arg and len(axes) != 1)):
            raise ValueError(f"reduce_view: {op} over axes {tuple(axes)} of {a.shape} {dtype} "
                             f"needs out {kept} {out_dtype}, got {out.shape} "
                             f"{out.buffer.dtype_name}")
        if not out.compact and not _is_row_major(out):
            raise ValueError(f"reduce_view: out must be compact, got strides {out.strides}")
        if out.buffer is a.buffer:
            raise ValueError("reduce_view: out shares its buffer with a")
        if ndim > lib.MT_MAX_NDIM:
            raise ValueError(f"reduce_view: {ndim} dims, at most {lib.MT_MAX_NDIM} are "
                             "supported")
        if op != "sum" and 0 in a.shape and 0 not in kept:
            raise ValueError(f"reduce_view: {op} of an empty axis of {a.shape}")
        if arg:
            status = lib.mt_arg_reduce_view(lib.MT_MAX if op == "argmax" else lib.MT_MIN,
                                            _DTYPE[dtype], a.buffer.ptr, a.offset, ndim,
                                            _layout(a), axes[0], out.buffer.ptr + out.offset)
        else:
            status = lib.mt_reduce_view(_REDUCE[op], _DTYPE[dtype], a.buffer.ptr, a.offset,
                                        ndim, _layout(a), mask, out.buffer.ptr + out.offset)
        if status:
            _raise_status("reduce_view", status, f"{op} of {dtype}")

    # ---- fused kernels (float32 / float64) ----------------------------------------------
    def linear(self, x, weight, bias, m, k, n, out):
        _check_counts("linear", m=m, k=k, n=n)
        buffers = {"x": x, "weight": weight, "out": out}
        if bias is not None:
            buffers["bias"] = bias
        if (x.dtype_name not in _FLOATS
                or any(b.dtype_name != x.dtype_name for b in buffers.values())
                or x.size != m * k or weight.size != n * k or out.size != m * n
                or (bias is not None and bias.size != n)):
            _mismatch("linear", f"one float dtype, x of {m}*{k}, weight of {n}*{k}, bias of "
                      f"{n}, out of {m}*{n} elements", **buffers)
        lib.mt_gemm(_DTYPE[x.dtype_name], m, n, k, x.ptr, k, 1, weight.ptr, 1, k,
                    ffi.NULL if bias is None else bias.ptr, out.ptr)

    def linear_backward(self, grad, x, weight, m, k, n, grad_x, grad_weight, grad_bias):
        _check_counts("linear_backward", m=m, k=k, n=n)
        sizes = {"grad": (grad, m * n), "x": (x, m * k), "weight": (weight, n * k),
                 "grad_x": (grad_x, m * k), "grad_weight": (grad_weight, n * k),
                 "grad_bias": (grad_bias, n)}
        given = {name: (b, size) for name, (b, size) in sizes.items() if b is not None}
        if (grad.dtype_name not in _FLOATS
                or any(b.dtype_name != grad.dtype_name or b.size != size
                       for b, size in given.values())):
            _mismatch("linear_backward", f"one float dtype, grad of {m}*{n}, x of {m}*{k}, "
                      f"weight and grad_weight of {n}*{k}, grad_x of {m}*{k}, grad_bias of "
                      f"{n} elements", **{name: b for name, (b, _) in given.items()})
        dtype = _DTYPE[grad.dtype_name]
        if grad_x is not None:      # grad (m, n) @ weight (n, k)
            lib.mt_gemm(dtype, m, k, n, grad.ptr, n, 1, weight.ptr, k, 1, ffi.NULL, grad_x.ptr)
        if grad_weight is not None:  # grad.T (n, m) @ x (m, k)
            lib.mt_gemm(dtype, n, k, m, grad.ptr, 1, n, x.ptr, k, 1, ffi.NULL,
                        grad_weight.ptr)
        if grad_bias is not None:    # column sums: grad seen as (m, n), axis 0 reduced
            status = lib.mt_reduce_view(lib.MT_SUM, dtype, grad.ptr, 0, 2,
                                        ffi.new("int64_t[]", (m, n, n, 1)), 1, grad_bias.ptr)
            if status:
                _raise_status("linear_backward", status, f"bias gradient of {grad.dtype_name}")

    def relu_backward(self, grad, x, out):
        if (x.dtype_name not in _FLOATS or grad.dtype_name != x.dtype_name
                or out.dtype_name != x.dtype_name or not grad.size == x.size == out.size):
            _mismatch("relu_backward", "float buffers of one dtype and size", grad=grad, x=x,
                      out=out)
        lib.mt_relu_backward(_DTYPE[x.dtype_name], grad.ptr, x.ptr, out.ptr, x.size)

    def log_softmax(self, x, rows, cols, out):
        _check_float_rows("log_softmax", rows, cols, x, x=x, out=out)
        lib.mt_log_softmax(_DTYPE[x.dtype_name], x.ptr, rows, cols, out.ptr)

    def log_softmax_backward(self, grad, y, rows, cols, out):
        _check_float_rows("log_softmax_backward", rows, cols, y, grad=grad, y=y, out=out)
        lib.mt_log_softmax_backward(_DTYPE[y.dtype_name], grad.ptr, y.ptr, rows, cols, out.ptr)

    def cross_entropy(self, logits, target, rows, cols, out, probs):
        _check_float_rows("cross_entropy", rows, cols, logits, logits=logits, probs=probs)
        if out.dtype_name != logits.dtype_name or out.size != rows or target.size != rows:
            _mismatch("cross_entropy", f"target and out of rows = {rows} elements",
                      target=target, out=out)
        _check_indices("cross_entropy", target, cols, "target")
        lib.mt_cross_entropy(_DTYPE[logits.dtype_name], logits.ptr, target.ptr, rows, cols,
                             out.ptr, probs.ptr)

    def cross_entropy_backward(self, probs, target, grad, rows, cols, out):
        _check_float_rows("cross_entropy_backward", rows, cols, probs, probs=probs, out=out)
        if grad.dtype_name != probs.dtype_name or grad.size != rows or target.size != rows:
            _mismatch("cross_entropy_backward", f"target and grad of rows = {rows} elements",
                      target=target, grad=grad)
        _check_indices("cross_entropy_backward", target, cols, "target")
        lib.mt_cross_entropy_backward(_DTYPE[probs.dtype_name], probs.ptr, target.ptr,
                                      grad.ptr, rows, cols, out.ptr)

    # ---- optimizer updates (float32 / float64, in place on compact buffers) --------------
    def sgd_step(self, grad, momentum_buffer, lr, momentum, dampening, weight_decay,
                 nesterov, first_step, param):
        """for i: g = grad[i] + weight_decay * param[i]
            if momentum: buf[i] = g if first_step else momentum * buf[i] + (1 - dampening) * g
                         g = g + momentum * buf[i] if nesterov else buf[i]
            param[i] -= lr * g
        (momentum_buffer is needed when momentum != 0 and ignored when it is 0)"""
        dtype, size = param.dtype_name, param.size
        if momentum:
            if momentum_buffer is None:
                raise ValueError(f"sgd_step: momentum {momentum} needs a momentum_buffer")
            if momentum_buffer.dtype_name != dtype or momentum_buffer.size != size:
                _check_like("sgd_step", param, grad=grad, momentum_buffer=momentum_buffer,
                            param=param)
            buf = momentum_buffer.ptr
        else:
            buf = ffi.NULL
        if dtype not in _FLOATS or grad.dtype_name != dtype or grad.size != size:
            _check_like("sgd_step", param, grad=grad, param=param)
        lib.mt_sgd_step(_DTYPE[dtype], grad.ptr, buf, lr, momentum, dampening, weight_decay,
                        bool(nesterov), bool(first_step), param.ptr, size)

    def adam_step(self, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay,
                  decoupled, param):
        """for i: if decoupled (AdamW): param[i] *= 1 - lr * weight_decay; g = grad[i]
                   else: g = grad[i] + weight_decay * param[i]
            exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
            exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
            param[i] -= lr / (1 - beta1**step) * exp_avg[i] /
                        (sqrt(exp_avg_sq[i] / (1 - beta2**step)) + eps)
        (step counts from 1)"""
        _check_like("adam_step", param, grad=grad, exp_avg=exp_avg, exp_avg_sq=exp_avg_sq,
                    param=param)
        if step < 1:
            raise ValueError(f"adam_step: step counts from 1, got {step}")
        step_size = lr / (1 - beta1 ** step)
        correction = (1 - beta2 ** step) ** 0.5
        lib.mt_adam_step(_DTYPE[param.dtype_name], grad.ptr, exp_avg.ptr, exp_avg_sq.ptr,
                         step_size, correction, lr, beta1, beta2, eps, weight_decay,
                         bool(decoupled), param.ptr, param.size)

    def __repr__(self):
        return (f"<minitorch c backend: gemm {self.gemm_isa}, {self.get_num_threads()} "
                f"thread(s){'' if self.openmp else ', no OpenMP'}>")
