"""torch.utils.data's path to minitorch.data: datasets, samplers, DataLoader."""
from ..data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader,  # noqa: F401
                    Dataset, DistributedSampler, IterableDataset, RandomSampler, Sampler,
                    SequentialSampler, StackDataset, Subset, SubsetRandomSampler,
                    TensorDataset, WeightedRandomSampler, default_collate, default_convert,
                    get_worker_info, random_split)
