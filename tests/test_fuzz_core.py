"""Differences from PyTorch that differential fuzzing of the core ops found: type
promotion and dtype errors of binary ops, signed zeros of remainder, xlogy, round's
decimals, reductions over dims of a 0-d tensor, aminmax over empty tensors, list keys
read as tuples, arange's argument rules, tensor() of non-finite floats as bool, and the
one-argument where. Each case is checked against torch."""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch
from nn_helpers import backend  # noqa: F401  (fixture)


def _signbits(values):
    """The sign bit of each zero (None for other values, nan's sign being arbitrary)."""
    return [math.copysign(1.0, v) < 0 if v == 0 else None for v in values]


@pytest.mark.parametrize("name", ["numpy", "python", "c"])
def test_float_remainder_zero_keeps_dividend_sign_as_torch(name):
    dividend, divisor = [-0.0, 0.0, -4.0, 4.0, 3.0, -3.0], [2.0, -2.0, 2.0, -2.0, -1.5, 1.5]
    expected = torch.remainder(torch.tensor(dividend), torch.tensor(divisor))
    with minitorch.use_backend(name):
        ours = minitorch.tensor(dividend) % minitorch.tensor(divisor)
    assert ours.tolist() == expected.tolist()
    assert _signbits(ours.tolist()) == _signbits(expected.tolist())


@pytest.mark.parametrize("write", [
    lambda lib: lib.tensor([1.0, 2.0]) - True,
    lambda lib: True - lib.tensor([1.0, 2.0]),
    lambda lib: lib.tensor([1, 2]) - lib.tensor([True, False]),
    lambda lib: lib.tensor([True]) - lib.tensor(1.5),
    lambda lib: lib.rsub(lib.tensor([1.0]), True),
])
def test_subtraction_with_any_bool_operand_raises_as_torch(write):
    with pytest.raises(RuntimeError):
        write(torch)
    with pytest.raises(TypeError, match="sub: subtraction with a bool operand"):
        write(minitorch)


@pytest.mark.parametrize("op", [
    lambda lib, a, b: a ** b, lambda lib, a, b: True ** b, lambda lib, a, b: a // b,
    lambda lib, a, b: a % True, lambda lib, a, b: lib.fmod(a, b),
    lambda lib, a, b: lib.floor_divide(True, b),
])
def test_integer_style_ops_of_bool_operands_raise_as_torch(op):
    def operands(lib):
        return lib.tensor([True, False]), lib.tensor([True, True])
    with pytest.raises(NotImplementedError):
        op(torch, *operands(torch))
    with pytest.raises(TypeError, match="not implemented for bool operands"):
        op(minitorch, *operands(minitorch))


def test_bool_integer_style_ops_with_an_int_operand_still_promote(backend):  # noqa: F811
    flags = [True, False]
    for op in (lambda lib, a: a ** 2, lambda lib, a: a // 1, lambda lib, a: a % lib.tensor(2),
               lambda lib, a: a ** False):
        ours, theirs = op(minitorch, minitorch.tensor(flags)), op(torch, torch.tensor(flags))
        assert ours.dtype.name == str(theirs.dtype).split(".")[1]
        assert ours.tolist() == theirs.tolist()


def test_xlogy_is_positive_zero_where_x_is_zero_unless_y_is_nan(backend):  # noqa: F811
    x = [0.0, -0.0, 0.0, 0.0, 0.0, 2.0]
    y = [-1.0, 3.0, -math.inf, math.nan, 0.0, -1.0]
    expected = torch.xlogy(torch.tensor(x), torch.tensor(y))
    ours = minitorch.xlogy(minitorch.tensor(x), minitorch.tensor(y))
    np.testing.assert_array_equal(ours.numpy(), expected.numpy())
    assert _signbits(ours.tolist()) == _signbits(expected.tolist())


def test_round_decimals_of_an_integer_tensor_raises_as_torch():
    with pytest.raises(NotImplementedError):
        torch.tensor([1, 2]).round(decimals=1)
    with pytest.raises(TypeError, match="round: decimals=1"):
        minitorch.tensor([1, 2]).round(decimals=1)
    assert minitorch.tensor([1, 2]).round().tolist() == [1, 2]


@pytest.mark.parametrize("reduce", [
    lambda lib, a: lib.sum(a, dim=1), lambda lib, a: lib.mean(a, dim=(0, 1)),
    lambda lib, a: lib.amax(a, dim=-2), lambda lib, a: lib.var(a, dim=1),
    lambda lib, a: lib.any(a, dim=1), lambda lib, a: lib.count_nonzero(a, dim=1),
])
def test_reducing_a_0d_tensor_checks_its_dims_as_torch(reduce):
    with pytest.raises(IndexError):
        reduce(torch, torch.tensor(1.5))
    with pytest.raises(IndexError, match="out of range"):
        reduce(minitorch, minitorch.tensor(1.5))
    assert minitorch.sum(minitorch.tensor(1.5), dim=-1).item() == 1.5


