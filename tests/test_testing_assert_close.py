"""minitorch.testing.assert_close and make_tensor against torch.testing's: the same
verdicts, tolerances and messages (minitorch's names where torch prints its own)."""
import math

import numpy as np
import pytest
import torch
import torch.testing
from torch.testing._comparison import default_tolerances

import minitorch
from minitorch.testing import assert_close, make_tensor
from minitorch.testing.comparison import DEFAULT_TOLERANCES
from nn_helpers import backend, normal  # noqa: F401  (a fixture)


def _both(values, dtype=None):
    array = np.asarray(values, dtype)
    return minitorch.tensor(array), torch.tensor(array)


def _message(check, *args, **kwargs):
    """The AssertionError message check(*args, **kwargs) raises."""
    with pytest.raises(AssertionError) as raised:
        check(*args, **kwargs)
    return str(raised.value)


def _as_torch(value):
    if isinstance(value, minitorch.Tensor):
        return torch.tensor(value.numpy())
    if isinstance(value, (list, tuple)):
        return type(value)(_as_torch(item) for item in value)
    if isinstance(value, dict):
        return {key: _as_torch(item) for key, item in value.items()}
    return value


def test_default_tolerances_are_torchs():
    for dtype in ("float32", "float64", "int64", "bool"):
        assert DEFAULT_TOLERANCES[getattr(minitorch, dtype)] == \
            default_tolerances(getattr(torch, dtype))


MISMATCHES = {
    "float": ([1.0, 2.0, 3.0], [1.0, 2.5, 3.0], "float32"),
    "float64": ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.1]], "float64"),
    "int": ([1, 2, 3], [1, 4, 3], "int64"),
    "zero expected": ([0.5], [0.0], "float32"),
    "nan": ([1.0, math.nan], [1.0, 1.0], "float64"),
    "bool": ([True, False], [True, True], "bool"),
}


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_tensor_messages_are_torchs(backend, case):
    actual, expected, dtype = MISMATCHES[case]
    ours_actual, theirs_actual = _both(actual, dtype)
    ours_expected, theirs_expected = _both(expected, dtype)
    ours = _message(assert_close, ours_actual, ours_expected)
    theirs = _message(torch.testing.assert_close, theirs_actual, theirs_expected)
    assert ours == theirs


@pytest.mark.parametrize("actual,expected", [(1.0, 1.5), (1, 2), (0.0, 1e-3)])
def test_scalar_messages_are_torchs(actual, expected):
    assert _message(assert_close, actual, expected) == \
        _message(torch.testing.assert_close, actual, expected)


@pytest.mark.parametrize("actual,expected", [
    ([minitorch.ones(1), minitorch.zeros(1)], [minitorch.ones(1), minitorch.ones(1)]),
    ({"a": minitorch.ones(2), "b": [minitorch.ones(1)]},
     {"a": minitorch.ones(2), "b": [minitorch.zeros(1)]}),
    ((1.0, [2.0, 3.0]), (1.0, [2.0, 3.5])),
])
def test_container_messages_name_the_item(actual, expected):
    assert _message(assert_close, actual, expected) == \
        _message(torch.testing.assert_close, _as_torch(actual), _as_torch(expected))


def test_attribute_messages():
    assert _message(assert_close, minitorch.ones(2), minitorch.ones(3)) == \
        "The values for attribute 'shape' do not match: (2,) != (3,)."
    assert _message(assert_close, minitorch.ones(2), minitorch.ones(2, dtype="float64")) == \
        "The values for attribute 'dtype' do not match: minitorch.float32 != minitorch.float64."
    transposed = minitorch.ones(2, 3).T
    assert_close(transposed, minitorch.ones(3, 2))
    assert _message(assert_close, transposed, minitorch.ones(3, 2), check_stride=True) == \
        "The values for attribute 'stride' do not match: (1, 3) != (2, 1)."
    assert "length of the sequences mismatch: 1 != 2" in \
        _message(assert_close, [1.0], [1.0, 2.0])
    assert "Missing keys in the actual mapping: [\"'b'\"]" in \
        _message(assert_close, {"a": 1.0}, {"a": 1.0, "b": 2.0})
    assert "No comparison pair was able to handle inputs of type" in \
        _message(assert_close, "text", "text")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_passes_within_torchs_tolerances(dtype):
    values = normal((3, 4), dtype)
    rtol, atol = default_tolerances(getattr(torch, dtype))
    near = values + (atol + rtol * np.abs(values)) * 0.5
    far = values + (atol + rtol * np.abs(values)) * 2
    for other, verdict in ((near, True), (far, False)):
        ours_ok = _passes(assert_close, minitorch.tensor(values), minitorch.tensor(other))
        theirs_ok = _passes(torch.testing.assert_close, torch.tensor(values), torch.tensor(other))
        assert ours_ok == theirs_ok == verdict
    assert_close(minitorch.tensor(values).T, minitorch.tensor(np.ascontiguousarray(values.T)))
    assert_close(minitorch.tensor(values), minitorch.tensor(far), rtol=0.0, atol=1.0)


