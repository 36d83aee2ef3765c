"""minitorch.data beyond TensorDataset: Subset, random_split, ConcatDataset, the samplers
and DataLoader's sampler=/batch_sampler= — compared with torch.utils.data
wherever the result is deterministic, and checked to keep the one-gather batch path."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import minitorch
import minitorch.utils.data
from minitorch.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler,
                            Sampler, SequentialSampler, Subset, SubsetRandomSampler,
                            TensorDataset, WeightedRandomSampler, random_split)


def numbered(count, features=3):
    """x whose row i is i * 10 + 0..features-1, and y = i (so rows are recognisable)."""
    x = minitorch.tensor(np.arange(count)[:, None] * 10.0 + np.arange(features))
    return x, minitorch.tensor(np.arange(count))


class SpyDataset(TensorDataset):
    """A TensorDataset that records every index it is read with."""

    def __init__(self, *tensors):
        super().__init__(*tensors)
        self.reads = []

    def __getitem__(self, index):
        self.reads.append(index)
        return super().__getitem__(index)


def labels_of(loader):
    """Each batch's labels, checking each batch's rows belong to its labels."""
    epoch = []
    for inputs, targets in loader:
        np.testing.assert_array_equal(inputs.numpy()[:, 0], targets.numpy() * 10.0)
        epoch.append(targets.tolist())
    return epoch


def assert_fetched_in_batches(dataset, epoch):
    """Every batch of the epoch (its labels) was one dataset[index array] read of those
    rows: the gather path."""
    assert len(dataset.reads) == len(epoch)
    assert all(isinstance(index, np.ndarray) for index in dataset.reads)
    assert [(index % len(dataset)).tolist() for index in dataset.reads] == epoch


def plain(value):
    """A batch as plain Python: tensors (ours or torch's) become (dtype name, values)."""
    if isinstance(value, (minitorch.Tensor, torch.Tensor)):
        return str(value.dtype).split(".")[-1], value.tolist()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [plain(item) for item in value]
    return value


def raised(call):
    """(type name, message) of what call() raises."""
    try:
        call()
    except Exception as error:  # noqa: BLE001 (comparing whatever each library raises)
        return type(error).__name__, str(error)
    raise AssertionError("no exception raised")


RECORDS = [(i, f"s{i}", {"w": i * 0.5}) for i in range(7)]  # a plain Python dataset


# ---- Subset ------------------------------------------------------------------------------

def test_subset_reads_the_dataset_at_its_indices_as_torch():
    indices = [5, 0, 3, 3]
    ours, theirs = Subset(RECORDS, indices), tud.Subset(RECORDS, indices)
    assert len(ours) == len(theirs) == 4
    assert [ours[i] for i in range(-4, 4)] == [theirs[i] for i in range(-4, 4)]
    assert ours.indices is indices and ours.dataset is RECORDS
    with pytest.raises(IndexError):
        ours[4]


def test_subset_of_a_tensor_dataset_indexes_like_the_dataset(backend_name):
    x, y = numbered(8)
    subset = Subset(TensorDataset(x, y), [6, 1, 4])
    row, label = subset[-1]
    assert label.item() == 4 and row.tolist() == [40.0, 41.0, 42.0]
    rows, labels = subset[[2, 0]]          # a list of positions, as torch's Subset
    assert labels.tolist() == [4, 6] and rows[:, 0].tolist() == [40.0, 60.0]
    rows, labels = subset[np.array([1, 2, 0])]   # a batch: one gather per tensor
    assert labels.tolist() == [1, 4, 6] and rows[:, 0].tolist() == [10.0, 40.0, 60.0]
    assert rows.backend == backend_name and subset.batched_indexing


def test_subset_batches_follow_reassigned_indices():
    subset = Subset(TensorDataset(*numbered(6)), [0, 1])
    assert subset[np.array([1])][1].tolist() == [1]
    subset.indices = [5, 4]
    assert subset[np.array([1])][1].tolist() == [4] and len(subset) == 2


def test_loader_over_a_subset_of_a_tensor_dataset_gathers_whole_batches():
    spy = SpyDataset(*numbered(10))
    subset = Subset(spy, [9, 7, 5, 3, 1])
    epoch = labels_of(DataLoader(subset, batch_size=2))
    assert epoch == [[9, 7], [5, 3], [1]]
    assert_fetched_in_batches(spy, epoch)


def test_an_empty_subset_gives_no_batches_and_non_integer_indices_are_refused():
    dataset = TensorDataset(*numbered(4))
    assert list(DataLoader(Subset(dataset, []), batch_size=2)) == []
    with pytest.raises(TypeError, match="Subset: indices must be a 1-D sequence of integers"):
        list(DataLoader(Subset(dataset, [0.0, 1.0]), batch_size=2))


def test_loader_over_a_subset_of_a_plain_dataset_collates_as_torch():
    indices = [6, 2, 4, 1, 0]
    ours = list(DataLoader(Subset(RECORDS, indices), batch_size=2))
    theirs = list(tud.DataLoader(tud.Subset(RECORDS, indices), batch_size=2))
    assert [plain(batch) for batch in ours] == [plain(batch) for batch in theirs]
    assert plain(ours[0]) == ("list", [("int64", [6, 2]), ("tuple", ["s6", "s2"]),
                                       {"w": ("float64", [3.0, 1.0])}])


# ---- ConcatDataset and Dataset.__add__ ---------------------------------------------------

def test_concat_dataset_indexes_across_parts_as_torch():
    parts = [[0, 1, 2], [], [10, 11], [20]]
    ours, theirs = ConcatDataset(parts), tud.ConcatDataset(parts)
    assert len(ours) == len(theirs) == 6
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [3, 3, 5, 6]
    assert [ours[i] for i in range(-6, 6)] == [theirs[i] for i in range(-6, 6)] \
        == [0, 1, 2, 10, 11, 20] * 2
    assert ConcatDataset(iter(parts)).datasets == parts   # any iterable of datasets


def test_concat_dataset_errors_as_torch():
    ours, theirs = ConcatDataset([[1, 2], [3]]), tud.ConcatDataset([[1, 2], [3]])
    assert raised(lambda: ours[-4]) == raised(lambda: theirs[-4]) == (
        "ValueError", "absolute value of index should not exceed dataset length")
    assert raised(lambda: ours[3])[0] == raised(lambda: theirs[3])[0] == "IndexError"
    assert "index 3 is out of range" in raised(lambda: ours[3])[1]
    # torch raises AssertionError here; the message is the same
    assert raised(lambda: ConcatDataset([])) == ("ValueError", raised(
        lambda: tud.ConcatDataset([]))[1])


def test_adding_datasets_concatenates_them_and_the_loader_collates_samples(backend_name):
    x, y = numbered(5)
    first, second = TensorDataset(x[:3], y[:3]), TensorDataset(x[3:], y[3:])
    both = first + second
    assert isinstance(both, ConcatDataset) and both.datasets == [first, second]
    assert isinstance(both + first, ConcatDataset) and len(both + first) == 8
    assert not getattr(both, "batched_indexing", False)   # a batch may span the parts
    batches = list(DataLoader(both, batch_size=2))
    tx = torch.arange(5.0, dtype=torch.float64)[:, None] * 10 + torch.arange(3.0)
    ty = torch.arange(5)
    theirs = list(tud.DataLoader(tud.TensorDataset(tx[:3], ty[:3])
                                 + tud.TensorDataset(tx[3:], ty[3:]), batch_size=2))
    assert [plain(batch) for batch in batches] == [plain(batch) for batch in theirs]
    assert batches[1][0].backend == backend_name


def test_concat_of_tensor_and_plain_datasets_in_a_shuffled_loader_sees_every_sample():
    x, y = numbered(4)
    samples = [(minitorch.tensor([10.0 * i, 0.0, 0.0]), minitorch.tensor(i))
               for i in range(4, 7)]
    loader = DataLoader(TensorDataset(x, y) + samples, batch_size=3, shuffle=True)
    seen = [label for batch in loader for label in batch[1].tolist()]
    assert sorted(seen) == list(range(7)) and len(loader) == 3


# ---- random_split ------------------------------------------------------------------------

@pytest.mark.parametrize("size,lengths", [
    (10, [3, 7]), (10, [10, 0]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]),
    (10, [1 / 3] * 3), (3, [0.25, 0.75]), (7, [0.1] * 10), (5, [1.0]), (0, [0.5, 0.5]),
])
def test_random_split_sizes_and_warnings_as_torch(size, lengths):
    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        ours = random_split(range(size), lengths, generator=minitorch.Generator(0))
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        theirs = tud.random_split(range(size), lengths, generator=torch.Generator())
    assert [len(part) for part in ours] == [len(part) for part in theirs]
    assert [str(w.message) for w in ours_warned] == [str(w.message) for w in theirs_warned]
    assert all(isinstance(part, Subset) for part in ours)
    everything = [index for part in ours for index in part]
    assert sorted(everything) == list(range(size))   # disjoint, and covers the dataset


