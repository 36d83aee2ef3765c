"""torch.nn.modules.normalization: LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm."""
from ..layers import LayerNorm  # noqa: F401
from ..normalization import GroupNorm, LocalResponseNorm, RMSNorm  # noqa: F401
