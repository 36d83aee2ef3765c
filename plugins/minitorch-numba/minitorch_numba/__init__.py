"""minitorch-numba: a minitorch backend whose loops are compiled by Numba.

Installed, it registers the backend "numba" through the "minitorch.backends" entry
point (see `minitorch_numba.plugin`):

    import minitorch
    minitorch.set_backend("numba")

The backend class is `minitorch_numba.backend.NumbaBackend`. This package module
imports nothing, so that loading the plugin does not import Numba.
"""
__version__ = "0.1.0"
