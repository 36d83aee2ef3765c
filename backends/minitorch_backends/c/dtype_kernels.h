/* dtype_kernels.h -- kernels whose code is the same for every dtype.
 *
 * A template, not a header: kernels.c includes it once per dtype after defining
 *   T             the element type (float, double, int64_t, uint8_t for bool)
 *   SFX           the name suffix (f32, f64, i64, b8); FN(x) names x_SFX
 *   CONVERT(x)    x converted to T (bool: x != 0)
 *   ACCUMULATE(s, x)  s + x in T's arithmetic (int64 wraps around, bool is OR)
 *   LOWEST, HIGHEST   the start values of max and min
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
    for (int64_t i = 0; i < n; i++)
        out[i] = cond[i] ? a[i] : b[i];
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
