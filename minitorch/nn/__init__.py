"""Neural networks in torch.nn's shape: Module, Parameter, layers, containers, losses.

    model = minitorch.nn.Sequential(minitorch.nn.Linear(784, 128), minitorch.nn.ReLU(),
                                    minitorch.nn.Linear(128, 10))
    loss = minitorch.nn.CrossEntropyLoss()(model(x), y)

Also here: minitorch.nn.functional (stateless ops), minitorch.nn.init (initialisers) and
minitorch.nn.utils (gradient clipping, parameters to and from one vector; utils.rnn:
padded and packed sequences).
The loss modules live in minitorch.loss and are re-exported.
"""
from . import functional, init, utils  # noqa: F401
from .container import (ModuleDict, ModuleList, ParameterDict, ParameterList,  # noqa: F401
                        Sequential)
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,  # noqa: F401
                   ConvTranspose3d, Fold, Unfold)
from .layers import (CELU, ELU, GELU, GLU, SELU, AlphaDropout, Bilinear,  # noqa: F401
                     CosineSimilarity, Dropout, Dropout1d, Dropout2d, Dropout3d,
                     FeatureAlphaDropout, Flatten, Hardshrink, Hardsigmoid, Hardswish,
                     Hardtanh, Identity, LayerNorm, LeakyReLU, Linear, LogSigmoid,
                     LogSoftmax, Mish, PairwiseDistance, PReLU, ReLU, ReLU6, RReLU, Sigmoid,
                     SiLU, Softmax, Softmax2d, Softmin, Softplus, Softshrink, Softsign, Tanh,
                     Tanhshrink, Threshold, Unflatten)
from .module import IncompatibleKeys, Module  # noqa: F401
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d,  # noqa: F401
                            CrossMapLRN2d, GroupNorm, InstanceNorm1d, InstanceNorm2d,
                            InstanceNorm3d, LocalResponseNorm, RMSNorm)
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d,  # noqa: F401
                      ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d,
                      ReflectionPad2d, ReflectionPad3d, ReplicationPad1d,
                      ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d,
                      ZeroPad3d)
from .parameter import (Buffer, Parameter, UninitializedBuffer,  # noqa: F401
                        UninitializedParameter)
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d,  # noqa: F401
                   LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d,
                   LazyConvTranspose2d, LazyConvTranspose3d, LazyInstanceNorm1d,
                   LazyInstanceNorm2d, LazyInstanceNorm3d, LazyLinear, LazyModuleMixin)
from .sparse import Embedding, EmbeddingBag  # noqa: F401
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d,  # noqa: F401
                      AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AdaptiveMaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, LPPool1d,
                      LPPool2d, LPPool3d, MaxPool1d, MaxPool2d, MaxPool3d, MaxUnpool1d,
                      MaxUnpool2d, MaxUnpool3d, FractionalMaxPool2d, FractionalMaxPool3d)
from .upsampling import (ChannelShuffle, PixelShuffle, PixelUnshuffle,  # noqa: F401
                         Upsample, UpsamplingBilinear2d, UpsamplingNearest2d)
from ..loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss,  # noqa: E402,F401
                   CrossEntropyLoss, CTCLoss, GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss,
                   KLDivLoss, L1Loss, MarginRankingLoss, MSELoss, MultiLabelMarginLoss,
                   MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss, PoissonNLLLoss,
                   SmoothL1Loss, SoftMarginLoss, TripletMarginLoss,
                   TripletMarginWithDistanceLoss)
from .rnn import (GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell,  # noqa: E402,F401
                  RNNCellBase)
from .adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: E402,F401
from . import modules  # noqa: E402,F401
from .attention import (MultiheadAttention, Transformer, TransformerDecoder,  # noqa: E402,F401
                        TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer)