@pytest.mark.parametrize("lengths", [[5, 4], [5, 6], [1.2, -0.2], [0.5, 0.6], [0.4, 0.4]])
def test_random_split_errors_as_torch(lengths):
    assert raised(lambda: random_split(range(10), lengths)) == \
        raised(lambda: tud.random_split(range(10), lengths))


def test_random_split_refuses_negative_lengths_which_torch_accepts():
    with pytest.raises(ValueError, match="must not be negative"):
        random_split(range(10), [-1, 11])


def test_random_split_is_reproducible_from_a_generator_or_the_seed():
    first = random_split(range(20), [5, 15], generator=minitorch.Generator(4))
    again = random_split(range(20), [5, 15], generator=minitorch.Generator(4))
    other = random_split(range(20), [5, 15], generator=minitorch.Generator(5))
    assert [part.indices for part in first] == [part.indices for part in again]
    assert first[0].indices != other[0].indices
    minitorch.manual_seed(9)
    seeded = [part.indices for part in random_split(range(20), [0.25, 0.75])]
    minitorch.manual_seed(9)
    assert [part.indices for part in random_split(range(20), [0.25, 0.75])] == seeded
    assert [part.indices for part in first] != [list(range(5)), list(range(5, 20))]


def test_loaders_over_a_random_split_gather_whole_batches(backend_name):
    spy = SpyDataset(*numbered(50))
    train, test = random_split(spy, [0.8, 0.2], generator=minitorch.Generator(1))
    epoch = labels_of(DataLoader(train, batch_size=16, shuffle=True))
    assert sorted(sum(epoch, [])) == sorted(train.indices) and len(epoch) == 3
    assert_fetched_in_batches(spy, epoch)
    assert sum(labels_of(DataLoader(test, batch_size=16)), []) == test.indices


