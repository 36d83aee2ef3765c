"""torch.nn.modules.conv: the convolutions, their transposes and lazy forms."""
from ..conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,  # noqa: F401
                    ConvTranspose3d, _ConvNd, _ConvTransposeNd)
from ..lazy import (LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d,  # noqa: F401
                    LazyConvTranspose2d, LazyConvTranspose3d)
