"""minitorch.data (and its aliases minitorch.utils.data, minitorch.dataloaders):
TensorDataset, DataLoader batching and shuffling semantics, collation."""
import collections
import types

import numpy as np
import pytest
import torch
import torch.utils.data

import minitorch
import minitorch.utils.data
from minitorch.data import DataLoader, Dataset, TensorDataset, default_collate


def numbered(count, features=3):
    """x whose row i is i * 10 + 0..features-1, and y = i (so rows are recognisable)."""
    x = minitorch.tensor(np.arange(count)[:, None] * 10.0 + np.arange(features))
    return x, minitorch.tensor(np.arange(count))


def epoch_labels(loader):
    return [targets.tolist() for _, targets in loader]


# ---- TensorDataset -----------------------------------------------------------------------

def test_tensor_dataset_indexes_every_tensor_alike():
    x, y = numbered(5)
    dataset = TensorDataset(x, y)
    assert len(dataset) == 5
    row, label = dataset[2]
    assert row.tolist() == [20.0, 21.0, 22.0] and label.item() == 2
    rows, labels = dataset[np.array([4, 0])]
    assert labels.tolist() == [4, 0] and rows[:, 0].tolist() == [40.0, 0.0]


def test_tensor_dataset_batch_matches_indexing_each_tensor(backend_name):
    # a numpy index array takes the batched path (rows checked and uploaded once);
    # it must give exactly what indexing each tensor gives, whatever the tensors are
    with minitorch.use_backend(backend_name):
        x, y = numbered(6, features=4)
        strided = x[:, ::2]                                # not compact: ordinary indexing
        weights = minitorch.ones(6, 2, requires_grad=True)  # needs a graph: ordinary
        rows = np.array([5, -1, 0, 2, 2])
        batch = TensorDataset(x, y, strided, weights)[rows]
    for got, item in zip(batch, (x, y, strided, weights)):
        expected = item[rows.tolist()]
        assert got.shape == expected.shape and got.tolist() == expected.tolist()
        assert got.backend == backend_name
    assert batch[3].grad_fn is not None and batch[0].grad_fn is None
    batch[3].sum().backward()
    assert weights.grad[:, 0].tolist() == [1.0, 0.0, 2.0, 0.0, 0.0, 2.0]
    with pytest.raises(IndexError, match="index 6 is out of bounds for dimension 0 with size 6"):
        TensorDataset(x, y)[np.array([0, 6])]
    with pytest.raises(IndexError, match="index 18446744073709551615 is out of bounds"):
        TensorDataset(x, y)[np.array([0, 2**64 - 1], dtype=np.uint64)]   # no wrap to -1


def test_tensor_dataset_refuses_mismatched_or_missing_tensors():
    with pytest.raises(ValueError, match="same size in the first dimension.*5x3, 4"):
        TensorDataset(minitorch.zeros(5, 3), minitorch.zeros(4))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 1"):
        TensorDataset(minitorch.zeros(2), [1, 2])


# ---- DataLoader --------------------------------------------------------------------------

@pytest.mark.parametrize("size,batch_size,drop_last,expected", [
    (10, 4, False, [4, 4, 2]), (10, 4, True, [4, 4]), (8, 4, False, [4, 4]),
    (8, 4, True, [4, 4]), (3, 5, False, [3]), (3, 5, True, []), (5, 1, False, [1] * 5),
])
def test_batch_sizes_and_len(size, batch_size, drop_last, expected):
    loader = DataLoader(TensorDataset(*numbered(size)), batch_size=batch_size,
                        drop_last=drop_last)
    assert len(loader) == len(expected)
    assert [len(targets) for _, targets in loader] == expected


