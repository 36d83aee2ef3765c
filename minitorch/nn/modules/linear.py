"""torch.nn.modules.linear: Identity, Linear, Bilinear, LazyLinear."""
from ..attention import NonDynamicallyQuantizableLinear  # noqa: F401
from ..layers import Bilinear, Identity, Linear  # noqa: F401
from ..lazy import LazyLinear  # noqa: F401
