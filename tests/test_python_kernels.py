"""Kernel-level tests of the pure-Python backend against minitorch.contract.

These call the kernels directly on flat buffers (no Tensor, no dispatcher), so they
import only the backend, minitorch.dtype and minitorch.contract. Expected values come
from torch where its semantics are the point (nan/inf, floor division, casting) and
from numpy otherwise.
"""
import itertools
import math

import numpy as np
import pytest
import torch

from minitorch import dtype as mdt
from minitorch.contract import (BINARY_OPS, COMPARE_OPS, OPTIONAL_KERNELS, REDUCE_OPS,
                                REQUIRED_KERNELS, UNARY_OPS, check_backend)
from minitorch_backends.python_backend import PythonBackend

backend = PythonBackend()

DTYPES = ("float32", "float64", "int64", "bool")
FLOATS = ("float32", "float64")
TOLERANCE = {"float32": {"rtol": 1e-6, "atol": 1e-30}, "float64": {"rtol": 1e-12, "atol": 1e-300}}
TORCH_DTYPE = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
               "bool": torch.bool}

nan, inf = math.nan, math.inf
FLOAT_VALUES = [-3.5, -2.0, -1.0, -0.5, -0.0, 0.0, 1e-3, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0,
                7.25, 100.0, nan, inf, -inf]
INT_VALUES = [-7, -3, -2, -1, 0, 1, 2, 3, 5, 100]
BOOL_VALUES = [False, True]


def buffer(values, dtype_name):
    return backend.from_numpy(np.asarray(values, dtype=np.dtype(dtype_name)))


def empty(size, dtype_name):
    return backend.empty(size, mdt.from_name(dtype_name))


def assert_buffer(buf, expected, dtype_name):
    """buf holds `expected` with dtype `dtype_name` (float tolerance per dtype, nan == nan)."""
    got = backend.to_numpy(buf)
    expected = np.asarray(expected)
    assert got.dtype == np.dtype(dtype_name)
    assert got.shape == expected.reshape(-1).shape
    if dtype_name in FLOATS:
        np.testing.assert_allclose(got, expected.reshape(-1), equal_nan=True,
                                   **TOLERANCE[dtype_name])
    else:
        np.testing.assert_array_equal(got, expected.reshape(-1))


def torch_values(values, dtype_name):
    return torch.tensor(values, dtype=TORCH_DTYPE[dtype_name])


# ---- the contract itself ---------------------------------------------------------------

def test_meets_the_contract_with_no_optional_kernels():
    assert check_backend(backend, "test") == frozenset()
    assert backend.name == "python"
    assert tuple(backend.dtypes) == DTYPES
    assert all(callable(getattr(backend, k)) for k in REQUIRED_KERNELS)
    assert not any(hasattr(backend, k) for k in OPTIONAL_KERNELS)


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_empty_makes_self_describing_buffers(dtype_name):
    buf = empty(5, dtype_name)
    assert len(buf) == 5
    assert backend.to_numpy(buf).dtype == np.dtype(dtype_name)
    assert len(empty(0, dtype_name)) == 0


def test_bool_and_int_buffers_are_distinguishable():
    as_bool = backend.to_numpy(buffer([0, 1], "bool"))
    as_int = backend.to_numpy(buffer([0, 1], "int64"))
    assert as_bool.dtype == np.bool_ and as_int.dtype == np.int64


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_numpy_round_trip_copies(dtype_name):
    source = np.array([1, 0, 3, 0, 2], dtype=dtype_name)
    buf = backend.from_numpy(source)
    source[0] = 0
    back = backend.to_numpy(buf)
    assert_buffer(buf, np.array([1, 0, 3, 0, 2], dtype=dtype_name), dtype_name)
    back[1] = 1
    assert backend.to_numpy(buf)[1] == 0
    assert backend.to_numpy(backend.from_numpy(np.array([], dtype=dtype_name))).size == 0


