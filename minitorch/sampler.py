"""Samplers, as torch.utils.data's: the order in which a DataLoader visits a dataset.

A sampler is an iterable of dataset indices (one pass is one epoch); a batch sampler is
an iterable of lists of indices. Random samplers draw from minitorch's seeded
generators (their `generator`, else minitorch's default), one draw per epoch.

The built-in samplers also give an epoch at once, as a numpy array (`index_array()`),
so that a DataLoader over a dataset with `batched_indexing` slices each batch from that
array instead of collecting indices one by one (`index_batches`).
"""
import itertools
import numbers

import numpy as np

from .creation import tensor as make_tensor
from .dtype import float64
from .generator import Generator, numpy_generator


def is_positive_int(value):
    """Whether value is an int (a numbers.Integral, not a bool) greater than 0."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


class Sampler:
    """Base class of samplers: subclasses implement __iter__ (yielding indices, or lists
    of indices for a batch sampler) and, where it is known, __len__.

    A sampler may implement `index_array()` instead of __iter__: one epoch's indices as a
    1-D integer numpy array, each call drawing a new epoch as each iter() does; the
    inherited __iter__ then iterates over it (as Python ints). A DataLoader over such a
    sampler slices its batches from that array. (A subclass that overrides __iter__ is
    iterated, whatever its index_array says.)
    """

    def __iter__(self):
        return iter(self.index_array().tolist())

    def index_array(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__ "
                                  "(or index_array)")


def iterates_index_array(sampler):
    """Whether iterating `sampler` (any iterable) is iterating its index_array(): true of
    the built-in samplers and of Sampler subclasses that define index_array and keep
    Sampler.__iter__."""
    kind = type(sampler)
    return getattr(kind, "__iter__", None) is Sampler.__iter__ \
        and kind.index_array is not Sampler.index_array


def as_index_array(indices, what):
    """`indices` (a sequence of integers, a numpy array or a tensor) as a 1-D integer numpy
    array (an empty one as int64); a TypeError naming `what` for anything else."""
    array = np.asarray(indices)
    if array.size == 0:
        array = array.astype(np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise TypeError(f"{what} must be a 1-D sequence of integers, got {array.ndim}-D "
                        f"{array.dtype} values")
    return array


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, every epoch."""

    def __init__(self, data_source):
        self.data_source = data_source

    def index_array(self):
        return np.arange(len(self.data_source))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices of data_source, drawn anew every epoch.

    Without replacement: a random permutation of all indices; num_samples (default
    len(data_source)) above the length takes further permutations, one after another, and
    cuts the last one short. With replacement: num_samples independent uniform draws.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        if not is_positive_int(self.num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        """How many indices one epoch yields (len(data_source) unless given)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def index_array(self):
        size = len(self.data_source)
        generator = numpy_generator(self.generator)
        if self.replacement:
            if size == 0:
                raise RuntimeError("RandomSampler: cannot draw indices with replacement "
                                   "from an empty data_source")
            return generator.integers(0, size, self.num_samples)
        whole, part = divmod(self.num_samples, size)
        orders = [generator.permutation(size) for _ in range(whole)]
        if part:
            orders.append(generator.permutation(size)[:part])
        return np.concatenate(orders)

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices (integers) in a new random order every epoch."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def index_array(self):
        indices = as_index_array(self.indices, "SubsetRandomSampler: indices")
        return indices[numpy_generator(self.generator).permutation(len(indices))]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """num_samples indices of 0..len(weights)-1, each drawn with probability proportional
    to its weight (weights: finite, non-negative, not all zero); without replacement an
    index drawn once is not drawn again in that epoch (so at most as many as there are
    non-zero weights)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not is_positive_int(num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        values = np.asarray(weights, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{values.shape}")
        if not (np.isfinite(values).all() and (values >= 0).all() and values.sum() > 0):
            raise ValueError("WeightedRandomSampler: weights must be finite and non-negative, "
                             "and not all zero")
        if not replacement and num_samples > np.count_nonzero(values):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples "
                             f"without replacement from {np.count_nonzero(values)} non-zero "
                             f"weights")
        self.weights = make_tensor(values, dtype=float64)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def index_array(self):
        weights = self.weights.numpy()
        return numpy_generator(self.generator).choice(
            len(weights), self.num_samples, replace=self.replacement, p=weights / weights.sum())

    def __len__(self):
        return self.num_samples


class DistributedSampler(Sampler):
    """The share of dataset's indices that replica `rank` of num_replicas visits, as
    torch's DistributedSampler: each epoch orders all indices (a permutation seeded with
    seed + epoch when shuffle, so every replica draws the same one; else 0..n-1), makes
    their count a multiple of num_replicas (drop_last: cut the tail; otherwise repeat the
    order from its start), and gives rank every num_replicas-th index from position rank.
    Call set_epoch(epoch) before each epoch for a new order.

    minitorch has no process groups, so num_replicas and rank must be given. The
    permutation is minitorch's Generator's (numpy's PCG64), not torch.randperm's, so the
    shuffled indices differ from torch's for the same seed; the partition rules are the same.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            raise ValueError("DistributedSampler: pass num_replicas and rank (minitorch has no "
                             "process group to read the world size and rank from), got "
                             f"num_replicas={num_replicas}, rank={rank}")
        if not is_positive_int(num_replicas):
            raise ValueError(f"DistributedSampler: num_replicas must be a positive integer, "
                             f"got {num_replicas!r}")
        if not isinstance(rank, numbers.Integral) or isinstance(rank, bool) \
                or not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: invalid rank {rank!r}, rank should be in "
                             f"the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if drop_last:
            self.num_samples = len(dataset) // num_replicas
        else:
            self.num_samples = -(-len(dataset) // num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def index_array(self):
        size = len(self.dataset)
        if self.shuffle:
            order = numpy_generator(Generator(self.seed + self.epoch)).permutation(size)
        else:
            order = np.arange(size)
        # np.resize repeats the order from its start, or cuts it, to total_size.
        return np.resize(order, self.total_size)[self.rank::self.num_replicas]

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use epoch's order in the next iteration (with shuffle, a new permutation)."""
        self.epoch = epoch


class BatchSampler(Sampler):
    """Lists of batch_size consecutive indices of `sampler` (any iterable of indices); the
    last list is shorter when the indices run out, or left out when drop_last."""

    def __init__(self, sampler, batch_size, drop_last):
        if not is_positive_int(batch_size):
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)


def index_batches(batch_sampler):
    """The batches `batch_sampler` yields, each as a 1-D integer numpy array: what a
    DataLoader hands a dataset with `batched_indexing`.

    A BatchSampler (exactly: a subclass may batch otherwise) over a sampler that iterates
    its index_array() is sliced from one such array per epoch, with no Python work per
    index; any other batch sampler is iterated and each batch converted (a TypeError for a
    batch that is not a 1-D sequence of integers).
    """
    if type(batch_sampler) is BatchSampler and iterates_index_array(batch_sampler.sampler):
        indices = batch_sampler.sampler.index_array()
        size, step = len(indices), batch_sampler.batch_size
        end = size - size % step if batch_sampler.drop_last else size
        return (indices[start:start + step] for start in range(0, end, step))
    return (as_index_array(batch, "DataLoader: a batch of indices") for batch in batch_sampler)
