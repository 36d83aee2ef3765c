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
#include <stdlib.h>
#include <string.h>
#include <tgmath.h>

#include "kernels.h"
#include "threads.h"

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

/* x - trunc(x / y) * y for y != 0, with the sign of x (C's %; INT64_MIN % -1 traps) */
static inline int64_t fmod_i64(int64_t x, int64_t y)
{
    return y == -1 ? 0 : x % y;
}

/* x << y, the bits shifted out dropped; 0 for a shift outside [0, 64), as torch */
static inline int64_t left_shift_i64(int64_t x, int64_t y)
{
    return (y < 0 || y >= 64) ? 0 : (int64_t)((uint64_t)x << y);
}

/* x >> y filling with the sign bit (spelled with ~ so that no negative value is shifted:
 * that is implementation-defined in C); a shift outside [0, 64) leaves only the sign */
static inline int64_t right_shift_i64(int64_t x, int64_t y)
{
    if (y < 0 || y >= 64)
        y = 63;
    return x < 0 ? ~(~x >> y) : x >> y;
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
    case MT_BITWISE_NOT: MAP1(int64_t, ~x); break;
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
    if ((op == MT_FLOORDIV || op == MT_MOD || op == MT_FMOD) && has_zero_i64(b, n))
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
    case MT_FMOD: MAP2(int64_t, fmod_i64(x, y)); break;
    case MT_BITWISE_AND: MAP2(int64_t, x & y); break;
    case MT_BITWISE_OR: MAP2(int64_t, x | y); break;
    case MT_BITWISE_XOR: MAP2(int64_t, x ^ y); break;
    case MT_BITWISE_LEFT_SHIFT: MAP2(int64_t, left_shift_i64(x, y)); break;
    case MT_BITWISE_RIGHT_SHIFT: MAP2(int64_t, right_shift_i64(x, y)); break;
    default: return MT_UNSUPPORTED;   /* div, atan2: float ops (the core casts first) */
    }
    return MT_OK;
}

/* ---- bool (one byte, 0 or 1): the integer result stored as `!= 0`, so add and maximum
 * are OR, mul and minimum are AND, as in torch; what torch rejects is MT_UNSUPPORTED ---- */

/* unary: sign of a bool is the bool itself, bitwise_not its negation (neg, abs, relu,
 * exp, ... are undefined) */
static int unary_b8(int op, const uint8_t *restrict a, uint8_t *restrict out, int64_t n)
{
    switch (op) {
    case MT_SIGN: MAP1(uint8_t, x); break;
    case MT_BITWISE_NOT: MAP1(uint8_t, !x); break;
    default: return MT_UNSUPPORTED;
    }
    return MT_OK;
}

static int arithmetic_b8(int op, const uint8_t *restrict a, const uint8_t *restrict b,
                         uint8_t *restrict out, int64_t n)
{
    switch (op) {
    case MT_ADD: case MT_MAXIMUM: case MT_BITWISE_OR: MAP2(uint8_t, x | y); break;
    case MT_MUL: case MT_MINIMUM: case MT_BITWISE_AND: MAP2(uint8_t, x & y); break;
    case MT_BITWISE_XOR: MAP2(uint8_t, x ^ y); break;
    default: return MT_UNSUPPORTED;
    }
    return MT_OK;
}

/* ---- the walk of the strided reductions ----------------------------------------------
 * A reduction as nd dims (nd <= MT_MAX_NDIM): dim d has size[d] elements, a stride as[d]
 * in a and os[d] in the output (0 for a reduced dim). mt_reduce_view builds it with
 * size-1 dims dropped, the dims sorted by a's stride and mergeable neighbours merged. */
struct reduce_plan {
    int nd;
    int64_t size[MT_MAX_NDIM], as[MT_MAX_NDIM], os[MT_MAX_NDIM];
};

/* Steps the odometer idx over dims 0..nd-2 of plan (the last dim is the inner loop),
 * moving the element offsets *pa (in a) and *po (in out) along; 0 once it wraps around. */
