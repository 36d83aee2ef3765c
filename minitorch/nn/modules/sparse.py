"""torch.nn.modules.sparse: Embedding, EmbeddingBag."""
from ..sparse import Embedding, EmbeddingBag  # noqa: F401
