"""The original project's loader: DataLoader(x, y, batch_size=128, shuffle=True).

It is minitorch.data.DataLoader over TensorDataset(x, y), so it yields (inputs, targets)
batches, reshuffles every epoch from minitorch's seeded generator, and has len().
"""
from .data import DataLoader as _DataLoader
from .data import TensorDataset


class DataLoader(_DataLoader):
    """Batches of (data[i...], target[i...]) from two tensors with the same first size."""

    def __init__(self, data, target, batch_size=1, shuffle=False, drop_last=False,
                 generator=None):
        super().__init__(TensorDataset(data, target), batch_size, shuffle, drop_last=drop_last,
                         generator=generator)
