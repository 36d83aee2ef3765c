"""Reverse-mode autograd: grad mode, the Function base class, the backward pass, and
the torch.autograd API around it.

Every differentiable op is a Function subclass with `forward` (computes with the
dispatcher, no graph) and `backward` (written with Tensor ops or dispatcher calls, so it
runs on any backend). `Function.apply` records the op in the graph when an input
requires grad. A backward that calls the dispatcher records no graph, so such an op also
has a `differentiable_backward` (the same values from Tensor ops), which the backward
pass runs instead when create_graph=True asks for gradients that carry a graph.

| module | holds |
| --- | --- |
| `grad_mode.py` | `no_grad`, `enable_grad`, `set_grad_enabled`, `inference_mode` and their state |
| `node.py` | `Function` (the graph's node), its edges, in-place rebasing |
| `function.py` | user-defined Functions in PyTorch's form (`ctx`), `once_differentiable` |
| `hooks.py` | tensor and node hooks and their handles |
| `engine.py` | the backward pass: `backward`, `grad` |
| `anomaly_mode.py` | `detect_anomaly`, `set_detect_anomaly` |
| `functional.py` | `vjp`, `jvp`, `jacobian`, `hessian`, `vhp`, `hvp` |
| `gradcheck.py` | `gradcheck`, `gradgradcheck`: gradients against finite differences |
| `graph.py` | saved-tensor hooks (`saved_tensors_hooks`, `save_on_cpu`), `Node`, gradient edges |
"""
from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled,  # noqa: F401
                           is_anomaly_enabled, set_detect_anomaly)
from .engine import backward, grad  # noqa: F401
from .function import FunctionCtx, once_differentiable  # noqa: F401
from .grad_mode import (_grad_enabled, enable_grad, inference_mode,  # noqa: F401
                        is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)
from .hooks import (RemovableHandle, TensorHooks, node_hooks, register_hook,  # noqa: F401
                    register_post_accumulate_grad_hook)
from .node import (AccumulateGrad, Function, no_differentiable_backward,  # noqa: F401
                   rebase)
from . import functional  # noqa: F401,E402
from . import graph  # noqa: F401,E402
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: F401,E402
from .. import profiler  # noqa: F401,E402  (torch.autograd.profiler's path to it)
