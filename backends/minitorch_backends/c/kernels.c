/* kernels.c -- the loops of minitorch's `c` backend (the GEMM lives in gemm.c).
 *
 * Each exported mt_* kernel (declared, with its contract, in kernels.h) switches on the
 * dtype code to a typed static kernel. The typed kernels are written once and stamped
 * out per dtype by including a template with T and SFX defined:
 *   dtype_kernels.h  -- fill, where, take, index_put, comparisons, copy rows, reductions
 *                       (all four dtypes)
 *   float_kernels.h  -- unary and arithmetic ops, fused training kernels (float32/64)
 * The int64 and bool ops, whose semantics differ from the float ones, are written out
 * below.
 *
 * Nothing here checks bounds: c_backend.py validates every argument first.
 * Rebuild after editing: `pip install -e .`, or in place with
 * `python backends/minitorch_backends/c/build_kernels.py`.
 */
#include <stddef.h>
#include <tgmath.h>

#include "kernels.h"

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SFX)

/* The elementwise loops: out[i] = EXPR for i < n, with x = a[i] (and y = b[i]). */
#define MAP1(TYPE, EXPR)                                                                \
    for (int64_t i = 0; i < n; i++) {                                                   \
        const TYPE x = a[i];                                                            \
        out[i] = (EXPR);                                                                \
    }
#define MAP2(TYPE, EXPR)                                                                \
    for (int64_t i = 0; i < n; i++) {                                                   \
        const TYPE x = a[i], y = b[i];                                                  \
        out[i] = (EXPR);                                                                \
    }

/* ---- int64: arithmetic wraps around on overflow as in torch (done in uint64, so it is
 * defined behaviour); floordiv and mod round toward -inf like Python's // and % -------- */

#define WRAP(x, OP, y) ((int64_t)((uint64_t)(x) OP (uint64_t)(y)))
static inline int64_t wrap_add(int64_t x, int64_t y) { return WRAP(x, +, y); }
static inline int64_t wrap_sub(int64_t x, int64_t y) { return WRAP(x, -, y); }
static inline int64_t wrap_mul(int64_t x, int64_t y) { return WRAP(x, *, y); }

/* x // y for y != 0 (INT64_MIN // -1 wraps to INT64_MIN instead of trapping) */
static inline int64_t floordiv_i64(int64_t x, int64_t y)
{
    if (y == -1)
        return wrap_sub(0, x);
    const int64_t q = x / y;
    return (q * y != x && (x < 0) != (y < 0)) ? q - 1 : q;
}

/* x % y for y != 0, with the sign of y */
static inline int64_t mod_i64(int64_t x, int64_t y)
{
    if (y == -1)
        return 0;
    const int64_t r = x % y;
    return (r != 0 && (r < 0) != (y < 0)) ? r + y : r;
}

/* x ** y by squaring; a negative exponent gives 1 / x**|y| truncated (torch's rule) */
static inline int64_t pow_i64(int64_t x, int64_t y)
{
    if (y < 0)
        return x == 1 ? 1 : x == -1 ? ((y & 1) ? -1 : 1) : 0;
    int64_t result = 1;
    for (; y; y >>= 1, x = wrap_mul(x, x))
        if (y & 1)
            result = wrap_mul(result, x);
    return result;
}

/* unary: for i < n: out[i] = OP(a[i]) */
static int unary_i64(int op, const int64_t *restrict a, int64_t *restrict out, int64_t n)
{
    switch (op) {
    case MT_NEG: MAP1(int64_t, wrap_sub(0, x)); break;
    case MT_ABS: MAP1(int64_t, x < 0 ? wrap_sub(0, x) : x); break;
    case MT_SIGN: MAP1(int64_t, (x > 0) - (x < 0)); break;
    case MT_RELU: MAP1(int64_t, x > 0 ? x : 0); break;
    default: return MT_UNSUPPORTED;   /* exp, log, ... of an int64: the core casts first */
    }
    return MT_OK;
}

static int has_zero_i64(const int64_t *b, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (b[i] == 0)
            return 1;
    return 0;
}