static inline int next_row(const struct reduce_plan *plan, int64_t *idx, int64_t *pa,
                           int64_t *po)
{
    for (int d = plan->nd - 2; d >= 0; d--) {
        if (++idx[d] < plan->size[d]) {
            *pa += plan->as[d];
            *po += plan->os[d];
            return 1;
        }
        *pa -= (plan->size[d] - 1) * plan->as[d];
        *po -= (plan->size[d] - 1) * plan->os[d];
        idx[d] = 0;
    }
    return 0;
}

/* ---- the per-dtype templates ------------------------------------------------------- */

#define T float
#define SFX f32
#define IS_NAN(x) isnan(x)
#define DTYPE MT_FLOAT32
#define CONVERT(x) ((float)(x))
#define ACCUMULATE(s, x) ((s) + (x))
#define LOWEST (-INFINITY)
#define HIGHEST INFINITY
#define SUM_T double      /* strided float32 sums accumulate in double */
#define SUM_IN_OUT 0
#include "dtype_kernels.h"
#include "float_kernels.h"
#undef T
#undef SFX
#undef DTYPE
#undef CONVERT
#undef ACCUMULATE
#undef LOWEST
#undef HIGHEST
#undef SUM_T
#undef SUM_IN_OUT
#undef IS_NAN

#define T double
#define SFX f64
#define IS_NAN(x) isnan(x)
#define SUM_T double
#define SUM_IN_OUT 1
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
#undef SUM_T
#undef SUM_IN_OUT
#undef IS_NAN

#define T int64_t
#define SFX i64
#define IS_NAN(x) 0
#define SUM_T int64_t
#define SUM_IN_OUT 1
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
#undef SUM_T
#undef SUM_IN_OUT
#undef IS_NAN

#define T uint8_t
#define SFX b8
#define IS_NAN(x) 0
#define SUM_T uint8_t
#define SUM_IN_OUT 1
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
#undef SUM_T
#undef SUM_IN_OUT
#undef IS_NAN

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

/* matmul_block of int64 and bool, one strided matrix of mt_matmul_view:
 *     for i < m, j < n: out[i*n + j] = SUM(a[i*rsa + t*csa] * b[t*rsb + j*csb] for t < k) */
#define DEFINE_NAIVE_MATMUL_BLOCK(SUFFIX, TYPE, MULTIPLY_ADD)                           \
    static int matmul_block_##SUFFIX(int64_t m, int64_t n, int64_t k,                   \
                                     const TYPE *restrict a, int64_t rsa, int64_t csa,  \
                                     const TYPE *restrict b, int64_t rsb, int64_t csb,  \
                                     TYPE *restrict out)                                \
    {                                                                                   \
        for (int64_t i = 0; i < m; i++, out += n) {                                     \
            for (int64_t j = 0; j < n; j++)                                             \
                out[j] = 0;                                                             \
            for (int64_t t = 0; t < k; t++) {                                           \
                const TYPE x = a[i * rsa + t * csa];                                    \
                const TYPE *row = b + t * rsb;                                          \
                for (int64_t j = 0; j < n; j++)                                         \
                    out[j] = MULTIPLY_ADD(out[j], x, row[j * csb]);                     \
            }                                                                           \
        }                                                                               \
        return MT_OK;                                                                   \
    }
DEFINE_NAIVE_MATMUL_BLOCK(i64, int64_t, INT_MULTIPLY_ADD)
DEFINE_NAIVE_MATMUL_BLOCK(b8, uint8_t, BOOL_MULTIPLY_ADD)

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

/* One step of an odometer over the dims [0, nd) of `size` (the last one fastest; idx is
 * the current position) that moves two byte offsets, x and y, along their element
 * strides (items of x_item and y_item bytes). Returns 0 once it has wrapped around, that
 * is when every position has been visited (at once when nd == 0). */
