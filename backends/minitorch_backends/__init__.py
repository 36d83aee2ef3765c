"""Built-in minitorch backends: numpy, pure Python and C."""
