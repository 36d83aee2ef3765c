"""PyTorch's import paths: minitorch.utils.data is minitorch.data."""
from . import data  # noqa: F401