/* arithmetic: for i < n: out[i] = OP(a[i], b[i]) */
static int arithmetic_i64(int op, const int64_t *restrict a, const int64_t *restrict b,
                          int64_t *restrict out, int64_t n)
{
    if ((op == MT_FLOORDIV || op == MT_MOD) && has_zero_i64(b, n))
        return MT_ZERO_DIVISION;
    switch (op) {
    case MT_ADD: MAP2(int64_t, wrap_add(x, y)); break;
    case MT_SUB: MAP2(int64_t, wrap_sub(x, y)); break;
    case MT_MUL: MAP2(int64_t, wrap_mul(x, y)); break;
    case MT_FLOORDIV: MAP2(int64_t, floordiv_i64(x, y)); break;
    case MT_MOD: MAP2(int64_t, mod_i64(x, y)); break;
    case MT_POW: MAP2(int64_t, pow_i64(x, y)); break;
    case MT_MAXIMUM: MAP2(int64_t, x > y ? x : y); break;
    case MT_MINIMUM: MAP2(int64_t, x < y ? x : y); break;
    default: return MT_UNSUPPORTED;   /* div: true division of ints is a float op */
    }
    return MT_OK;
}

/* ---- bool (one byte, 0 or 1): the integer result stored as `!= 0`, so add and maximum
 * are OR, mul and minimum are AND, as in torch; what torch rejects is MT_UNSUPPORTED ---- */

/* unary: sign of a bool is the bool itself (neg, abs, relu, exp, ... are undefined) */
static int unary_b8(int op, const uint8_t *restrict a, uint8_t *restrict out, int64_t n)
{
    switch (op) {
    case MT_SIGN: MAP1(uint8_t, x); break;
    default: return MT_UNSUPPORTED;
    }
    return MT_OK;
}

static int arithmetic_b8(int op, const uint8_t *restrict a, const uint8_t *restrict b,
                         uint8_t *restrict out, int64_t n)
{
    switch (op) {
    case MT_ADD: case MT_MAXIMUM: MAP2(uint8_t, x | y); break;
    case MT_MUL: case MT_MINIMUM: MAP2(uint8_t, x & y); break;
    default: return MT_UNSUPPORTED;
    }
    return MT_OK;
}

/* ---- the per-dtype templates ------------------------------------------------------- */

#define T float
#define SFX f32
#define DTYPE MT_FLOAT32
#define CONVERT(x) ((float)(x))
#define ACCUMULATE(s, x) ((s) + (x))
#define LOWEST (-INFINITY)
#define HIGHEST INFINITY
#include "dtype_kernels.h"
#include "float_kernels.h"
#undef T
#undef SFX
#undef DTYPE
#undef CONVERT
#undef ACCUMULATE
#undef LOWEST
#undef HIGHEST

#define T double
#define SFX f64
#define DTYPE MT_FLOAT64
#define CONVERT(x) ((double)(x))
#define ACCUMULATE(s, x) ((s) + (x))
#define LOWEST (-(double)INFINITY)
#define HIGHEST ((double)INFINITY)
#include "dtype_kernels.h"
#include "float_kernels.h"
#undef T
#undef SFX
#undef DTYPE
#undef CONVERT
#undef ACCUMULATE
#undef LOWEST
#undef HIGHEST

#define T int64_t
#define SFX i64
#define CONVERT(x) ((int64_t)(x))   /* float -> int truncates toward zero */
#define ACCUMULATE(s, x) wrap_add(s, x)
#define LOWEST INT64_MIN
#define HIGHEST INT64_MAX
#include "dtype_kernels.h"
#undef T
#undef SFX
#undef CONVERT
#undef ACCUMULATE
#undef LOWEST
#undef HIGHEST

#define T uint8_t
#define SFX b8
#define CONVERT(x) ((x) != 0)
#define ACCUMULATE(s, x) ((s) | (x))
#define LOWEST 0
#define HIGHEST 1
#include "dtype_kernels.h"
#undef T
#undef SFX
#undef CONVERT
#undef ACCUMULATE
#undef LOWEST
#undef HIGHEST

/* matmul of int64 (wrapping) and bool (OR of ANDs): the plain row, t, j loop over all
 * batch * m rows of out; row r of batch p = r / m uses b[p] */