def test_unshuffled_batches_are_in_order_with_matching_rows(backend_name):
    x, y = numbered(7)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=3))
    assert [targets.tolist() for _, targets in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    for inputs, targets in batches:
        assert inputs.backend == backend_name
        np.testing.assert_array_equal(inputs.numpy()[:, 0], targets.numpy() * 10.0)


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_are_new_tensors_so_editing_them_leaves_the_data_alone(backend_name, shuffle):
    # as torch's batches are: edit every batch in place, and the dataset is unchanged
    # (compact tensors take the one-gather path, a strided one ordinary indexing)
    xs = minitorch.arange(20.0).reshape(20, 1)
    strided = minitorch.arange(40.0).reshape(20, 2)[:, ::2]
    for batch, other in DataLoader(TensorDataset(xs, strided), batch_size=5, shuffle=shuffle):
        batch.mul_(0)
        other.mul_(0)
    theirs = torch.arange(20.0).reshape(20, 1)
    for (batch,) in torch.utils.data.DataLoader(torch.utils.data.TensorDataset(theirs),
                                                batch_size=5, shuffle=shuffle):
        batch.mul_(0)
    assert xs.tolist() == theirs.tolist() == [[float(i)] for i in range(20)]
    assert strided.tolist() == [[2.0 * i] for i in range(20)]


def test_slicing_a_tensor_dataset_directly_gives_views_like_tensor_slicing():
    xs = minitorch.arange(6.0)
    (rows,) = TensorDataset(xs)[0:2]
    rows.mul_(0)
    assert xs.tolist() == [0.0, 0.0, 2.0, 3.0, 4.0, 5.0]


def test_shuffle_visits_every_sample_once_per_epoch_in_a_new_order(backend_name):
    x, y = numbered(50)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    epochs = []
    for _ in range(3):
        seen = []
        for inputs, targets in loader:
            np.testing.assert_array_equal(inputs.numpy()[:, 0], targets.numpy() * 10.0)
            seen += targets.tolist()
        assert sorted(seen) == list(range(50))
        epochs.append(seen)
    assert epochs[0] != epochs[1] != epochs[2] and epochs[0] != list(range(50))


def test_shuffle_is_reproducible_from_the_seed_and_on_every_backend(backend_name):
    x, y = numbered(30)
    minitorch.manual_seed(11)
    ours = [epoch_labels(DataLoader(TensorDataset(x, y), batch_size=7, shuffle=True))
            for _ in range(2)]
    minitorch.manual_seed(11)
    with minitorch.use_backend("numpy"):
        x_np, y_np = numbered(30)
        loader = DataLoader(TensorDataset(x_np, y_np), batch_size=7, shuffle=True)
        reference = [epoch_labels(loader) for _ in range(2)]
    assert ours == reference


def test_explicit_generator_is_used_and_leaves_the_default_alone():
    x, y = numbered(20)
    first = DataLoader(TensorDataset(x, y), batch_size=5, shuffle=True,
                       generator=minitorch.Generator(3))
    second = DataLoader(TensorDataset(x, y), batch_size=5, shuffle=True,
                        generator=minitorch.Generator(3))
    minitorch.manual_seed(0)
    state = minitorch.default_generator.get_state()
    assert epoch_labels(first) == epoch_labels(second)
    assert minitorch.default_generator.get_state() == state


def test_drop_last_with_shuffle_drops_a_random_remainder():
    loader = DataLoader(TensorDataset(*numbered(10)), batch_size=4, shuffle=True,
                        drop_last=True)
    labels = epoch_labels(loader)
    assert [len(batch) for batch in labels] == [4, 4]
    assert len(set(sum(labels, []))) == 8


def test_batch_size_must_be_a_positive_int():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size must be a positive int"):
            DataLoader(TensorDataset(*numbered(3)), batch_size=bad)


class Squares(Dataset):
    """A map-style dataset: sample i is (tensor [i, i*i], i, {"odd": i % 2 == 1})."""

    def __len__(self):
        return 5

    def __getitem__(self, index):
        return minitorch.tensor([float(index), float(index * index)]), index, \
            {"odd": index % 2 == 1}


def test_other_datasets_are_read_per_sample_and_collated():
    batch = next(iter(DataLoader(Squares(), batch_size=3)))
    assert isinstance(batch, list)  # tuple samples give a list, as in torch
    inputs, labels, extras = batch
    assert inputs.tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 4.0]]
    assert labels.dtype is minitorch.int64 and labels.tolist() == [0, 1, 2]
    assert extras["odd"].dtype is minitorch.bool and extras["odd"].tolist() == [False, True, False]


def test_any_sized_indexable_works_and_collate_fn_replaces_batching():
    loader = DataLoader([10, 20, 30, 40], batch_size=3, collate_fn=list)
    assert list(loader) == [[10, 20, 30], [40]]
    x, y = numbered(4)
    custom = DataLoader(TensorDataset(x, y), batch_size=2, collate_fn=len)
    assert list(custom) == [2, 2]  # per-sample fetch, then the custom collate


