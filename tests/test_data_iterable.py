"""IterableDataset (and ChainDataset) through DataLoader, with and without worker
processes, and batch_size=None (no automatic batching) — each compared with
torch.utils.data running the same dataset code."""
import numpy as np
import pytest
import torch
import torch.utils.data as tud

import minitorch
from minitorch.utils import data as mud


def as_lists(batches):
    """Batches (tensors, or lists/dicts of them, or plain values) as nested lists."""
    def plain(value):
        if isinstance(value, (minitorch.Tensor, torch.Tensor)):
            return value.tolist()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return value
    return [plain(batch) for batch in batches]


def make_stream(library, start, end, shard=True, fail_at=None):
    """An IterableDataset of library's yielding dicts for start..end-1; with shard, each
    worker yields only its share (contiguous blocks, by get_worker_info), as torch's docs
    recommend."""
    data = library.utils.data

    class Stream(data.IterableDataset):
        def __iter__(self):
            info = data.get_worker_info()
            low, high = start, end
            if shard and info is not None:
                per_worker = -(-(end - start) // info.num_workers)
                low = start + info.id * per_worker
                high = min(end, low + per_worker)
            for value in range(low, high):
                if value == fail_at:
                    raise ValueError(f"value {value} is broken")
                yield {"value": value, "square": np.float64(value * value)}

        def __len__(self):
            return end - start

    return Stream()


def in_both(function):
    return function(minitorch), function(torch)


@pytest.mark.filterwarnings("ignore:This DataLoader will create")   # torch: 3 workers, 2 CPUs
@pytest.mark.parametrize("options", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                     dict(batch_size=None), dict(batch_size=4, num_workers=2),
                                     dict(batch_size=2, num_workers=3),
                                     dict(batch_size=None, num_workers=2),
                                     dict(batch_size=3, num_workers=2, drop_last=True)])
def test_iterable_dataset_batches_as_torch(options):
    """Batches of consecutive samples; with workers, each worker's shard, the workers
    asked in turn (uneven shards: a finished worker is skipped), as in torch."""
    ours, theirs = in_both(lambda lib: lib.utils.data.DataLoader(make_stream(lib, 0, 11),
                                                                 **options))
    assert as_lists(ours) == as_lists(theirs)
    assert len(ours) == len(theirs)


def test_unsharded_iterable_dataset_is_repeated_per_worker_as_torch():
    ours, theirs = in_both(lambda lib: lib.utils.data.DataLoader(
        make_stream(lib, 0, 5, shard=False), batch_size=2, num_workers=2))
    assert as_lists(ours) == as_lists(theirs)
    assert sorted(value for batch in as_lists(ours) for value in batch["value"]) == \
        sorted(list(range(5)) * 2)


def test_persistent_workers_restart_the_stream_each_epoch():
    loader = mud.DataLoader(make_stream(minitorch, 0, 7), batch_size=2, num_workers=2,
                            persistent_workers=True)
    first = as_lists(loader)
    for batch in loader:   # an abandoned epoch
        break
    assert as_lists(loader) == first
    assert sorted(value for batch in first for value in batch["value"]) == list(range(7))


def test_chain_dataset_and_plus_as_torch():
    def build(lib):
        chained = lib.utils.data.ChainDataset([make_stream(lib, 0, 3), make_stream(lib, 10, 12)])
        return (lib.utils.data.DataLoader(chained, batch_size=2),
                lib.utils.data.DataLoader(make_stream(lib, 0, 2) + make_stream(lib, 5, 8),
                                          batch_size=None))
    ours, theirs = in_both(build)
    for mine, reference in zip(ours, theirs):
        assert as_lists(mine) == as_lists(reference)
    assert len(ours[0].dataset) == 5


def test_error_in_a_worker_stream_is_raised():
    loader = mud.DataLoader(make_stream(minitorch, 0, 8, fail_at=6), batch_size=2,
                            num_workers=2)
    with pytest.raises(RuntimeError, match="(?s)worker process 1.*ValueError: value 6 is "
                                           "broken"):
        list(loader)


def test_map_style_without_batching_as_torch():
    samples = [np.arange(3, dtype=np.float32) + i for i in range(4)]
    ours, theirs = in_both(lambda lib: lib.utils.data.DataLoader(samples, batch_size=None,
                                                                 shuffle=False))
    assert as_lists(ours) == as_lists(theirs) and len(ours) == len(theirs) == 4
    batch = next(iter(ours))
    assert isinstance(batch, minitorch.Tensor) and batch.dtype == minitorch.float32
    converted = mud.DataLoader([(1, "a", np.int64(2))], batch_size=None,
                               collate_fn=lambda sample: sample[::-1])
    assert list(converted) == [(np.int64(2), "a", 1)]


def test_default_convert_as_torch():
    sample = {"x": np.ones((2, 2)), "y": [np.float32(1.5), "label", 3], "z": (np.arange(2),)}
    ours, theirs = mud.default_convert(sample), tud.default_convert(sample)
    assert as_lists([ours]) == as_lists([theirs])
    assert isinstance(ours["y"][0], minitorch.Tensor) and ours["y"][2] == 3


@pytest.mark.parametrize("options", [dict(shuffle=True), dict(sampler=[0]),
                                     dict(batch_sampler=[[0]]),
                                     dict(batch_size=None, drop_last=True)])
def test_bad_iterable_options_refused_as_torch(options):
    def raised(lib):
        with pytest.raises(ValueError) as error:
            lib.utils.data.DataLoader(make_stream(lib, 0, 3), **options)
        return str(error.value)
    ours, theirs = in_both(raised)
    assert ours == theirs


def test_len_of_an_endless_stream_is_a_type_error_as_torch():
    class Endless(mud.IterableDataset):
        def __iter__(self):
            while True:
                yield 1
    loader = mud.DataLoader(Endless(), batch_size=4)
    with pytest.raises(TypeError):
        len(loader)
    batches = iter(loader)
    assert next(batches).tolist() == [1, 1, 1, 1]


def test_stack_dataset_as_torch():
    images, labels = np.arange(12.0).reshape(4, 3), np.arange(4)

    def build(lib):
        data = lib.utils.data
        return (data.DataLoader(data.StackDataset(lib.tensor(images), lib.tensor(labels)),
                                batch_size=3),
                data.DataLoader(data.StackDataset(x=lib.tensor(images), y=list(labels)),
                                batch_size=2))
    for ours, theirs in zip(*in_both(build)):
        assert as_lists(ours) == as_lists(theirs)
    for arguments in [([1, 2], [1]), ([1],), ()]:
        kwargs = {"x": [1]} if arguments == ([1],) else {}
        def raised(lib):
            with pytest.raises(ValueError) as error:
                lib.utils.data.StackDataset(*arguments, **kwargs)
            return str(error.value)
        assert raised(minitorch) == raised(torch)
