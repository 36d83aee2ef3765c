"""minitorch.data.DistributedSampler against torch.utils.data.DistributedSampler: lengths,
padding and dropping, the unshuffled indices (the same as torch's), and for shuffled
ones (minitorch's permutation is not torch.randperm's) the partition properties: the
replicas together cover the dataset once per epoch (plus torch's padding), the order is
fixed by seed + epoch, and set_epoch changes it."""
import numpy as np
import pytest
import torch

from minitorch.data import DataLoader, DistributedSampler, TensorDataset
import minitorch

CASES = [(10, 3), (9, 3), (2, 3), (7, 1), (0, 2), (16, 4)]  # (dataset size, replicas)


def shares(size, replicas, **options):
    """Each rank's indices, in minitorch and in torch."""
    ours = [list(DistributedSampler(range(size), replicas, rank, **options))
            for rank in range(replicas)]
    theirs = [list(torch.utils.data.DistributedSampler(range(size), replicas, rank, **options))
              for rank in range(replicas)]
    return ours, theirs


@pytest.mark.parametrize("size, replicas", CASES)
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_indices_are_torchs(size, replicas, drop_last):
    ours, theirs = shares(size, replicas, shuffle=False, drop_last=drop_last)
    assert ours == theirs
    sampler = DistributedSampler(range(size), replicas, 0, shuffle=False, drop_last=drop_last)
    reference = torch.utils.data.DistributedSampler(range(size), replicas, 0, shuffle=False,
                                                    drop_last=drop_last)
    assert len(sampler) == len(reference)
    assert sampler.total_size == reference.total_size


@pytest.mark.parametrize("size, replicas", CASES)
@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffled_shares_partition_the_dataset(size, replicas, drop_last):
    ours, theirs = shares(size, replicas, drop_last=drop_last, seed=3)
    assert [len(share) for share in ours] == [len(share) for share in theirs]
    everything = sorted(index for share in ours for index in share)
    assert len(everything) == DistributedSampler(range(size), replicas, 0,
                                                 drop_last=drop_last).total_size
    if drop_last:  # distinct indices: the first total_size places of one permutation
        assert len(set(everything)) == len(everything)
    elif size:  # every index, then the padding repeats the permutation from its start
        assert set(everything) == set(range(size))
        assert np.bincount(everything).max() <= -(-len(everything) // size)


def test_the_order_follows_seed_and_epoch():
    def order(seed, epoch, rank=0):
        sampler = DistributedSampler(range(50), 2, rank, seed=seed)
        sampler.set_epoch(epoch)
        return list(sampler)
    assert order(0, 0) == order(0, 0)
    assert order(0, 1) != order(0, 0)
    assert order(1, 0) == order(0, 1)  # the permutation is seeded with seed + epoch
    assert order(0, 0) != sorted(order(0, 0))
    assert set(order(0, 1)) | set(order(0, 1, rank=1)) == set(range(50))
    sampler = DistributedSampler(range(50), 2, 0)
    assert list(sampler) == list(sampler)  # no set_epoch: the same order again


def test_a_data_loader_batches_the_share():
    dataset = TensorDataset(minitorch.arange(10).float())
    sampler = DistributedSampler(dataset, num_replicas=3, rank=2, shuffle=False)
    batches = [batch[0].tolist() for batch in DataLoader(dataset, batch_size=2,
                                                         sampler=sampler)]
    assert batches == [[2.0, 5.0], [8.0, 1.0]]


def test_bad_arguments():
    with pytest.raises(ValueError, match="DistributedSampler: pass num_replicas and rank"):
        DistributedSampler(range(4))
    with pytest.raises(ValueError, match="DistributedSampler: pass num_replicas and rank"):
        DistributedSampler(range(4), num_replicas=2)
    with pytest.raises(ValueError, match=r"invalid rank 2, rank should be in the interval "
                                         r"\[0, 1\]"):
        DistributedSampler(range(4), 2, 2)
    with pytest.raises(ValueError, match="invalid rank -1"):
        DistributedSampler(range(4), 2, -1)
    with pytest.raises(ValueError, match="num_replicas must be a positive integer, got 0"):
        DistributedSampler(range(4), 0, 0)