def test_from_numpy_reads_non_native_byte_order():
    swapped = np.array([1.5, -2.0], dtype=">f8")
    assert_buffer(backend.from_numpy(swapped), [1.5, -2.0], "float64")


def test_float32_storage_rounds_to_float32():
    buf = buffer([0.1], "float64")
    out = empty(1, "float32")
    backend.copy(buf, (1,), 0, (1,), (1,), 0, out)
    assert backend.to_numpy(out)[0] == np.float32(0.1)
    out = empty(2, "float32")
    backend.copy(buffer([1e39, -1e39], "float64"), (1,), 0, (2,), (1,), 0, out)
    assert_buffer(out, [inf, -inf], "float32")


# ---- fill ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype_name,value,expected", [
    ("float32", 0.1, np.float32(0.1)), ("float64", 0.1, 0.1), ("float32", 2, 2.0),
    ("float64", -inf, -inf), ("int64", -7, -7), ("int64", 2**40, 2**40),
    ("bool", True, True), ("bool", 0, False), ("bool", 2, True), ("float64", True, 1.0),
])
def test_fill(dtype_name, value, expected):
    out = empty(4, dtype_name)
    backend.fill(value, out)
    assert_buffer(out, [expected] * 4, dtype_name)
    assert backend.to_numpy(out)[0] == expected  # exactly, not within a tolerance


def test_fill_empty_buffer():
    out = empty(0, "float32")
    backend.fill(1.0, out)
    assert len(out) == 0


# ---- copy: layouts ---------------------------------------------------------------------

def numpy_strided(flat, shape, strides, offset):
    """The view of 1-D numpy array `flat` that the (shape, strides, offset) layout describes."""
    return np.lib.stride_tricks.as_strided(flat[offset:], shape,
                                           [s * flat.itemsize for s in strides])


LAYOUTS = [  # shape, a_strides, a_offset, out_strides, out_offset, a_size, out_size
    ((2, 3), (3, 1), 0, (3, 1), 0, 6, 6),                 # contiguous
    ((3, 2), (1, 3), 0, (2, 1), 0, 6, 6),                 # transpose
    ((4, 3), (0, 1), 2, (3, 1), 0, 5, 12),                # row broadcast, offset
    ((3, 4), (1, 0), 1, (4, 1), 0, 4, 12),                # column broadcast
    ((2, 3), (0, 0), 5, (3, 1), 0, 6, 6),                 # scalar broadcast
    ((), (), 4, (), 2, 6, 3),                             # 0-d
    ((2, 2, 3), (12, 3, 1), 1, (1, 6, 2), 1, 30, 13),     # both strided, offsets
    ((2, 1, 3), (3, 99, 1), 0, (3, 7, 1), 0, 6, 6),       # size-1 dim, odd strides
    ((3, 1), (1, 0), 0, (1, 1), 0, 3, 3),                 # size-1 last dim
    ((2, 0, 3), (0, 3, 1), 0, (0, 3, 1), 0, 1, 1),        # empty
    ((5,), (2,), 1, (3,), 2, 11, 17),                     # 1-d strided with offsets
    ((2, 3, 2), (0, 2, 1), 3, (6, 2, 1), 0, 9, 12),       # middle-dim broadcast
]


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_copy_layouts(layout, dtype_name):
    shape, a_strides, a_offset, out_strides, out_offset, a_size, out_size = layout
    source = (np.arange(a_size) % 7 + 1).astype(dtype_name)
    initial = np.zeros(out_size, dtype=dtype_name)
    expected = initial.copy()
    numpy_strided(expected, shape, out_strides, out_offset)[...] = \
        numpy_strided(source, shape, a_strides, a_offset)
    out = backend.from_numpy(initial)
    backend.copy(backend.from_numpy(source), a_strides, a_offset, shape,
                 out_strides, out_offset, out)
    assert_buffer(out, expected, dtype_name)


