"""GFLOP/s of the `c` backend's GEMM next to numpy's BLAS, in the same run.

    python benchmarks/gemm.py [--threads 1 2] [--repeat 30] [--dtype float32]

Shapes: the MNIST MLP's products (128x784 @ 784x128, 784x128 @ 128x128, 128x128 @
128x784) and 1024x1024 @ 1024x1024, each with 1 and 2 threads. The C side is timed
through the backend's `matmul` kernel (Python call included, ~1 us); numpy through
`np.matmul(a, b, out=c)`. numpy's BLAS threads are limited with threadpoolctl when it is
installed; without it numpy runs with its default thread count, and the table says so.
Each figure is the best of `--repeat` runs; for each row the C side is timed, then,
after a pause, numpy (see timed_separately for why they must not take turns call by
call).
"""
import argparse
import contextlib
import os
import sys
import time

import numpy as np

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "backends"),
                os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")]

from minitorch import dtype as dtypes  # noqa: E402
from minitorch_backends.c_backend import CBackend  # noqa: E402

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info = threadpool_limits = None

SHAPES = [(128, 784, 128), (784, 128, 128), (128, 128, 784), (1024, 1024, 1024)]


def best_seconds(run, repeat, prepare=None):
    """Best time of `repeat` calls of run, after one untimed call (pages in the buffers,
    wakes the thread pool) and `prepare()`; on a shared machine, best-of is the least
    noisy estimate of what the code can do."""
    run()
    if prepare is not None:
        prepare()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def timed_separately(runs, repeat, quiet=1.0):
    """best_seconds of each (prepare, run), one library after the other with `quiet` seconds
    between: after its last call a library's idle threads keep spinning (OpenBLAS's
    yield for ~0.1 s and more), and while they do the other library's second thread
    waits for a CPU -- measured here, interleaving the two gave 2-thread C products of
    5-30 ms instead of 0.15-12 ms, and tripped the C side's oversubscription guard. So
    each library is timed on a machine its rival has left alone."""
    times = []
    for prepare, run in runs:
        time.sleep(quiet)
        times.append(best_seconds(run, repeat, prepare))
    return times


def numpy_threads(threads):
    if threadpool_limits is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads, user_api="blas")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = parser.parse_args(argv)

    backend = CBackend()
    dtype = dtypes.from_name(args.dtype)
    blas = "unknown BLAS"
    if threadpool_info is not None:
        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if infos:
            blas = f"{infos[0]['internal_api']} {infos[0].get('version', '')}".strip()
    print(f"c backend: gemm micro-kernel {backend.gemm_isa}, OpenMP "
          f"{'on' if backend.openmp else 'off'}; numpy {np.__version__} with {blas}")
    if threadpool_limits is None:
        print("threadpoolctl is not installed: numpy's BLAS uses its default thread count "
              "in every row (pip install threadpoolctl to limit it)")
    load = os.getloadavg()[0]
    print(f"{args.dtype}, best of {args.repeat}; load average {load:.2f} on {os.cpu_count()} CPUs")
    if load > 0.5:
        print("note: other processes are using the CPUs, so two-thread figures are unreliable "
              "(an OpenMP thread that has to wait for a CPU stalls the whole product; "
              "OMP_WAIT_POLICY=passive makes the C side degrade gracefully)")
    print()
    print(f"{'shape':>24} {'threads':>7} {'C GFLOP/s':>10} {'numpy GFLOP/s':>14} {'C/numpy':>8}")

    rng = np.random.default_rng(0)
    for threads in args.threads:
        backend.set_num_threads(threads)
        for m, k, n in SHAPES:
            a = rng.standard_normal((m, k)).astype(args.dtype)
            b = rng.standard_normal((k, n)).astype(args.dtype)
            c = np.empty((m, n), args.dtype)
            ca, cb, cc = backend.from_numpy(a), backend.from_numpy(b), backend.empty(m * n, dtype)
            repeat = max(3, args.repeat // 10) if m * n * k > 1e8 else args.repeat
            with numpy_threads(threads):
                # set_num_threads also resets the C side's oversubscription guard, so a
                # stall before the timed calls (a busy moment of the machine) does not
                # leave them all on one thread
                c_time, np_time = timed_separately(
                    [(lambda: backend.set_num_threads(threads),
                      lambda: backend.matmul(ca, cb, 1, m, k, n, cc)),
                     (None, lambda: np.matmul(a, b, out=c))], repeat)
            if not np.allclose(backend.to_numpy(cc).reshape(m, n), c, rtol=1e-3, atol=1e-2):
                raise SystemExit(f"C GEMM result differs from numpy for {m}x{k} @ {k}x{n}")
            flops = 2.0 * m * n * k
            c_rate, np_rate = flops / c_time / 1e9, flops / np_time / 1e9
            print(f"{f'{m}x{k} @ {k}x{n}':>24} {threads:>7} {c_rate:>10.1f} {np_rate:>14.1f} "
                  f"{c_rate / np_rate:>8.2f}")


if __name__ == "__main__":
    main()
