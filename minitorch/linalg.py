"""torch.linalg's vector norm: `minitorch.linalg.vector_norm(x, ord=2, dim=None,
keepdim=False, *, dtype=None)`, defined with the other ops in minitorch.functions (matrix
decompositions are out of minitorch's scope)."""
from .functions import vector_norm  # noqa: F401
