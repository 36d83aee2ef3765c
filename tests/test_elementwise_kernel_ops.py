"""The public ops over the inverse-trigonometric, hyperbolic, atan2, fmod and bitwise
kernels: operators, promotion and in-place forms as torch, and what they refuse (before
writing anything), on every built-in backend. Forward and gradient parity on every
backend is in the op table (minitorch/testing/optable.py); the kernels themselves are
tested in test_python_kernels.py and test_c_kernels.py."""
import numpy as np
import pytest
import torch

import minitorch


@pytest.mark.parametrize("kernels", ["python", "numpy", "c"])
def test_bitwise_atan2_fmod_refuse_bad_inputs(kernels):
    x = minitorch.tensor([1.5, -2.0], backend=kernels)
    n = minitorch.tensor([5, -8], backend=kernels)
    flags = minitorch.tensor([True, False], backend=kernels)
    for call, error, message in [
            (lambda: x & 1, TypeError, "bitwise_and: only int64 and bool tensors are "
                                       "supported, got float32"),
            (lambda: n | 1.5, TypeError, "bitwise_or: .* got float32"),
            (lambda: ~x, TypeError, "bitwise_not: .* got float32"),
            (lambda: flags << flags, TypeError, "bitwise_left_shift: only int64 tensors "
                                                "are supported, got bool"),
            (lambda: n.atan2(2.0), TypeError, "atan2: both arguments must be tensors"),
            (lambda: n.fmod(0), ZeroDivisionError, "integer division by zero"),
            (lambda: n.bitwise_xor("a"), TypeError, "bitwise_xor: unsupported operand")]:
        with pytest.raises(error, match=message):
            call()
    target = n.clone()
    with pytest.raises(TypeError, match="bitwise_and"):
        target &= 1.5
    assert target.tolist() == [5, -8]   # refused before anything is written


@pytest.mark.parametrize("kernels", ["python", "numpy", "c"])
def test_bitwise_operators_and_promotion_follow_torch(kernels):
    n = minitorch.tensor([5, -8, 3], backend=kernels)
    flags = minitorch.tensor([True, False, True], backend=kernels)
    tn, tflags = torch.tensor([5, -8, 3]), torch.tensor([True, False, True])
    pairs = [(n & 6, tn & 6), (3 | n, 3 | tn), (n ^ flags, tn ^ tflags), (~n, ~tn),
             (1 << n.abs(), 1 << tn.abs()), (n >> 1, tn >> 1), (flags << 1, tflags << 1),
             (True & flags, True & tflags), (~flags, ~tflags), (flags ^ True, tflags ^ True),
             (n.asin(), tn.asin()), (flags.cosh(), tflags.cosh())]
    for ours, theirs in pairs:
        assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, equal_nan=True)
    n <<= 2
    flags &= False
    assert n.tolist() == [20, -32, 12] and flags.tolist() == [False, False, False]
