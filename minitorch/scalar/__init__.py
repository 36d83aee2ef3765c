"""A micrograd-style scalar autograd engine and a tiny neural-network library.

    >>> from minitorch.scalar import Value
    >>> a = Value(2.0); b = a * a + 3 * a
    >>> b.backward(); a.grad
    7.0
"""

from minitorch.scalar import nn
from minitorch.scalar.engine import Value

__all__ = ["Value", "nn"]
