"""PyTorch's `torch.cuda` queries, answered for minitorch: there is no CUDA device (every
backend runs on the CPU), so device-agnostic code takes its CPU branch."""


def is_available():
    """False: minitorch has no CUDA device."""
    return False


def device_count():
    """0: minitorch has no CUDA device."""
    return 0


def manual_seed(seed):
    """Does nothing, as PyTorch does without CUDA (seed with minitorch.manual_seed)."""


def manual_seed_all(seed):
    """Does nothing, as PyTorch does without CUDA (seed with minitorch.manual_seed)."""