def test_copy_within_one_buffer_non_overlapping():
    buf = buffer([1.0, 2.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0], "float64")
    backend.copy(buf, (1, 2), 0, (2, 2), (2, 1), 4, buf)  # transposed 2x2 into the back half
    assert_buffer(buf, [1, 2, 3, 4, 1, 3, 2, 4], "float64")


# ---- copy: casting ---------------------------------------------------------------------

CAST_SOURCES = {
    "float32": [-2.7, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.7, 1e6 + 0.5],
    "float64": [-2.7, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.7, 2.0**40 + 0.75],
    "int64": [-3, -1, 0, 1, 2, 2**40 + 1],
    "bool": [True, False, True],
}


@pytest.mark.parametrize("source_name,target_name", list(itertools.product(DTYPES, DTYPES)))
def test_copy_casts_like_torch(source_name, target_name):
    values = CAST_SOURCES[source_name]
    out = empty(len(values), target_name)
    backend.copy(buffer(values, source_name), (1,), 0, (len(values),), (1,), 0, out)
    expected = torch_values(values, source_name).to(TORCH_DTYPE[target_name]).numpy()
    assert_buffer(out, expected, target_name)


def test_copy_cast_rules_explicitly():
    out = empty(4, "int64")
    backend.copy(buffer([-2.7, 2.7, -0.5, 3.999], "float64"), (1,), 0, (4,), (1,), 0, out)
    assert_buffer(out, [-2, 2, 0, 3], "int64")  # truncation toward zero
    out = empty(5, "bool")
    backend.copy(buffer([nan, inf, 0.0, -0.0, 1e-30], "float64"), (1,), 0, (5,), (1,), 0, out)
    assert_buffer(out, [True, True, False, False, True], "bool")
    out = empty(2, "float32")
    backend.copy(buffer([True, False], "bool"), (1,), 0, (2,), (1,), 0, out)
    assert_buffer(out, [1.0, 0.0], "float32")


def test_copy_casts_with_broadcast_and_offset():
    out = empty(6, "int64")
    backend.copy(buffer([9.0, -1.5, 2.5], "float32"), (0, 1), 1, (3, 2), (2, 1), 0, out)
    assert_buffer(out, [-1, 2, -1, 2, -1, 2], "int64")


def test_copy_of_nan_to_int_is_an_error_not_garbage():
    with pytest.raises(ValueError):
        backend.copy(buffer([nan], "float64"), (1,), 0, (1,), (1,), 0, empty(1, "int64"))


# ---- unary -----------------------------------------------------------------------------

TORCH_UNARY = {"neg": torch.neg, "abs": torch.abs, "sign": torch.sign, "exp": torch.exp,
               "log": torch.log, "sqrt": torch.sqrt, "sin": torch.sin, "cos": torch.cos,
               "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
               "tan": torch.tan, "asin": torch.asin, "acos": torch.acos, "atan": torch.atan,
               "sinh": torch.sinh, "cosh": torch.cosh, "asinh": torch.asinh,
               "acosh": torch.acosh, "atanh": torch.atanh, "bitwise_not": torch.bitwise_not}
INT_UNARY = ("neg", "abs", "sign", "relu", "bitwise_not")  # the rest promote int64 to float
FLOAT_UNARY = sorted(set(UNARY_OPS) - {"bitwise_not"})


def test_torch_table_covers_the_contract():
    assert set(TORCH_UNARY) == set(UNARY_OPS)
    assert set(TORCH_BINARY) == set(BINARY_OPS) | set(COMPARE_OPS)


@pytest.mark.parametrize("op,dtype_name", [(op, d) for op in FLOAT_UNARY for d in FLOATS]
                         + [(op, "int64") for op in INT_UNARY] + [("bitwise_not", "bool")])
def test_unary_matches_torch(op, dtype_name):
    values = {"int64": INT_VALUES + [2**63 - 1, -2**63], "bool": BOOL_VALUES}.get(
        dtype_name, FLOAT_VALUES + [-50.0, 50.0, 88.0, 1000.0, -1000.0, 0.999, -0.999])
    out = empty(len(values), dtype_name)
    backend.unary(op, buffer(values, dtype_name), out)
    assert_buffer(out, TORCH_UNARY[op](torch_values(values, dtype_name)).numpy(), dtype_name)


