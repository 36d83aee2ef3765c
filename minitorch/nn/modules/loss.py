"""torch.nn.modules.loss: the loss modules and their bases _Loss and _WeightedLoss."""
from ...loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss,  # noqa: F401
                     CrossEntropyLoss, CTCLoss, GaussianNLLLoss, HingeEmbeddingLoss,
                     HuberLoss, KLDivLoss, L1Loss, MarginRankingLoss, MSELoss,
                     MultiLabelMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss,
                     NLLLoss, PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss,
                     TripletMarginLoss, TripletMarginWithDistanceLoss, _Loss, _WeightedLoss)
