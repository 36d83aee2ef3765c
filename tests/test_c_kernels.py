"""Kernel-level tests of the `c` backend: every kernel against the contract
(minitorch.contract) and numpy, torch's semantics where they differ from numpy's, and the
Python boundary's validation (no bad argument may reach the C code).

Skipped as a whole when the compiled extension is not built.
"""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from minitorch import dtype as dtypes
from minitorch.contract import OPTIONAL_KERNELS, check_backend
from minitorch.registry import BackendUnavailable

c_backend = pytest.importorskip("minitorch_backends.c_backend")
try:
    B = c_backend.CBackend()
except BackendUnavailable as error:
    pytest.skip(f"c backend unavailable: {error}", allow_module_level=True)

DTYPES = ("float32", "float64", "int64", "bool")
FLOATS = ("float32", "float64")
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1


def cbuf(values, dtype=None):
    return B.from_numpy(np.asarray(values, dtype=dtype).reshape(-1))


def out(size, name):
    return B.empty(size, dtypes.from_name(name))


def npy(buffer):
    return B.to_numpy(buffer)


def sample(name, size=64, seed=0):
    rng = np.random.default_rng(seed)
    if name == "bool":
        return rng.random(size) < 0.5
    if name == "int64":
        return rng.integers(-50, 50, size).astype(np.int64)
    return (rng.standard_normal(size) * 3).astype(name)


def isas():
    """The GEMM micro-kernels this CPU can run (the current one restored afterwards)."""
    current, found = B.gemm_isa, []
    for name in ("generic", "avx2", "avx512"):
        try:
            B.gemm_isa = name
            found.append(name)
        except ValueError:
            pass
    B.gemm_isa = current
    return found


# ---- the backend as minitorch sees it -----------------------------------------------------

def test_backend_meets_the_contract_with_its_fast_paths():
    optional = check_backend(B, "test")
    assert optional == {"linear", "linear_backward", "relu_backward", "log_softmax", "log_softmax_backward",
                        "cross_entropy", "cross_entropy_backward", "take_rows", "view",
                        "matmul_view", "reduce_view", "sgd_step", "adam_step"}
    assert optional <= set(OPTIONAL_KERNELS)
    assert B.name == "c" and set(B.dtypes) == set(DTYPES)