@pytest.mark.parametrize("op,values,expected", [
    ("exp", [1000.0, -1000.0, inf, -inf, nan], [inf, 0.0, inf, 0.0, nan]),
    ("log", [0.0, -0.0, -1.0, -inf, inf, nan], [-inf, -inf, nan, nan, inf, nan]),
    ("sqrt", [-1.0, -inf, 4.0, inf], [nan, nan, 2.0, inf]),
    ("sigmoid", [-1000.0, 1000.0, -inf, inf, nan], [0.0, 1.0, 0.0, 1.0, nan]),
    ("sin", [inf, -inf, nan], [nan, nan, nan]),
    ("cos", [inf, nan], [nan, nan]),
    ("sign", [nan, -0.0, -inf, 2.5], [0.0, 0.0, -1.0, 1.0]),
    ("relu", [nan, -inf, inf, -2.0], [nan, 0.0, inf, 0.0]),
    ("tanh", [inf, -inf, nan], [1.0, -1.0, nan]),
    ("tan", [inf, -inf, nan, -0.0], [nan, nan, nan, -0.0]),
    ("asin", [1.0, -1.0, 1.5, -inf, -0.0], [math.pi / 2, -math.pi / 2, nan, nan, -0.0]),
    ("acos", [1.0, -1.0, -1.5, inf], [0.0, math.pi, nan, nan]),
    ("atan", [inf, -inf, -0.0], [math.pi / 2, -math.pi / 2, -0.0]),
    ("sinh", [1000.0, -1000.0, -0.0], [inf, -inf, -0.0]),
    ("cosh", [1000.0, -1000.0, -inf], [inf, inf, inf]),
    ("asinh", [inf, -inf, -0.0], [inf, -inf, -0.0]),
    ("acosh", [1.0, 0.5, -1.0, inf], [0.0, nan, nan, inf]),
    ("atanh", [1.0, -1.0, 1.5, -0.0], [inf, -inf, nan, -0.0]),
])
@pytest.mark.parametrize("dtype_name", FLOATS)
def test_unary_ieee_edge_cases(op, values, expected, dtype_name):
    out = empty(len(values), dtype_name)
    backend.unary(op, buffer(values, dtype_name), out)
    assert_buffer(out, expected, dtype_name)


def test_float32_exp_overflows_to_inf_on_store():
    out = empty(2, "float32")
    backend.unary("exp", buffer([100.0, 88.0], "float32"), out)
    assert backend.to_numpy(out)[0] == inf and math.isfinite(backend.to_numpy(out)[1])


# ---- binary ----------------------------------------------------------------------------

TORCH_BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
                "floordiv": torch.floor_divide, "mod": torch.remainder, "pow": torch.pow,
                "maximum": torch.maximum, "minimum": torch.minimum, "eq": torch.eq,
                "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
                "atan2": torch.atan2, "fmod": torch.fmod, "bitwise_and": torch.bitwise_and,
                "bitwise_or": torch.bitwise_or, "bitwise_xor": torch.bitwise_xor,
                "bitwise_left_shift": torch.bitwise_left_shift,
                "bitwise_right_shift": torch.bitwise_right_shift}


def all_pairs(values):
    pairs = list(itertools.product(values, values))
    return [x for x, _ in pairs], [y for _, y in pairs]


