"""Neural-network building blocks (the training-stack issue fills in modules)."""
from . import functional  # noqa: F401
