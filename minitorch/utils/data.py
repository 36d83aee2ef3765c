"""torch.utils.data's path to minitorch.data: Dataset, TensorDataset, DataLoader."""
from ..data import DataLoader, Dataset, TensorDataset, default_collate  # noqa: F401