static int odometer_step(int nd, const int64_t *size, int64_t *idx,
                         const int64_t *x_strides, int64_t x_item, int64_t *x,
                         const int64_t *y_strides, int64_t y_item, int64_t *y)
{
    int d = nd - 1;
    for (; d >= 0 && idx[d] == size[d] - 1; d--) {   /* carry: rewind dim d */
        *x -= idx[d] * x_strides[d] * x_item;
        *y -= idx[d] * y_strides[d] * y_item;
        idx[d] = 0;
    }
    if (d < 0)
        return 0;
    idx[d]++;
    *x += x_strides[d] * x_item;
    *y += y_strides[d] * y_item;
    return 1;
}

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
    int64_t a_at = 0, out_at = 0;   /* byte offsets of the current row */
    do
        row(ap + a_at, as[nd - 1], op + out_at, os[nd - 1], size[nd - 1]);
    while (odometer_step(nd - 1, size, idx, as, a_item, &a_at, os, out_item, &out_at));
    return MT_OK;
}

/* ---- matmul and the fused kernels ---------------------------------------------------- */

int mt_matmul(int dtype, const void *a, const void *b, int64_t batch, int64_t m, int64_t k,
              int64_t n, void *out)
{
    if (batch == 0 || m == 0 || n == 0)   /* an empty result: nothing to write */
        return (unsigned)dtype > MT_BOOL ? MT_UNSUPPORTED : MT_OK;
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
                     int64_t cols, void *out, void *probs)
{
    DISPATCH_FLOAT(dtype, cross_entropy, logits, target, rows, cols, out, probs)
}

int mt_cross_entropy_backward(int dtype, const void *probs, const int64_t *target,
                              const void *grad, int64_t rows, int64_t cols, void *out)
{
    DISPATCH_FLOAT(dtype, cross_entropy_backward, probs, target, grad, rows, cols, out)
}

/* ---- take_rows ------------------------------------------------------------------------ */

/* Loops that move at least this many bytes per thread are split between threads: below
 * it, waking a second thread costs more than it saves. */
enum { PARALLEL_MIN_BYTES = 32 * 1024 };

struct take_rows_args { const char *block; const int64_t *index; int64_t row_bytes; char *out; };

static void take_rows_range(void *context, int64_t begin, int64_t end)
{
    const struct take_rows_args *t = context;
    for (int64_t i = begin; i < end; i++)
        memcpy(t->out + i * t->row_bytes, t->block + t->index[i] * t->row_bytes,
               (size_t)t->row_bytes);
}

/* The rows are gathered by both threads when there are many: a batch of 128 MNIST images
 * from a shuffled training set is bound by memory latency, and two threads keep twice
 * as many loads in flight (measured: 53 -> 23 us). */
int mt_take_rows(int dtype, const void *a, int64_t offset, int64_t row_size,
                 const int64_t *index, int64_t n, void *out)
{
    if ((unsigned)dtype > MT_BOOL)
        return MT_UNSUPPORTED;
    const int64_t item = itemsizes[dtype];
    struct take_rows_args args = {(const char *)a + offset * item, index, row_size * item, out};
    if (args.row_bytes > 0)
        mt_parallel_for(n, PARALLEL_MIN_BYTES / args.row_bytes, take_rows_range, &args);
    return MT_OK;
}

/* ---- the strided kernels --------------------------------------------------------------- */

/* Batches are walked with an odometer over the batch dims (size-1 dims dropped). When b is
 * the same matrix for every batch (all its batch strides 0) and a's batches are stacked
 * rows (a's batch strides continue its row stride), the whole product is one
 * (batch * m) x k @ k x n product: one GEMM instead of `batch` small ones. */
