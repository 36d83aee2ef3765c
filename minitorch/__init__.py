"""minitorch: a small, readable PyTorch-like library whose ops run on pluggable backends.

    import minitorch
    x = minitorch.randn(3, 4, requires_grad=True)
    (x @ x.T).sum().backward()
    minitorch.set_backend("python")   # or "numpy", "c", or a plugin's name
"""
# first: the op modules below attach to Tensor
from .tensor import (Tensor, channels_last, channels_last_3d, contiguous_format, is_tensor,
                     preserve_format, strided)

from . import dtype as _dtype_module  # noqa: E402
from .autograd import (enable_grad, inference_mode, is_grad_enabled,
                       is_inference_mode_enabled, no_grad, set_grad_enabled)
from .contract import BackendError
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, ones, ones_like, rand, randint, randn, randperm, tensor,
                       zeros, zeros_like)
from .devices import device  # every backend is "cpu" memory (see devices.py)
from . import cuda  # noqa: F401  (cuda.is_available() is False)
from . import backends  # noqa: F401  (torch.backends' switches: no cuDNN, CUDA or MPS)
from .dtype import DType, get_default_dtype, set_default_dtype
from .functions import PUBLIC as _PUBLIC_FUNCTIONS
from . import linalg  # noqa: F401  (minitorch.linalg.vector_norm)
from .generator import Generator, default_generator, initial_seed, manual_seed
from .registry import (BackendUnavailable, get_backend, get_num_threads, list_backends,
                       register_backend, set_backend, set_num_threads, use_backend)
float32 = float = _dtype_module.float32  # noqa: A001  (PyTorch's names for dtypes)
float64 = double = _dtype_module.float64
int64 = long = _dtype_module.int64
bool = _dtype_module.bool_  # noqa: A001

globals().update(_PUBLIC_FUNCTIONS)  # minitorch.add, minitorch.sum, minitorch.max, ...
globals().update(linalg.TOP_LEVEL)  # minitorch.det, minitorch.inverse, ...
from . import special  # noqa: E402  (torch.special's functions)
globals().update(special.TOP_LEVEL)  # minitorch.lgamma, minitorch.erfinv, ...
numel, is_floating_point = Tensor.numel, Tensor.is_floating_point
from . import toplevel  # noqa: E402  (constants, global settings, legacy tensor types)
globals().update(toplevel.TOP_LEVEL)  # minitorch.pi, minitorch.FloatTensor, ...

__version__ = "0.2.0"

# ---- training stack: nn, losses, optimizers, data, datasets, save/load -----------------
from . import nn  # noqa: E402  (before loss, which builds on nn and which nn re-exports)
from . import data, dataloaders, datasets, loss, optim, serialization, utils  # noqa: E402,F401
from .serialization import load, save  # noqa: E402,F401
from . import distributions  # noqa: E402,F401
from . import func, profiler, random  # noqa: E402,F401  (torch.func, torch.profiler, torch.random)
from . import namespace_aliases  # noqa: E402  (after nn: minitorch.conv2d, minitorch.relu_, ...)
globals().update(namespace_aliases.TOP_LEVEL)
