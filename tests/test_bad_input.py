"""Bad input to creation, indexing and data: a clear error naming the op, raised before
anything is written, with PyTorch's error type (checked against torch where it has one)."""
import numpy as np
import pytest
import torch

import minitorch
from minitorch.utils.data import DataLoader, TensorDataset

BACKENDS = ["numpy", "c", "python"]


def other_backend(name):
    return "c" if name != "c" else "numpy"


def assert_torch_raises(error, function):
    """PyTorch raises the same error type for the same input (kept next to ours so a
    change on either side shows)."""
    with pytest.raises(error):
        function(torch)


# ---- tensor(): elements a tensor cannot hold ----------------------------------------------

@pytest.mark.parametrize("data", [[1 + 2j], [[1, 2j]], 1j, [np.complex64(1)]])
def test_tensor_refuses_complex_values(data):
    with pytest.raises(TypeError, match=r"tensor\(\): complex values are not supported"):
        minitorch.tensor(data)


@pytest.mark.parametrize("data", [["a"], [1, "a"], [None], [[1.0], [None]]])
def test_tensor_refuses_non_numbers_naming_the_element_type(data):
    with pytest.raises(TypeError, match=r"tensor\(\): cannot make a tensor from an element "
                                        r"of type (str|NoneType)"):
        minitorch.tensor(data)


@pytest.mark.parametrize("data", [[2**70], 2**70, [-2**70, 1], [2**63], [[1], [2**64 - 1]]])
def test_tensor_refuses_ints_beyond_int64_like_torch(data):
    with pytest.raises(ValueError, match=r"tensor\(\): value -?\d+ does not fit in int64"):
        minitorch.tensor(data)
    assert_torch_raises(ValueError, lambda lib: lib.tensor(data))


@pytest.mark.parametrize("data", [[2**70], [1.0, 2**70], [2**63]])
def test_big_ints_become_floats_when_the_tensor_is_floating_point_like_torch(data):
    dtype = None if any(isinstance(v, float) for v in data) else minitorch.float64
    ours = minitorch.tensor(data, dtype=dtype)
    theirs = torch.tensor(data, dtype=None if dtype is None else torch.float64)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_uneven_nested_lists_say_so():
    with pytest.raises(ValueError, match=r"tensor\(\): nested sequences have uneven lengths"):
        minitorch.tensor([[1, 2], [3]])


def test_int64_bounds_are_still_accepted():
    values = [-2**63, 2**63 - 1]
    assert minitorch.tensor(values).numpy().tolist() == values


# ---- sizes, steps and ranges ------------------------------------------------------------

SIZED = {
    "zeros": lambda lib, *size: lib.zeros(*size),
    "ones": lambda lib, *size: lib.ones(*size),
    "empty": lambda lib, *size: lib.empty(*size),
    "full": lambda lib, *size: lib.full(size, 1.5),
    "rand": lambda lib, *size: lib.rand(*size),
    "randn": lambda lib, *size: lib.randn(*size),
    "randint": lambda lib, *size: lib.randint(0, 5, size),
}


@pytest.mark.parametrize("op", SIZED)
def test_negative_sizes_name_the_function_and_dimension(op):
    with pytest.raises(RuntimeError, match=rf"{op}: dimension 1 of size \[2, -1\] must be "
                                           r"non-negative, got -1"):
        SIZED[op](minitorch, 2, -1)
    assert_torch_raises(RuntimeError, lambda lib: SIZED[op](lib, 2, -1))


@pytest.mark.parametrize("op", SIZED)
def test_sizes_whose_storage_cannot_be_addressed_are_refused(op):
    with pytest.raises(RuntimeError, match=rf"{op}: size \[4294967296, 4294967296\] has too "
                                           "many elements"):
        SIZED[op](minitorch, 2**32, 2**32)
    assert_torch_raises(RuntimeError, lambda lib: SIZED[op](lib, 2**32, 2**32))


def test_float_sizes_are_refused_not_truncated():
    with pytest.raises(TypeError, match="zeros: dimension 0 of size .* must be an int, "
                                        "got float"):
        minitorch.zeros(2.5)
    assert_torch_raises(TypeError, lambda lib: lib.zeros(2.5))


def test_a_zero_dim_int_tensor_is_a_valid_size():
    assert minitorch.zeros(minitorch.tensor(3)).shape == (3,)


