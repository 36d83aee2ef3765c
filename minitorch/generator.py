"""Random numbers: one seeded generator in the core, so every backend sees the same data.

Values are drawn on the host with numpy's PCG64 and handed to the backend with
`from_numpy`; `manual_seed(s)` makes every later draw reproducible, whatever backend
is current.
"""
import numpy as np

DEFAULT_SEED = 67280421310721  # fixed, so unseeded programs are reproducible too


class Generator:
    """A source of random numbers; `minitorch.default_generator` is the shared one."""

    def __init__(self, seed=DEFAULT_SEED):
        self.manual_seed(seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._numpy = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self._numpy.bit_generator.state

    def set_state(self, state):
        self._numpy.bit_generator.state = state

    @property
    def numpy(self):
        """The numpy Generator behind this one (for host-side draws)."""
        return self._numpy


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator; returns it, like PyTorch."""
    return default_generator.manual_seed(seed)


def initial_seed():
    return default_generator.initial_seed()


def numpy_generator(generator=None):
    return (generator or default_generator).numpy
