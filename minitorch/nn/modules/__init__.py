"""torch.nn.modules import paths (`from minitorch.nn.modules.loss import _Loss`, ...):
each submodule re-exports the classes torch keeps under that path from the minitorch
module that defines them; nothing is defined here."""
from . import (activation, batchnorm, container, conv, dropout, linear, loss,  # noqa: F401
               module, normalization, pooling, rnn, sparse, transformer)
from ..container import (ModuleDict, ModuleList, ParameterDict, ParameterList,  # noqa: F401
                         Sequential)
from ..module import Module  # noqa: F401