# ---- samplers ----------------------------------------------------------------------------

def test_base_sampler_must_be_subclassed():
    with pytest.raises(NotImplementedError, match="Sampler must implement __iter__"):
        iter(Sampler())
    with pytest.raises(NotImplementedError):
        iter(tud.Sampler())


def test_sequential_sampler_as_torch():
    data = RECORDS[:5]
    assert list(SequentialSampler(data)) == list(tud.SequentialSampler(data)) == [0, 1, 2, 3, 4]
    assert len(SequentialSampler(data)) == 5
    assert all(type(index) is int for index in SequentialSampler(data))


@pytest.mark.parametrize("num_samples", [None, 4, 10, 23])
def test_random_sampler_without_replacement_takes_whole_permutations(num_samples):
    sampler = RandomSampler(range(10), num_samples=num_samples)
    drawn = list(sampler)
    expected_len = len(tud.RandomSampler(range(10), num_samples=num_samples))
    assert len(sampler) == len(drawn) == expected_len
    assert all(type(index) is int for index in drawn)
    for start in range(0, len(drawn), 10):    # each run of 10 is part of one permutation
        block = drawn[start:start + 10]
        assert len(set(block)) == len(block) and set(block) <= set(range(10))


def test_random_sampler_with_replacement_draws_num_samples_in_range():
    drawn = list(RandomSampler(range(5), replacement=True, num_samples=200))
    assert len(drawn) == 200 and set(drawn) == set(range(5))   # repeats, all in range
    assert len(RandomSampler(range(5), replacement=True)) == 5


