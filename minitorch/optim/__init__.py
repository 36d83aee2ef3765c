"""Optimizers in torch.optim's shape: SGD, Adam, AdamW, Adagrad, Adamax, RMSprop,
Adadelta, NAdam, RAdam, Rprop, ASGD, LBFGS, Adafactor, Muon; lr_scheduler; swa_utils
(weight averaging).

    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    optimizer.zero_grad(); loss.backward(); optimizer.step()

The update math is in minitorch.optim.functional; it runs through the dispatcher, with
a backend's fused sgd_step / adam_step kernels where they exist.
"""
from . import functional, lr_scheduler  # noqa: F401
from .adadelta import Adadelta  # noqa: F401
from .adafactor import Adafactor  # noqa: F401
from .adagrad import Adagrad  # noqa: F401
from .adam import Adam, AdamW  # noqa: F401
from .adamax import Adamax  # noqa: F401
from .asgd import ASGD  # noqa: F401
from .lbfgs import LBFGS  # noqa: F401
from .muon import Muon  # noqa: F401
from .nadam import NAdam, RAdam  # noqa: F401
from . import optimizer  # noqa: F401  (torch.optim.optimizer's global step hooks)
from .optimizer import Optimizer  # noqa: F401
from .rmsprop import RMSprop  # noqa: F401
from .rprop import Rprop  # noqa: F401
from .sgd import SGD  # noqa: F401
from . import swa_utils  # noqa: F401