def test_aminmax_over_a_non_empty_dim_of_an_empty_tensor_as_torch(backend):  # noqa: F811
    ours = minitorch.aminmax(minitorch.zeros(3, 0), dim=0)
    theirs = torch.aminmax(torch.zeros(3, 0), dim=0)
    assert ours[0].shape == tuple(theirs[0].shape) == (0,)
    assert ours[1].shape == tuple(theirs[1].shape)
    with pytest.raises(RuntimeError, match="aminmax: cannot reduce an empty tensor"):
        minitorch.aminmax(minitorch.zeros(3, 0), dim=1)


@pytest.mark.parametrize("key", [[[0, 1], [1, 2]], [0, slice(None)], [None, 0], [(0, 1)],
                                 [0, [1, 2]]])
def test_short_list_key_holding_sequences_is_a_tuple_as_torch(backend, key):  # noqa: F811
    values = np.arange(12.0).reshape(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        theirs = torch.tensor(values)[key]
        with pytest.warns(UserWarning, match="non-tuple sequence"):
            ours = minitorch.tensor(values)[key]
        target, expected = minitorch.tensor(values), torch.tensor(values)
        target[key], expected[key] = -1.0, -1.0
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(target.numpy(), expected.numpy())


@pytest.mark.parametrize("args", [(0, 1, 0.5), (-3, 3, 0.7), (1, 2.5, 0.5)])
def test_int64_arange_truncates_a_fractional_step_to_zero_as_torch(args):
    with pytest.raises(ValueError):
        torch.arange(*args, dtype=torch.int64)
    with pytest.raises(ValueError, match="arange: step must be nonzero"):
        minitorch.arange(*args, dtype=minitorch.int64)


@pytest.mark.parametrize("args", [(0.5,), (2.5, 5), (-2.5, 2, 2), (10, 0, -3), (0, 10, 3)])
def test_int64_arange_truncates_its_bounds_as_torch(args):
    ours = minitorch.arange(*args, dtype=minitorch.int64)
    assert ours.tolist() == torch.arange(*args, dtype=torch.int64).tolist()


@pytest.mark.parametrize("args", [(5, 0), (0, -3), (0, 1, -0.5), (1.0, 0.0)])
def test_arange_bounds_against_the_step_sign_raise_as_torch(args):
    with pytest.raises(RuntimeError):
        torch.arange(*args)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        minitorch.arange(*args)
    assert minitorch.arange(3, 3).shape == tuple(torch.arange(3, 3).shape) == (0,)


def test_bool_arange_raises_as_torch():
    with pytest.raises(NotImplementedError):
        torch.arange(3, dtype=torch.bool)
    with pytest.raises(TypeError, match="arange: not implemented for bool"):
        minitorch.arange(3, dtype=minitorch.bool)


def test_non_finite_floats_become_true_as_bool_as_torch():
    data = [math.nan, math.inf, -math.inf, 0.0]
    assert minitorch.tensor(data, dtype=minitorch.bool).tolist() == \
        torch.tensor(data, dtype=torch.bool).tolist()
    with pytest.raises(ValueError, match="non-finite"):
        minitorch.tensor(data, dtype=minitorch.int64)


def test_where_with_only_a_condition_is_nonzero_as_tuple(backend):  # noqa: F811
    condition = np.array([[True, False, True], [False, False, True]])
    ours = minitorch.where(minitorch.tensor(condition))
    theirs = torch.where(torch.tensor(condition))
    assert isinstance(ours, tuple) and len(ours) == len(theirs) == 2
    for mine, torchs in zip(ours, theirs):
        assert mine.dtype is minitorch.int64
        assert mine.tolist() == torchs.tolist()


@pytest.mark.parametrize("shape", [(4, 0), (2, 0, 3), (0, 5), (0,), (3, 1, 0)])
def test_empty_tensors_have_torchs_strides_and_copy_into_each_other(shape):
    ours = minitorch.empty(*shape)
    assert ours.stride() == torch.empty(*shape).stride()
    ours.copy_(minitorch.zeros(*shape))   # no dim of stride 0 taken for an expanded one


def test_a_linear_layer_without_inputs_loads_its_state_dict():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # "Initializing zero-element tensors is a no-op"
        layer, other = minitorch.nn.Linear(0, 4), minitorch.nn.Linear(0, 4)
    other.bias.data.fill_(3.0)
    layer.load_state_dict(other.state_dict())
    assert layer.bias.tolist() == [3.0] * 4


@pytest.mark.parametrize("shape, dim", [((0, 3), 0), ((0, 3), 1), ((3, 0), 0),
                                        ((2, 0, 4), 1), ((2, 0, 4), 2)])
def test_softmax_of_empty_tensors_is_empty_as_torch(backend, shape, dim):  # noqa: F811
    x = minitorch.zeros(*shape, requires_grad=True)
    expected = torch.softmax(torch.zeros(*shape), dim)
    for function in (minitorch.nn.functional.softmax, minitorch.nn.functional.log_softmax):
        result = function(x, dim)
        assert result.shape == tuple(expected.shape)
        result.sum().backward()
        assert x.grad.shape == shape
