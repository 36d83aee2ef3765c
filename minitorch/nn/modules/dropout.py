"""torch.nn.modules.dropout: the dropout layers."""
from ..layers import (AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d,  # noqa: F401
                      FeatureAlphaDropout, _DropoutNd)