def _passes(check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except AssertionError:
        return False
    return True


def test_options():
    nan = minitorch.tensor([1.0, math.nan])
    assert not _passes(assert_close, nan, nan)
    assert_close(nan, nan, equal_nan=True)
    assert_close(minitorch.ones(2), minitorch.ones(2, dtype="float64"), check_dtype=False)
    assert_close(minitorch.tensor([1, 2]), minitorch.tensor([1.0, 2.0]), check_dtype=False)
    assert_close(np.array([1.0, 2.0]), minitorch.tensor([1.0, 2.0], dtype="float64"))
    assert_close(minitorch.ones(2), minitorch.ones(2), check_device=True, check_layout=True)
    parameter = minitorch.nn.Parameter(minitorch.ones(2))
    assert_close(parameter, minitorch.ones(2))
    assert "type equality is required if allow_subclasses=False" in \
        _message(assert_close, parameter, minitorch.ones(2), allow_subclasses=False)
    assert _message(assert_close, minitorch.ones(1), minitorch.zeros(1), msg="mine") == "mine"
    assert _message(assert_close, minitorch.ones(1), minitorch.zeros(1),
                    msg=lambda message: "wrapped: " + message.splitlines()[0]) == \
        "wrapped: Tensor-likes are not close!"
    with pytest.raises(ValueError, match="assert_close: both rtol and atol must be given"):
        assert_close(minitorch.ones(1), minitorch.ones(1), rtol=0.1)


# ---- make_tensor -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_make_tensor_defaults_are_torchs(dtype):
    ours = make_tensor(40, 50, dtype=getattr(minitorch, dtype))
    theirs = torch.testing.make_tensor(40, 50, dtype=getattr(torch, dtype), device="cpu")
    assert ours.shape == tuple(theirs.shape) and ours.dtype.name == dtype
    assert ours.is_contiguous() and not ours.requires_grad
    if dtype != "bool":
        values = ours.numpy()
        assert values.min() >= -9 and values.min() < -8
        assert values.max() < 10 and values.max() >= 8
        if dtype == "int64":
            assert values.max() == theirs.max().item() == 9
    else:
        assert set(np.unique(ours.numpy())) == {False, True}


def test_make_tensor_options():
    bounded = make_tensor((30, 30), dtype=minitorch.float64, low=2, high=3).numpy()
    assert bounded.min() >= 2 and bounded.max() < 3
    ints = make_tensor(500, dtype=minitorch.int64, low=-1, high=2, exclude_zero=True)
    assert set(ints.numpy().tolist()) == {-1, 1}
    nonzero = make_tensor(200, dtype=minitorch.float32, low=0, high=0, exclude_zero=True)
    assert (nonzero.numpy() == np.finfo(np.float32).tiny).all()
    strided = make_tensor(3, 4, dtype=minitorch.float32, noncontiguous=True)
    assert strided.shape == (3, 4) and not strided.is_contiguous()
    assert make_tensor(1, dtype=minitorch.float32, noncontiguous=True).shape == (1,)
    grad = make_tensor(2, dtype=minitorch.float32, requires_grad=True)
    assert grad.requires_grad and grad.is_leaf
    assert make_tensor(dtype=minitorch.float32).shape == ()


def test_make_tensor_refuses_bad_arguments():
    with pytest.raises(ValueError, match="make_tensor: low must not exceed high, got low=3 "
                                         "and high=1"):
        make_tensor(2, dtype=minitorch.float32, low=3, high=1)
    with pytest.raises(ValueError, match="make_tensor: requires_grad=True is not supported "
                                         "for int64"):
        make_tensor(2, dtype=minitorch.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="make_tensor: device 'cuda'"):
        make_tensor(2, dtype=minitorch.float32, device="cuda")
    with pytest.raises(TypeError, match="dtype"):
        make_tensor(2)