@pytest.mark.parametrize("call, message", [
    (lambda lib: lib.linspace(0, 1, -1), "linspace: number of steps must be non-negative, "
                                         "got -1"),
    (lambda lib: lib.eye(-1), "eye: n must be non-negative, got -1"),
    (lambda lib: lib.eye(2, -3), "eye: m must be non-negative, got -3"),
    (lambda lib: lib.randperm(-1), "randperm: n must be non-negative, got -1"),
    (lambda lib: lib.randint(5, 2, (3,)), r"randint: low \(5\) must be less than high \(2\)"),
    (lambda lib: lib.randint(2, 2, (3,)), r"randint: low \(2\) must be less than high \(2\)"),
])
def test_range_arguments_name_the_function(call, message):
    with pytest.raises(RuntimeError, match=message):
        call(minitorch)
    assert_torch_raises(RuntimeError, call)


@pytest.mark.parametrize("value, error, torch_error", [
    (float("nan"), RuntimeError, RuntimeError),
    (float("inf"), RuntimeError, RuntimeError),
    (2**70, ValueError, OverflowError),  # ValueError as torch.tensor() and setitem raise
])
def test_full_refuses_a_fill_value_int64_cannot_hold(value, error, torch_error):
    with pytest.raises(error, match=rf"full: value {value} .*int64"):
        minitorch.full((2,), value, dtype=minitorch.int64)
    assert_torch_raises(torch_error, lambda lib: lib.full((2,), value, dtype=lib.int64))


# ---- indexing with index tensors on another backend ---------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_getitem_with_an_index_on_another_backend_is_refused(backend):
    a = minitorch.tensor([1.0, 2.0, 3.0], backend=backend)
    index = minitorch.tensor([0, 2], backend=other_backend(backend))
    message = (rf"getitem: tensors are on different backends \('{backend}' and "
               rf"'{other_backend(backend)}'\); move one with \.to\('{backend}'\)")
    with pytest.raises(RuntimeError, match=message):
        a[index]
    grid = minitorch.zeros(3, 3, backend=backend)
    with pytest.raises(RuntimeError, match="getitem: tensors are on different backends"):
        grid[0:2, index]


@pytest.mark.parametrize("backend", BACKENDS)
def test_setitem_with_an_index_on_another_backend_writes_nothing(backend):
    a = minitorch.tensor([1.0, 2.0, 3.0], backend=backend)
    with pytest.raises(RuntimeError, match="setitem: tensors are on different backends"):
        a[minitorch.tensor([0], backend=other_backend(backend))] = 9.0
    assert a.tolist() == [1.0, 2.0, 3.0]


# ---- setitem of a value the dtype cannot hold ---------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("value", [float("nan"), float("-inf")])
@pytest.mark.parametrize("key", [0, slice(None), [1]])
def test_setitem_of_nan_or_inf_into_int_is_refused_like_torch(backend, value, key):
    a = minitorch.tensor([1, 2], backend=backend)
    with pytest.raises(RuntimeError, match=rf"setitem: value {value} cannot be converted to "
                                           "int64"):
        a[key] = value
    assert a.tolist() == [1, 2]
    theirs = torch.tensor([1, 2])
    with pytest.raises(RuntimeError):
        theirs[key] = value


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_setitem_of_an_int_beyond_int64_is_refused_like_torch(backend, dtype):
    a = minitorch.tensor([1, 0], dtype=dtype, backend=backend)
    before = a.tolist()
    with pytest.raises(ValueError, match=r"setitem: value \d+ does not fit in int64"):
        a[0] = 2**70
    assert a.tolist() == before
    with pytest.raises(ValueError):
        torch.tensor([1, 0], dtype=getattr(torch, dtype))[0] = 2**70


@pytest.mark.parametrize("backend", BACKENDS)
def test_setitem_keeps_accepting_what_torch_accepts(backend):
    ints = minitorch.tensor([1, 2], backend=backend)
    ints[0] = 1.75          # truncated, as PyTorch does
    floats = minitorch.tensor([1.0, 2.0], backend=backend)
    floats[0] = float("nan")
    floats[1] = 2**70
    flags = minitorch.tensor([False], backend=backend)
    flags[0] = float("nan")
    assert ints.tolist() == [1, 2]
    assert np.isnan(floats.tolist()[0]) and floats.tolist()[1] == float(2**70)
    assert flags.tolist() == [True]


# ---- index_put_ ---------------------------------------------------------------------------

def index_put_error(target, indices, values):
    """The error index_put_ raises, after checking that target was left unchanged."""
    before = target.tolist()
    with pytest.raises(Exception) as info:
        target.index_put_(indices, values)
    assert target.tolist() == before
    return info


