"""Datasets and batching, as torch.utils.data (also importable as minitorch.utils.data).

    loader = DataLoader(TensorDataset(x, y), batch_size=128, shuffle=True)
    for inputs, targets in loader: ...

A TensorDataset (or a Subset of one) is batched by gathering the batch's rows of each
of its tensors (one kernel per tensor, whatever the order: sequential, shuffled or from
a sampler), so batches are new tensors, as in PyTorch; any other dataset is read one
sample at a time and the samples are collated with default_collate. The samplers live
in minitorch.sampler and are importable from here too.
"""
import bisect
import copy
import itertools
import math
import multiprocessing
import warnings
import weakref
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence

import numpy as np

from .creation import tensor as make_tensor
from .dtype import float64
from .functions import _same_backend, stack
from .generator import numpy_generator
from .indexing import take_batch
from .layout import format_shape
from .sampler import (BatchSampler, DistributedSampler, RandomSampler,  # noqa: F401
                      Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler, as_index_array, index_batches, is_positive_int)
from .tensor import Tensor
from .workers import WorkerInfo, WorkerPool, get_worker_info  # noqa: F401


class Dataset:
    """A sized collection of samples: subclasses implement __getitem__(i) and __len__().
    (DataLoader takes any object with those two, a Dataset subclass or not.)

    A dataset whose __getitem__ also accepts a 1-D int64 numpy array of indices and
    returns the whole batch (already collated, in new tensors rather than views of the
    dataset's) sets `batched_indexing = True`; DataLoader then fetches each batch with
    one such call (and hands over a tuple it returns as a list, the type default_collate
    gives the batch of tuple samples).
    """

    batched_indexing = False

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __add__(self, other):
        """self's samples followed by other's: ConcatDataset([self, other])."""
        return ConcatDataset([self, other])


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


class Subset(Dataset):
    """The samples of `dataset` at `indices` (a sequence of its indices): subset[i] is
    dataset[indices[i]] and len(subset) is len(indices); a list of positions gives
    dataset[[indices[i] for i in positions]], as torch's.

    A Subset of a dataset with `batched_indexing` has it too: a numpy array of positions
    becomes one numpy gather of `indices` (which must then be integers) and one batched
    fetch from `dataset`, so a DataLoader over a Subset of a TensorDataset (a random_split
    of one, say) still gathers each batch with one kernel per tensor. That path reads
    `indices` as a numpy array made when first needed (again after `subset.indices` is
    assigned; a sequence changed in place afterwards is not seen).
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    @property
    def indices(self):
        return self._indices

    @indices.setter
    def indices(self, indices):
        self._indices = indices
        self._index_array = None  # numpy form, for batched fetches

    @property
    def batched_indexing(self):
        return getattr(self.dataset, "batched_indexing", False)

    def __getitems__(self, positions):
        """The samples at a list of positions (one batched fetch from `dataset` when it
        has __getitems__), as DataLoader reads a batch."""
        return _samples_at(self.dataset, [self._indices[position] for position in positions])

    def __getitem__(self, index):
        if isinstance(index, np.ndarray):
            if self._index_array is None:
                self._index_array = as_index_array(self._indices, "Subset: indices")
            return self.dataset[self._index_array[index]]
        if isinstance(index, list):
            return self.dataset[[self._indices[position] for position in index]]
        return self.dataset[self._indices[index]]

    def __len__(self):
        return len(self._indices)


class ConcatDataset(Dataset):
    """The samples of `datasets` (an iterable of datasets, not empty) one after another.

    len is the sum of their lengths (`cumulative_sizes` holds the running sums); index i,
    counted from the end when negative, reads the dataset it falls in. As torch's: an
    index below -len is a ValueError and one at or past len an IndexError. Read one
    sample at a time (a batch may span datasets), so DataLoader collates its samples.
    No datasets is a ValueError and an IterableDataset among them a TypeError (torch
    raises AssertionError for both, with the same messages).
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        if any(isinstance(part, IterableDataset) for part in self.datasets):
            raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(part) for part in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        size = len(self)
        if index < 0:
            if -index > size:
                raise ValueError("absolute value of index should not exceed dataset length")
            index += size
        elif index >= size:
            raise IndexError(f"ConcatDataset: index {index} is out of range for a dataset "
                             f"of length {size}")
        part = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[part - 1] if part else 0
        return self.datasets[part][index - start]


