"""What the op table cannot state for the newer ops: views, Python-bool results,
new_* constructors, gradients through zeros and repeated indices, argument errors."""
import numpy as np
import pytest
import torch

import minitorch


def _same(actual, expected):
    assert tuple(actual.shape) == tuple(expected.shape)
    assert actual.dtype.name == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("split", [lambda a: a.chunk(2, dim=1), lambda a: a.split([1, 3], 1),
                                   lambda a: minitorch.unbind(a, 1)])
def test_chunk_split_unbind_return_views(split):
    a = minitorch.arange(12).reshape(3, 4)
    parts = split(a)
    assert isinstance(parts, tuple)
    assert all(part._storage is a._storage for part in parts)
    parts[-1][0] = -1            # writing a piece writes the tensor it came from
    assert a[0, 3].item() == -1


def test_prod_gradient_with_zeros_matches_torch():
    data = [[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.5, 2.0, -4.0]]
    for dim in (None, 0, 1):
        a, t = minitorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        kwargs = {} if dim is None else {"dim": dim}
        a.prod(**kwargs).sum().backward()
        t.prod(**kwargs).sum().backward()
        _same(a.grad, t.grad)


def test_gather_and_index_select_add_gradients_of_repeated_indices():
    a = minitorch.ones(3, 2, requires_grad=True)
    a.index_select(0, minitorch.tensor([2, 2, 0])).sum().backward()
    assert a.grad.tolist() == [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]]
    b = minitorch.ones(2, 3, requires_grad=True)
    b.gather(1, minitorch.tensor([[1, 1], [0, 2]])).sum().backward()
    assert b.grad.tolist() == [[0.0, 2.0, 0.0], [1.0, 0.0, 1.0]]


def test_allclose_equal_and_new_constructors_match_torch():
    values, other = [1.0, float("nan"), 3.0], [1.0 + 1e-7, float("nan"), 3.0]
    for equal_nan in (False, True):
        assert minitorch.allclose(minitorch.tensor(values), minitorch.tensor(other),
                                  equal_nan=equal_nan) is torch.allclose(
            torch.tensor(values), torch.tensor(other), equal_nan=equal_nan)
    a = minitorch.tensor([[1, 2]])
    assert minitorch.equal(a, minitorch.tensor([[1, 2]])) is True
    assert minitorch.equal(a, minitorch.tensor([1, 2])) is False
    for source in ([[1, 2]], [[1.5, 2.0]]):
        m, t = minitorch.tensor(source), torch.tensor(source)
        _same(m.new_zeros(2, 3), t.new_zeros(2, 3))
        _same(m.new_ones((2,)), t.new_ones((2,)))
        _same(m.new_full((2, 2), 7), t.new_full((2, 2), 7))
        _same(m.new_tensor([3, 4]), t.new_tensor([3, 4]))
        _same(m.new_zeros(2, dtype=minitorch.float64), t.new_zeros(2, dtype=torch.float64))
    assert a.new_ones(2, dtype=minitorch.float32, requires_grad=True).requires_grad


def test_log2_log10_of_powers_and_expm1_of_tiny_values():
    _same(minitorch.tensor([1.0, 8.0, 0.5]).log2(), torch.tensor([1.0, 8.0, 0.5]).log2())
    tiny = [1e-12, -3e-9]
    _same(minitorch.tensor(tiny, dtype=minitorch.float64).expm1(),
          torch.tensor(tiny, dtype=torch.float64).expm1())


@pytest.mark.parametrize("call, error", [
    (lambda a: a.split([1, 1], 0), ValueError),            # sizes must add up to 3
    (lambda a: a.chunk(0), ValueError),
    (lambda a: a.index_select(0, minitorch.tensor([0.0])), TypeError),
    (lambda a: a.gather(0, minitorch.tensor([0])), ValueError),   # dims differ
    (lambda a: a.gather(0, minitorch.tensor([[0, 0, 0, 0]])), ValueError),  # too wide
    (lambda a: a.gather(0, minitorch.tensor([[-1, 0, 0]])), IndexError),
    (lambda a: a.index_select(1, minitorch.tensor([3])), IndexError),
    (lambda a: a[0].dot(a[0].double()), TypeError),
    (lambda a: a[0].tril(), ValueError),
    (lambda a: a.movedim((0, 0), (0, 1)), ValueError),
    (lambda a: minitorch.tensor([True]).floor(), TypeError),
])
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call(minitorch.ones(3, 3))
