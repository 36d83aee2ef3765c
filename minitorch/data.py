"""Datasets and batching, as torch.utils.data (also importable as minitorch.utils.data).

    loader = DataLoader(TensorDataset(x, y), batch_size=128, shuffle=True)
    for inputs, targets in loader: ...

A TensorDataset is batched by indexing its tensors once per batch (a view for an
in-order batch, one gather for a shuffled one); any other dataset is read one sample at
a time and the samples are collated with default_collate.
"""
import math
import numbers
from collections.abc import Mapping

import numpy as np

from .creation import tensor as make_tensor
from .functions import _same_backend, stack
from .generator import default_generator
from .indexing import take_batch
from .layout import format_shape
from .tensor import Tensor


class Dataset:
    """A sized collection of samples: subclasses implement __getitem__(i) and __len__().
    (DataLoader takes any object with those two, a Dataset subclass or not.)

    A dataset whose __getitem__ also accepts a slice or an int64 numpy array of
    indices and returns the whole batch (already collated) sets `batched_indexing =
    True`; DataLoader then fetches each batch with one such call.
    """

    batched_indexing = False

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: dataset[i] is (t0[i], t1[i], ...).

    All tensors must have the same size in their first dimension and be on the same
    backend. Indexing with a slice or an array of indices gives the batch (t0[index],
    t1[index], ...).
    """

    batched_indexing = True

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for position, item in enumerate(tensors):
            if not isinstance(item, Tensor) or item.ndim == 0:
                raise TypeError(f"TensorDataset: argument {position} must be a tensor with at "
                                f"least one dimension, got "
                                f"{getattr(item, 'shape', type(item).__name__)}")
        if len({item.shape[0] for item in tensors}) != 1:
            shapes = ", ".join(format_shape(item.shape) for item in tensors)
            raise ValueError(f"TensorDataset: tensors must have the same size in the first "
                             f"dimension, got shapes {shapes}")
        for item in tensors[1:]:
            _same_backend(tensors[0], item, "TensorDataset")
        self.tensors = tensors

    def __getitem__(self, index):
        if isinstance(index, np.ndarray) and index.ndim == 1 and index.dtype.kind in "iu":
            return take_batch(self.tensors, index)
        return tuple(item[index] for item in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


def default_collate(samples):
    """Batch a list of samples: tensors and numpy arrays are stacked along a new first
    dim, numbers become a 1-D tensor (ints int64, floats float32, bools bool), and
    tuples, lists and dicts are batched field by field."""
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(samples)
    if isinstance(first, np.ndarray):
        return make_tensor(np.stack(samples))
    if isinstance(first, (numbers.Number, np.generic)):
        return make_tensor(list(samples))
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if len({len(sample) for sample in samples}) != 1:
            raise ValueError("default_collate: samples in one batch have different lengths")
        return tuple(default_collate(list(field)) for field in zip(*samples))
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}; "
                    "return tensors, arrays, numbers, tuples or dicts, or pass collate_fn=")


class DataLoader:
    """Iterate over a dataset in batches.

    DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, generator=None,
    collate_fn=None)

    shuffle: visit the samples in a new random order every epoch (every iter()), drawn
        from `generator` (a minitorch.Generator; default: minitorch's seeded default
        generator), so a seed fixes the whole sequence of epochs.
    drop_last: skip a final batch smaller than batch_size.
    collate_fn: turns a list of samples into a batch (default: default_collate); when
        it is not given and the dataset has `batched_indexing` (TensorDataset), whole
        batches are indexed at once instead.

    len(loader) is the number of batches per epoch.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None,
                 collate_fn=None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
                or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator
        self.collate_fn = collate_fn

    def __len__(self):
        size = len(self.dataset)
        if self.drop_last:
            return size // self.batch_size
        return math.ceil(size / self.batch_size)

    def __iter__(self):
        size = len(self.dataset)
        order = None
        if self.shuffle:
            order = (self.generator or default_generator).numpy.permutation(size)
        end = size - size % self.batch_size if self.drop_last else size
        for start in range(0, end, self.batch_size):
            stop = min(start + self.batch_size, size)
            yield self._fetch(slice(start, stop) if order is None else order[start:stop])

    def _fetch(self, indices):
        """The batch of the samples at `indices` (a slice or an int64 numpy array)."""
        if self.collate_fn is None and getattr(self.dataset, "batched_indexing", False):
            return self.dataset[indices]
        if isinstance(indices, slice):
            indices = range(indices.start, indices.stop)
        samples = [self.dataset[int(index)] for index in indices]
        return (self.collate_fn or default_collate)(samples)