def test_missing_extension_makes_the_backend_unavailable_not_an_error():
    script = ("import sys; sys.modules['minitorch_backends._c_kernels'] = None\n"
              "import minitorch\n"
              "c = [b for b in minitorch.list_backends() if b.name == 'c'][0]\n"
              "print(c.available, c.reason)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, check=True)
    assert result.stdout.startswith("False its compiled kernels are not built")
    assert "build_kernels.py" in result.stdout


def test_oversubscription_guard_is_exposed():
    # how many parallel loops still run on one thread after a stalled join: 0 on an idle
    # machine, some when another process held a CPU; never negative
    assert c_backend.lib.mt_thread_backoff() >= 0


needs_cache = pytest.mark.skipif(not c_backend.lib.mt_cache_enabled(),
                                 reason="the buffer cache is off under AddressSanitizer")


@needs_cache
def test_freed_large_buffers_are_reused_and_can_be_released():
    B.empty_cache()
    assert B.cached_bytes() == 0
    first = out(100_000, "float32")              # 400 KB: cached when freed
    address = int(c_backend.ffi.cast("uintptr_t", first.ptr))
    assert address % 64 == 0
    del first
    assert B.cached_bytes() == 400_000
    second = out(100_000, "float32")             # same size: the same block comes back
    assert int(c_backend.ffi.cast("uintptr_t", second.ptr)) == address
    assert B.cached_bytes() == 0
    del second
    small = out(10, "float64")                   # small blocks are left to malloc
    del small
    assert B.cached_bytes() == 400_000
    B.empty_cache()
    assert B.cached_bytes() == 0


@needs_cache
def test_the_buffer_cache_is_bounded():
    B.empty_cache()
    buffers = [out(40_000 + i, "float32") for i in range(100)]   # 100 distinct sizes
    del buffers
    assert 0 < B.cached_bytes() <= 32 * 4 * 40_100               # at most 32 blocks kept
    B.empty_cache()


@needs_cache
def test_the_buffer_cache_survives_threads():
    # cffi releases the GIL around mt_alloc / mt_free, so Python threads reach the cache
    # at the same time; its lock must keep every block whole and owned by one buffer
    import threading
    B.empty_cache()
    errors = []

    def churn(seed):
        try:
            for round_ in range(300):
                size = 10_000 + (round_ * 7 + seed) % 5 * 1000     # a few sizes, shared
                buffer = out(size, "float32")
                B.fill(float(seed), buffer)
                if npy(buffer).min() != seed or npy(buffer).max() != seed:
                    errors.append(f"thread {seed}: a block shared with another buffer")
        except Exception as error:   # reported below: pytest sees no thread's exception
            errors.append(repr(error))

    threads = [threading.Thread(target=churn, args=(seed,)) for seed in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert B.cached_bytes() <= 32 * 4 * 15_000
    B.empty_cache()


def test_threads():
    before = B.get_num_threads()
    try:
        B.set_num_threads(1)
        assert B.get_num_threads() == 1
        B.set_num_threads(2)
        assert B.get_num_threads() == (2 if B.openmp else 1)
        assert c_backend.lib.mt_thread_backoff() == 0   # a new count forgets old stalls
        with pytest.raises(ValueError, match="set_num_threads"):
            B.set_num_threads(0)
    finally:
        B.set_num_threads(before)


# ---- storage --------------------------------------------------------------------------

@pytest.mark.parametrize("name", DTYPES)
def test_round_trip(name):
    values = sample(name, 37)
    buffer = B.from_numpy(values)
    assert (buffer.size, buffer.dtype_name) == (37, name)
    back = npy(buffer)
    assert back.dtype == values.dtype and np.array_equal(back, values)
    assert npy(B.from_numpy(values[:0])).size == 0
    assert out(0, name).size == 0


def test_bool_is_one_byte_zero_or_one():
    buffer = cbuf([True, False, True])
    assert [buffer.ptr[i] for i in range(3)] == [1, 0, 1]
    assert c_backend.ffi.sizeof(buffer.ptr) == 3


def test_storage_rejects_other_dtypes():
    with pytest.raises(ValueError, match="from_numpy"):
        B.from_numpy(np.zeros(3, np.int32))


@pytest.mark.parametrize("name, value, expected", [
    ("float32", 2.5, 2.5), ("float64", -1e300, -1e300), ("float64", math.inf, math.inf),
    ("int64", 7, 7), ("int64", INT64_MIN, INT64_MIN), ("int64", 2**62 + 1, 2**62 + 1),
    ("bool", True, True), ("bool", 0, False), ("bool", 2, True), ("float32", True, 1.0)])
def test_fill(name, value, expected):
    buffer = out(5, name)
    B.fill(value, buffer)
    assert npy(buffer).tolist() == [expected] * 5


# ---- copy -----------------------------------------------------------------------------

def strided(values, shape, strides, offset):
    return np.lib.stride_tricks.as_strided(values[offset:], shape,
                                           [s * values.itemsize for s in strides])


@pytest.mark.parametrize("shape, a_strides, a_offset, out_strides, out_offset, a_size, out_size", [
    ((4, 5), (5, 1), 0, (5, 1), 0, 20, 20),          # contiguous
    ((4, 5), (1, 4), 0, (5, 1), 0, 20, 20),          # transpose
    ((3, 4), (0, 1), 2, (4, 1), 0, 6, 12),           # broadcast rows, offset
    ((2, 3, 4), (12, 4, 1), 0, (1, 2, 6), 0, 24, 24),  # scatter into a permuted layout
    ((2, 1, 3), (3, 3, 1), 1, (3, 3, 1), 3, 7, 9),   # size-1 dim, both offsets
    ((), (), 4, (), 1, 5, 2),                        # 0-d
    ((3, 0, 2), (0, 0, 0), 0, (0, 0, 0), 0, 0, 0),   # empty
    ((5,), (2,), 1, (1,), 0, 10, 5),                  # step 2
])
def test_copy_layouts(shape, a_strides, a_offset, out_strides, out_offset, a_size, out_size):
    values = np.arange(a_size, dtype=np.float64)
    a, target = B.from_numpy(values), out(out_size, "float64")
    B.fill(-1, target)
    B.copy(a, a_strides, a_offset, shape, out_strides, out_offset, target)
    expected = np.full(out_size, -1.0)
    if all(shape):
        strided(expected, shape, out_strides, out_offset)[...] = strided(values, shape,
                                                                        a_strides, a_offset)
    assert np.array_equal(npy(target), expected)


@pytest.mark.parametrize("source", DTYPES)
@pytest.mark.parametrize("target", DTYPES)
def test_copy_converts(source, target):
    values = {"float32": np.array([-2.7, -0.5, 0.0, 0.5, 2.7, 3e9], np.float32),
              "float64": np.array([-2.7, -0.5, 0.0, np.nan, 2.7, -3e15]),
              "int64": np.array([-3, -1, 0, 1, 2**40, INT64_MAX]),
              "bool": np.array([True, False, True, True, False, False])}[source]
    result = out(6, target)
    B.copy(B.from_numpy(values), (1,), 0, (6,), (1,), 0, result)
    got = npy(result)
    if target == "bool":
        expected = values != 0                                       # nan != 0 is True
    elif target == "int64" and source in FLOATS:
        finite = ~np.isnan(values)                                   # nan -> int is undefined
        got, expected = got[finite], np.trunc(values[finite]).astype(np.int64)  # toward zero
    else:
        expected = values.astype(target)
    assert np.array_equal(got, expected, equal_nan=target in FLOATS)


def test_copy_a_long_strided_walk():
    values = np.arange(2 * 3 * 4 * 5, dtype=np.int64).reshape(2, 3, 4, 5)
    transposed = values.transpose(3, 1, 0, 2)
    a, target = B.from_numpy(values), out(values.size, "float32")
    strides = tuple(s // 8 for s in transposed.strides)
    B.copy(a, strides, 0, transposed.shape, (24, 8, 4, 1), 0, target)
    assert np.array_equal(npy(target), transposed.reshape(-1).astype(np.float32))


# ---- unary ----------------------------------------------------------------------------

FLOAT_UNARY = {"neg": np.negative, "abs": np.abs, "exp": np.exp, "log": np.log,
               "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
               "sigmoid": lambda x: 1 / (1 + np.exp(-x.astype(np.float64))),
               "relu": lambda x: np.maximum(x, 0),                   # relu(nan) = nan
               "sign": lambda x: np.sign(np.nan_to_num(x)),   # torch: sign(nan) = 0
               "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
               "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh, "acosh": np.arccosh,
               "atanh": np.arctanh}


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("op", sorted(FLOAT_UNARY))
def test_unary_float(name, op):
    values = np.concatenate([sample(name, 61), np.array([0, -0.0, np.inf, -np.inf, np.nan,
                                                         -1, 1, 1.5, 1e-30, 88.8, -1000],
                                                        name)])
    result = out(values.size, name)
    with np.errstate(all="ignore"):
        B.unary(op, B.from_numpy(values), result)
        expected = FLOAT_UNARY[op](values).astype(name)
    rtol = 2e-6 if name == "float32" else 1e-12
    np.testing.assert_allclose(npy(result), expected, rtol=rtol, atol=1e-30)


def test_sigmoid_does_not_overflow():
    result = out(4, "float32")
    B.unary("sigmoid", cbuf([-1000, -100, 100, 1000], np.float32), result)
    assert npy(result).tolist() == [0.0, pytest.approx(3.7e-44, rel=0.1), 1.0, 1.0]


def test_unary_int64():
    values = np.array([INT64_MIN, -7, -1, 0, 1, 7, INT64_MAX], np.int64)
    expected = {"neg": [INT64_MIN, 7, 1, 0, -1, -7, -INT64_MAX],       # wraps like torch
                "abs": [INT64_MIN, 7, 1, 0, 1, 7, INT64_MAX],
                "sign": [-1, -1, -1, 0, 1, 1, 1],
                "relu": [0, 0, 0, 0, 1, 7, INT64_MAX],
                "bitwise_not": [INT64_MAX, 6, 0, -1, -2, -8, INT64_MIN]}
    for op, want in expected.items():
        result = out(7, "int64")
        B.unary(op, B.from_numpy(values), result)
        assert npy(result).tolist() == want, op


def test_unary_bool_and_unsupported():
    result = out(3, "bool")
    B.unary("sign", cbuf([True, False, True]), result)
    assert npy(result).tolist() == [True, False, True]
    B.unary("bitwise_not", cbuf([True, False, True]), result)
    assert npy(result).tolist() == [False, True, False]
    for op in ("neg", "abs", "relu", "exp", "asin"):        # torch rejects these for bool
        with pytest.raises(ValueError, match=f"unary: {op} of bool is not supported"):
            B.unary(op, cbuf([True]), out(1, "bool"))
    with pytest.raises(ValueError, match="unary: exp of int64"):
        B.unary("exp", cbuf([1]), out(1, "int64"))
    with pytest.raises(ValueError, match="unary: bitwise_not of float32"):
        B.unary("bitwise_not", cbuf([1.0], np.float32), out(1, "float32"))
    with pytest.raises(ValueError, match="unknown op 'cube'"):
        B.unary("cube", cbuf([1.0]), out(1, "float64"))


# ---- binary ---------------------------------------------------------------------------

NUMPY_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
                "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power,
                "maximum": np.maximum, "minimum": np.minimum, "eq": np.equal,
                "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater,
                "ge": np.greater_equal, "atan2": np.arctan2, "fmod": np.fmod}
COMPARE = ("eq", "ne", "lt", "le", "gt", "ge")


def run_binary(op, x, y):
    a, b = B.from_numpy(x), B.from_numpy(y)
    result = out(x.size, "bool" if op in COMPARE else a.dtype_name)
    B.binary(op, a, b, result)
    return npy(result)


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("op", sorted(NUMPY_BINARY))
def test_binary_float(name, op):
    special = [0, -0.0, 1, -1, np.inf, -np.inf, np.nan, 2.5, -2.5, 7, -7]
    x = np.concatenate([sample(name, 40, 1), np.repeat(special, len(special))]).astype(name)
    y = np.concatenate([sample(name, 40, 2), np.tile(special, len(special))]).astype(name)
    with np.errstate(all="ignore"):
        expected = NUMPY_BINARY[op](x, y)     # numpy's // and % follow Python, as torch
    result = run_binary(op, x, y)
    if op in COMPARE:
        assert np.array_equal(result, expected)
    else:
        rtol = 2e-6 if name == "float32" else 1e-12
        np.testing.assert_allclose(result, expected.astype(name), rtol=rtol, atol=1e-30)


def test_floor_division_of_floats_follows_python():
    pairs = [(7.5, 2.0), (-7.5, 2.0), (7.5, -2.0), (-7.5, -2.0), (1.0, 0.1), (-0.0, 3.0),
             (0.0, -3.0), (5.0, math.inf), (-5.0, math.inf)]
    x, y = (np.array(v) for v in zip(*pairs))
    assert run_binary("floordiv", x, y).tolist() == [a // b for a, b in pairs]
    assert run_binary("mod", x, y).tolist() == [a % b for a, b in pairs]
    with np.errstate(all="ignore"):   # torch: IEEE results for a zero divisor
        assert run_binary("floordiv", np.array([1.0, -1.0]), np.zeros(2)).tolist() == [
            math.inf, -math.inf]
    assert np.isnan(run_binary("mod", np.array([1.0]), np.zeros(1))).all()


def test_maximum_minimum_propagate_nan():
    x = np.array([np.nan, 1.0, np.nan, -np.inf], np.float32)
    y = np.array([1.0, np.nan, np.nan, 0.0], np.float32)
    for op, last in (("maximum", 0.0), ("minimum", -np.inf)):
        result = run_binary(op, x, y)
        assert np.isnan(result[:3]).all() and result[3] == last


def test_binary_int64_follows_python_and_wraps():
    values = [-7, -3, -1, 1, 3, 7, INT64_MIN, INT64_MAX]
    pairs = [(a, b) for a in values for b in values]
    x = np.array([a for a, _ in pairs], np.int64)
    y = np.array([b for _, b in pairs], np.int64)

    def wrap(v):
        return (v + 2**63) % 2**64 - 2**63
    for op, fn in (("add", lambda a, b: wrap(a + b)), ("sub", lambda a, b: wrap(a - b)),
                   ("mul", lambda a, b: wrap(a * b)), ("floordiv", lambda a, b: wrap(a // b)),
                   ("mod", lambda a, b: a % b), ("maximum", max), ("minimum", min)):
        assert run_binary(op, x, y).tolist() == [fn(a, b) for a, b in pairs], op
    for op in COMPARE:
        assert np.array_equal(run_binary(op, x, y), NUMPY_BINARY[op](x, y)), op


def test_integer_fmod_and_bitwise_ops_follow_torch():
    """numpy's integer ufuncs give torch's results, shifts by < 0 or >= 64 included (0,
    or the sign for >>); fmod truncates, and INT64_MIN fmod -1 is 0."""
    values = [-7, -3, -1, 0, 1, 3, 7, 63, 64, 65, INT64_MIN, INT64_MAX]
    pairs = [(a, b) for a in values for b in values]
    x = np.array([a for a, _ in pairs], np.int64)
    y = np.array([b for _, b in pairs], np.int64)
    for op, expected in (("bitwise_and", np.bitwise_and), ("bitwise_or", np.bitwise_or),
                         ("bitwise_xor", np.bitwise_xor),
                         ("bitwise_left_shift", np.left_shift),
                         ("bitwise_right_shift", np.right_shift)):
        assert run_binary(op, x, y).tolist() == expected(x, y).tolist(), op
    assert run_binary("fmod", np.array([7, -7, 7, -7, INT64_MIN]),
                      np.array([3, 3, -3, -3, -1])).tolist() == [1, -1, 1, -1, 0]


def test_integer_pow_follows_torch():
    x = np.array([2, -2, 3, 0, 1, -1, -1, 2, 5, 2], np.int64)
    y = np.array([10, 3, 0, 0, -5, -3, -2, -1, 27, 64], np.int64)
    expected = [1024, -8, 1, 1, 1, -1, 1, 0, 5**27, 0]   # 5**27 fits; 2**64 wraps to 0
    assert run_binary("pow", x, y).tolist() == expected


@pytest.mark.parametrize("op", ("floordiv", "mod", "fmod"))
def test_integer_division_by_zero_raises_before_writing(op):
    a, b = cbuf([6, 7, 8]), cbuf([1, 0, 2])
    result = cbuf([-1, -1, -1])
    with pytest.raises(ZeroDivisionError, match="binary: integer division by zero"):
        B.binary(op, a, b, result)
    assert npy(result).tolist() == [-1, -1, -1]


def test_binary_bool_is_logic():
    x = np.array([False, False, True, True])
    y = np.array([False, True, False, True])
    assert run_binary("add", x, y).tolist() == [False, True, True, True]
    assert run_binary("maximum", x, y).tolist() == [False, True, True, True]
    assert run_binary("mul", x, y).tolist() == [False, False, False, True]
    assert run_binary("minimum", x, y).tolist() == [False, False, False, True]
    assert run_binary("lt", x, y).tolist() == [False, True, False, False]
    assert run_binary("bitwise_and", x, y).tolist() == [False, False, False, True]
    assert run_binary("bitwise_or", x, y).tolist() == [False, True, True, True]
    assert run_binary("bitwise_xor", x, y).tolist() == [False, True, True, False]
    for op in ("sub", "div", "floordiv", "mod", "pow", "fmod", "atan2",
               "bitwise_left_shift"):
        with pytest.raises(ValueError, match=f"binary: {op} of bool"):
            run_binary(op, x, y)
    for op in ("div", "atan2"):
        with pytest.raises(ValueError, match=f"binary: {op} of int64"):
            run_binary(op, np.arange(3), np.arange(3))
    with pytest.raises(ValueError, match="binary: bitwise_and of float64"):
        run_binary("bitwise_and", np.ones(3), np.ones(3))


# ---- where / reduce ---------------------------------------------------------------------

@pytest.mark.parametrize("name", DTYPES)
def test_where(name):
    cond, x, y = sample("bool", 50, 3), sample(name, 50, 4), sample(name, 50, 5)
    result = out(50, name)
    B.where(B.from_numpy(cond), B.from_numpy(x), B.from_numpy(y), result)
    assert np.array_equal(npy(result), np.where(cond, x, y))


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("op", ("sum", "max", "min"))
@pytest.mark.parametrize("rows, size", [(1, 1), (3, 7), (4, 300), (1, 1000), (0, 5)])
def test_reduce(name, op, rows, size):
    values = sample(name, rows * size, 6)
    result = out(rows, name)
    B.reduce(op, B.from_numpy(values), size, result)
    matrix = values.reshape(rows, size)
    if name == "bool":
        expected = matrix.any(axis=1) if op in ("sum", "max") else matrix.all(axis=1)
    else:
        expected = getattr(matrix, op)(axis=1).astype(name)
    rtol = 1e-5 if name == "float32" else 1e-12
    np.testing.assert_allclose(npy(result), expected, rtol=rtol)


def test_reduce_edges():
    result = out(2, "float32")
    B.reduce("sum", out(0, "float32"), 0, result)                 # empty rows sum to 0
    assert npy(result).tolist() == [0, 0]
    B.reduce("max", cbuf([1, np.nan, 3, -np.inf, -np.inf, -np.inf], np.float32), 3, result)
    assert np.isnan(npy(result)[0]) and npy(result)[1] == -np.inf
    B.reduce("min", cbuf([np.nan, 1, 2, 5, 4, 3], np.float32), 3, result)
    assert np.isnan(npy(result)[0]) and npy(result)[1] == 3
    wide = out(1, "int64")
    B.reduce("sum", cbuf([INT64_MAX, 1]), 2, wide)                # wraps like torch
    assert npy(wide).tolist() == [INT64_MIN]
    with pytest.raises(ValueError, match="reduce: max of an empty row"):
        B.reduce("max", out(0, "float32"), 0, result)


def test_float32_sum_is_accurate():
    values = np.full(1_000_003, 0.1, np.float32)
    result = out(1, "float32")
    B.reduce("sum", B.from_numpy(values), values.size, result)
    assert npy(result)[0] == pytest.approx(values.astype(np.float64).sum(), rel=1e-6)


# ---- matmul / linear ----------------------------------------------------------------------

GEMM_SHAPES = [(1, 1, 1, 1), (1, 7, 13, 5), (3, 9, 17, 33), (1, 33, 65, 70), (2, 8, 0, 6),
               (1, 0, 4, 3), (1, 130, 300, 97), (1, 200, 520, 150)]


@pytest.mark.parametrize("isa", isas())
@pytest.mark.parametrize("threads", (1, 2))
@pytest.mark.parametrize("name", FLOATS)
def test_matmul_float(isa, threads, name):
    previous_isa, previous_threads = B.gemm_isa, B.get_num_threads()
    B.gemm_isa, _ = isa, B.set_num_threads(threads)
    try:
        for batch, m, k, n in GEMM_SHAPES:
            x, y = sample(name, batch * m * k, 7), sample(name, batch * k * n, 8)
            result = out(batch * m * n, name)
            B.fill(np.nan, result)
            B.matmul(B.from_numpy(x), B.from_numpy(y), batch, m, k, n, result)
            expected = np.matmul(x.reshape(batch, m, k).astype(np.float64),
                                 y.reshape(batch, k, n).astype(np.float64))
            tol = 1e-4 * max(k, 1) if name == "float32" else 1e-10 * max(k, 1)
            np.testing.assert_allclose(npy(result).reshape(batch, m, n), expected,
                                       rtol=tol, atol=tol, err_msg=f"{(batch, m, k, n)}")
    finally:
        B.gemm_isa = previous_isa
        B.set_num_threads(previous_threads)


def test_matmul_int64_and_bool():
    x, y = sample("int64", 2 * 3 * 4), sample("int64", 2 * 4 * 5, 1)
    result = out(2 * 3 * 5, "int64")
    B.matmul(B.from_numpy(x), B.from_numpy(y), 2, 3, 4, 5, result)
    assert np.array_equal(npy(result), (x.reshape(2, 3, 4) @ y.reshape(2, 4, 5)).reshape(-1))
    p, q = sample("bool", 12), sample("bool", 20, 1)
    result = out(15, "bool")
    B.matmul(B.from_numpy(p), B.from_numpy(q), 1, 3, 4, 5, result)
    expected = (p.reshape(3, 4).astype(int) @ q.reshape(4, 5).astype(int)) > 0
    assert np.array_equal(npy(result), expected.reshape(-1))


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("with_bias", (True, False))
@pytest.mark.parametrize("m, k, n", [(4, 3, 2), (128, 784, 128), (5, 64, 10), (128, 128, 10)])
def test_linear(name, with_bias, m, k, n):
    x, w, bias = sample(name, m * k, 1), sample(name, n * k, 2), sample(name, n, 3)
    result = out(m * n, name)
    B.linear(B.from_numpy(x), B.from_numpy(w), B.from_numpy(bias) if with_bias else None,
             m, k, n, result)
    expected = x.reshape(m, k).astype(np.float64) @ w.reshape(n, k).T.astype(np.float64)
    if with_bias:
        expected = expected + bias
    tol = 1e-4 * k if name == "float32" else 1e-10 * k
    np.testing.assert_allclose(npy(result).reshape(m, n), expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("wanted", [(True, True, True), (False, True, True), (True, False, False)])
@pytest.mark.parametrize("m, k, n", [(4, 3, 2), (128, 784, 128), (0, 5, 3)])
def test_linear_backward(name, wanted, m, k, n):
    grad, x, w = sample(name, m * n, 1), sample(name, m * k, 2), sample(name, n * k, 3)
    outputs = [out(size, name) if want else None
               for want, size in zip(wanted, (m * k, n * k, n))]
    B.linear_backward(B.from_numpy(grad), B.from_numpy(x), B.from_numpy(w), m, k, n, *outputs)
    g, x64, w64 = (a.astype(np.float64) for a in (grad.reshape(m, n), x.reshape(m, k),
                                                   w.reshape(n, k)))
    tol = 1e-4 * max(m, n) if name == "float32" else 1e-10 * max(m, n)
    for output, expected in zip(outputs, (g @ w64, g.T @ x64, g.sum(axis=0))):
        if output is not None:
            np.testing.assert_allclose(npy(output), expected.reshape(-1), rtol=tol, atol=tol)


# ---- take / index_put -----------------------------------------------------------------

@pytest.mark.parametrize("name", DTYPES)
def test_take_and_index_put(name):
    values = sample(name, 10)
    index = np.array([9, 0, 3, 3, 7], np.int64)
    result = out(5, name)
    B.take(B.from_numpy(values), B.from_numpy(index), result)
    assert np.array_equal(npy(result), values[index])

    target, new = B.from_numpy(values), sample(name, 5, 1)
    B.index_put(B.from_numpy(index), B.from_numpy(new), False, target)
    expected = values.copy()
    for i, v in zip(index, new):     # repeated index: the last write wins
        expected[i] = v
    assert np.array_equal(npy(target), expected)

    target = B.from_numpy(values)
    B.index_put(B.from_numpy(index), B.from_numpy(new), True, target)
    expected = values.copy()
    if name == "bool":
        np.logical_or.at(expected, index, new)
    else:
        np.add.at(expected, index, new)
    np.testing.assert_allclose(npy(target), expected, rtol=1e-6)


@pytest.fixture(params=[1, 2], ids=["1-thread", "2-threads"])
def threads(request):
    """Run the test with the kernels limited to 1, then 2 threads (the large loops split
    between threads; see threads.c)."""
    previous = B.get_num_threads()
    B.set_num_threads(request.param)
    yield request.param
    B.set_num_threads(previous)


@pytest.mark.parametrize("name", DTYPES)
def test_take_rows(name, threads):
    values = sample(name, 3 + 6 * 4, 9)      # 3 elements before a block of 6 rows of 4
    index = np.array([5, 0, 2, 2, 5], np.int64)
    result = out(5 * 4, name)
    B.take_rows(B.from_numpy(values), 3, 6, 4, B.from_numpy(index), result)
    assert np.array_equal(npy(result).reshape(5, 4), values[3:].reshape(6, 4)[index])
    empty = out(0, name)
    B.take_rows(B.from_numpy(values), 0, 0, 4, out(0, "int64"), empty)   # no rows at all
    # enough rows (2,001 of 1 KiB and more) for the gather to be split between threads
    rows = sample(name, 5 + 3000 * 128, 10)
    index = np.random.default_rng(0).integers(0, 3000, 2001)
    result = out(2001 * 128, name)
    B.take_rows(B.from_numpy(rows), 5, 3000, 128, B.from_numpy(index), result)
    assert np.array_equal(npy(result).reshape(2001, 128), rows[5:].reshape(3000, 128)[index])


def test_take_rows_is_checked():
    a, result = out(3 + 6 * 4, "float32"), out(2 * 4, "float32")
    for bad in ([0, 6], [-1, 0], [INT64_MIN, 1]):
        with pytest.raises(IndexError, match=r"take_rows: index\[\d\] = -?\d+ is out of range "
                                             r"for size 6"):
            B.take_rows(a, 3, 6, 4, cbuf(bad), result)
    cases = [
        (lambda: B.take_rows(a, 4, 6, 4, cbuf([0, 1]), result), "a holding 6 rows of 4 from 4"),
        (lambda: B.take_rows(a, 3, 6, 4, cbuf([0, 1, 2]), result), "index.size \\* 4"),
        (lambda: B.take_rows(a, 3, 6, 4, cbuf([0, 1]), out(8, "float64")), "take_rows"),
        (lambda: B.take_rows(a, -1, 6, 4, cbuf([0, 1]), result), "offset = -1 is negative"),
        (lambda: B.take_rows(a, 0, -6, 4, cbuf([0, 1]), result), "rows = -6 is negative"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(ValueError, match="take_rows: index must be int64"):
        B.take_rows(a, 3, 6, 4, cbuf([0.0, 1.0]), result)


# ---- strided handles: view, matmul_view, reduce_view --------------------------------------

def handle_of(values, shape, strides, offset=0):
    """(CView over a buffer holding values, the numpy array that view shows)."""
    values = np.ascontiguousarray(values).reshape(-1)
    return (B.view(B.from_numpy(values), shape, strides, offset),
            strided(values, shape, strides, offset) if values.size else np.zeros(shape,
                                                                                 values.dtype))


def compact_out(shape, name):
    """A compact CView of a fresh buffer of `shape`, and the buffer."""
    size = int(np.prod(shape))
    buffer = out(size, name)
    return B.view(buffer, tuple(shape), tuple(int(s) for s in np.cumprod(
        (1,) + tuple(shape)[::-1])[:-1][::-1]), 0), buffer


def test_view_is_checked_when_made():
    buffer = out(12, "float32")
    assert B.view(buffer, (3, 4), (4, 1), 0).compact
    assert not B.view(buffer, (4, 3), (1, 4), 0).compact            # transposed
    assert not B.view(buffer, (2, 4), (4, 1), 4).compact            # a slice
    assert not B.view(buffer, (3, 5), (4, 0), 0).compact            # broadcast
    B.view(buffer, (2, 0, 3), (99, 99, 99), 50)                    # empty: reaches nothing
    B.view(buffer, (), (), 11)                                     # the last element
    cases = [
        (lambda: B.view(buffer, (3, 4), (4, 1), 1), IndexError, "view: elements 1..12"),
        (lambda: B.view(buffer, (3, 4), (5, 1), 0), IndexError, "view: elements 0..13"),
        (lambda: B.view(buffer, (), (), 12), IndexError, "view: elements 12..12"),
        (lambda: B.view(buffer, (2,), (1,), -1), IndexError, "view: elements -1..0"),
        (lambda: B.view(buffer, (2, 2), (-1, 1), 4), ValueError, "view: negative size or stride"),
        (lambda: B.view(buffer, (-2,), (1,), 0), ValueError, "view: negative size or stride"),
        (lambda: B.view(buffer, (2, 2), (1,), 0), ValueError, "view: 1 strides for shape"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()


def matmul_operand(name, batch, rows, cols, layout, seed):
    """A (batch..., rows, cols) operand with the given layout, as (CView, numpy view):
    'compact', 'transposed' (its matrices column-major), 'sliced' (an offset block of a
    wider, taller matrix), 'broadcast' (stride 0 over the batch dims)."""
    values = sample(name, 4 * (int(np.prod(batch)) * (rows + 2) * (cols + 3) + 5), seed)
    if layout == "compact":
        shape = batch + (rows, cols)
        strides = tuple(int(s) for s in np.cumprod((1,) + shape[::-1])[:-1][::-1])
        return handle_of(values, shape, strides)
    if layout == "transposed":
        inner = (1, rows)
        batch_strides = tuple(int(s) * rows * cols for s in
                              np.cumprod((1,) + batch[::-1])[:-1][::-1])
        return handle_of(values, batch + (rows, cols), batch_strides + inner)
    if layout == "sliced":
        wide = cols + 3
        batch_strides = tuple(int(s) * (rows + 2) * wide for s in
                              np.cumprod((1,) + batch[::-1])[:-1][::-1])
        return handle_of(values, batch + (rows, cols), batch_strides + (wide, 1), wide + 2)
    assert layout == "broadcast"
    return handle_of(values, batch + (rows, cols), (0,) * len(batch) + (1, rows))


MATMUL_LAYOUTS = ("compact", "transposed", "sliced", "broadcast")


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("a_layout", MATMUL_LAYOUTS)
@pytest.mark.parametrize("b_layout", MATMUL_LAYOUTS)
def test_matmul_view_layouts(name, a_layout, b_layout):
    for batch, m, k, n in [((), 7, 13, 5), ((3,), 9, 17, 33), ((2, 2), 4, 3, 2),
                           ((), 33, 130, 70)]:
        a, a_np = matmul_operand(name, batch, m, k, a_layout, 1)
        b, b_np = matmul_operand(name, batch, k, n, b_layout, 2)
        target, buffer = compact_out(batch + (m, n), name)
        B.matmul_view(a, b, target)
        check_product(name, npy(buffer).reshape(batch + (m, n)), a_np, b_np, k)


def check_product(name, got, a_np, b_np, k):
    if name == "bool":
        expected = (a_np.astype(np.int64) @ b_np.astype(np.int64)) > 0
    elif name == "int64":
        expected = a_np @ b_np
    else:
        expected = a_np.astype(np.float64) @ b_np.astype(np.float64)
    if name in FLOATS:
        tol = 1e-4 * max(k, 1) if name == "float32" else 1e-10 * max(k, 1)
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    else:
        assert np.array_equal(got, expected)


@pytest.mark.parametrize("name", ("float32", "int64"))
def test_matmul_view_broadcasts_batch_dims(name):
    a_values, b_values = sample(name, 2 * 3 * 4 * 3, 3), sample(name, 5 * 3 * 6, 4)
    cases = [   # (a shape, a strides, b shape, b strides, out batch)
        ((2, 1, 4, 3), (12, 12, 3, 1), (5, 3, 6), (18, 6, 1), (2, 5)),   # size-1 and missing
        ((4, 3), (3, 1), (5, 3, 6), (18, 6, 1), (5,)),                    # a has no batch
        ((2, 1, 4, 3), (12, 12, 3, 1), (3, 6), (6, 1), (2, 1)),           # b has no batch
        ((2, 5, 4, 3), (12, 0, 3, 1), (5, 3, 6), (18, 6, 1), (2, 5)),     # a expanded (stride 0)
        ((3, 4, 3), (0, 3, 1), (3, 6), (6, 1), (3,)),                     # a broadcast, b shared
        ((3, 4, 3), (12, 3, 1), (3, 3, 6), (0, 6, 1), (3,)),              # folded into one GEMM
        ((2, 3, 4, 3), (12, 0, 3, 1), (3, 6), (1, 3), (2, 3)),            # b transposed, shared
    ]
    for a_shape, a_strides, b_shape, b_strides, batch in cases:
        a, a_np = handle_of(a_values, a_shape, a_strides)
        b, b_np = handle_of(b_values, b_shape, b_strides)
        m, k, n = a_shape[-2], a_shape[-1], b_shape[-1]
        target, buffer = compact_out(batch + (m, n), name)
        B.matmul_view(a, b, target)
        check_product(name, npy(buffer).reshape(batch + (m, n)), a_np, b_np, k)


@pytest.mark.parametrize("isa", isas())
@pytest.mark.parametrize("threads", (1, 2))
def test_matmul_view_strided_gemm(isa, threads):
    """The GEMM reading transposed operands: every micro-kernel, one and two threads,
    shapes past the packing block sizes (k > 400, m > 96 rows per thread); with two
    threads, compact @ transposed with the largest k is split along k (an odd k: shares
    that are not whole transposes)."""
    previous_isa, previous_threads = B.gemm_isa, B.get_num_threads()
    B.gemm_isa, _ = isa, B.set_num_threads(threads)
    try:
        for name in FLOATS:
            for m, k, n in [(200, 520, 150), (130, 128, 784), (3, 801, 2), (150, 1001, 140)]:
                for a_layout in ("compact", "transposed"):
                    for b_layout in ("compact", "transposed"):
                        a, a_np = matmul_operand(name, (), m, k, a_layout, 5)
                        b, b_np = matmul_operand(name, (), k, n, b_layout, 6)
                        target, buffer = compact_out((m, n), name)
                        B.matmul_view(a, b, target)
                        check_product(name, npy(buffer).reshape(m, n), a_np, b_np, k)
    finally:
        B.gemm_isa = previous_isa
        B.set_num_threads(previous_threads)


@pytest.mark.parametrize("name", DTYPES)
def test_matmul_view_empty(name):
    for a_shape, b_shape, batch in [((0, 4), (4, 3), ()), ((2, 0), (0, 3), ()),
                                    ((2, 4), (4, 0), ()), ((0, 2, 4), (4, 3), (0,))]:
        def operand(shape):   # an empty one reaches nothing: any strides will do
            size = int(np.prod(shape))
            strides = (99,) * len(shape) if size == 0 else (shape[1], 1)
            return B.view(out(size, name), shape, strides, 0)
        a, b = operand(a_shape), operand(b_shape)
        target, buffer = compact_out(batch + (a_shape[-2], b_shape[-1]), name)
        B.matmul_view(a, b, target)
        assert not npy(buffer).any()       # k == 0: zeros


def test_matmul_view_is_checked():
    f = out(64, "float32")

    def h(shape, strides=None, buffer=f):
        if strides is None:
            strides = tuple(int(s) for s in np.cumprod((1,) + shape[::-1])[:-1][::-1])
        return B.view(buffer, shape, strides, 0)
    cases = [
        (lambda: B.matmul_view(h((2, 3)), h((4, 2)), h((2, 2), buffer=out(4, "float32"))),
         "cannot multiply"),
        (lambda: B.matmul_view(h((2, 3)), h((3, 2)), h((2, 3), buffer=out(6, "float32"))),
         "cannot multiply"),
        (lambda: B.matmul_view(h((2, 3)), h((3, 2), buffer=out(6, "float64")),
                               h((2, 2), buffer=out(4, "float32"))), "cannot multiply"),
        (lambda: B.matmul_view(h((2, 3)), h((3, 2)), h((2, 2), buffer=out(4, "int64"))),
         "cannot multiply"),
        (lambda: B.matmul_view(h((2, 2, 3)), h((3, 2)), h((2, 2), buffer=out(4, "float32"))),
         "cannot multiply"),
        (lambda: B.matmul_view(h((2, 2, 3)), h((3, 3, 2)), h((3, 2, 2), buffer=out(12, "float32"))),
         "a batch dims \\(2,\\) do not broadcast to \\(3,\\)"),
        (lambda: B.matmul_view(h((2, 3)), h((3, 2)), h((2, 2), (1, 2), out(4, "float32"))),
         "out must be compact"),
        (lambda: B.matmul_view(h((2, 3)), h((3, 2)), h((2, 2), (0, 1), out(4, "float32"))),
         "out must be compact"),
        (lambda: B.matmul_view(h((2, 3)), h((3, 2)), h((2, 2))), "out shares its buffer"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=f"matmul_view: {message}"):
            call()


def reduce_operand(name, layout, seed):
    """A (4, 5, 6) operand with the given layout: (CView, numpy view)."""
    values = sample(name, 400, seed)
    return {"compact": lambda: handle_of(values, (4, 5, 6), (30, 6, 1)),
            "permuted": lambda: handle_of(values, (4, 5, 6), (1, 24, 4)),
            "sliced": lambda: handle_of(values, (4, 5, 6), (80, 9, 1), 11),
            "broadcast": lambda: handle_of(values, (4, 5, 6), (0, 6, 1), 3),
            "strided": lambda: handle_of(values, (4, 5, 6), (2, 8, 60))}[layout]()


REDUCE_LAYOUTS = ("compact", "permuted", "sliced", "broadcast", "strided")
AXES = [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)]


def expected_reduction(name, op, values, axes):
    if name == "bool":
        return values.any(axis=axes, keepdims=True) if op in ("sum", "max") else \
            values.all(axis=axes, keepdims=True)
    if name == "int64" and op == "sum":
        return values.sum(axis=axes, keepdims=True)
    return getattr(values.astype(np.float64) if op == "sum" else values, op)(
        axis=axes, keepdims=True)


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("layout", REDUCE_LAYOUTS)
@pytest.mark.parametrize("op", ("sum", "max", "min"))
def test_reduce_view(name, layout, op):
    a, values = reduce_operand(name, layout, 11)
    for axes in AXES:
        kept = tuple(1 if d in axes else s for d, s in enumerate(values.shape))
        target, buffer = compact_out(kept, name)
        B.reduce_view(op, a, axes, target)
        expected = expected_reduction(name, op, values, axes)
        rtol = 1e-6 if name == "float32" else 1e-12
        np.testing.assert_allclose(npy(buffer).reshape(kept), expected.astype(name),
                                   rtol=rtol, atol=rtol, err_msg=f"{axes}")


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("layout", REDUCE_LAYOUTS)
@pytest.mark.parametrize("op", ("argmax", "argmin"))
def test_arg_reduce_view(name, layout, op):
    a, values = reduce_operand(name, layout, 12)
    for axis in range(3):
        kept = tuple(1 if d == axis else s for d, s in enumerate(values.shape))
        target, buffer = compact_out(kept, "int64")
        B.reduce_view(op, a, (axis,), target)
        expected = getattr(values, op)(axis=axis, keepdims=True)   # the first extreme
        assert np.array_equal(npy(buffer).reshape(kept), expected), axis


def test_reduce_view_nan_and_ties():
    values = np.array([[1, np.nan, 3, np.nan], [2, 5, 5, -1], [np.nan, 0, 0, 0],
                       [-np.inf, -np.inf, -np.inf, -np.inf]], np.float32)
    a, _ = handle_of(values, (4, 4), (4, 1))
    results = {}
    for op in ("max", "min", "argmax", "argmin"):
        target, buffer = compact_out((4, 1), "int64" if op.startswith("arg") else "float32")
        B.reduce_view(op, a, (1,), target)
        results[op] = npy(buffer).tolist()
    assert np.isnan(results["max"][0]) and np.isnan(results["max"][2])
    assert results["max"][1] == 5 and results["max"][3] == -np.inf
    assert np.isnan(results["min"][0]) and results["min"][1] == -1
    assert results["argmax"] == [1, 1, 0, 0]     # the first nan, the first of a tie
    assert results["argmin"] == [1, 3, 0, 0]
    # nan along an outer (non-contiguous) reduced axis too
    target, buffer = compact_out((1, 4), "float32")
    B.reduce_view("max", a, (0,), target)
    got = npy(buffer)
    assert np.isnan(got[[0, 1, 3]]).all() and got[2] == 5


def test_reduce_view_float32_sums_are_accurate():
    """Sums along an outer axis accumulate in double: 10**6 rows of 0.1 stay accurate."""
    values = np.full((1_000_000, 2), 0.1, np.float32)
    a, _ = handle_of(values, values.shape, (2, 1))
    target, buffer = compact_out((1, 2), "float32")
    B.reduce_view("sum", a, (0,), target)
    np.testing.assert_allclose(npy(buffer), values.astype(np.float64).sum(axis=0), rtol=1e-6)
    column, _ = handle_of(values, (2, 1_000_000), (1, 2))    # the transposed rows
    target, buffer = compact_out((2, 1), "float32")
    B.reduce_view("sum", column, (1,), target)
    np.testing.assert_allclose(npy(buffer), [1e5, 1e5], rtol=1e-6)


@pytest.mark.parametrize("name", DTYPES)
def test_reduce_view_empty(name):
    a = B.view(out(0, name), (3, 0, 2), (7, 7, 7), 0)
    target, buffer = compact_out((3, 1, 2), name)
    B.reduce_view("sum", a, (1,), target)
    assert not npy(buffer).any()
    for op in ("max", "argmin"):
        target, _ = compact_out((3, 1, 2), "int64" if op == "argmin" else name)
        with pytest.raises(ValueError, match=f"reduce_view: {op} of an empty axis"):
            B.reduce_view(op, a, (1,), target)
    target, _ = compact_out((1, 0, 2), name)
    B.reduce_view("max", a, (0,), target)        # nothing to compute: no error
    scalar, _ = handle_of(sample(name, 1), (), ())
    target, buffer = compact_out((), name)
    B.reduce_view("sum", scalar, (), target)     # no axes: a copy
    assert npy(buffer)[0] == npy(scalar.buffer)[0]


def test_reduce_view_is_checked():
    a = B.view(out(24, "float32"), (2, 3, 4), (12, 4, 1), 0)
    good, _ = compact_out((2, 1, 4), "float32")
    cases = [
        (lambda: B.reduce_view("prod", a, (1,), good), "unknown op 'prod'"),
        (lambda: B.reduce_view("sum", a, (3,), good), "bad or repeated axis 3"),
        (lambda: B.reduce_view("sum", a, (1, 1), good), "bad or repeated axis 1"),
        (lambda: B.reduce_view("sum", a, (-1,), good), "bad or repeated axis -1"),
        (lambda: B.reduce_view("sum", a, (0,), good), ".*needs out \\(1, 3, 4\\) float32"),
        (lambda: B.reduce_view("sum", a, (1,), compact_out((2, 1, 4), "float64")[0]),
         ".*needs out \\(2, 1, 4\\) float32"),
        (lambda: B.reduce_view("argmax", a, (1,), good), ".*needs out \\(2, 1, 4\\) int64"),
        (lambda: B.reduce_view("argmax", a, (0, 1), compact_out((1, 1, 4), "int64")[0]),
         "argmax over axes \\(0, 1\\)"),
        (lambda: B.reduce_view("sum", a, (1,), B.view(out(8, "float32"), (2, 1, 4),
                                                      (1, 1, 2), 0)), "out must be compact"),
        (lambda: B.reduce_view("sum", a, (1,), B.view(a.buffer, (2, 1, 4), (4, 4, 1), 0)),
         "out shares its buffer"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=f"reduce_view: {message}"):
            call()


# ---- optimizer updates ----------------------------------------------------------------------

def np_sgd(grad, buf, param, lr, momentum, dampening, weight_decay, nesterov, first_step):
    g = grad + weight_decay * param if weight_decay else grad
    if momentum:
        buf[:] = g if first_step else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    param -= lr * g


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("momentum, dampening, weight_decay, nesterov", [
    (0.0, 0.0, 0.0, False), (0.0, 0.0, 0.01, False), (0.9, 0.0, 0.0, False),
    (0.9, 0.1, 0.01, False), (0.9, 0.0, 0.01, True)])
@pytest.mark.parametrize("size", [301, 40037])   # 40037: split between threads
def test_sgd_step(name, momentum, dampening, weight_decay, nesterov, size, threads):
    param, grad, buf = sample(name, size, 1), sample(name, size, 2), sample(name, size, 3)
    param_c, grad_c, buf_c = B.from_numpy(param), B.from_numpy(grad), B.from_numpy(buf)
    param, buf = param.astype(np.float64), buf.astype(np.float64)
    rtol = 1e-6 if name == "float32" else 1e-13
    for first_step in (True, False, False):
        B.sgd_step(grad_c, buf_c if momentum else None, 0.1, momentum, dampening,
                   weight_decay, nesterov, first_step, param_c)
        np_sgd(grad, buf, param, 0.1, momentum, dampening, weight_decay, nesterov, first_step)
        np.testing.assert_allclose(npy(param_c), param, rtol=rtol, atol=rtol)
        if momentum:
            np.testing.assert_allclose(npy(buf_c), buf, rtol=rtol, atol=rtol)


def test_sgd_step_keeps_inf_without_weight_decay():
    param = cbuf([np.inf, 1.0], np.float32)
    B.sgd_step(cbuf([0.0, 1.0], np.float32), None, 0.5, 0.0, 0.0, 0.0, False, False, param)
    assert npy(param).tolist() == [np.inf, 0.5]     # no 0 * inf = nan from a zero decay


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("weight_decay, decoupled", [(0.0, False), (0.01, False), (0.01, True)])
@pytest.mark.parametrize("size", [301, 40037])   # 40037: split between threads
def test_adam_step(name, weight_decay, decoupled, size, threads):
    param, grad = sample(name, size, 1), sample(name, size, 2)
    exp_avg, exp_avg_sq = np.zeros(size, name), np.zeros(size, name)
    cs = [B.from_numpy(v) for v in (param, grad, exp_avg, exp_avg_sq)]
    param, m, v = (x.astype(np.float64) for x in (param, exp_avg, exp_avg_sq))
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    rtol = 1e-5 if name == "float32" else 1e-12
    for step in (1, 2, 3):
        B.adam_step(cs[1], cs[2], cs[3], step, lr, beta1, beta2, eps, weight_decay, decoupled,
                    cs[0])
        g = grad.astype(np.float64)
        if decoupled:
            param *= 1 - lr * weight_decay
        elif weight_decay:
            g = g + weight_decay * param
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        param -= lr / (1 - beta1 ** step) * m / (np.sqrt(v / (1 - beta2 ** step)) + eps)
        for got, want in zip((cs[0], cs[2], cs[3]), (param, m, v)):
            np.testing.assert_allclose(npy(got), want, rtol=rtol, atol=rtol)


def test_optimizer_steps_are_checked():
    f3, f4 = out(3, "float32"), out(4, "float32")
    cases = [
        (lambda: B.sgd_step(f4, None, 0.1, 0, 0, 0, False, False, f3), "sgd_step: .*grad is 4"),
        (lambda: B.sgd_step(f3, f4, 0.1, 0.9, 0, 0, False, False, f3),
         "sgd_step: .*momentum_buffer is 4"),
        (lambda: B.sgd_step(f3, None, 0.1, 0.9, 0, 0, False, False, f3),
         "sgd_step: momentum 0.9 needs a momentum_buffer"),
        (lambda: B.sgd_step(out(3, "int64"), None, 0.1, 0, 0, 0, False, False, out(3, "int64")),
         "sgd_step: expected float"),
        (lambda: B.sgd_step(out(3, "float64"), None, 0.1, 0, 0, 0, False, False, f3),
         "sgd_step: .*grad is 3 x float64"),
        (lambda: B.adam_step(f3, f3, f4, 1, 0.1, 0.9, 0.99, 1e-8, 0, False, f3),
         "adam_step: .*exp_avg_sq is 4"),
        (lambda: B.adam_step(f3, f3, f3, 0, 0.1, 0.9, 0.99, 1e-8, 0, False, f3),
         "adam_step: step counts from 1, got 0"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()
    B.sgd_step(f3, f4, 0.1, 0.0, 0, 0, False, False, f3)   # momentum 0: the buffer is unused


# ---- fused kernels ----------------------------------------------------------------------

def np_log_softmax(x):
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("name", FLOATS)
def test_fused_kernels(name):
    rows, cols = 7, 10
    x = sample(name, rows * cols, 1).reshape(rows, cols)
    x[0, 3] = 500    # large logits stay finite
    grad = sample(name, rows * cols, 2).reshape(rows, cols)
    target = np.array([3, 0, 9, 1, 1, 5, 2], np.int64)
    row_grad = sample(name, rows, 3)
    rtol = 1e-5 if name == "float32" else 1e-12
    xb, gb, tb = B.from_numpy(x.reshape(-1)), B.from_numpy(grad.reshape(-1)), B.from_numpy(target)
    expected_y = np_log_softmax(x.astype(np.float64))

    result = out(rows * cols, name)
    B.relu_backward(gb, xb, result)
    assert np.array_equal(npy(result), np.where(x <= 0, 0, grad).reshape(-1))

    y = out(rows * cols, name)
    B.log_softmax(xb, rows, cols, y)
    np.testing.assert_allclose(npy(y).reshape(rows, cols), expected_y, rtol=rtol, atol=rtol)

    B.log_softmax_backward(gb, y, rows, cols, result)
    expected = grad - np.exp(expected_y) * grad.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(npy(result).reshape(rows, cols), expected, rtol=rtol,
                               atol=10 * rtol)

    loss, probs = out(rows, name), out(rows * cols, name)
    B.cross_entropy(xb, tb, rows, cols, loss, probs)
    np.testing.assert_allclose(npy(loss), -expected_y[np.arange(rows), target], rtol=rtol,
                               atol=rtol)
    np.testing.assert_allclose(npy(probs).reshape(rows, cols), np.exp(expected_y), rtol=rtol,
                               atol=rtol)

    one_hot = np.eye(cols)[target]
    B.cross_entropy_backward(probs, tb, B.from_numpy(row_grad), rows, cols, result)
    np.testing.assert_allclose(npy(result).reshape(rows, cols),
                               (np.exp(expected_y) - one_hot) * row_grad[:, None],
                               rtol=rtol, atol=rtol)
    # the backward reads probs as given: it does not recompute a softmax
    B.cross_entropy_backward(gb, tb, B.from_numpy(row_grad), rows, cols, result)
    np.testing.assert_allclose(npy(result).reshape(rows, cols),
                               (grad - one_hot) * row_grad[:, None], rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", FLOATS)
def test_cross_entropy_kernels_on_no_rows(name):
    loss, probs, result = out(0, name), out(0, name), out(0, name)
    B.cross_entropy(out(0, name), cbuf([], np.int64), 0, 10, loss, probs)
    B.cross_entropy_backward(probs, cbuf([], np.int64), out(0, name), 0, 10, result)
    assert npy(loss).size == npy(probs).size == npy(result).size == 0


# ---- the Python boundary: nothing out of bounds reaches C -------------------------------

def test_size_and_dtype_mismatches_raise():
    f3, f4, i3 = out(3, "float32"), out(4, "float32"), out(3, "int64")
    cases = [
        (lambda: B.unary("neg", f3, f4), "unary: .*a is 3 x float32, out is 4 x float32"),
        (lambda: B.unary("neg", f3, i3), "unary"),
        (lambda: B.binary("add", f3, f4, f3), "binary: .*b is 4 x float32"),
        (lambda: B.binary("add", f3, i3, f3), "binary"),
        (lambda: B.binary("lt", f3, f3, f3), "binary: .*out of bool"),
        (lambda: B.where(out(3, "bool"), f3, f4, f3), "where"),
        (lambda: B.where(f3, f3, f3, f3), "where"),
        (lambda: B.reduce("sum", f4, 3, out(1, "float32")), "reduce: .*a is 4 x float32"),
        (lambda: B.reduce("sum", f3, -1, f3), "reduce: reduce_size = -1 is negative"),
        (lambda: B.matmul(f4, f4, 1, 2, 2, 3, f4), "matmul: .*out of 1\\*2\\*3"),
        (lambda: B.matmul(f4, f4, 1, 2, -2, 2, f4), "matmul: k = -2 is negative"),
        (lambda: B.linear(f4, f4, f3, 2, 2, 2, f4), "linear: .*bias is 3 x float32"),
        (lambda: B.linear(out(4, "int64"), out(4, "int64"), None, 2, 2, 2, out(4, "int64")),
         "linear: expected one float dtype"),
        (lambda: B.linear_backward(f4, f4, f4, 2, 2, 2, f4, f4, f3),
         "linear_backward: .*grad_bias is 3 x float32"),
        (lambda: B.linear_backward(f4, f3, f4, 2, 2, 2, None, f4, None),
         "linear_backward: .*x is 3 x float32"),
        (lambda: B.take(f3, cbuf([0, 1]), f3), "take: .*index is 2 x int64"),
        (lambda: B.take(f3, cbuf([0.0, 1.0, 2.0]), f3), "take: index must be int64"),
        (lambda: B.index_put(cbuf([0, 1]), f3, False, f4), "index_put"),
        (lambda: B.relu_backward(f3, f4, f3), "relu_backward"),
        (lambda: B.log_softmax(f4, 2, 3, f4), "log_softmax: .*rows \\* cols = 6"),
        (lambda: B.log_softmax(i3, 1, 3, i3), "log_softmax: expected float"),
        (lambda: B.cross_entropy(f4, cbuf([0]), 2, 2, out(2, "float32"), f4), "cross_entropy"),
        (lambda: B.cross_entropy(f4, cbuf([0, 1]), 2, 2, out(2, "float32"), f3),
         "cross_entropy: .*probs is 3 x float32"),
        (lambda: B.cross_entropy(f4, cbuf([0, 1]), 2, 2, out(2, "float32"), out(4, "float64")),
         "cross_entropy: .*probs is 4 x float64"),
        (lambda: B.cross_entropy_backward(f4, cbuf([0, 1]), f3, 2, 2, f4),
         "cross_entropy_backward: .*grad is 3 x float32"),
        (lambda: B.cross_entropy_backward(f3, cbuf([0, 1]), out(2, "float32"), 2, 2, f4),
         "cross_entropy_backward: .*probs is 3 x float32"),
        (lambda: B.cross_entropy_backward(out(4, "float64"), cbuf([0, 1]), out(2, "float32"),
                                          2, 2, f4),
         "cross_entropy_backward: .*out is 4 x float32"),
        (lambda: B.empty(-1, dtypes.float32), "empty: cannot make -1 elements of float32"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()


def test_index_values_are_checked():
    a, result = out(5, "float32"), out(3, "float32")
    for bad in ([0, 5, 1], [0, -1, 2], [INT64_MIN, 0, 0]):
        with pytest.raises(IndexError, match=r"take: index\[\d\] = -?\d+ is out of range "
                                             r"for size 5"):
            B.take(a, cbuf(bad), result)
        with pytest.raises(IndexError, match="index_put: index"):
            B.index_put(cbuf(bad), result, True, a)
    logits = out(6, "float32")
    with pytest.raises(IndexError, match=r"cross_entropy: target\[1\] = 3 is out of range "
                                         r"for size 3"):
        B.cross_entropy(logits, cbuf([0, 3]), 2, 3, out(2, "float32"), out(6, "float32"))
    with pytest.raises(IndexError, match="cross_entropy_backward: target"):
        B.cross_entropy_backward(logits, cbuf([-1, 0]), out(2, "float32"), 2, 3,
                                 out(6, "float32"))


@pytest.mark.parametrize("args, message", [
    (((2, 3), (3, 1), 1, (3, 1), 0), "copy: a elements 1..6"),         # offset pushes past
    (((2, 3), (4, 1), 0, (3, 1), 0), "copy: a elements 0..6"),         # stride too large
    (((2, 3), (3, 1), -1, (3, 1), 0), "copy: a elements -1..4"),       # negative offset
    (((2, 3), (3, 1), 0, (3, 1), 1), "copy: out elements 1..6"),
    (((6,), (-1,), 0, (1,), 0), "copy: a elements -5..0"),             # negative stride
])
def test_copy_regions_are_checked(args, message):
    shape, a_strides, a_offset, out_strides, out_offset = args
    a, target = out(6, "float32"), out(6, "float32")
    with pytest.raises(IndexError, match=message):
        B.copy(a, a_strides, a_offset, shape, out_strides, out_offset, target)


def test_copy_shape_and_stride_errors():
    a = out(6, "float32")
    with pytest.raises(ValueError, match="copy: a has 1 strides"):
        B.copy(a, (1,), 0, (2, 3), (3, 1), 0, a)
    with pytest.raises(ValueError, match="copy: negative size"):
        B.copy(a, (1,), 0, (-2,), (1,), 0, a)
    with pytest.raises(ValueError, match="copy: 65 dims"):
        B.copy(a, (0,) * 65, 0, (1,) * 65, (0,) * 65, 0, a)
    B.copy(a, (0,) * 64, 0, (1,) * 64, (0,) * 64, 0, a)   # 64 dims are fine
