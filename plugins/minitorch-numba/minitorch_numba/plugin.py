"""The minitorch plugin of this distribution, found through its entry point

    [project.entry-points."minitorch.backends"]
    numba = "minitorch_numba.plugin"

It registers the factory by name, so Numba is imported (and the backend built) only
when "numba" is first listed or chosen, never at `import minitorch`.
"""
from minitorch.plugins import hookimpl


@hookimpl
def minitorch_register_backends(register):
    register("numba", "minitorch_numba.backend:NumbaBackend")
