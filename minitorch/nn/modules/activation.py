"""torch.nn.modules.activation: the activation layers and MultiheadAttention."""
from ..attention import MultiheadAttention  # noqa: F401
from ..layers import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid,  # noqa: F401
                      Hardswish, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU,
                      ReLU, ReLU6, RReLU, Sigmoid, SiLU, Softmax, Softmax2d, Softmin,
                      Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold)
