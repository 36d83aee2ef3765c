"""torch.nn.modules.module: the Module base class."""
from ..module import Module  # noqa: F401