def binary_case(op, dtype_name):
    """Operands covering every pair of sample values (integer divisors and exponents kept
    where torch defines the result)."""
    if dtype_name in FLOATS:
        return all_pairs(FLOAT_VALUES)
    if dtype_name == "bool":
        return all_pairs(BOOL_VALUES)
    if op == "pow":
        pairs = itertools.product([-3, -2, -1, 0, 1, 2, 7], [-2, -1, 0, 1, 2, 3, 5])
        return tuple(map(list, zip(*pairs)))
    x, y = all_pairs(INT_VALUES + [63, 64, -2**63, 2**63 - 1])
    if op in ("floordiv", "mod", "fmod"):
        x, y = zip(*[(p, q) for p, q in zip(x, y) if q != 0])
    return list(x), list(y)


BINARY_DTYPES = {op: FLOATS + ("int64",) for op in BINARY_OPS}
BINARY_DTYPES.update(div=FLOATS, maximum=DTYPES, minimum=DTYPES, atan2=FLOATS,
                     bitwise_and=("int64", "bool"), bitwise_or=("int64", "bool"),
                     bitwise_xor=("int64", "bool"), bitwise_left_shift=("int64",),
                     bitwise_right_shift=("int64",), **{op: DTYPES for op in COMPARE_OPS})


@pytest.mark.parametrize("op,dtype_name",
                         [(op, d) for op, names in BINARY_DTYPES.items() for d in names])
def test_binary_matches_torch(op, dtype_name):
    x, y = binary_case(op, dtype_name)
    out_name = "bool" if op in COMPARE_OPS else dtype_name
    out = empty(len(x), out_name)
    backend.binary(op, buffer(x, dtype_name), buffer(y, dtype_name), out)
    expected = TORCH_BINARY[op](torch_values(x, dtype_name), torch_values(y, dtype_name))
    assert_buffer(out, expected.numpy(), out_name)


@pytest.mark.parametrize("op", ["floordiv", "mod", "fmod"])
def test_integer_division_by_zero_raises_naming_the_op(op):
    out = empty(2, "int64")
    with pytest.raises(ZeroDivisionError, match=op):
        backend.binary(op, buffer([4, 1], "int64"), buffer([2, 0], "int64"), out)


@pytest.mark.parametrize("dtype_name", FLOATS)
def test_float_division_by_zero_is_ieee(dtype_name):
    x = [1.0, -1.0, 1.0, -1.0, 0.0, nan, inf]
    y = [0.0, 0.0, -0.0, -0.0, 0.0, 0.0, 0.0]
    for op, expected in [("div", [inf, -inf, -inf, inf, nan, nan, inf]),
                         ("floordiv", [inf, -inf, -inf, inf, nan, nan, inf]),
                         ("mod", [nan] * 7), ("fmod", [nan] * 7)]:
        out = empty(len(x), dtype_name)
        backend.binary(op, buffer(x, dtype_name), buffer(y, dtype_name), out)
        assert_buffer(out, expected, dtype_name)


@pytest.mark.parametrize("dtype_name", FLOATS)
def test_pow_edge_cases(dtype_name):
    x = [0.0, -0.0, -0.0, -8.0, 10.0, -10.0, 0.1, -0.1, -2.0, nan, 1.0, 1e20]
    y = [-1.0, -1.0, -2.0, 1 / 3, 400.0, 401.0, -400.0, -401.0, inf, 0.0, nan, 2.0]
    out = empty(len(x), dtype_name)
    backend.binary("pow", buffer(x, dtype_name), buffer(y, dtype_name), out)
    expected = [inf, -inf, inf, nan, inf, -inf, inf, -inf, inf, 1.0, 1.0,
                inf if dtype_name == "float32" else 1e40]
    assert_buffer(out, expected, dtype_name)


def test_integer_pow_with_negative_exponent_is_torchs():
    out = empty(5, "int64")
    backend.binary("pow", buffer([2, 1, -1, -1, 0], "int64"),
                   buffer([-1, -5, -3, -2, -1], "int64"), out)
    assert_buffer(out, [0, 1, -1, 1, 0], "int64")


@pytest.mark.parametrize("op,expected", [("maximum", [nan, nan, nan, 2.0]),
                                         ("minimum", [nan, nan, nan, -inf])])
