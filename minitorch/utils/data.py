"""torch.utils.data's path to minitorch.data: datasets, samplers, DataLoader."""
from ..data import (BatchSampler, ConcatDataset, DataLoader, Dataset,  # noqa: F401
                    RandomSampler, Sampler, SequentialSampler, Subset, SubsetRandomSampler,
                    TensorDataset, WeightedRandomSampler, default_collate, get_worker_info,
                    random_split)
