"""Datasets and batching, as torch.utils.data (also importable as minitorch.utils.data).

    loader = DataLoader(TensorDataset(x, y), batch_size=128, shuffle=True)
    for inputs, targets in loader: ...

A TensorDataset is batched by gathering the batch's rows of each of its tensors (one
kernel per tensor, in order or shuffled), so batches are new tensors, as in PyTorch;
any other dataset is read one sample at a time and the samples are collated with
default_collate.
"""
import copy
import math
import numbers
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence

import numpy as np

from .creation import tensor as make_tensor
from .dtype import float64
from .functions import _same_backend, stack
from .generator import default_generator
from .indexing import take_batch
from .layout import format_shape
from .tensor import Tensor


class Dataset:
    """A sized collection of samples: subclasses implement __getitem__(i) and __len__().
    (DataLoader takes any object with those two, a Dataset subclass or not.)

    A dataset whose __getitem__ also accepts a 1-D int64 numpy array of indices and
    returns the whole batch (already collated, in new tensors rather than views of the
    dataset's) sets `batched_indexing = True`; DataLoader then fetches each batch with
    one such call.
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
    t1[index], ...): views for a slice, as tensor slicing gives, and new tensors (one
    gather per tensor) for a 1-D integer numpy array, which is what DataLoader passes.
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
    """Batch a list (or tuple) of samples as torch.utils.data.default_collate does, by
    the type of the first sample:

    - tensors: stacked along a new first dim;
    - numpy arrays and numpy scalars: stacked into one tensor of their dtype (widened
      as minitorch.tensor widens: narrower ints to int64, float16 to float32; other
      dtypes, e.g. str, object or complex, are a TypeError);
    - Python floats: a float64 tensor; ints: int64; bools: bool;
    - str and bytes: `samples` itself (so a field of tuple samples is a tuple of str,
      as in torch);
    - mappings: a mapping of the same type where it can be made (else a dict) with
      every key's values collated;
    - namedtuples: the same namedtuple of collated fields; other tuples: a LIST of
      collated fields (as torch, for backwards compatibility); other sequences: the
      same type where it can be made, else a list. Their lengths must agree
      (RuntimeError otherwise).
    """
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(samples)
    if isinstance(first, (np.ndarray, np.bool_, np.number)):
        return _stack_numpy(samples)
    if isinstance(first, float):
        return make_tensor(samples, dtype=float64)
    if isinstance(first, int):
        return make_tensor(samples)
    if isinstance(first, (str, bytes)):
        return samples
    if isinstance(first, Mapping):
        return _like(first, {key: default_collate([sample[key] for sample in samples])
                             for key in first})
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
        return type(first)(*(default_collate(field) for field in zip(*samples)))
    if isinstance(first, Sequence):
        lengths = {len(sample) for sample in samples}
        if len(lengths) != 1:
            raise RuntimeError(f"default_collate: each element in list of batch should be "
                               f"of equal size; samples in one batch have different lengths "
                               f"{sorted(lengths)}")
        fields = [default_collate(field) for field in zip(*samples)]
        return fields if isinstance(first, tuple) else _like(first, fields)
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}; "
                    "return tensors, numpy arrays, numbers, strings, dicts, tuples or lists, "
                    "or pass collate_fn=")


def _stack_numpy(samples):
    """One tensor of the numpy arrays or scalars `samples` stacked (see default_collate)."""
    shapes = {np.shape(sample) for sample in samples}
    if len(shapes) != 1:
        raise ValueError(f"default_collate: expects each numpy array to be equal size, got "
                         f"{', '.join(format_shape(shape) for shape in shapes)}")
    try:
        return make_tensor(np.stack(samples))
    except TypeError as error:  # a dtype minitorch has no tensors of
        raise TypeError(f"default_collate: {error}") from None


def _like(first, fields):
    """The collated `fields` (a dict, or a list by position) in a container of the type
    of `first`, made as torch makes it: a mutable one is copied and filled in (keeping
    any other attributes it has), any other is built from `fields`; when the type allows
    neither, `fields` itself."""
    try:
        if isinstance(first, (MutableMapping, MutableSequence)):
            clone = copy.copy(first)
            for key, value in (fields.items() if isinstance(fields, dict) else
                               enumerate(fields)):
                clone[key] = value
            return clone
        return type(first)(fields)
    except TypeError:
        return fields


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
        if self.shuffle:
            order = (self.generator or default_generator).numpy.permutation(size)
        else:
            order = np.arange(size)  # an index array, not a slice: batches are copies
        end = size - size % self.batch_size if self.drop_last else size
        for start in range(0, end, self.batch_size):
            yield self._fetch(order[start:start + self.batch_size])

    def _fetch(self, indices):
        """The batch of the samples at `indices` (a 1-D int64 numpy array)."""
        if self.collate_fn is None and getattr(self.dataset, "batched_indexing", False):
            return self.dataset[indices]
        samples = [self.dataset[index] for index in indices.tolist()]
        return (self.collate_fn or default_collate)(samples)