def test_maximum_minimum_propagate_nan(op, expected):
    out = empty(4, "float64")
    backend.binary(op, buffer([nan, 1.0, nan, -inf], "float64"),
                   buffer([1.0, nan, nan, 2.0], "float64"), out)
    assert_buffer(out, expected, "float64")


def test_comparisons_with_nan_are_false_except_ne():
    x, y = buffer([nan, nan, 1.0], "float32"), buffer([nan, 1.0, nan], "float32")
    for op in COMPARE_OPS:
        out = empty(3, "bool")
        backend.binary(op, x, y, out)
        assert_buffer(out, [op == "ne"] * 3, "bool")


# ---- where -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype_name", DTYPES)
def test_where(dtype_name):
    cond = [True, False, False, True, False]
    a = np.array([1, 2, 3, 4, 5]).astype(dtype_name)
    b = np.array([0, 9, 0, 7, 1]).astype(dtype_name)
    out = empty(5, dtype_name)
    backend.where(buffer(cond, "bool"), backend.from_numpy(a), backend.from_numpy(b), out)
    assert_buffer(out, np.where(cond, a, b), dtype_name)


def test_where_keeps_nan_and_inf():
    out = empty(3, "float32")
    backend.where(buffer([True, False, True], "bool"), buffer([nan, 0.0, inf], "float32"),
                  buffer([0.0, -inf, 0.0], "float32"), out)
    assert_buffer(out, [nan, -inf, inf], "float32")


# ---- reduce ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype_name", FLOATS + ("int64",))
@pytest.mark.parametrize("op", sorted(REDUCE_OPS))
def test_reduce_rows(op, dtype_name):
    rng = np.random.default_rng(0)
    rows = (rng.standard_normal((4, 7)) * 50).astype(dtype_name)
    out = empty(4, dtype_name)
    backend.reduce(op, backend.from_numpy(rows.reshape(-1)), 7, out)
    expected = {"sum": np.sum, "max": np.max, "min": np.min}[op](rows.astype(np.float64), axis=1)
    assert_buffer(out, expected.astype(dtype_name), dtype_name)


def test_float32_sum_of_many_values():
    values = np.random.default_rng(1).random(10000).astype(np.float32)
    out = empty(1, "float32")
    backend.reduce("sum", backend.from_numpy(values), 10000, out)
    assert_buffer(out, [values.astype(np.float64).sum()], "float32")


@pytest.mark.parametrize("op,expected", [("max", [True, True, False]),
                                         ("min", [False, True, False])])
def test_reduce_bool(op, expected):
    out = empty(3, "bool")
    backend.reduce(op, buffer([True, False, True, True, False, False], "bool"), 2, out)
    assert_buffer(out, expected, "bool")


@pytest.mark.parametrize("dtype_name", FLOATS + ("int64",))
def test_sum_of_empty_rows_is_zero(dtype_name):
    out = backend.from_numpy(np.full(3, 5, dtype=dtype_name))
    backend.reduce("sum", empty(0, dtype_name), 0, out)
    assert_buffer(out, [0, 0, 0], dtype_name)


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_propagate_nan(op):
    out = empty(3, "float32")
    backend.reduce(op, buffer([1.0, nan, 3.0, 4.0, -inf, 2.0, nan, nan, nan], "float32"), 3, out)
    assert_buffer(out, [nan, 4.0 if op == "max" else -inf, nan], "float32")


def test_sum_with_infinities():
    out = empty(3, "float64")
    backend.reduce("sum", buffer([inf, 1.0, -inf, inf, nan, 0.0], "float64"), 2, out)
    assert_buffer(out, [inf, nan, nan], "float64")


# ---- matmul ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype_name", FLOATS + ("int64",))
@pytest.mark.parametrize("batch,m,k,n", [(1, 1, 1, 1), (1, 3, 4, 5), (3, 2, 5, 4),
                                         (2, 4, 1, 3), (1, 5, 3, 1)])
