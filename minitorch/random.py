"""torch.random: seeding and saving the default generator's state (the generator itself
is minitorch.generator's), and fork_rng, which restores that state on exit."""
import contextlib

from .generator import get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = ["fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, device_type=None):
    """Run the block with the default generator's state saved and restored on exit
    (even on an exception), so its draws do not change the ones after it. devices lists
    accelerator devices to fork too: minitorch has none, so it must be None or empty;
    enabled=False makes this a no-op. device_type may be None or "cpu"."""
    if devices:
        raise ValueError(f"fork_rng: minitorch has no accelerator devices to fork, got "
                         f"devices={devices!r}; pass None")
    if device_type not in (None, "cpu"):
        raise ValueError(f"fork_rng: device_type must be None or 'cpu' (the only device), got "
                         f"{device_type!r}")
    if not enabled:
        yield
        return
    saved = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(saved)