@pytest.mark.parametrize("kwargs", [
    {"replacement": 1}, {"num_samples": 0}, {"num_samples": -3}, {"num_samples": 2.5},
    {"num_samples": "4"},
])
def test_random_sampler_argument_errors_as_torch(kwargs):
    assert raised(lambda: RandomSampler(range(5), **kwargs)) == \
        raised(lambda: tud.RandomSampler(range(5), **kwargs))


def test_random_sampler_of_an_empty_dataset_is_refused_as_torch():
    assert raised(lambda: RandomSampler([])) == raised(lambda: tud.RandomSampler([])) == (
        "ValueError", "num_samples should be a positive integer value, but got num_samples=0")
    assert raised(lambda: DataLoader([], shuffle=True)) == \
        raised(lambda: tud.DataLoader([], shuffle=True))


def test_random_sampler_draws_one_permutation_per_epoch_from_its_generator():
    # the order DataLoader(shuffle=True) always had: permutation(n) of the seeded PCG64
    reference = np.random.Generator(np.random.PCG64(21))
    sampler = RandomSampler(range(30), generator=minitorch.Generator(21))
    epochs = [list(sampler) for _ in range(3)]
    assert epochs == [reference.permutation(30).tolist() for _ in range(3)]
    assert epochs[0] != epochs[1] != epochs[2]
    longer = RandomSampler(range(10), num_samples=23, generator=minitorch.Generator(21))
    reference = np.random.Generator(np.random.PCG64(21))
    assert list(longer) == np.concatenate([reference.permutation(10), reference.permutation(10),
                                           reference.permutation(10)[:3]]).tolist()


def test_random_sampler_default_generator_follows_manual_seed():
    minitorch.manual_seed(3)
    first = [list(RandomSampler(range(25))) for _ in range(2)]
    minitorch.manual_seed(3)
    assert [list(RandomSampler(range(25))) for _ in range(2)] == first
    state = minitorch.default_generator.get_state()
    list(RandomSampler(range(25), generator=minitorch.Generator(3)))
    assert minitorch.default_generator.get_state() == state   # its own generator only


def test_subset_random_sampler_permutes_its_indices_every_epoch():
    indices = [12, 3, 7, 40, 8, 19]
    sampler = SubsetRandomSampler(indices, generator=minitorch.Generator(2))
    epochs = [list(sampler) for _ in range(4)]
    assert all(sorted(epoch) == sorted(indices) for epoch in epochs)
    assert len(sampler) == len(tud.SubsetRandomSampler(indices)) == 6
    assert len({tuple(epoch) for epoch in epochs}) > 1
    again = SubsetRandomSampler(indices, generator=minitorch.Generator(2))
    assert [list(again) for _ in range(4)] == epochs
    with pytest.raises(TypeError, match="indices must be a 1-D sequence of integers"):
        list(SubsetRandomSampler([0.5, 1.5]))


def test_weighted_random_sampler_follows_the_weights():
    sampler = WeightedRandomSampler([0.0, 1.0, 3.0, 0.0], 4000,
                                    generator=minitorch.Generator(0))
    drawn = np.array(list(sampler))
    assert len(sampler) == len(drawn) == 4000
    assert set(drawn.tolist()) == {1, 2}                 # zero weights are never drawn
    assert abs(np.mean(drawn == 2) - 0.75) < 0.03        # 3 : 1
    without = WeightedRandomSampler([1, 5, 0, 2, 1], 4, replacement=False)
    for _ in range(5):
        epoch = list(without)
        assert len(set(epoch)) == 4 and 2 not in epoch
    assert sampler.weights.dtype is minitorch.float64


