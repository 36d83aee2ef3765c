/* threads.h -- how the C kernels share work between threads (threads.c).
 *
 * Internal to the extension (kernels.h declares what Python sees: mt_set_num_threads,
 * mt_get_num_threads, mt_openmp_enabled, mt_thread_backoff).
 */
#ifndef MINITORCH_THREADS_H
#define MINITORCH_THREADS_H

#include <stdint.h>

/* 1 when the next parallel region may use several threads, 0 while the oversubscription
 * guard holds regions to one thread (it counts this call against its backoff). */
int mt_threads_allowed(void);

/* Tells the guard how a parallel region went: the master finished its own share `own`
 * seconds after the start, then waited `waited` seconds for the others. */
void mt_record_join(double own, double waited);

/* One contiguous range [begin, end) of a loop, run by one thread. */
typedef void (*mt_range_body)(void *context, int64_t begin, int64_t end);

/* for every i < n, exactly once: body(context, begin, end) over ranges covering [0, n).
 * With several threads allowed and n >= 2 * min_range, the range is cut into one piece
 * per thread (each a multiple of 16, so no two threads write the same cache line of a
 * float array); otherwise body(context, 0, n) runs on the caller. */
void mt_parallel_for(int64_t n, int64_t min_range, mt_range_body body, void *context);

#endif
