import os

os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")
os.environ.setdefault("MINITORCH_AUTOLOAD_PLUGINS", "0")

pytest_plugins = ["minitorch.testing.plugin"]