def test_matmul(batch, m, k, n, dtype_name):
    rng = np.random.default_rng(batch * 100 + m * 10 + k + n)
    a = (rng.standard_normal((batch, m, k)) * 5).astype(dtype_name)
    b = (rng.standard_normal((batch, k, n)) * 5).astype(dtype_name)
    out = empty(batch * m * n, dtype_name)
    backend.matmul(backend.from_numpy(a.reshape(-1)), backend.from_numpy(b.reshape(-1)),
                   batch, m, k, n, out)
    expected = np.matmul(a.astype(np.float64), b.astype(np.float64)).astype(dtype_name)
    assert_buffer(out, expected, dtype_name)


@pytest.mark.parametrize("dtype_name", FLOATS + ("int64",))
def test_matmul_with_k_zero_is_zeros(dtype_name):
    out = backend.from_numpy(np.full(2 * 3 * 4, 7, dtype=dtype_name))
    backend.matmul(empty(0, dtype_name), empty(0, dtype_name), 2, 3, 0, 4, out)
    assert_buffer(out, np.zeros(24), dtype_name)


def test_matmul_with_empty_result():
    out = empty(0, "float32")
    backend.matmul(empty(0, "float32"), empty(12, "float32"), 2, 0, 3, 2, out)
    assert len(out) == 0


def test_matmul_propagates_inf_and_nan():
    out = empty(2, "float64")
    backend.matmul(buffer([inf, 1.0], "float64"), buffer([1.0, nan, 0.0, 1.0], "float64"),
                   1, 1, 2, 2, out)
    assert_buffer(out, [inf, nan], "float64")


# ---- take / index_put ------------------------------------------------------------------

@pytest.mark.parametrize("dtype_name", DTYPES)
def test_take_with_repeated_indices(dtype_name):
    source = (np.arange(6) % 4).astype(dtype_name)
    index = [5, 0, 0, 3, 5, 1]
    out = empty(len(index), dtype_name)
    backend.take(backend.from_numpy(source), buffer(index, "int64"), out)
    assert_buffer(out, source[index], dtype_name)


def test_take_with_no_indices():
    out = empty(0, "float32")
    backend.take(buffer([1.0], "float32"), empty(0, "int64"), out)
    assert len(out) == 0


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_with_repeated_indices_like_torch(dtype_name, accumulate):
    initial = (np.arange(5) % 2).astype(dtype_name)
    index = [0, 3, 0, 4, 0]
    values = np.array([1, 0, 2, 1, 3]).astype(dtype_name)
    out = backend.from_numpy(initial)
    backend.index_put(buffer(index, "int64"), backend.from_numpy(values), accumulate, out)
    expected = torch.from_numpy(initial.copy()).index_put_(
        (torch.tensor(index),), torch.from_numpy(values), accumulate=accumulate)
    assert_buffer(out, expected.numpy(), dtype_name)
    as_int = empty(5, "int64")  # a bool buffer must still hold only 0 and 1
    backend.copy(out, (1,), 0, (5,), (1,), 0, as_int)
    assert_buffer(as_int, expected.to(torch.int64).numpy(), "int64")


def test_index_put_last_write_wins_and_accumulate_sums():
    out = buffer([0.0, 0.0, 10.0], "float64")
    backend.index_put(buffer([2, 2, 2], "int64"), buffer([1.0, 2.0, 3.0], "float64"), False, out)
    assert_buffer(out, [0.0, 0.0, 3.0], "float64")
    backend.index_put(buffer([2, 0, 2], "int64"), buffer([1.0, 2.0, 3.0], "float64"), True, out)
    assert_buffer(out, [2.0, 0.0, 7.0], "float64")


def test_index_put_accumulates_in_float32():
    out = buffer([1.0], "float32")
    backend.index_put(buffer([0, 0], "int64"), buffer([1e-8, 1e-8], "float32"), True, out)
    assert backend.to_numpy(out)[0] == np.float32(1.0)  # each += rounds, as torch's loop
