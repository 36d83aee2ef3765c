"""PyTorch's `torch.backends` switches, answered for minitorch so that the settings
scripts make for reproducibility or speed (`torch.backends.cudnn.deterministic = True`,
`benchmark = False`, `torch.backends.cuda.matmul.allow_tf32 = ...`,
`torch.backends.mha.set_fastpath_enabled(...)`) run unchanged.

minitorch computes only on its own CPU backends (minitorch.list_backends(); not to be
confused with these accelerator libraries): cuDNN, CUDA and MPS are never available,
and their switches are kept as set and change nothing.
"""


class _Switches:
    """An accelerator library's settable switches, with torch's defaults; is_available()
    and is_built() are False."""

    def __init__(self, name, **defaults):
        self._name = name
        self.__dict__.update(defaults)

    def is_available(self):
        """False: minitorch has no such accelerator."""
        return False

    def is_built(self):
        """False: minitorch is not built with it."""
        return False

    def __repr__(self):
        return f"<minitorch.backends.{self._name}: not available>"


cudnn = _Switches("cudnn", enabled=True, benchmark=False, deterministic=False,
                  allow_tf32=True)
cuda = _Switches("cuda", matmul=_Switches("cuda.matmul", allow_tf32=False,
                                          allow_fp16_reduced_precision_reduction=True))
mps = _Switches("mps")


class _AttentionFastPath:
    """torch.backends.mha: the switch for torch's attention fast path. minitorch has no
    fused path; as in torch, turning the switch off also turns off TransformerEncoder's
    nested-tensor inference (zeros at padded positions; see nn.attention)."""

    def __init__(self):
        self._enabled = True

    def get_fastpath_enabled(self):
        return self._enabled

    def set_fastpath_enabled(self, value):
        self._enabled = bool(value)


mha = _AttentionFastPath()