@pytest.mark.parametrize("args", [
    ([1.0, 2.0], 0), ([1.0, 2.0], True), ([1.0, 2.0], 3, 1), ([[1.0, 2.0]], 2), (1.0, 2),
])
def test_weighted_random_sampler_argument_errors_as_torch(args):
    assert raised(lambda: WeightedRandomSampler(*args)) == \
        raised(lambda: tud.WeightedRandomSampler(*args))


@pytest.mark.parametrize("weights", [[1.0, -1.0], [0.0, 0.0], [1.0, float("nan")]])
def test_weighted_random_sampler_refuses_impossible_weights_when_made(weights):
    # torch's multinomial refuses these at the first draw (RuntimeError); we refuse early
    with pytest.raises(ValueError, match="WeightedRandomSampler: weights must be finite"):
        WeightedRandomSampler(weights, 1)
    with pytest.raises(RuntimeError):
        list(tud.WeightedRandomSampler(weights, 1))


def test_weighted_random_sampler_without_replacement_needs_enough_nonzero_weights():
    # torch documents this for multinomial but draws zero-weight indices on the CPU
    with pytest.raises(ValueError, match="cannot draw 3 samples without replacement from 2 "
                                         "non-zero weights"):
        WeightedRandomSampler([1.0, 0.0, 1.0], 3, replacement=False)


@pytest.mark.parametrize("size,batch_size,drop_last", [
    (10, 3, False), (10, 3, True), (9, 3, False), (9, 3, True), (2, 5, False), (2, 5, True),
])
def test_batch_sampler_as_torch(size, batch_size, drop_last):
    ours = BatchSampler(SequentialSampler(range(size)), batch_size, drop_last)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(size)), batch_size, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    over_a_list = BatchSampler([7, 5, 3], 2, drop_last)       # any iterable of indices
    assert list(over_a_list) == list(tud.BatchSampler([7, 5, 3], 2, drop_last))


@pytest.mark.parametrize("batch_size,drop_last", [(0, False), (-1, False), (2.0, False),
                                                  (True, False), (2, 1), (2, None)])
def test_batch_sampler_argument_errors_as_torch(batch_size, drop_last):
    assert raised(lambda: BatchSampler(range(4), batch_size, drop_last)) == \
        raised(lambda: tud.BatchSampler(range(4), batch_size, drop_last))


# ---- DataLoader: arguments ---------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"sampler": [0, 1], "shuffle": True},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_sampler": [[0]], "drop_last": True},
    {"num_workers": -1},
    {"drop_last": 1},
])
def test_mutually_exclusive_and_bad_arguments_as_torch(kwargs):
    assert raised(lambda: DataLoader(list(range(4)), **kwargs)) == \
        raised(lambda: tud.DataLoader(list(range(4)), **kwargs))


def test_num_workers_zero_is_accepted():
    loader = DataLoader(TensorDataset(*numbered(4)), batch_size=2, num_workers=0)
    assert loader.num_workers == 0 and labels_of(loader) == [[0, 1], [2, 3]]


def test_positional_arguments_follow_torch():
    sampler = SequentialSampler(range(6))
    loader = DataLoader(TensorDataset(*numbered(6)), 4, False, sampler, None, 0, None)
    assert loader.sampler is sampler and loader.batch_size == 4
    assert labels_of(loader) == [[0, 1, 2, 3], [4, 5]]


def test_default_samplers_and_attributes_as_torch():
    dataset = list(range(5))
    for shuffle in (False, True):
        ours, theirs = DataLoader(dataset, 2, shuffle), tud.DataLoader(dataset, 2, shuffle)
        assert type(ours.sampler).__name__ == type(theirs.sampler).__name__
        assert type(ours.batch_sampler).__name__ == type(theirs.batch_sampler).__name__
        assert ours.batch_sampler.sampler is ours.sampler
    with_batches = DataLoader(dataset, batch_sampler=[[0, 1]])
    reference = tud.DataLoader(dataset, batch_sampler=[[0, 1]])
    assert with_batches.batch_size is reference.batch_size is None
    assert with_batches.drop_last is reference.drop_last is False
    assert type(with_batches.sampler) is SequentialSampler


