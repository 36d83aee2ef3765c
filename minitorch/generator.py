"""Random numbers: one seeded generator in the core, so every backend sees the same data.

Values are drawn on the host with numpy's PCG64 and handed to the backend with
`from_numpy`; `manual_seed(s)` makes every later draw reproducible, whatever backend
is current.
"""
import numbers

import numpy as np

DEFAULT_SEED = 67280421310721  # fixed, so unseeded programs are reproducible too


class Generator:
    """A source of random numbers; `minitorch.default_generator` is the shared one."""

    def __init__(self, seed=DEFAULT_SEED, *, device="cpu"):
        from .devices import check_device, device as as_device
        check_device(device, "Generator")
        self.device = as_device(device)
        self.manual_seed(seed)

    def manual_seed(self, seed):
        """Seed with an int, as PyTorch: one in [-2**63, 2**64), a negative one standing
        for its two's complement (-1 is 2**64 - 1). Returns the generator."""
        if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
            raise RuntimeError(f"manual_seed expected an int, but got {type(seed).__name__}")
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError(f"manual_seed: seed {seed} is out of range; it must be in "
                             "[-2**63, 2**64)")
        self._seed = int(seed) % 2 ** 64
        self._numpy = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self):
        """Seed with a fresh non-deterministic seed (from the operating system) and
        return it, as torch.Generator.seed."""
        fresh = int(np.random.SeedSequence().entropy) % 2 ** 63
        self.manual_seed(fresh)
        return fresh

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
    """Seed the default generator with int(seed); returns it, like PyTorch."""
    return default_generator.manual_seed(int(seed))


def initial_seed():
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def seed():
    """Seed the default generator with a fresh non-deterministic seed (from the operating
    system) and return that seed, as torch.seed."""
    return default_generator.seed()


# get_rng_state packs PCG64's state (two 128-bit numbers and the buffered 32 bits) into
# 32-bit words of an int64 tensor: a tensor, as torch's (whose bytes are its own format).
_WORD_BITS, _WORDS_PER_NUMBER = 32, 4


def _words(number):
    mask = 2 ** _WORD_BITS - 1
    return [(number >> (_WORD_BITS * i)) & mask for i in range(_WORDS_PER_NUMBER)]


def _number(words):
    return sum(int(word) << (_WORD_BITS * i) for i, word in enumerate(words))


def get_rng_state():
    """The default generator's state as an int64 tensor, for set_rng_state: restoring it
    repeats the draws made since."""
    from .creation import tensor
    state = default_generator.get_state()
    pcg = state["state"]
    words = _words(pcg["state"]) + _words(pcg["inc"]) + [state["has_uint32"],
                                                          state["uinteger"]]
    return tensor(words)


def set_rng_state(new_state):
    """Restore the default generator to a state get_rng_state returned."""
    from .tensor import Tensor
    size = 2 * _WORDS_PER_NUMBER + 2
    if not isinstance(new_state, Tensor) or new_state.dtype.name != "int64" or \
            new_state.shape != (size,):
        found = (f"{new_state.dtype.name} tensor of shape {tuple(new_state.shape)}"
                 if isinstance(new_state, Tensor) else type(new_state).__name__)
        raise TypeError(f"set_rng_state: expected the int64 tensor of shape ({size},) that "
                        f"get_rng_state returns, got {found}")
    words = new_state.tolist()
    if any(not 0 <= word < 2 ** _WORD_BITS for word in words):
        raise ValueError("set_rng_state: the state holds values that are not 32-bit words; "
                         "pass a tensor get_rng_state returned")
    number_words = _WORDS_PER_NUMBER
    default_generator.set_state({
        "bit_generator": "PCG64",
        "state": {"state": _number(words[:number_words]),
                  "inc": _number(words[number_words:2 * number_words])},
        "has_uint32": words[-2], "uinteger": words[-1]})


def numpy_generator(generator=None):
    return (generator or default_generator).numpy
