"""An op that raises changes nothing: bad input to a state-writing op gets a clear error
naming the op (found by fuzzing in-place ops against PyTorch), and the target keeps its
values, dtype and version."""
import os

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")

import numpy as np
import pytest
import torch

import minitorch

BACKENDS = ["numpy", "c", "python"]


def assert_unchanged(tensor, values, version):
    np.testing.assert_array_equal(tensor.numpy(), values)
    assert tensor.dtype is minitorch.int64
    assert tensor._version == version


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("method", ["add", "sub", "add_", "sub_"])
def test_a_float_alpha_on_integer_tensors_is_refused_naming_the_op(backend, method):
    # it reached the kernels with an int64 and a float32 operand: a raw numpy casting
    # error, the c boundary's "binary: expected b like a", or a bare Python TypeError
    target = minitorch.arange(3, backend=backend)
    other = minitorch.ones(3, dtype=minitorch.int64, backend=backend)
    op_name = method.rstrip("_")
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        getattr(torch.arange(3), method)(torch.ones(3, dtype=torch.int64), alpha=0.5)
    with pytest.raises(TypeError, match=rf"^{op_name}: for integral input tensors \(int64\), "
                                        r"alpha must not be a floating point number, got 0\.5"):
        getattr(target, method)(other, alpha=0.5)
    assert_unchanged(target, [0, 1, 2], 0)
    # an int alpha still works, and a float alpha on float tensors
    np.testing.assert_array_equal(getattr(target, method)(other, alpha=2).numpy(),
                                  getattr(torch.arange(3), method)(
                                      torch.ones(3, dtype=torch.int64), alpha=2).numpy())
    np.testing.assert_allclose(minitorch.ones(2, backend=backend).add(other[:2], alpha=0.5)
                               .numpy(), [1.5, 1.5])


@pytest.mark.parametrize("backend", BACKENDS)
def test_index_add_with_a_float_alpha_on_an_integer_tensor_names_alpha(backend):
    # the error blamed the source's dtype ("source (float32)") for an int64 source
    target = minitorch.arange(6, backend=backend).reshape(2, 3)
    source = minitorch.ones(2, 2, dtype=minitorch.int64, backend=backend)
    index = minitorch.tensor([0, 1], backend=backend)
    with pytest.raises(TypeError, match=r"^index_add: for integral input tensors \(int64\), "
                                        r"alpha must not be a floating point number"):
        target.index_add_(1, index, source, alpha=0.5)
    assert_unchanged(target, np.arange(6).reshape(2, 3), 0)


@pytest.mark.parametrize("flag", ["yes", 1, 0, None])
def test_requires_grad_refuses_a_non_bool_flag(flag):
    # a truthy str was silently read as True (PyTorch raises TypeError)
    with pytest.raises(TypeError):
        torch.ones(2).requires_grad_(flag)
    tensor = minitorch.ones(2)
    with pytest.raises(TypeError, match=r"^requires_grad_\(\): argument 'requires_grad' must be "
                                        rf"a bool, got {type(flag).__name__}"):
        tensor.requires_grad_(flag)
    assert tensor.requires_grad is False
    assert tensor.requires_grad_(True).requires_grad is True
