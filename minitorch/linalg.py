"""torch.linalg's vector norm and chained product: `minitorch.linalg.vector_norm(x, ord=2,
dim=None, keepdim=False, *, dtype=None)` and `minitorch.linalg.multi_dot(tensors)`,
defined with the other ops in minitorch.functions (matrix decompositions are out of
minitorch's scope)."""
from .functions import multi_dot, vector_norm  # noqa: F401