#define DEFINE_NAIVE_MATMUL(SUFFIX, TYPE, MULTIPLY_ADD)                                 \
    static int matmul_##SUFFIX(const TYPE *restrict a, const TYPE *restrict b,          \
                               int64_t batch, int64_t m, int64_t k, int64_t n,          \
                               TYPE *restrict out)                                      \
    {                                                                                   \
        for (int64_t r = 0; r < batch * m; r++, a += k, out += n) {                     \
            const TYPE *bp = b + r / m * k * n;                                         \
            for (int64_t j = 0; j < n; j++)                                             \
                out[j] = 0;                                                             \
            for (int64_t t = 0; t < k; t++)                                             \
                for (int64_t j = 0; j < n; j++)                                         \
                    out[j] = MULTIPLY_ADD(out[j], a[t], bp[t * n + j]);                 \
        }                                                                               \
        return MT_OK;                                                                   \
    }
#define INT_MULTIPLY_ADD(s, x, y) wrap_add(s, wrap_mul(x, y))
#define BOOL_MULTIPLY_ADD(s, x, y) ((s) | ((x) & (y)))
DEFINE_NAIVE_MATMUL(i64, int64_t, INT_MULTIPLY_ADD)
DEFINE_NAIVE_MATMUL(b8, uint8_t, BOOL_MULTIPLY_ADD)

/* ---- exported kernels: dtype dispatch ---------------------------------------------- */

#define DISPATCH(dtype, KERNEL, ...)                                                    \
    switch (dtype) {                                                                    \
    case MT_FLOAT32: return KERNEL##_f32(__VA_ARGS__);                                  \
    case MT_FLOAT64: return KERNEL##_f64(__VA_ARGS__);                                  \
    case MT_INT64: return KERNEL##_i64(__VA_ARGS__);                                    \
    case MT_BOOL: return KERNEL##_b8(__VA_ARGS__);                                      \
    default: return MT_UNSUPPORTED;                                                     \
    }

#define DISPATCH_FLOAT(dtype, KERNEL, ...)                                              \
    switch (dtype) {                                                                    \
    case MT_FLOAT32: return KERNEL##_f32(__VA_ARGS__);                                  \
    case MT_FLOAT64: return KERNEL##_f64(__VA_ARGS__);                                  \
    default: return MT_UNSUPPORTED;                                                     \
    }

int mt_fill(int dtype, double fvalue, int64_t ivalue, void *out, int64_t n)
{
    switch (dtype) {
    case MT_FLOAT32: return fill_f32((float)fvalue, out, n);
    case MT_FLOAT64: return fill_f64(fvalue, out, n);
    case MT_INT64: return fill_i64(ivalue, out, n);
    case MT_BOOL: return fill_b8(ivalue != 0, out, n);
    default: return MT_UNSUPPORTED;
    }
}

int mt_unary(int op, int dtype, const void *a, void *out, int64_t n)
{
    DISPATCH(dtype, unary, op, a, out, n)
}

int mt_binary(int op, int dtype, const void *a, const void *b, void *out, int64_t n)
{
    if (op >= MT_EQ)
        DISPATCH(dtype, compare, op, a, b, out, n)
    DISPATCH(dtype, arithmetic, op, a, b, out, n)
}

int mt_where(int dtype, const uint8_t *cond, const void *a, const void *b, void *out,
             int64_t n)
{
    DISPATCH(dtype, where, cond, a, b, out, n)
}

int mt_reduce(int op, int dtype, const void *a, int64_t reduce_size, void *out, int64_t n_out)
{
    DISPATCH(dtype, reduce, op, a, reduce_size, out, n_out)
}

int mt_take(int dtype, const void *a, const int64_t *index, void *out, int64_t n)
{
    DISPATCH(dtype, take, a, index, out, n)
}

int mt_index_put(int dtype, const int64_t *index, const void *values, int accumulate,
                 void *out, int64_t n)
{
    DISPATCH(dtype, index_put, index, values, accumulate, out, n)
}

int64_t mt_find_out_of_range(const int64_t *index, int64_t n, int64_t limit)
{
    for (int64_t i = 0; i < n; i++)
        if (index[i] < 0 || index[i] >= limit)
            return i;
    return -1;
}

/* ---- copy: the one strided kernel -------------------------------------------------- */

typedef void (*copy_row_fn)(const void *a, int64_t as, void *out, int64_t os, int64_t n);