def loader_pairs(size):
    """(ours, torch's) loaders over `size` samples, one pair per way to give an order."""
    ours_data, theirs_data = list(range(size)), list(range(size))
    yield DataLoader(ours_data, 4), tud.DataLoader(theirs_data, 4)
    yield (DataLoader(ours_data, 4, drop_last=True),
           tud.DataLoader(theirs_data, 4, drop_last=True))
    yield (DataLoader(ours_data, 3, shuffle=True), tud.DataLoader(theirs_data, 3, shuffle=True))
    yield (DataLoader(ours_data, 4, sampler=RandomSampler(ours_data, True, 13)),
           tud.DataLoader(theirs_data, 4, sampler=tud.RandomSampler(theirs_data, True, 13)))
    yield (DataLoader(ours_data, 4, sampler=RandomSampler(ours_data, num_samples=2 * size + 1)),
           tud.DataLoader(theirs_data, 4,
                          sampler=tud.RandomSampler(theirs_data, num_samples=2 * size + 1)))
    yield (DataLoader(ours_data, 2, sampler=SubsetRandomSampler([1, 4, 5])),
           tud.DataLoader(theirs_data, 2, sampler=tud.SubsetRandomSampler([1, 4, 5])))
    yield (DataLoader(ours_data, 5, sampler=WeightedRandomSampler([1.0] * size, 7)),
           tud.DataLoader(theirs_data, 5, sampler=tud.WeightedRandomSampler([1.0] * size, 7)))
    yield DataLoader(ours_data, 3, sampler=[4, 0, 2, 2]), \
        tud.DataLoader(theirs_data, 3, sampler=[4, 0, 2, 2])
    batches = [[0, 1, 2], [5], [3, 3]]
    yield DataLoader(ours_data, batch_sampler=batches), \
        tud.DataLoader(theirs_data, batch_sampler=batches)
    yield (DataLoader(ours_data, batch_sampler=BatchSampler(range(size), 3, True)),
           tud.DataLoader(theirs_data, batch_sampler=tud.BatchSampler(range(size), 3, True)))


@pytest.mark.parametrize("size", [6, 9, 12])
def test_len_and_batch_sizes_as_torch_for_every_mode(size):
    for ours, theirs in loader_pairs(size):
        assert len(ours) == len(theirs)
        assert [len(batch) for batch in ours] == [len(batch) for batch in theirs]


def test_deterministic_orders_give_torchs_batches():
    compared = 0
    for ours, theirs in loader_pairs(9):
        if isinstance(theirs.sampler, (tud.SequentialSampler, list)):
            assert [plain(batch) for batch in ours] == [plain(batch) for batch in theirs]
            compared += 1
    assert compared == 5


# ---- DataLoader: the batched path for every order ----------------------------------------

def sampler_loaders(dataset):
    """Loaders over `dataset` in every way to give an order: (name, loader)."""
    yield "sequential", DataLoader(dataset, batch_size=4)
    yield "shuffle", DataLoader(dataset, batch_size=4, shuffle=True, drop_last=True)
    yield "SequentialSampler", DataLoader(dataset, batch_size=3,
                                          sampler=SequentialSampler(dataset))
    yield "RandomSampler", DataLoader(dataset, batch_size=4, sampler=RandomSampler(dataset))
    yield "with replacement", DataLoader(
        dataset, batch_size=4, sampler=RandomSampler(dataset, replacement=True, num_samples=9))
    yield "SubsetRandomSampler", DataLoader(dataset, batch_size=2,
                                            sampler=SubsetRandomSampler([8, 0, 3, 5, 1]))
    yield "WeightedRandomSampler", DataLoader(
        dataset, batch_size=4, sampler=WeightedRandomSampler(np.arange(10.0), 6))
    yield "list sampler", DataLoader(dataset, batch_size=2, sampler=[9, 9, 2, -1, 0])
    yield "batch_sampler", DataLoader(
        dataset, batch_sampler=BatchSampler(RandomSampler(dataset), 3, False))
    yield "list batch_sampler", DataLoader(dataset, batch_sampler=[[3, 1], [0], [7, 7, 2]])
    yield "numpy batch_sampler", DataLoader(dataset, batch_sampler=[np.array([4, 5])])