def assert_like_torch(ours, theirs):
    """Same structure and container types; minitorch tensors where torch has tensors,
    with the same dtype and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, minitorch.Tensor)
        assert f"torch.{ours.dtype.name}" == str(theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        return
    assert type(ours) is type(theirs)
    if isinstance(theirs, collections.abc.Mapping):
        assert list(ours) == list(theirs)
        for key in theirs:
            assert_like_torch(ours[key], theirs[key])
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for mine, other in zip(ours, theirs):
            assert_like_torch(mine, other)
    else:
        assert ours == theirs


Point = collections.namedtuple("Point", "x y")


class Tagged(dict):
    """A dict subclass with an attribute, which collation must keep."""
    tag = "kept"


@pytest.mark.parametrize("samples", [
    ["a", "b"], [b"x", b"y"],
    [1.5, 2.5], [1, 2], [True, False], [1, 2.5],
    [np.float64(1.5), np.float64(2.0)], [np.float32(1.5), np.float32(-2.0)],
    [np.int64(3), np.int64(-4)], [np.bool_(True), np.bool_(False)],
    [np.arange(6, dtype=np.float32).reshape(2, 3), np.ones((2, 3), np.float32)],
    [np.arange(3.0), np.ones(3)], [np.arange(3), np.arange(3)], [np.ones(2, bool)] * 2,
    [np.array(1.5), np.array(2.5)],
    [(1, "a"), (2, "b")], [[1, 2.5], [3, 4.5]], [range(2), range(2)],
    [Point(1, 0.5), Point(2, 1.5)],
    [{"x": 1, "name": "a"}, {"x": 2, "name": "b"}],
    [collections.OrderedDict(b=1.0, a=2), collections.OrderedDict(b=3.0, a=4)],
    [collections.defaultdict(list, k=[1]), collections.defaultdict(list, k=[2])],
    [types.MappingProxyType({"k": 1}), types.MappingProxyType({"k": 2})],
    [Tagged(v=np.ones(2, np.float32)), Tagged(v=np.zeros(2, np.float32))],
    [{"image": np.ones((2, 2), np.float32), "meta": (3, "s", 0.5)},
     {"image": np.zeros((2, 2), np.float32), "meta": (4, "t", 1.5)}],
], ids=lambda samples: type(samples[0]).__name__)
def test_default_collate_matches_torch(samples):
    assert_like_torch(default_collate(samples), torch.utils.data.default_collate(samples))


def test_default_collate_keeps_the_mutable_containers_extra_attributes():
    batch = default_collate([Tagged(v=1), Tagged(v=2)])
    assert type(batch) is Tagged and batch.tag == "kept" and batch["v"].tolist() == [1, 2]


def test_default_collate_widens_numpy_dtypes_minitorch_lacks_as_tensor_does():
    for dtype, widened in [(np.int32, minitorch.int64), (np.uint8, minitorch.int64),
                           (np.float16, minitorch.float32)]:
        for samples in ([np.array([1, 2], dtype)] * 2, [dtype(1), dtype(2)]):
            batch = default_collate(samples)
            assert batch.dtype is widened is minitorch.tensor(np.stack(samples)).dtype
            np.testing.assert_array_equal(batch.numpy(), np.stack(samples))


def test_default_collate_stacks_tensors():
    batch = default_collate([minitorch.tensor([1.0, 2.0]), minitorch.tensor([3.0, 4.0])])
    assert batch.shape == (2, 2) and batch.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_default_collate_errors_name_it():
    for samples in ([np.array(["a"])] * 2, [np.array([1j])] * 2, [np.array([None])] * 2):
        with pytest.raises(TypeError, match="default_collate: cannot make a tensor .* dtype"):
            default_collate(samples)
    with pytest.raises(TypeError):
        torch.utils.data.default_collate([np.array(["a"])] * 2)
    with pytest.raises(TypeError, match="cannot batch samples of type object"):
        default_collate([object()])
    for different_lengths in ([(1, 2), (1,)], [[1], [1, 2]]):
        with pytest.raises(RuntimeError, match="equal size.*different lengths"):
            default_collate(different_lengths)
        with pytest.raises(RuntimeError, match="equal size"):
            torch.utils.data.default_collate(different_lengths)
    with pytest.raises(ValueError, match="default_collate: expects each numpy array to be "
                                         "equal size, got"):
        default_collate([np.zeros(2), np.zeros(3)])


def test_base_dataset_must_be_subclassed():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


# ---- the other import paths --------------------------------------------------------------

def test_utils_data_is_pytorchs_path_to_the_same_classes():
    assert minitorch.utils.data.DataLoader is DataLoader
    assert minitorch.utils.data.TensorDataset is TensorDataset
    assert minitorch.utils.data.Dataset is Dataset


def test_original_projects_dataloader_form():
    from minitorch.dataloaders import DataLoader as LegacyLoader
    x, y = numbered(300)
    loader = LegacyLoader(x, y, batch_size=128, shuffle=True)
    assert len(loader) == 3
    seen = []
    for data, target in loader:
        np.testing.assert_array_equal(data.numpy()[:, 0], target.numpy() * 10.0)
        seen += target.tolist()
    assert sorted(seen) == list(range(300)) and seen != list(range(300))
    ordered = LegacyLoader(x, y, batch_size=128, shuffle=False)
    assert sum(epoch_labels(ordered), []) == list(range(300))
