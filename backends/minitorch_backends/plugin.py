"""The built-in backends, registered through the same hook as any plugin."""
from minitorch.plugins import hookimpl


@hookimpl
def minitorch_register_backends(register):
    register("numpy", "minitorch_backends.numpy_backend:NumpyBackend")
    register("python", "minitorch_backends.python_backend:PythonBackend")
    register("c", "minitorch_backends.c_backend:CBackend")
