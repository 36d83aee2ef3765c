"""PyTorch's import paths: minitorch.utils.data is minitorch.data; utils.checkpoint:
activation checkpointing."""
from . import checkpoint, data  # noqa: F401
