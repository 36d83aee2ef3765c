"""torch.nn.modules.container: Sequential, ModuleList, ModuleDict, ParameterList,
ParameterDict."""
from ..container import (ModuleDict, ModuleList, ParameterDict, ParameterList,  # noqa: F401
                         Sequential)
