"""Assigning `requires_grad` and `.grad` is checked as PyTorch checks it: the same
assignments are refused with the same error classes, and a refused one changes nothing."""
import os
import warnings

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import pytest  # noqa: E402
import torch  # noqa: E402

import minitorch  # noqa: E402

LIBRARIES = pytest.mark.parametrize("library", [minitorch, torch],
                                    ids=["minitorch", "torch"])


@LIBRARIES
@pytest.mark.parametrize("value", [1, 0, None, "yes"])
def test_requires_grad_must_be_a_bool(library, value):
    leaf = library.ones(3)
    with pytest.raises(RuntimeError, match="requires_grad must be a bool"):
        leaf.requires_grad = value
    assert leaf.requires_grad is False


@LIBRARIES
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_an_integer_tensor_cannot_require_grad(library, dtype):
    tensor = library.ones(3, dtype=getattr(library, dtype))
    with pytest.raises(RuntimeError, match="floating point"):
        tensor.requires_grad = True
    assert tensor.requires_grad is False


@LIBRARIES
@pytest.mark.parametrize("value", [True, False])
def test_a_non_leaf_keeps_its_flag(library, value):
    computed = library.ones(3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        computed.requires_grad = value
    assert computed.requires_grad is True
    assert computed.grad_fn is not None


@LIBRARIES
def test_a_leaf_flag_switches_both_ways(library):
    leaf = library.ones(3)
    leaf.requires_grad = True
    (leaf * 2).sum().backward()
    assert leaf.grad.tolist() == [2.0, 2.0, 2.0]
    leaf.requires_grad = False
    assert not (leaf * 2).requires_grad


def test_requires_grad_false_on_a_leaf_parameter_stops_its_gradient():
    layer = minitorch.nn.Linear(2, 1)
    layer.weight.requires_grad = False
    layer(minitorch.ones(1, 2)).sum().backward()
    assert layer.weight.grad is None and layer.bias.grad is not None


def _bad_gradients(library):
    return {
        "shape": (library.ones(4), RuntimeError),
        "dtype": (library.ones(3, dtype=library.float64), RuntimeError),
        "int64": (library.ones(3, dtype=library.int64), RuntimeError),
        "list": ([1.0, 2.0, 3.0], TypeError),
    }


@LIBRARIES
@pytest.mark.parametrize("kind", ["shape", "dtype", "int64", "list"])
def test_a_mismatched_gradient_is_refused(library, kind):
    leaf = library.ones(3, requires_grad=True)
    kept = library.full((3,), 5.0)
    leaf.grad = kept
    gradient, error = _bad_gradients(library)[kind]
    with pytest.raises(error):
        leaf.grad = gradient
    assert leaf.grad is kept


def test_a_gradient_on_another_backend_is_refused():
    leaf = minitorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="'python'.*'numpy'"):
        leaf.grad = minitorch.ones(3, backend="python")
    assert leaf.grad is None


@LIBRARIES
@pytest.mark.filterwarnings("ignore:grad and param do not obey")   # torch's layout hint
def test_a_matching_gradient_is_stored_as_given_and_del_clears_it(library):
    leaf = library.ones(2, 3, requires_grad=True)
    gradient = library.ones(3, 2).T   # another layout is fine: only shape and dtype count
    leaf.grad = gradient
    assert leaf.grad is gradient
    leaf.sum().backward()   # accumulates into it
    assert leaf.grad.tolist() == [[2.0] * 3] * 2
    del leaf.grad
    assert leaf.grad is None
    leaf.grad = None
    assert leaf.grad is None


# ---- what backward stores in .grad ---------------------------------------------------------

@LIBRARIES
@pytest.mark.parametrize("loss", [
    lambda library, x: x.mean(),
    lambda library, x: x.sum() / 6,
    lambda library, x: (x + library.zeros(4, 2, 3)).mean(),
], ids=["mean", "sum-over-6", "broadcast-mean"])
def test_a_broadcast_gradient_is_stored_as_its_own_contiguous_tensor(library, loss):
    """The sum's backward expands its gradient (stride 0); the leaf gets a contiguous
    copy, which can be written in place element by element."""
    x = library.ones(2, 3, requires_grad=True)
    loss(library, x).backward()
    assert x.grad.is_contiguous()
    x.grad[0, 0] = 5.0
    assert x.grad.sum().item() == pytest.approx(5.0 + 5 * x.grad[1, 2].item())


@LIBRARIES
@pytest.mark.parametrize("dim", [None, 0, (0, 1)])
def test_a_second_backward_through_mean_adds_to_the_first(library, dim):
    """mean saves no tensor (torch's MeanBackward saves only sizes), so a second
    backward through the same graph works without retain_graph."""
    x = library.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x.mean() if dim is None else x.mean(dim)
    y.sum().backward()
    y.sum().backward()
    count = 6 if dim in (None, (0, 1)) else 2
    assert x.grad.reshape(-1).tolist() == pytest.approx([2.0 / count] * 6)


@LIBRARIES
def test_reading_the_grad_of_a_non_leaf_warns_unless_it_retains_it(library):
    x = library.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="not a leaf"):
        assert y.grad is None
    y.retain_grad()
    y.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.tolist() == [1.0, 1.0]
        assert x.grad.tolist() == [2.0, 2.0]
        assert x.detach().grad is None


@LIBRARIES
def test_a_retained_gradient_is_replaced_not_written_over_by_a_second_backward(library):
    """A leaf's .grad is accumulated in place; a non-leaf's retained .grad is replaced
    by a new sum (torch's retain_grad hook), so a reference kept from the first pass
    keeps its values."""
    x = library.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    first_y, first_x = y.grad, x.grad
    z.backward()
    assert first_y.tolist() == [4.0, 4.0] and y.grad.tolist() == [8.0, 8.0]
    assert first_x is x.grad and x.grad.tolist() == [16.0, 16.0]