class StackDataset(Dataset):
    """Samples of several datasets of one length side by side, as torch's:
    StackDataset(a, b)[i] is (a[i], b[i]); StackDataset(x=a, y=b)[i] is
    {"x": a[i], "y": b[i]} (positional or keyword datasets, not both)."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via "
                             "``kwargs``) like input/output, but both types are given.")
        datasets = args or tuple(kwargs.values())
        if not datasets:
            raise ValueError("At least one dataset should be passed")
        lengths = {len(dataset) for dataset in datasets}
        if len(lengths) != 1:
            raise ValueError("Size mismatch between datasets")
        self.datasets = dict(kwargs) if kwargs else tuple(args)
        self._length = lengths.pop()

    def __len__(self):
        return self._length

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices):
        """The samples at a list of indices, each dataset read with one batched fetch
        where it has __getitems__ (a ValueError if that returns another count)."""
        datasets = self.datasets.values() if isinstance(self.datasets, dict) else self.datasets
        columns = []
        for dataset in datasets:
            column = _samples_at(dataset, indices)
            if len(column) != len(indices):
                raise ValueError(f"Nested dataset's output size mismatch. Expected "
                                 f"{len(indices)}, got {len(column)}")
            columns.append(column)
        if isinstance(self.datasets, dict):
            return [dict(zip(self.datasets, row)) for row in zip(*columns)]
        return [tuple(row) for row in zip(*columns)]


class IterableDataset(Dataset):
    """A stream of samples: subclasses implement __iter__() (and __len__() if they know
    their length). DataLoader batches consecutive samples of the stream, with no sampler
    or shuffling. With worker processes, each worker iterates its own copy of the
    dataset, so a dataset that should not be repeated once per worker splits itself by
    get_worker_info() (its id and num_workers) in __iter__, as in torch."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __len__(self):
        raise TypeError(f"object of type '{type(self).__name__}' has no len()")

    def __add__(self, other):
        """self's samples followed by other's: ChainDataset([self, other])."""
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of each of `datasets` (iterable datasets) one stream after another;
    len is the sum of their lengths (a TypeError if one has none). A dataset that is not
    an IterableDataset is a TypeError (torch: AssertionError) when iter or len reach it."""

    def __init__(self, datasets):
        self.datasets = list(datasets)

    def __iter__(self):
        for dataset in self.datasets:
            yield from _iterable_part(dataset)

    def __len__(self):
        return sum(len(_iterable_part(dataset)) for dataset in self.datasets)


def _iterable_part(dataset):
    """dataset, checked to be an IterableDataset (a part of a ChainDataset)."""
    if not isinstance(dataset, IterableDataset):
        raise TypeError(f"ChainDataset only supports IterableDataset, got "
                        f"{type(dataset).__name__}")
    return dataset


def _samples_at(dataset, indices):
    """The list of dataset's samples at the list indices: dataset.__getitems__(indices)
    when the dataset has it (a batched fetch, as torch's DataLoader makes), else one
    dataset[index] each."""
    fetch_batch = getattr(dataset, "__getitems__", None)
    if callable(fetch_batch):
        return fetch_batch(indices)
    return [dataset[index] for index in indices]


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping Subsets of the given lengths, their indices
    taken in order from one random permutation drawn from `generator` (default:
    minitorch's default generator).

    lengths: ints summing to len(dataset), or fractions summing to 1, each made
    floor(fraction * len(dataset)) and then given one more sample each, round-robin from
    the first, until they sum to len(dataset) (a UserWarning names any split left empty).
    """
    size = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for position, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"Fraction at index {position} is not between 0 and 1")
        counts = [math.floor(size * fraction) for fraction in lengths]
        for position in range(size - sum(counts)):
            counts[position % len(counts)] += 1
        for position, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"Length of split at index {position} is 0. This might result "
                              f"in an empty dataset.", stacklevel=2)
        lengths = counts
    if any(length < 0 for length in lengths):
        raise ValueError(f"random_split: lengths must not be negative, got {list(lengths)}")
    if sum(lengths) != size:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = numpy_generator(generator).permutation(size).tolist()
    return [Subset(dataset, order[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]


def default_convert(sample):
    """One sample as DataLoader(batch_size=None) hands it over, as torch's
    default_convert: numpy arrays and numpy scalars become tensors (inside mappings,
    namedtuples and sequences too); anything else is left as it is."""
    if isinstance(sample, (np.ndarray, np.bool_, np.number)):
        return make_tensor(sample) if sample.dtype.kind in "biuf" else sample
    if isinstance(sample, Mapping):
        return _like(sample, {key: default_convert(value) for key, value in sample.items()})
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):  # a namedtuple
        return type(sample)(*(default_convert(field) for field in sample))
    if isinstance(sample, Sequence) and not isinstance(sample, (str, bytes)):
        fields = [default_convert(field) for field in sample]
        return fields if isinstance(sample, tuple) else _like(sample, fields)
    return sample


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
    """Iterate over a map-style dataset (any object with __getitem__ and __len__) or an
    IterableDataset in batches, as torch.utils.data.DataLoader does.

    DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *,
    prefetch_factor=None, persistent_workers=False, pin_memory_device="", in_order=True)

    The order: `sampler` (any iterable of indices with a len, e.g. a Sampler), else a
    RandomSampler drawing from `generator` (a minitorch.Generator; default: minitorch's
    seeded default generator) when shuffle, so a new order every epoch (every iter())
    and a seed fixes the whole sequence of epochs, else a SequentialSampler. Batches are
    batch_size consecutive indices of that order (a BatchSampler; drop_last: skip a final
    batch smaller than batch_size), or the lists `batch_sampler` yields, which excludes
    batch_size, shuffle, sampler and drop_last (ValueError, as torch; batch_size is then
    None). shuffle with a sampler is a ValueError too. batch_size=None turns batching off:
    each sample is handed over alone, converted by collate_fn (default: default_convert).
    An IterableDataset is read as a stream: batch_size consecutive samples make a batch,
    and shuffle, sampler and batch_sampler must be left unspecified (ValueError).
    collate_fn: turns a list of samples into a batch (default: default_collate); when it
        is not given and the dataset has `batched_indexing` (TensorDataset, a Subset of
        one), each batch is fetched with one dataset[index array] instead.
    num_workers: 0 makes the batches in the calling process; more starts that many
        worker processes at each iter() (see minitorch.workers: each has its own copy of
        the dataset, one thread per backend, minitorch's generator and `random` seeded
        with base_seed + worker id, get_worker_info()), which fetch and collate batches
        ahead, prefetch_factor (default 2) each, yielded in the sampler's order.
        worker_init_fn(worker_id) runs in each worker first; multiprocessing_context (a
        start method name or context; default: multiprocessing's) starts them;
        persistent_workers keeps them for the next epochs; timeout (seconds, 0: none)
        bounds the wait for a batch. An exception in a worker is re-raised in the loop
        as a RuntimeError carrying the worker's traceback.
    pin_memory: accepted and ignored: it only matters for copies to a GPU, and every
        minitorch backend keeps tensors in CPU memory; as torch without an accelerator,
        each epoch warns that no pinned memory will be used (UserWarning), and a
        pin_memory_device with it warns that it is deprecated.
    in_order: batches always come in the sampler's order (in_order=False lets torch's
        workers deliver them as they finish; the order kept is one it may give).
    With num_workers=0, the worker options are checked as torch checks them: a
    prefetch_factor other than None, persistent_workers=True or a multiprocessing_context
    is a ValueError, worker_init_fn is kept and never called, and a positive timeout is
    accepted here and refused on iteration (AssertionError, as torch's single-process
    iterator). A negative timeout is always a ValueError.

    len(loader) is the number of batches per epoch: len(batch_sampler) (len(sampler)
    without batching); for an IterableDataset, from len(dataset) (a TypeError if it has
    none).
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0:
            if prefetch_factor is not None:
                raise ValueError("prefetch_factor option could only be specified in "
                                 "multiprocessing.let num_workers > 0 to enable "
                                 "multiprocessing, otherwise set prefetch_factor to None.")
            if persistent_workers:
                raise ValueError("persistent_workers option needs num_workers > 0")
            if multiprocessing_context is not None:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got num_workers=0")
        else:
            if prefetch_factor is None:
                prefetch_factor = 2
            elif isinstance(prefetch_factor, int) and prefetch_factor < 0:
                raise ValueError("prefetch_factor option should be non-negative")
            elif not is_positive_int(prefetch_factor):   # torch accepts 0, to load nothing
                raise ValueError(f"DataLoader: prefetch_factor must be a positive int, got "
                                 f"{prefetch_factor!r}")
            if isinstance(multiprocessing_context, str):
                methods = multiprocessing.get_all_start_methods()
                if multiprocessing_context not in methods:
                    raise ValueError("multiprocessing_context option should specify a valid "
                                     f"start method in {methods!r}, but got "
                                     f"multiprocessing_context={multiprocessing_context!r}")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, value, unspecified in (("shuffle", shuffle, (False, None)),
                                             ("sampler", sampler, (None,)),
                                             ("batch_sampler", batch_sampler, (None,))):
                if value not in unspecified:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value!r}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
        elif batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is "
                                 "mutually exclusive with drop_last")
        elif not is_positive_int(batch_size):
            raise ValueError(f"DataLoader: batch_size must be a positive int or None, got "
                             f"{batch_size!r}")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle \
                else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.generator = generator
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self._workers = None   # the WorkerPool kept between epochs (persistent_workers)

    def __len__(self):
        if self._iterable:   # the dataset's length in samples (a TypeError without one)
            samples = len(self.dataset)
            if self.batch_size is None:
                return samples
            return samples // self.batch_size if self.drop_last else \
                -(-samples // self.batch_size)
        return len(self.sampler if self.batch_sampler is None else self.batch_sampler)

    def __iter__(self):
        if self.num_workers == 0 and self.timeout > 0:
            raise AssertionError("DataLoader: timeout > 0 needs worker processes "
                                 "(num_workers > 0); use timeout=0")
        if self.pin_memory:
            if self.pin_memory_device:
                warnings.warn("pin_memory_device is deprecated, the current accelerator will "
                              "be used as the device,ignore "
                              f"pin_memory_device='{self.pin_memory_device}'.", stacklevel=2)
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=2)
        auto_collation = self.batch_size is not None if self._iterable else \
            self.batch_sampler is not None
        fetch = _Fetcher(self.dataset, self.collate_fn, auto_collation, self.batch_size,
                         self.drop_last)
        if self.num_workers == 0:
            yield from fetch.stream() if self._iterable else map(fetch, self._tasks(fetch))
            return
        workers = self._workers or WorkerPool(self, fetch)
        if self.persistent_workers and self._workers is None:
            self._workers = workers
            weakref.finalize(self, workers.shutdown)
        try:
            yield from workers.batches(None if self._iterable else self._tasks(fetch))
        finally:
            if not self.persistent_workers:
                workers.shutdown()

    def _tasks(self, fetch):
        """What each of the epoch's batches of a map-style dataset is fetched from: its
        indices (an index array for a batched_indexing dataset), or one index without
        auto-collation."""
        if self.batch_sampler is None:
            return iter(self.sampler)
        return index_batches(self.batch_sampler) if fetch.batched else iter(self.batch_sampler)


class _Fetcher:
    """Makes the batches. Map-style: called with a batch's indices, dataset[index array]
    for a dataset with batched_indexing and no collate_fn, else collate_fn
    (default_collate) of the samples (from dataset.__getitems__ where it has one);
    without auto-collation (batch_size=None) called with one index, collate_fn
    (default_convert) of that sample. Iterable: stream() yields collate_fn of each
    batch_size consecutive samples of iter(dataset) (the last batch shorter, or dropped
    with drop_last), or each sample converted without auto-collation. A module-level
    class, so that worker processes can receive it pickled."""

    def __init__(self, dataset, collate_fn, auto_collation, batch_size, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.batched = auto_collation and collate_fn is None and \
            getattr(dataset, "batched_indexing", False)
        self.collate = collate_fn or (default_collate if auto_collation else default_convert)
        self.batch_size, self.drop_last = batch_size, drop_last

    def __call__(self, indices):
        if self.batched:
            batch = self.dataset[indices]
            # default_collate makes the batch of tuple samples a list (as torch's)
            return list(batch) if type(batch) is tuple else batch
        if not self.auto_collation:
            return self.collate(self.dataset[indices])
        return self.collate(_samples_at(self.dataset, indices))

    def stream(self):
        samples = iter(self.dataset)
        if not self.auto_collation:
            yield from map(self.collate, samples)
            return
        while True:
            chunk = list(itertools.islice(samples, self.batch_size))
            if not chunk or (self.drop_last and len(chunk) < self.batch_size):
                return
            yield self.collate(chunk)
