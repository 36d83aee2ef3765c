"""Differences from torch found by differential fuzzing of minitorch.func and the data
pipeline, each checked against torch itself."""
import pytest
import torch
import torch.utils.data as tud

import minitorch
from minitorch import func
from minitorch.data import (ChainDataset, ConcatDataset, DataLoader, IterableDataset,
                            RandomSampler, StackDataset, Subset)


def _pair(rows=3, cols=4):
    """The same float64 matrix in minitorch and torch."""
    values = [[float(r * cols + c) / 7 for c in range(cols)] for r in range(rows)]
    return (minitorch.tensor(values, dtype=minitorch.float64),
            torch.tensor(values, dtype=torch.float64))


# ---- vmap: tuples and lists are different pytree nodes ----------------------------------

@pytest.mark.parametrize("library", [minitorch, torch])
def test_vmap_in_dims_tuple_does_not_match_a_list_argument(library):
    x = library.ones(3, 4)
    with pytest.raises(ValueError, match="in_dims is not compatible"):
        library.func.vmap(lambda pair: pair[0] + pair[1], in_dims=((0, 1),))([x, x.T])
    with pytest.raises(ValueError, match="in_dims is not compatible"):
        library.func.vmap(lambda pair: pair[0] + pair[1], in_dims=([0, 1],))((x, x.T))
    mapped = library.func.vmap(lambda pair: pair[0] + pair[1], in_dims=([0, 1],))([x, x.T])
    assert tuple(mapped.shape) == (3, 4)


@pytest.mark.parametrize("library", [minitorch, torch])
def test_vmap_out_dims_tuple_does_not_match_a_list_output(library):
    x = library.ones(3, 4)
    with pytest.raises(ValueError, match="out_dims is not compatible"):
        library.func.vmap(lambda a: [a, a], out_dims=(0, 1))(x)
    with pytest.raises(ValueError, match="out_dims is not compatible"):
        library.func.vmap(lambda a: (a, a), out_dims=[0, 1])(x)
    stacked = library.func.vmap(lambda a: [a, a], out_dims=[0, 1])(x)
    assert [tuple(t.shape) for t in stacked] == [(3, 4), (4, 3)]


# ---- jacrev's chunk_size, jacfwd's randomness --------------------------------------------

def test_jacrev_accepts_and_checks_chunk_size_as_torch():
    ours, theirs = _pair(1, 3)
    for chunk_size in (None, 1, 2, 10):
        result = func.jacrev(lambda a: a.sin(), chunk_size=chunk_size)(ours[0])
        expected = torch.func.jacrev(lambda a: a.sin(), chunk_size=chunk_size)(theirs[0])
        torch.testing.assert_close(torch.from_numpy(result.numpy()), expected)
    for library in (func, torch.func):
        for chunk_size in (0, -1):
            with pytest.raises(ValueError, match="jacrev: `chunk_size` should be greater "
                                                 "than 0"):
                library.jacrev(lambda a: a, chunk_size=chunk_size)


