/* kernels.h -- the C entry points of minitorch's `c` backend.
 *
 * This header is both the C interface (included by kernels.c and gemm.c) and the
 * cffi `cdef` (build_kernels.py feeds it to cffi with the preprocessor lines removed),
 * so it holds only plain declarations: no macros, no inline code.
 *
 * Buffers are flat, contiguous arrays of one dtype (enum mt_dtype); bool is one byte
 * holding 0 or 1. The kernels trust their arguments: the Python side
 * (minitorch_backends/c_backend.py) has already checked every size, stride, offset,
 * index value and dtype, so nothing here can read or write out of bounds when called
 * from there. Sizes and strides count elements, not bytes.
 *
 * Every kernel returns MT_OK, or another enum mt_status value before writing anything.
 */
#ifndef MINITORCH_C_KERNELS_H
#define MINITORCH_C_KERNELS_H

#include <stdint.h>

enum mt_dtype { MT_FLOAT32, MT_FLOAT64, MT_INT64, MT_BOOL };

enum mt_status {
    MT_OK = 0,
    MT_UNSUPPORTED = 1,     /* this op is not defined for this dtype (e.g. exp of int64) */
    MT_ZERO_DIVISION = 2,   /* integer floordiv/mod with a zero divisor */
    MT_NO_MEMORY = 3        /* the GEMM could not allocate its packing buffers */
};

enum mt_unary_op { MT_NEG, MT_ABS, MT_SIGN, MT_EXP, MT_LOG, MT_SQRT, MT_SIN, MT_COS, MT_TANH,
                   MT_SIGMOID, MT_RELU };
enum mt_binary_op { MT_ADD, MT_SUB, MT_MUL, MT_DIV, MT_FLOORDIV, MT_MOD, MT_POW, MT_MAXIMUM,
                    MT_MINIMUM, MT_EQ, MT_NE, MT_LT, MT_LE, MT_GT, MT_GE };
enum mt_reduce_op { MT_SUM, MT_MAX, MT_MIN };

/* The most dimensions mt_copy accepts. */
enum { MT_MAX_NDIM = 64 };

/* ---- required kernels (minitorch.contract) ------------------------------------------ */

/* fill: for i < n: out[i] = value
 * Floating dtypes take `fvalue`; int64 and bool take `ivalue` (bool stores ivalue != 0). */
int mt_fill(int dtype, double fvalue, int64_t ivalue, void *out, int64_t n);

/* copy: for every index tuple idx of shape[0:ndim] (row-major order):
 *     out[out_offset + sum(idx[d] * out_strides[d])] =
 *         CONVERT(a[a_offset + sum(idx[d] * a_strides[d])])
 * CONVERT casts a_dtype to out_dtype: float -> int truncates toward zero, anything ->
 * bool is `!= 0`, bool -> number is 0/1. Requires ndim <= MT_MAX_NDIM. */
int mt_copy(int a_dtype, const void *a, const int64_t *a_strides, int64_t a_offset,
            int ndim, const int64_t *shape,
            int out_dtype, void *out, const int64_t *out_strides, int64_t out_offset);

/* unary: for i < n: out[i] = OP(a[i])           (a and out of `dtype`) */
int mt_unary(int op, int dtype, const void *a, void *out, int64_t n);

/* binary: for i < n: out[i] = OP(a[i], b[i])    (a, b of `dtype`; out of `dtype`, or
 * bool for the comparisons MT_EQ..MT_GE). Integer floordiv/mod return
 * MT_ZERO_DIVISION before writing anything when some b[i] == 0. */
int mt_binary(int op, int dtype, const void *a, const void *b, void *out, int64_t n);

/* where: for i < n: out[i] = cond[i] ? a[i] : b[i]       (cond is bool) */
int mt_where(int dtype, const uint8_t *cond, const void *a, const void *b, void *out,
             int64_t n);

/* reduce: for i < n_out: out[i] = OP(a[i*reduce_size : (i+1)*reduce_size])
 * sum of an empty row is 0; max/min propagate nan and need reduce_size > 0. */
int mt_reduce(int op, int dtype, const void *a, int64_t reduce_size, void *out, int64_t n_out);

/* matmul: for p < batch, i < m, j < n:
 *     out[(p*m + i)*n + j] = sum(a[(p*m + i)*k + t] * b[(p*k + t)*n + j] for t < k)
 * (bool: OR of ANDs). Floating dtypes use mt_gemm. */
int mt_matmul(int dtype, const void *a, const void *b, int64_t batch, int64_t m, int64_t k,
              int64_t n, void *out);

/* take: for i < n: out[i] = a[index[i]] */
int mt_take(int dtype, const void *a, const int64_t *index, void *out, int64_t n);

/* index_put: for i < n: out[index[i]] = values[i]   (or += when accumulate; bool: |=)
 * Repeated indices: the last write wins, or all of them add up. */
int mt_index_put(int dtype, const int64_t *index, const void *values, int accumulate,
                 void *out, int64_t n);

/* ---- validation helpers ------------------------------------------------------------ */

/* The first i < n with index[i] outside [0, limit), or -1 when there is none. */
int64_t mt_find_out_of_range(const int64_t *index, int64_t n, int64_t limit);

/* ---- GEMM (gemm.c) -------------------------------------------------------------------- */

/* gemm (float32/float64): for i < m, j < n:
 *     c[i*n + j] = (bias ? bias[j] : 0) + sum(a[i*rsa + t*csa] * b[t*rsb + j*csb] for t < k)
 * a and b may be given transposed through their row/column strides (rs*, cs*). */
int mt_gemm(int dtype, int64_t m, int64_t n, int64_t k, const void *a, int64_t rsa,
            int64_t csa, const void *b, int64_t rsb, int64_t csb, const void *bias, void *c);

/* Threads the GEMM may use (>= 1); products under ~2 MFLOP always run on one. */
void mt_set_num_threads(int n);
int mt_get_num_threads(void);
/* 1 when the extension was compiled with OpenMP. */
int mt_openmp_enabled(void);

/* The micro-kernel in use ("avx512", "avx2", "generic"); mt_gemm_use_isa selects one by
 * name and returns 0, or -1 when this CPU (or this build) cannot run it. */
const char *mt_gemm_isa(void);
int mt_gemm_use_isa(const char *name);

/* ---- fused kernels (float32/float64) ------------------------------------------------ */

/* relu_backward: for i < n: out[i] = x[i] > 0 ? grad[i] : 0 */
int mt_relu_backward(int dtype, const void *grad, const void *x, void *out, int64_t n);

/* log_softmax: for each row r < rows of `cols` values:
 *     out[r, c] = x[r, c] - max(x[r]) - log(sum(exp(x[r] - max(x[r])))) */
int mt_log_softmax(int dtype, const void *x, int64_t rows, int64_t cols, void *out);

/* log_softmax_backward: out[r, c] = grad[r, c] - exp(y[r, c]) * sum(grad[r]) */
int mt_log_softmax_backward(int dtype, const void *grad, const void *y, int64_t rows,
                            int64_t cols, void *out);

/* cross_entropy: out[r] = logsumexp(logits[r]) - logits[r, target[r]]
 * (target is int64 with every value in [0, cols)) */
int mt_cross_entropy(int dtype, const void *logits, const int64_t *target, int64_t rows,
                     int64_t cols, void *out);

/* cross_entropy_backward:
 *     out[r, c] = grad[r] * (softmax(logits[r])[c] - (c == target[r])) */
int mt_cross_entropy_backward(int dtype, const void *logits, const int64_t *target,
                              const void *grad, int64_t rows, int64_t cols, void *out);

#endif