@pytest.mark.parametrize("name", [
    "sequential", "shuffle", "SequentialSampler", "RandomSampler", "with replacement",
    "SubsetRandomSampler", "WeightedRandomSampler", "list sampler", "batch_sampler",
    "list batch_sampler", "numpy batch_sampler"])
def test_every_order_over_a_tensor_dataset_fetches_whole_batches(backend_name, name):
    x, y = numbered(10)
    spy = SpyDataset(x, y)
    loader = dict(sampler_loaders(spy))[name]
    epoch = labels_of(loader)          # each batch's rows are its labels' rows
    assert epoch and len(epoch) == len(loader)
    assert_fetched_in_batches(spy, epoch)
    if name in ("list sampler", "list batch_sampler"):
        expected = ([[9, 9], [2, 9], [0]] if name == "list sampler"
                    else [[3, 1], [0], [7, 7, 2]])
        assert epoch == expected


def test_sampler_driven_batches_equal_the_sampler_order_chunked():
    x, y = numbered(20)
    dataset = TensorDataset(x, y)
    order = list(RandomSampler(dataset, generator=minitorch.Generator(8)))
    loader = DataLoader(dataset, batch_size=6,
                        sampler=RandomSampler(dataset, generator=minitorch.Generator(8)))
    epoch = labels_of(loader)
    assert epoch == [order[start:start + 6] for start in range(0, 20, 6)]
    rows = [dataset[np.array(labels)] for labels in epoch]   # dataset[indices], batch by batch
    second = DataLoader(dataset, batch_size=6,
                        sampler=RandomSampler(dataset, generator=minitorch.Generator(8)))
    for (inputs, targets), (want_x, want_y) in zip(second, rows):
        assert inputs.tolist() == want_x.tolist() and targets.tolist() == want_y.tolist()


def test_shuffle_and_the_equivalent_random_sampler_give_the_same_epochs():
    x, y = numbered(40)
    dataset = TensorDataset(x, y)
    shuffled = DataLoader(dataset, batch_size=8, shuffle=True,
                          generator=minitorch.Generator(5))
    sampled = DataLoader(dataset, batch_size=8,
                         sampler=RandomSampler(dataset, generator=minitorch.Generator(5)))
    per_sample = DataLoader(dataset, batch_size=8, collate_fn=lambda samples: [
        int(label) for _, label in samples], sampler=RandomSampler(
            dataset, generator=minitorch.Generator(5)))
    for _ in range(3):
        epoch = labels_of(shuffled)
        assert labels_of(sampled) == epoch == list(per_sample)
        assert sorted(sum(epoch, [])) == list(range(40))


@pytest.mark.parametrize("make_sampler", [
    lambda data: RandomSampler(data),
    lambda data: SubsetRandomSampler(range(0, 30, 2)),
    lambda data: RandomSampler(data, replacement=True),
    lambda data: WeightedRandomSampler([1.0] * 30, 30),
], ids=["RandomSampler", "SubsetRandomSampler", "replacement", "weighted"])
def test_each_epoch_redraws_and_the_seed_fixes_the_epochs(make_sampler):
    dataset = TensorDataset(*numbered(30))

    def three_epochs():
        loader = DataLoader(dataset, batch_size=7, sampler=make_sampler(dataset))
        return [sum(labels_of(loader), []) for _ in range(3)]
    minitorch.manual_seed(17)
    epochs = three_epochs()
    assert epochs[0] != epochs[1] != epochs[2]
    minitorch.manual_seed(17)
    assert three_epochs() == epochs
    minitorch.manual_seed(18)
    assert three_epochs() != epochs


