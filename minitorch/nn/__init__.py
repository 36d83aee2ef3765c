"""Neural networks in torch.nn's shape: Module, Parameter, layers, containers, losses.

    model = minitorch.nn.Sequential(minitorch.nn.Linear(784, 128), minitorch.nn.ReLU(),
                                    minitorch.nn.Linear(128, 10))
    loss = minitorch.nn.CrossEntropyLoss()(model(x), y)

Also here: minitorch.nn.functional (stateless ops), minitorch.nn.init (initialisers) and
minitorch.nn.utils (gradient clipping, parameters to and from one vector).
The loss modules live in minitorch.loss and are re-exported.
"""
from . import functional, init, utils  # noqa: F401
from .container import (ModuleDict, ModuleList, ParameterDict, ParameterList,  # noqa: F401
                        Sequential)
from .conv import Conv1d, Conv2d  # noqa: F401
from .layers import (ELU, GELU, GLU, CosineSimilarity, Dropout, Embedding,  # noqa: F401
                     Flatten, Hardsigmoid, Hardswish, Hardtanh, Identity, LayerNorm,
                     LeakyReLU, Linear, LogSigmoid, LogSoftmax, Mish, PairwiseDistance,
                     PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus,
                     Softsign, Tanh, Threshold, Unflatten, Upsample)
from .module import IncompatibleKeys, Module  # noqa: F401
from .normalization import BatchNorm1d, BatchNorm2d  # noqa: F401
from .parameter import Parameter  # noqa: F401
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d  # noqa: F401
from ..loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss,  # noqa: E402,F401
                   KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: E402,F401
from .attention import (MultiheadAttention, TransformerEncoder,  # noqa: E402,F401
                        TransformerEncoderLayer)
