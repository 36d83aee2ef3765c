"""What the distribution parity tests share: float dtypes, parameter pairs built from the
same values in minitorch and torch, and one family built in both libraries."""
import numpy as np
import torch
import torch.distributions as T

import minitorch
import minitorch.distributions as D
from nn_helpers import normal

DTYPES = ["float32", "float64"]


def pair(array, dtype):
    """The same values as a minitorch and a torch leaf requiring grad."""
    array = np.asarray(array, dtype=dtype)
    return (minitorch.tensor(array, requires_grad=True),
            torch.tensor(array, requires_grad=True))


def positive(shape, dtype, seed):
    return np.exp(normal(shape, dtype, seed) * 0.5)


def both(name, arrays, dtype, **keywords):
    """The family `name` built in minitorch and torch from the same leaves."""
    pairs = [pair(array, dtype) for array in arrays]
    ours = getattr(D, name)(*[p[0] for p in pairs], **keywords)
    theirs = getattr(T, name)(*[p[1] for p in pairs], **keywords)
    return ours, theirs, [p[0] for p in pairs], [p[1] for p in pairs]