int mt_matmul_view(int dtype, int nbatch, const int64_t *layout, int64_t m, int64_t k,
                   int64_t n, const void *a, int64_t a_offset, int64_t rsa, int64_t csa,
                   const void *b, int64_t b_offset, int64_t rsb, int64_t csb, void *out)
{
    if ((unsigned)dtype > MT_BOOL || nbatch < 0 || nbatch > MT_MAX_NDIM)
        return MT_UNSUPPORTED;
    if (m == 0 || n == 0)   /* an empty result: nothing to write */
        return MT_OK;
    int64_t size[MT_MAX_NDIM], sa[MT_MAX_NDIM], sb[MT_MAX_NDIM], idx[MT_MAX_NDIM];
    int nd = 0;
    for (int d = 0; d < nbatch; d++) {
        if (layout[d] == 0)
            return MT_OK;
        if (layout[d] == 1)
            continue;
        size[nd] = layout[d];
        sa[nd] = layout[nbatch + d];
        sb[nd] = layout[2 * nbatch + d];
        idx[nd] = 0;
        nd++;
    }
    int64_t rows = m;   /* rows of a single product: m, or batch * m when folded */
    int b_shared = 1, a_stacked = 1;
    for (int d = nd - 1; d >= 0; d--) {
        b_shared = b_shared && sb[d] == 0;
        a_stacked = a_stacked && sa[d] == rows * rsa;
        rows *= size[d];
    }
    if (nd > 0 && b_shared && a_stacked)
        nd = 0, m = rows;
    const int64_t item = itemsizes[dtype];
    const char *a0 = (const char *)a + a_offset * item, *b0 = (const char *)b + b_offset * item;
    char *op = out;
    int64_t a_at = 0, b_at = 0;   /* byte offsets of the current batch's matrices */
    for (;;) {
        const char *ap = a0 + a_at, *bp = b0 + b_at;
        int status;
        switch (dtype) {
        case MT_FLOAT32:
            status = matmul_block_f32(m, n, k, (const float *)ap, rsa, csa,
                                      (const float *)bp, rsb, csb, (float *)op);
            break;
        case MT_FLOAT64:
            status = matmul_block_f64(m, n, k, (const double *)ap, rsa, csa,
                                      (const double *)bp, rsb, csb, (double *)op);
            break;
        case MT_INT64:
            status = matmul_block_i64(m, n, k, (const int64_t *)ap, rsa, csa,
                                      (const int64_t *)bp, rsb, csb, (int64_t *)op);
            break;
        default:
            status = matmul_block_b8(m, n, k, (const uint8_t *)ap, rsa, csa,
                                     (const uint8_t *)bp, rsb, csb, (uint8_t *)op);
            break;
        }
        if (status != MT_OK)
            return status;
        op += m * n * item;
        if (!odometer_step(nd, size, idx, sa, item, &a_at, sb, item, &b_at))
            return MT_OK;
    }
}

/* Sorts the plan's dims by a's stride, largest outermost (ties: out's stride), so that the
 * inner loop runs along a's smallest stride, then merges each dim into its outer
 * neighbour when both a and out step through them as through one dim. */
static void sort_and_merge(struct reduce_plan *plan)
{
    for (int i = 1; i < plan->nd; i++)   /* insertion sort: stable, nd is small */
        for (int j = i; j > 0 && (plan->as[j - 1] < plan->as[j] ||
                                  (plan->as[j - 1] == plan->as[j] &&
                                   plan->os[j - 1] < plan->os[j])); j--) {
            int64_t t;
            t = plan->size[j]; plan->size[j] = plan->size[j - 1]; plan->size[j - 1] = t;
            t = plan->as[j]; plan->as[j] = plan->as[j - 1]; plan->as[j - 1] = t;
            t = plan->os[j]; plan->os[j] = plan->os[j - 1]; plan->os[j - 1] = t;
        }
    int nd = 0;
    for (int d = 0; d < plan->nd; d++) {
        if (nd > 0 && plan->as[nd - 1] == plan->as[d] * plan->size[d]
                   && plan->os[nd - 1] == plan->os[d] * plan->size[d]) {
            plan->size[nd - 1] *= plan->size[d];
            plan->as[nd - 1] = plan->as[d];
            plan->os[nd - 1] = plan->os[d];
        } else {
            plan->size[nd] = plan->size[d];
            plan->as[nd] = plan->as[d];
            plan->os[nd] = plan->os[d];
            nd++;
        }
    }
    plan->nd = nd;
}

