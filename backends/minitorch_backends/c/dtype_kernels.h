/* dtype_kernels.h -- kernels whose code is the same for every dtype.
 *
 * A template, not a header: kernels.c includes it once per dtype after defining
 *   T             the element type (float, double, int64_t, uint8_t for bool)
 *   SFX           the name suffix (f32, f64, i64, b8); FN(x) names x_SFX
 *   CONVERT(x)    x converted to T (bool: x != 0)
 *   ACCUMULATE(s, x)  s + x in T's arithmetic (int64 wraps around, bool is OR)
 *   LOWEST, HIGHEST   the start values of max and min
 *   SUM_T         the accumulator type of sums (double for float32, else T)
 *   SUM_IN_OUT    1 when SUM_T is T, so that a strided sum accumulates in out itself
 *   IS_NAN(x)     isnan(x) for the floating types, 0 for the others
 */

/* fill: for i < n: out[i] = value */
static int FN(fill)(T value, T *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = value;
    return MT_OK;
}

/* where: for i < n: out[i] = cond[i] ? a[i] : b[i] */
static int FN(where)(const uint8_t *restrict cond, const T *restrict a, const T *restrict b,
                     T *restrict out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        const T x = a[i], y = b[i];   /* loaded unconditionally, so the select vectorizes */
        out[i] = cond[i] ? x : y;
    }
    return MT_OK;
}

/* take: for i < n: out[i] = a[index[i]] */
static int FN(take)(const T *restrict a, const int64_t *restrict index, T *restrict out,
                    int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = a[index[i]];
    return MT_OK;
}

/* index_put: for i < n: out[index[i]] = values[i], or ACCUMULATE into it */
static int FN(index_put)(const int64_t *restrict index, const T *restrict values,
                         int accumulate, T *restrict out, int64_t n)
{
    if (accumulate)
        for (int64_t i = 0; i < n; i++)
            out[index[i]] = ACCUMULATE(out[index[i]], values[i]);
    else
        for (int64_t i = 0; i < n; i++)
            out[index[i]] = values[i];
    return MT_OK;
}

/* compare: for i < n: out[i] = OP(a[i], b[i]), a bool (nan compares unequal to all) */
static int FN(compare)(int op, const T *restrict a, const T *restrict b,
                       uint8_t *restrict out, int64_t n)
{
    switch (op) {
    case MT_EQ: MAP2(T, x == y); break;
    case MT_NE: MAP2(T, x != y); break;
    case MT_LT: MAP2(T, x < y); break;
    case MT_LE: MAP2(T, x <= y); break;
    case MT_GT: MAP2(T, x > y); break;
    case MT_GE: MAP2(T, x >= y); break;
    default: return MT_UNSUPPORTED;
    }
    return MT_OK;
}

/* One row of mt_copy from source dtype S into T: for i < n: out[i*os] = CONVERT(a[i*as]),
 * with the contiguous and the broadcast (as == 0) rows spelled out so they vectorize. */
#define DEFINE_COPY_ROW(S, ST)                                                          \
    static void CAT(copy_row_##S##_to, SFX)(const void *a_, int64_t as, void *out_,     \
                                            int64_t os, int64_t n)                      \
    {                                                                                   \
        const ST *restrict a = a_;                                                      \
        T *restrict out = out_;                                                         \
        if (as == 1 && os == 1)                                                         \
            for (int64_t i = 0; i < n; i++)                                             \
                out[i] = CONVERT(a[i]);                                                 \
        else if (as == 0 && os == 1)                                                    \
            for (int64_t i = 0; i < n; i++)                                             \
                out[i] = CONVERT(a[0]);                                                 \
        else                                                                            \
            for (int64_t i = 0; i < n; i++)                                             \
                out[i * os] = CONVERT(a[i * as]);                                       \
    }