@pytest.mark.parametrize("library", [minitorch, torch])
def test_jacfwd_randomness_as_torch(library):
    def noisy(a):
        return a + library.rand(2, dtype=a.dtype)

    x = library.ones(2, dtype=library.float64)
    with pytest.raises(RuntimeError, match="called random operation while in randomness "
                                           "error mode"):
        library.func.jacfwd(noisy)(x)
    with pytest.raises(RuntimeError, match="called random operation"):
        library.func.hessian(lambda a: noisy(a).sum())(x)
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        library.func.jacfwd(noisy, randomness="sometimes")(x)
    for randomness in ("same", "different"):
        jacobian = library.func.jacfwd(noisy, randomness=randomness)(x)
        assert jacobian.tolist() == [[1.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("library", [minitorch, torch])
def test_jvp_and_vjp_refuse_non_tensors_with_torch_errors(library):
    x = library.ones(2)
    with pytest.raises(RuntimeError, match="Expected primals to only contain Tensors"):
        library.func.jvp(lambda a: a * 2, (2.0,), (1.0,))
    with pytest.raises(RuntimeError, match="Expected tangents to only contain Tensors"):
        library.func.jvp(lambda a: a * 2, (x,), (1.0,))
    vjp_fn = library.func.vjp(lambda a: (a * 2, a), x)[1]
    with pytest.raises(TypeError, match="gradients can be either Tensors or None"):
        vjp_fn((x, 1.0))


# ---- __getitems__: batched fetches ------------------------------------------------------

class _BatchFetched:
    """Samples i -> i, but a batch fetched through __getitems__ is 10 * i (so the tests
    see which path the loader took)."""

    def __len__(self):
        return 6

    def __getitem__(self, index):
        return index

    def __getitems__(self, indices):
        return [index * 10 for index in indices]


def test_dataloader_fetches_batches_with_getitems_as_torch():
    ours = [batch.tolist() for batch in DataLoader(_BatchFetched(), batch_size=4)]
    theirs = [batch.tolist() for batch in tud.DataLoader(_BatchFetched(), batch_size=4)]
    assert ours == theirs == [[0, 10, 20, 30], [40, 50]]
    # without auto-collation each sample is read alone, by __getitem__
    assert [int(i) for i in DataLoader(_BatchFetched(), batch_size=None)] == list(range(6))


def test_subset_and_stack_dataset_getitems_as_torch():
    ours = Subset(_BatchFetched(), [5, 4, 3])
    theirs = tud.Subset(_BatchFetched(), [5, 4, 3])
    assert ours.__getitems__([0, 2]) == theirs.__getitems__([0, 2]) == [50, 30]
    assert [b.tolist() for b in DataLoader(ours, batch_size=2)] == \
        [b.tolist() for b in tud.DataLoader(theirs, batch_size=2)] == [[50, 40], [30]]
    plain = list(range(6))
    assert StackDataset(_BatchFetched(), plain).__getitems__([1, 2]) == \
        tud.StackDataset(_BatchFetched(), plain).__getitems__([1, 2]) == [(10, 1), (20, 2)]
    assert StackDataset(a=_BatchFetched(), b=plain).__getitems__([3]) == \
        tud.StackDataset(a=_BatchFetched(), b=plain).__getitems__([3]) == [{"a": 30, "b": 3}]


def test_tensor_dataset_batches_are_lists_as_torch():
    ours, theirs = _pair(6, 2)
    loaders = [(DataLoader(minitorch.data.TensorDataset(ours, ours[:, 0]), batch_size=4),
                tud.DataLoader(tud.TensorDataset(theirs, theirs[:, 0]), batch_size=4)),
               (DataLoader(Subset(minitorch.data.TensorDataset(ours), [5, 1, 2]), batch_size=2,
                           shuffle=True),
                tud.DataLoader(tud.Subset(tud.TensorDataset(theirs), [5, 1, 2]), batch_size=2,
                               shuffle=True))]
    for our_loader, their_loader in loaders:
        for batch, expected in zip(our_loader, their_loader):
            assert type(batch) is type(expected) is list
            assert [tuple(t.shape) for t in batch] == [tuple(t.shape) for t in expected]
    # without batching, default_convert makes the tuple sample a list too
    sample = next(iter(DataLoader(minitorch.data.TensorDataset(ours), batch_size=None)))
    expected = next(iter(tud.DataLoader(tud.TensorDataset(theirs), batch_size=None)))
    assert type(sample) is type(expected) is list


# ---- datasets that accept only some kinds of datasets -----------------------------------

class _Stream(IterableDataset):
    def __iter__(self):
        return iter(range(3))

    def __len__(self):
        return 3


def test_chain_dataset_len_refuses_a_map_style_dataset():
    assert len(ChainDataset([_Stream(), _Stream()])) == 6
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset"):
        len(ChainDataset([_Stream(), [1, 2]]))
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        len(tud.ChainDataset([[1, 2]]))


def test_concat_dataset_refuses_an_iterable_dataset():
    with pytest.raises(TypeError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([[1], _Stream()])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        tud.ConcatDataset([[1], tud.ChainDataset([])])


def test_random_sampler_with_replacement_from_nothing_raises_runtime_error():
    for sampler_class in (RandomSampler, tud.RandomSampler):
        with pytest.raises(RuntimeError):
            list(sampler_class([], replacement=True, num_samples=2))
