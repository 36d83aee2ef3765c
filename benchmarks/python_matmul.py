"""MFLOP/s of the pure-Python backend's matmul kernel against a naive triple loop.

The shape is one MNIST-sized layer: (128, 784) @ (784, 128), float32. Run from the
repository root with

    PYTHONPATH=.:backends python benchmarks/python_matmul.py [repeats]

Each figure is the best of `repeats` runs (default 3); a flop is one multiply or one add.
"""
import sys
import time

import numpy as np

from minitorch import dtype
from minitorch_backends.python_backend import PythonBackend

M, K, N = 128, 784, 128


def naive_matmul(a, b, m, k, n, out):
    """The textbook triple loop over nested lists: out[i][j] = sum_t a[i][t] * b[t][j]."""
    for i in range(m):
        for j in range(n):
            total = 0.0
            for t in range(k):
                total += a[i][t] * b[t][j]
            out[i][j] = total


def best_seconds(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(repeats):
    backend = PythonBackend()
    rng = np.random.default_rng(0)
    a_host = rng.standard_normal((M, K)).astype(np.float32)
    b_host = rng.standard_normal((K, N)).astype(np.float32)
    a = backend.from_numpy(a_host.reshape(-1))
    b = backend.from_numpy(b_host.reshape(-1))
    kernel_out = backend.empty(M * N, dtype.float32)
    a_lists, b_lists = a_host.tolist(), b_host.tolist()
    naive_out = [[0.0] * N for _ in range(M)]

    flops = 2 * M * K * N
    kernel = best_seconds(lambda: backend.matmul(a, b, 1, M, K, N, kernel_out), repeats)
    naive = best_seconds(lambda: naive_matmul(a_lists, b_lists, M, K, N, naive_out), repeats)

    expected = a_host.astype(np.float64) @ b_host.astype(np.float64)
    for label, out in (("kernel", kernel_out), ("naive", naive_out)):
        np.testing.assert_allclose(np.asarray(out).reshape(M, N), expected, rtol=1e-4, atol=1e-4,
                                   err_msg=f"{label} matmul is wrong")

    print(f"({M}x{K}) @ ({K}x{N}) float32, best of {repeats}")
    print(f"python backend matmul: {flops / kernel / 1e6:7.1f} MFLOP/s  ({kernel * 1e3:.0f} ms)")
    print(f"naive triple loop:     {flops / naive / 1e6:7.1f} MFLOP/s  ({naive * 1e3:.0f} ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