/* The compact strides of out (a's shape, reduced axes of size 1) into ostrides, 0 for the
 * reduced axes; returns out's size. */
static int64_t reduced_strides(int ndim, const int64_t *shape, uint64_t reduced,
                               int64_t *ostrides)
{
    int64_t n_out = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        const int is_reduced = (reduced >> d) & 1;
        ostrides[d] = is_reduced ? 0 : n_out;
        n_out *= is_reduced ? 1 : shape[d];
    }
    return n_out;
}

int mt_reduce_view(int op, int dtype, const void *a, int64_t a_offset, int ndim,
                   const int64_t *layout, uint64_t reduced, void *out)
{
    if ((unsigned)dtype > MT_BOOL || ndim < 0 || ndim > MT_MAX_NDIM)
        return MT_UNSUPPORTED;
    const int64_t *shape = layout, *strides = layout + ndim;
    int64_t ostrides[MT_MAX_NDIM];
    const int64_t n_out = reduced_strides(ndim, shape, reduced, ostrides);
    if (n_out == 0)
        return MT_OK;
    struct reduce_plan plan;
    plan.nd = 0;
    int empty = 0;
    for (int d = 0; d < ndim; d++) {
        empty = empty || shape[d] == 0;
        if (shape[d] > 1) {
            plan.size[plan.nd] = shape[d];
            plan.as[plan.nd] = strides[d];
            plan.os[plan.nd] = ostrides[d];
            plan.nd++;
        }
    }
    if (empty) {
        plan.nd = 0;                    /* sums of nothing: 0; extremes: unsupported */
    } else {
        sort_and_merge(&plan);
        if (plan.nd == 0) {             /* a single element */
            plan.nd = 1;
            plan.size[0] = 1;
            plan.as[0] = plan.os[0] = 0;
        }
    }
    const char *ap = (const char *)a + a_offset * itemsizes[dtype];
    switch (dtype) {
    case MT_FLOAT32: return reduce_view_f32(op, (const float *)ap, &plan, out, n_out);
    case MT_FLOAT64: return reduce_view_f64(op, (const double *)ap, &plan, out, n_out);
    case MT_INT64: return reduce_view_i64(op, (const int64_t *)ap, &plan, out, n_out);
    default: return reduce_view_b8(op, (const uint8_t *)ap, &plan, out, n_out);
    }
}

int mt_arg_reduce_view(int op, int dtype, const void *a, int64_t a_offset, int ndim,
                       const int64_t *layout, int axis, int64_t *out)
{
    if ((unsigned)dtype > MT_BOOL || ndim < 1 || ndim > MT_MAX_NDIM || axis < 0
            || axis >= ndim || (op != MT_MAX && op != MT_MIN))
        return MT_UNSUPPORTED;
    const int64_t *shape = layout, *strides = layout + ndim;
    int64_t ostrides[MT_MAX_NDIM];
    const int64_t n_out = reduced_strides(ndim, shape, (uint64_t)1 << axis, ostrides);
    if (n_out == 0)
        return MT_OK;
    if (shape[axis] == 0)
        return MT_UNSUPPORTED;
    struct reduce_plan plan;   /* the kept dims in a's order, then the reduced axis */
    plan.nd = 0;
    for (int d = 0; d <= ndim; d++) {
        const int dim = d < ndim ? d : axis;
        if (d < ndim && (d == axis || shape[d] == 1))
            continue;
        plan.size[plan.nd] = shape[dim];
        plan.as[plan.nd] = strides[dim];
        plan.os[plan.nd] = ostrides[dim];
        plan.nd++;
    }
    const char *ap = (const char *)a + a_offset * itemsizes[dtype];
    const int is_max = op == MT_MAX;
    switch (dtype) {
    case MT_FLOAT32: return arg_reduce_view_f32(is_max, (const float *)ap, &plan, out);
    case MT_FLOAT64: return arg_reduce_view_f64(is_max, (const double *)ap, &plan, out);
    case MT_INT64: return arg_reduce_view_i64(is_max, (const int64_t *)ap, &plan, out);
    default: return arg_reduce_view_b8(is_max, (const uint8_t *)ap, &plan, out);
    }
}

