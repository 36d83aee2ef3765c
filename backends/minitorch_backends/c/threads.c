/* threads.c -- the thread count, the oversubscription guard, and mt_parallel_for.
 *
 * Every parallel region of the extension (the GEMM's bands, the large elementwise and
 * gather loops) asks mt_threads_allowed first and reports its join to mt_record_join,
 * so one guard protects them all. Without OpenMP everything runs on the caller.
 */
#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "kernels.h"
#include "threads.h"

static int num_threads;   /* 0 until mt_set_num_threads: then OpenMP's default */

static void reset_guard(void);

void mt_set_num_threads(int n)
{
    num_threads = n < 1 ? 1 : n;
    reset_guard();   /* stalls seen with the old count say nothing about the new one */
}

int mt_get_num_threads(void)
{
#ifdef _OPENMP
    return num_threads > 0 ? num_threads : omp_get_max_threads();
#else
    return 1;
#endif
}

/* The oversubscription guard. When another process holds a CPU, an OpenMP worker that
 * must wait for one stalls the whole product at the join: ~3 ms for a 0.15 ms product,
 * which made a 2-thread MNIST epoch ~10x slower than a 1-thread one on a busy 2-core
 * machine. So every parallel region is timed: when the master, after its own share,
 * waited at the join for longer than that share took (so the region ran slower than on
 * one thread, give or take STALL_SLACK), the next `backoff_next` regions run on one
 * thread; each further stall doubles that count (up to BACKOFF_MAX) and each region
 * whose threads paid off halves it (down to BACKOFF_MIN). On an idle machine it almost
 * never fires; on a busy one it costs about one stalled region per backoff. The
 * counters use relaxed atomics, as regions may run concurrently (cffi releases the
 * GIL). */
enum { BACKOFF_MIN = 16, BACKOFF_MAX = 4096 };
#define STALL_SLACK 2e-5   /* seconds: waking a worker takes a few microseconds */
static int backoff_left;   /* regions still to run on one thread */

int mt_threads_allowed(void)
{
    int left = __atomic_load_n(&backoff_left, __ATOMIC_RELAXED);
    while (left > 0)
        if (__atomic_compare_exchange_n(&backoff_left, &left, left - 1, 0, __ATOMIC_RELAXED,
                                         __ATOMIC_RELAXED))
            return 0;
    return 1;
}

#ifdef _OPENMP
static int backoff_next = BACKOFF_MIN;   /* the next backoff */

void mt_record_join(double own, double waited)
{
    const int next = __atomic_load_n(&backoff_next, __ATOMIC_RELAXED);
    if (waited > own + STALL_SLACK) {
        __atomic_store_n(&backoff_left, next, __ATOMIC_RELAXED);
        __atomic_store_n(&backoff_next, next < BACKOFF_MAX ? 2 * next : next,
                         __ATOMIC_RELAXED);
    } else if (next > BACKOFF_MIN) {
        __atomic_store_n(&backoff_next, next / 2, __ATOMIC_RELAXED);
    }
}
#endif

static void reset_guard(void)
{
    __atomic_store_n(&backoff_left, 0, __ATOMIC_RELAXED);
#ifdef _OPENMP
    __atomic_store_n(&backoff_next, BACKOFF_MIN, __ATOMIC_RELAXED);
#endif
}

int mt_thread_backoff(void)
{
    return __atomic_load_n(&backoff_left, __ATOMIC_RELAXED);
}

int mt_openmp_enabled(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

void mt_parallel_for(int64_t n, int64_t min_range, mt_range_body body, void *context)
{
#ifdef _OPENMP
    int64_t threads = mt_get_num_threads();
    if (min_range < 1)
        min_range = 1;
    if (threads > n / min_range)
        threads = n / min_range;
    if (threads > 1 && mt_threads_allowed()) {
        const int64_t piece = ((n + threads - 1) / threads + 15) / 16 * 16;
        threads = (n + piece - 1) / piece;
        const double start = omp_get_wtime();
        double master_done = 0;
#pragma omp parallel for num_threads((int)threads) schedule(static, 1)
        for (int64_t t = 0; t < threads; t++) {
            const int64_t end = (t + 1) * piece < n ? (t + 1) * piece : n;
            body(context, t * piece, end);
            if (t == 0)   /* piece 0 is the master's (schedule(static, 1)) */
                master_done = omp_get_wtime();
        }
        mt_record_join(master_done - start, omp_get_wtime() - master_done);
        return;
    }
#endif
    body(context, 0, n);
}