DEFINE_COPY_ROW(f32, float)
DEFINE_COPY_ROW(f64, double)
DEFINE_COPY_ROW(i64, int64_t)
DEFINE_COPY_ROW(b8, uint8_t)
#undef DEFINE_COPY_ROW

/* sum of a[0:n]: pairwise above 128 values, 8 running sums below (numpy's scheme; it
 * keeps float32 sums of long rows accurate and lets the compiler vectorize) */
static T FN(sum_row)(const T *a, int64_t n)
{
    if (n > 128) {
        const int64_t half = n / 2 - (n / 2) % 8;
        return ACCUMULATE(FN(sum_row)(a, half), FN(sum_row)(a + half, n - half));
    }
    T partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int lane = 0; lane < 8; lane++)
            partial[lane] = ACCUMULATE(partial[lane], a[i + lane]);
    T total = 0;
    for (int lane = 0; lane < 8; lane++)
        total = ACCUMULATE(total, partial[lane]);
    for (; i < n; i++)
        total = ACCUMULATE(total, a[i]);
    return total;
}

/* max of a[0:n] (LOWEST when n == 0); a nan anywhere makes it nan */
static T FN(max_row)(const T *a, int64_t n)
{
    T m = LOWEST;
    for (int64_t i = 0; i < n; i++)
        m = (a[i] > m || a[i] != a[i]) ? a[i] : m;
    return m;
}

/* min of a[0:n] (HIGHEST when n == 0); a nan anywhere makes it nan */
static T FN(min_row)(const T *a, int64_t n)
{
    T m = HIGHEST;
    for (int64_t i = 0; i < n; i++)
        m = (a[i] < m || a[i] != a[i]) ? a[i] : m;
    return m;
}

/* reduce: for i < n_out: out[i] = OP(a[i*size : (i+1)*size]) */
static int FN(reduce)(int op, const T *restrict a, int64_t size, T *restrict out,
                      int64_t n_out)
{
    if (op != MT_SUM && op != MT_MAX && op != MT_MIN)
        return MT_UNSUPPORTED;
    for (int64_t i = 0; i < n_out; i++) {
        const T *row = a + i * size;
        out[i] = op == MT_SUM ? FN(sum_row)(row, size)
               : op == MT_MAX ? FN(max_row)(row, size) : FN(min_row)(row, size);
    }
    return MT_OK;
}

/* ---- strided reductions (mt_reduce_view, mt_arg_reduce_view) -----------------------
 * They walk a `struct reduce_plan` (kernels.c): dims 0..nd-2 with an odometer
 * (next_row), the last dim nd-1 with an inner loop specialised for contiguous and
 * broadcast operands. */

/* MAXOP / MINOP: the running extreme m updated with x; a nan in either stays (x != x
 * catches a nan x; once m is nan, neither x > m nor x < m holds) */
#define MAXOP(m, x) (((x) > (m) || (x) != (x)) ? (x) : (m))
#define MINOP(m, x) (((x) < (m) || (x) != (x)) ? (x) : (m))

/* The inner loop of a strided reduction: for j < n: acc[j*os] = COMBINE(acc[j*os], a[j*as]).
 * os == 0 (the reduced dim is innermost) folds the row into one value first, with ROW
 * when the row is contiguous. */
#define REDUCE_INNER(ACC_T, COMBINE, ROW, START)                                        \
    if (os == 0) {                                                                      \
        ACC_T total;                                                                    \
        if (as == 1) {                                                                  \
            total = ROW(ap, n);                                                         \
        } else {                                                                        \
            total = START;                                                              \
            for (int64_t j = 0; j < n; j++)                                             \
                total = COMBINE(total, ap[j * as]);                                     \
        }                                                                               \
        *acc = COMBINE(*acc, total);                                                    \
    } else if (os == 1 && as == 1) {                                                    \
        for (int64_t j = 0; j < n; j++)                                                 \
            acc[j] = COMBINE(acc[j], ap[j]);                                            \
    } else if (os == 1 && as == 0) {                                                    \
        for (int64_t j = 0; j < n; j++)                                                 \
            acc[j] = COMBINE(acc[j], ap[0]);                                            \
    } else {                                                                            \
        for (int64_t j = 0; j < n; j++)                                                 \
            acc[j * os] = COMBINE(acc[j * os], ap[j * as]);                             \
    }

