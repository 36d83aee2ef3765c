"""torch.nn.modules.transformer: Transformer and its encoder and decoder stacks and layers."""
from ..attention import (Transformer, TransformerDecoder,  # noqa: F401
                         TransformerDecoderLayer, TransformerEncoder,
                         TransformerEncoderLayer)