/* ---- optimizer updates: a large parameter is updated by all threads ------------------ */

struct sgd_args {
    int dtype;
    const char *grad;
    char *buf;
    double lr, momentum, dampening, weight_decay;
    int nesterov, first_step;
    char *param;
};

static void sgd_range(void *context, int64_t begin, int64_t end)
{
    const struct sgd_args *s = context;
    const int64_t at = begin * itemsizes[s->dtype];
    char *buf = s->buf == NULL ? NULL : s->buf + at;
    if (s->dtype == MT_FLOAT32)
        sgd_step_f32((const float *)(s->grad + at), (float *)buf, s->lr, s->momentum,
                     s->dampening, s->weight_decay, s->nesterov, s->first_step,
                     (float *)(s->param + at), end - begin);
    else
        sgd_step_f64((const double *)(s->grad + at), (double *)buf, s->lr, s->momentum,
                     s->dampening, s->weight_decay, s->nesterov, s->first_step,
                     (double *)(s->param + at), end - begin);
}

int mt_sgd_step(int dtype, const void *grad, void *momentum_buffer, double lr,
                double momentum, double dampening, double weight_decay, int nesterov,
                int first_step, void *param, int64_t n)
{
    if (dtype != MT_FLOAT32 && dtype != MT_FLOAT64)
        return MT_UNSUPPORTED;
    struct sgd_args args = {dtype, grad, momentum_buffer, lr, momentum, dampening,
                            weight_decay, nesterov, first_step, param};
    mt_parallel_for(n, PARALLEL_MIN_BYTES / itemsizes[dtype], sgd_range, &args);
    return MT_OK;
}

struct adam_args {
    int dtype;
    const char *grad;
    char *exp_avg, *exp_avg_sq;
    double step_size, bias_correction2_sqrt, lr, beta1, beta2, eps, weight_decay;
    int decoupled;
    char *param;
};

static void adam_range(void *context, int64_t begin, int64_t end)
{
    const struct adam_args *s = context;
    const int64_t at = begin * itemsizes[s->dtype];
    if (s->dtype == MT_FLOAT32)
        adam_step_f32((const float *)(s->grad + at), (float *)(s->exp_avg + at),
                      (float *)(s->exp_avg_sq + at), s->step_size, s->bias_correction2_sqrt,
                      s->lr, s->beta1, s->beta2, s->eps, s->weight_decay, s->decoupled,
                      (float *)(s->param + at), end - begin);
    else
        adam_step_f64((const double *)(s->grad + at), (double *)(s->exp_avg + at),
                      (double *)(s->exp_avg_sq + at), s->step_size, s->bias_correction2_sqrt,
                      s->lr, s->beta1, s->beta2, s->eps, s->weight_decay, s->decoupled,
                      (double *)(s->param + at), end - begin);
}

int mt_adam_step(int dtype, const void *grad, void *exp_avg, void *exp_avg_sq,
                 double step_size, double bias_correction2_sqrt, double lr, double beta1,
                 double beta2, double eps, double weight_decay, int decoupled, void *param,
                 int64_t n)
{
    if (dtype != MT_FLOAT32 && dtype != MT_FLOAT64)
        return MT_UNSUPPORTED;
    struct adam_args args = {dtype, grad, exp_avg, exp_avg_sq, step_size,
                             bias_correction2_sqrt, lr, beta1, beta2, eps, weight_decay,
                             decoupled, param};
    mt_parallel_for(n, PARALLEL_MIN_BYTES / itemsizes[dtype], adam_range, &args);
    return MT_OK;
}
