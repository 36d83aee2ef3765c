"""The conformance kit: the op table and the parity tests against PyTorch.

A backend author runs the whole suite against their backend with

    python -m minitorch.testing --backend NAME

(needs pytest, hypothesis and torch: `pip install "pytorch-mini[test]"`).
"""
from .optable import OP_TABLE, Arg, OpInfo, Sample  # noqa: F401
from .comparison import assert_close, make_tensor  # noqa: F401  (torch.testing's)