def test_subclasses_that_override_iteration_are_honoured():
    class Reversed(RandomSampler):
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

    class Pairs(BatchSampler):
        def __iter__(self):
            for batch in super().__iter__():
                yield batch[::-1]

    spy = SpyDataset(*numbered(5))
    assert labels_of(DataLoader(spy, batch_size=2, sampler=Reversed(spy))) == \
        [[4, 3], [2, 1], [0]]
    pairs = Pairs(SequentialSampler(spy), 2, False)
    assert labels_of(DataLoader(spy, batch_sampler=pairs)) == [[1, 0], [3, 2], [4]]
    assert all(isinstance(index, np.ndarray) for index in spy.reads)   # still gathered


def test_a_sampler_defining_only_index_array_is_sliced():
    class Evens(Sampler):
        def __init__(self, size):
            self.size = size

        def index_array(self):
            return np.arange(0, self.size, 2)

        def __len__(self):
            return -(-self.size // 2)

    spy = SpyDataset(*numbered(9))
    loader = DataLoader(spy, batch_size=2, sampler=Evens(9))
    assert list(Evens(9)) == [0, 2, 4, 6, 8] and len(loader) == 3
    assert labels_of(loader) == [[0, 2], [4, 6], [8]]
    assert_fetched_in_batches(spy, [[0, 2], [4, 6], [8]])


def test_a_batch_that_is_not_integers_is_refused_for_batched_datasets():
    loader = DataLoader(TensorDataset(*numbered(4)), batch_sampler=[[0.5, 1.0]])
    with pytest.raises(TypeError, match="batch of indices must be a 1-D sequence of integers"):
        list(loader)


def test_per_sample_path_with_samplers_as_torch():
    for sampler in ([6, 0, 3], SequentialSampler(RECORDS)):
        torch_sampler = (sampler if isinstance(sampler, list)
                         else tud.SequentialSampler(RECORDS))
        ours = list(DataLoader(RECORDS, batch_size=2, sampler=sampler))
        theirs = list(tud.DataLoader(RECORDS, batch_size=2, sampler=torch_sampler))
        assert [plain(batch) for batch in ours] == [plain(batch) for batch in theirs]
    ours = list(DataLoader(RECORDS, batch_sampler=[[1, 5], [2]], collate_fn=list))
    assert ours == [[RECORDS[1], RECORDS[5]], [RECORDS[2]]]


class Keyed(Dataset):
    """A dataset read by string keys, which only a custom sampler can give."""

    def __getitem__(self, key):
        return {"key": key, "value": float(len(key))}

    def __len__(self):
        return 3


def test_a_sampler_of_non_integer_keys_works_per_sample():
    batches = list(DataLoader(Keyed(), batch_size=2, sampler=["a", "bbb", "cc"]))
    assert batches[0]["key"] == ["a", "bbb"] and batches[0]["value"].tolist() == [1.0, 3.0]
    assert batches[1]["key"] == ["cc"]


# ---- import paths ------------------------------------------------------------------------

def test_utils_data_exports_torchs_names():
    for name in ("Subset", "ConcatDataset", "random_split", "Sampler", "SequentialSampler",
                 "RandomSampler", "SubsetRandomSampler", "BatchSampler",
                 "WeightedRandomSampler"):
        assert getattr(minitorch.utils.data, name) is getattr(minitorch.data, name)
        assert hasattr(tud, name)


def test_batches_of_a_built_in_sampler_are_slices_of_one_epoch_array():
    # the default loader's path: one index_array() per epoch, no Python work per index
    from minitorch.sampler import index_batches
    batches = list(index_batches(BatchSampler(RandomSampler(range(50)), 8, True)))
    assert len(batches) == 6 and all(len(batch) == 8 for batch in batches)
    assert all(batch.base is batches[0].base is not None for batch in batches)
    assert sorted(np.concatenate(batches).tolist()) != list(range(48))   # 2 random ones left
    assert len(set(np.concatenate(batches).tolist())) == 48