/* The whole walk: every row of the plan through REDUCE_INNER into accumulators acc0. */
#define REDUCE_WALK(ACC_T, acc0, COMBINE, ROW, START)                                   \
    do {                                                                                \
        const int64_t n = plan->size[plan->nd - 1], as = plan->as[plan->nd - 1];        \
        const int64_t os = plan->os[plan->nd - 1];                                      \
        int64_t idx[MT_MAX_NDIM] = {0}, pa = 0, po = 0;                                 \
        do {                                                                            \
            const T *restrict ap = a + pa;                                              \
            ACC_T *restrict acc = (acc0) + po;                                          \
            REDUCE_INNER(ACC_T, COMBINE, ROW, START)                                    \
        } while (next_row(plan, idx, &pa, &po));                                        \
    } while (0)

#define SUM_COMBINE(s, x) ACCUMULATE(s, x)

/* reduce_view: for every element i of the plan: out[o(i)] = OP(out[o(i)], a[a(i)]),
 * starting from 0 (sum, in SUM_T), LOWEST (max) or HIGHEST (min); n_out = out's size */
static int FN(reduce_view)(int op, const T *a, const struct reduce_plan *plan, T *out,
                           int64_t n_out)
{
    if (op == MT_SUM) {
#if SUM_IN_OUT
        SUM_T *sums = out;
#else
        SUM_T *sums = malloc((size_t)n_out * sizeof(SUM_T));
        if (sums == NULL)
            return MT_NO_MEMORY;
#endif
        for (int64_t i = 0; i < n_out; i++)
            sums[i] = 0;
        if (plan->nd > 0)
            REDUCE_WALK(SUM_T, sums, SUM_COMBINE, FN(sum_row), (SUM_T)0);
#if !SUM_IN_OUT
        for (int64_t i = 0; i < n_out; i++)
            out[i] = (T)sums[i];
        free(sums);
#endif
        return MT_OK;
    }
    if (op != MT_MAX && op != MT_MIN)
        return MT_UNSUPPORTED;
    if (plan->nd == 0)   /* an empty reduction: the caller never asks for its extreme */
        return n_out == 0 ? MT_OK : MT_UNSUPPORTED;
    const T start = op == MT_MAX ? LOWEST : HIGHEST;
    for (int64_t i = 0; i < n_out; i++)
        out[i] = start;
    if (op == MT_MAX)
        REDUCE_WALK(T, out, MAXOP, FN(max_row), LOWEST);
    else
        REDUCE_WALK(T, out, MINOP, FN(min_row), HIGHEST);
    return MT_OK;
}

/* arg_reduce_view: the plan's last dim is the reduced axis (n > 0 elements, stride as),
 * the others walk out in row-major order (os = out's compact strides):
 *     out[o] = first t with a[t*as] the max (is_max) or min of the row, or the first nan */
static int FN(arg_reduce_view)(int is_max, const T *a, const struct reduce_plan *plan,
                               int64_t *out)
{
    const int64_t n = plan->size[plan->nd - 1], as = plan->as[plan->nd - 1];
    int64_t idx[MT_MAX_NDIM] = {0}, pa = 0, po = 0;
    do {
        const T *row = a + pa;
        T best = row[0];
        int64_t best_t = 0;
        for (int64_t t = 1; t < n && !IS_NAN(best); t++) {
            const T x = row[t * as];
            if (is_max ? (x > best || IS_NAN(x)) : (x < best || IS_NAN(x))) {
                best = x;
                best_t = t;
            }
        }
        out[po] = best_t;
    } while (next_row(plan, idx, &pa, &po));
    return MT_OK;
}