@pytest.mark.parametrize("backend", BACKENDS)
def test_index_put_values_on_another_backend_are_refused(backend):
    a = minitorch.tensor([1.0, 2.0, 3.0], backend=backend)
    values = minitorch.tensor([9.0], backend=other_backend(backend))
    info = index_put_error(a, (minitorch.tensor([0], backend=backend),), values)
    assert info.type is RuntimeError
    assert info.match(rf"index_put_: tensors are on different backends \('{backend}' and "
                      rf"'{other_backend(backend)}'\)")


@pytest.mark.parametrize("backend", BACKENDS)
def test_index_put_index_on_another_backend_is_refused(backend):
    a = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    indices = (minitorch.tensor([0], backend=backend),
               minitorch.tensor([1], backend=other_backend(backend)))
    info = index_put_error(a, indices, minitorch.tensor([9.0], backend=backend))
    assert info.type is RuntimeError
    assert info.match("index_put_: tensors are on different backends")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("indices, values, error, message", [
    (lambda b: minitorch.tensor([0], backend=b), lambda b: minitorch.tensor(7.0, backend=b),
     TypeError, "index_put_: indices must be a tuple or list of tensors, got Tensor"),
    (lambda b: ([0],), lambda b: minitorch.tensor(7.0, backend=b),
     TypeError, r"index_put_: indices\[0\] must be a tensor, got list"),
    (lambda b: (minitorch.tensor([0], backend=b),), lambda b: 5.0,
     TypeError, "index_put_: values must be a tensor, got float"),
    (lambda b: (minitorch.tensor([0], backend=b),),
     lambda b: minitorch.tensor([9.0], dtype="float64", backend=b),
     RuntimeError, "index_put_: values have dtype float64 but the target has float32"),
])
def test_index_put_argument_types_and_dtypes_follow_torch(backend, indices, values, error,
                                                          message):
    a = minitorch.tensor([1.0, 2.0, 3.0], backend=backend)
    info = index_put_error(a, indices(backend), values(backend))
    assert info.type is error
    assert info.match(message)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_float_values_into_int_are_refused_not_truncated(backend, accumulate):
    a = minitorch.tensor([1, 2, 3], backend=backend)
    with pytest.raises(RuntimeError, match="index_put_: values have dtype float32 but the "
                                           "target has int64"):
        a.index_put_((minitorch.tensor([0], backend=backend),),
                     minitorch.tensor([9.5], backend=backend), accumulate=accumulate)
    assert a.tolist() == [1, 2, 3]
    with pytest.raises(RuntimeError, match="Index put requires the source and destination "
                                           "dtypes match"):
        torch.tensor([1, 2, 3]).index_put_((torch.tensor([0]),), torch.tensor([9.5]),
                                           accumulate=accumulate)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("positions, values, error", [
    ([0, 5], [9.0, 9.0], IndexError),   # an index out of range, after a valid one
    ([0, 1], [9.0, 9.0, 9.0], ValueError),   # values that do not fit the selection
])
def test_index_put_writes_nothing_when_the_selection_is_bad(backend, positions, values, error):
    a = minitorch.tensor([1.0, 2.0, 3.0], backend=backend)
    info = index_put_error(a, (minitorch.tensor(positions, backend=backend),),
                           minitorch.tensor(values, backend=backend))
    assert info.type is error


@pytest.mark.parametrize("backend", BACKENDS)
def test_index_put_takes_a_list_of_index_tensors_like_torch(backend):
    a = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], backend=backend)
    a.index_put_([minitorch.tensor([1], backend=backend), minitorch.tensor([0], backend=backend)],
                 minitorch.tensor(9.0, backend=backend))
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).index_put_(
        [torch.tensor([1]), torch.tensor([0])], torch.tensor(9.0))
    assert a.tolist() == expected.tolist()


def test_index_put_recorded_by_autograd_checks_first():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError, match="index_put_: values have dtype float64"):
        y.index_put_((minitorch.tensor([0]),), minitorch.tensor([1.0], dtype="float64"))
    assert y.tolist() == [1.0, 2.0]


# ---- TensorDataset / DataLoader -----------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_tensor_dataset_refuses_tensors_on_different_backends(backend):
    x = minitorch.zeros(4, 2, backend=backend)
    y = minitorch.zeros(4, backend=other_backend(backend))
    message = (rf"TensorDataset: tensors are on different backends \('{backend}' and "
               rf"'{other_backend(backend)}'\)")
    with pytest.raises(RuntimeError, match=message):
        TensorDataset(x, y)
    with pytest.raises(RuntimeError, match=message):
        DataLoader(TensorDataset(x, x, y), batch_size=2)