static const copy_row_fn copy_rows[4][4] = {   /* [source dtype][destination dtype] */
    {copy_row_f32_to_f32, copy_row_f32_to_f64, copy_row_f32_to_i64, copy_row_f32_to_b8},
    {copy_row_f64_to_f32, copy_row_f64_to_f64, copy_row_f64_to_i64, copy_row_f64_to_b8},
    {copy_row_i64_to_f32, copy_row_i64_to_f64, copy_row_i64_to_i64, copy_row_i64_to_b8},
    {copy_row_b8_to_f32, copy_row_b8_to_f64, copy_row_b8_to_i64, copy_row_b8_to_b8},
};
static const int itemsizes[4] = {4, 8, 8, 1};

/* Walks the index tuples of `shape` with an odometer over all dims but the last and
 * copies one row (the last dim) per step. Dims of size 1 are dropped and neighbouring
 * dims that are contiguous in both a and out are merged first, so a plain contiguous
 * copy is a single row. */
int mt_copy(int a_dtype, const void *a, const int64_t *a_strides, int64_t a_offset,
            int ndim, const int64_t *shape,
            int out_dtype, void *out, const int64_t *out_strides, int64_t out_offset)
{
    if ((unsigned)a_dtype > MT_BOOL || (unsigned)out_dtype > MT_BOOL || ndim > MT_MAX_NDIM)
        return MT_UNSUPPORTED;
    int64_t size[MT_MAX_NDIM], as[MT_MAX_NDIM], os[MT_MAX_NDIM], idx[MT_MAX_NDIM];
    int nd = 0;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 0)
            return MT_OK;
        if (shape[d] == 1)
            continue;
        if (nd > 0 && as[nd - 1] == a_strides[d] * shape[d]
                   && os[nd - 1] == out_strides[d] * shape[d]) {
            size[nd - 1] *= shape[d];
            as[nd - 1] = a_strides[d];
            os[nd - 1] = out_strides[d];
        } else {
            size[nd] = shape[d];
            as[nd] = a_strides[d];
            os[nd] = out_strides[d];
            idx[nd] = 0;
            nd++;
        }
    }
    if (nd == 0) {   /* a single element */
        size[0] = 1;
        as[0] = os[0] = 0;
        nd = 1;
    }
    const copy_row_fn row = copy_rows[a_dtype][out_dtype];
    const int64_t a_item = itemsizes[a_dtype], out_item = itemsizes[out_dtype];
    const char *ap = (const char *)a + a_offset * a_item;
    char *op = (char *)out + out_offset * out_item;
    for (;;) {
        row(ap, as[nd - 1], op, os[nd - 1], size[nd - 1]);
        int d = nd - 2;
        for (; d >= 0 && idx[d] == size[d] - 1; d--) {   /* carry: rewind dim d */
            ap -= idx[d] * as[d] * a_item;
            op -= idx[d] * os[d] * out_item;
            idx[d] = 0;
        }
        if (d < 0)
            return MT_OK;
        idx[d]++;
        ap += as[d] * a_item;
        op += os[d] * out_item;
    }
}

/* ---- matmul and the fused kernels ---------------------------------------------------- */

int mt_matmul(int dtype, const void *a, const void *b, int64_t batch, int64_t m, int64_t k,
              int64_t n, void *out)
{
    DISPATCH(dtype, matmul, a, b, batch, m, k, n, out)
}

int mt_relu_backward(int dtype, const void *grad, const void *x, void *out, int64_t n)
{
    DISPATCH_FLOAT(dtype, relu_backward, grad, x, out, n)
}

int mt_log_softmax(int dtype, const void *x, int64_t rows, int64_t cols, void *out)
{
    DISPATCH_FLOAT(dtype, log_softmax, x, rows, cols, out)
}

int mt_log_softmax_backward(int dtype, const void *grad, const void *y, int64_t rows,
                            int64_t cols, void *out)
{
    DISPATCH_FLOAT(dtype, log_softmax_backward, grad, y, rows, cols, out)
}

int mt_cross_entropy(int dtype, const void *logits, const int64_t *target, int64_t rows,
                     int64_t cols, void *out)
{
    DISPATCH_FLOAT(dtype, cross_entropy, logits, target, rows, cols, out)
}

int mt_cross_entropy_backward(int dtype, const void *logits, const int64_t *target,
                              const void *grad, int64_t rows, int64_t cols, void *out)
{
    DISPATCH_FLOAT(dtype, cross_entropy_backward, logits, target, grad, rows, cols, out)
}
