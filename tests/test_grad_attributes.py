"""Assigning `requires_grad` and `.grad` is checked as PyTorch checks it: the same
assignments are refused with the same error classes, and a refused one changes nothing."""
import os

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
