/* kernels.h -- the C entry points of minitorch's `c` backend.
 *
 * This header is both the C interface (included by kernels.c, gemm.c and threads.c)
 * and the cffi `cdef` (build_kernels.py feeds it to cffi with the preprocessor lines
 * removed), so it holds only plain declarations: no macros, no inline code.
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

#include <stddef.h>
#include <stdint.h>

enum mt_dtype { MT_FLOAT32, MT_FLOAT64, MT_INT64, MT_BOOL };

enum mt_status {
    MT_OK = 0,
    MT_UNSUPPORTED = 1,     /* this op is not defined for this dtype (e.g. exp of int64) */
    MT_ZERO_DIVISION = 2,   /* integer floordiv/mod/fmod with a zero divisor */
    MT_NO_MEMORY = 3        /* the GEMM could not allocate its packing buffers */
};

enum mt_unary_op { MT_NEG, MT_ABS, MT_SIGN, MT_EXP, MT_LOG, MT_SQRT, MT_SIN, MT_COS, MT_TANH,
                   MT_SIGMOID, MT_RELU, MT_TAN, MT_ASIN, MT_ACOS, MT_ATAN, MT_SINH, MT_COSH,
                   MT_ASINH, MT_ACOSH, MT_ATANH, MT_BITWISE_NOT };
/* The comparisons come last: mt_binary sends every op from MT_EQ on to them. */
enum mt_binary_op { MT_ADD, MT_SUB, MT_MUL, MT_DIV, MT_FLOORDIV, MT_MOD, MT_POW, MT_MAXIMUM,
                    MT_MINIMUM, MT_ATAN2, MT_FMOD, MT_BITWISE_AND, MT_BITWISE_OR,
                    MT_BITWISE_XOR, MT_BITWISE_LEFT_SHIFT, MT_BITWISE_RIGHT_SHIFT,
                    MT_EQ, MT_NE, MT_LT, MT_LE, MT_GT, MT_GE };
enum mt_reduce_op { MT_SUM, MT_MAX, MT_MIN };

/* The most dimensions mt_copy, mt_reduce_view and mt_arg_reduce_view accept, and the
 * most batch dimensions of mt_matmul_view. */
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

/* unary: for i < n: out[i] = OP(a[i])           (a and out of `dtype`)
 * Float ops follow libm (nan outside the domain); MT_BITWISE_NOT is ~x for int64 and
 * !x for bool. An op undefined for the dtype returns MT_UNSUPPORTED. */
int mt_unary(int op, int dtype, const void *a, void *out, int64_t n);

/* binary: for i < n: out[i] = OP(a[i], b[i])    (a, b of `dtype`; out of `dtype`, or
 * bool for the comparisons MT_EQ..MT_GE). Integer floordiv/mod/fmod return
 * MT_ZERO_DIVISION before writing anything when some b[i] == 0. The int64 shifts give
 * 0 (left) or the sign fill (right) for a shift outside [0, 64), as torch. */
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

/* take_rows: for i < n, j < row_size:
 *     out[i*row_size + j] = a[offset + index[i]*row_size + j]
 * (a row gather, one memcpy per row; every index[i] is a valid row of a's block) */
int mt_take_rows(int dtype, const void *a, int64_t offset, int64_t row_size,
                 const int64_t *index, int64_t n, void *out);

/* ---- strided kernels (the *_view fast paths) ----------------------------------------
 * A strided operand is (pointer, offset, shape, strides): element idx of it is
 * a[offset + sum(idx[d] * strides[d])]. Strides are >= 0 (0: a broadcast dim). The
 * outputs are compact (row-major, starting at `out`). */

/* matmul_view: with batch index tuples p of batch_shape = layout[0:nbatch] and
 *     A(p) = a + a_offset + sum(p[d] * layout[nbatch + d])        (a's batch strides)
 *     B(p) = b + b_offset + sum(p[d] * layout[2*nbatch + d])      (b's batch strides)
 * and P the row-major rank of p:
 *     for i < m, j < n: out[(P*m + i)*n + j] =
 *         sum(A(p)[i*rsa + t*csa] * B(p)[t*rsb + j*csb] for t < k)
 * (int64 wraps, bool is OR of ANDs). A batch stride of 0 broadcasts that operand;
 * transposed or sliced matrices are read in place through (rs, cs). nbatch may be 0
 * (layout unused) and must be <= MT_MAX_NDIM. */
int mt_matmul_view(int dtype, int nbatch, const int64_t *layout, int64_t m, int64_t k,
                   int64_t n, const void *a, int64_t a_offset, int64_t rsa, int64_t csa,
                   const void *b, int64_t b_offset, int64_t rsb, int64_t csb, void *out);

/* reduce_view: shape = layout[0:ndim], strides = layout[ndim:2*ndim]; axis d is reduced
 * when bit d of `reduced` is set. out is compact with a's shape, reduced axes of size 1:
 *     for every index tuple idx of shape:
 *         out[rank of idx with reduced axes set to 0] = OP over all such a elements
 *     a element of idx: a[a_offset + sum(idx[d] * strides[d])]
 * OP is MT_SUM (empty: 0; float32 accumulates in double), MT_MAX or MT_MIN (nan
 * propagates; MT_UNSUPPORTED when a reduced axis is empty and out is not). ndim <= 64. */
int mt_reduce_view(int op, int dtype, const void *a, int64_t a_offset, int ndim,
                   const int64_t *layout, uint64_t reduced, void *out);

/* arg_reduce_view: like reduce_view with the one axis `axis` reduced, out int64:
 *     out[...] = the first t < shape[axis] where a[..., t, ...] is the max (op MT_MAX) or
 *                min (MT_MIN) of its row; a nan counts as the extreme (the first nan wins)
 * MT_UNSUPPORTED when shape[axis] == 0 and out is not empty. */
int mt_arg_reduce_view(int op, int dtype, const void *a, int64_t a_offset, int ndim,
                       const int64_t *layout, int axis, int64_t *out);

/* ---- optimizer updates (float32/float64, in place, n elements each) -----------------
 * Scalars arrive as double and are rounded to the buffers' dtype (torch's arithmetic
 * for a float32 parameter is float32 arithmetic). */

/* sgd_step: for i < n:
 *     g = grad[i] + weight_decay * param[i]          (the term only if weight_decay != 0)
 *     if momentum_buffer != NULL:
 *         buf[i] = g if first_step else momentum * buf[i] + (1 - dampening) * g
 *         g = g + momentum * buf[i] if nesterov else buf[i]
 *     param[i] -= lr * g */
int mt_sgd_step(int dtype, const void *grad, void *momentum_buffer, double lr,
                double momentum, double dampening, double weight_decay, int nesterov,
                int first_step, void *param, int64_t n);

/* adam_step: for i < n, with step_size = lr / (1 - beta1**step) and
 * bias_correction2_sqrt = sqrt(1 - beta2**step) (computed by the caller):
 *     g = grad[i]
 *     if decoupled: param[i] *= 1 - lr * weight_decay
 *     elif weight_decay != 0: g = g + weight_decay * param[i]
 *     exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
 *     exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
 *     param[i] -= step_size * (exp_avg[i] / (sqrt(exp_avg_sq[i]) / bias_correction2_sqrt + eps)) */
int mt_adam_step(int dtype, const void *grad, void *exp_avg, void *exp_avg_sq,
                 double step_size, double bias_correction2_sqrt, double lr, double beta1,
                 double beta2, double eps, double weight_decay, int decoupled, void *param,
                 int64_t n);

/* ---- validation helpers ------------------------------------------------------------ */

/* The first i < n with index[i] outside [0, limit), or -1 when there is none. */
int64_t mt_find_out_of_range(const int64_t *index, int64_t n, int64_t limit);

/* ---- GEMM (gemm.c) -------------------------------------------------------------------- */

/* gemm (float32/float64): for i < m, j < n:
 *     c[i*n + j] = (bias ? bias[j] : 0) + sum(a[i*rsa + t*csa] * b[t*rsb + j*csb] for t < k)
 * a and b may be given transposed through their row/column strides (rs*, cs*). */
int mt_gemm(int dtype, int64_t m, int64_t n, int64_t k, const void *a, int64_t rsa,
            int64_t csa, const void *b, int64_t rsb, int64_t csb, const void *bias, void *c);

/* ---- memory (memory.c) -------------------------------------------------------------- */

/* The allocator of large CBuffers and the GEMM's workspaces: 64-byte aligned blocks
 * (NULL when out of memory); freed blocks of MT_CACHE_MIN_BYTES and more are cached (at
 * most 256 MiB) for the next allocation of the same size. mt_free(NULL) does nothing. */
enum { MT_CACHE_MIN_BYTES = 32768 };
void *mt_alloc(size_t nbytes);
void mt_free(void *memory);
/* 1 unless the build has AddressSanitizer (which then sees every free); the bytes held
 * by the cache now; mt_empty_cache gives them all back to the system. */
int mt_cache_enabled(void);
size_t mt_cached_bytes(void);
void mt_empty_cache(void);

/* ---- threads (threads.c) ------------------------------------------------------------ */

/* Threads the kernels may use (>= 1): the GEMM (products under ~2 MFLOP always run on
 * one), take_rows, sgd_step and adam_step on large arrays. Setting it also resets the
 * oversubscription guard (mt_thread_backoff() is 0 after it). */
void mt_set_num_threads(int n);
int mt_get_num_threads(void);
/* 1 when the extension was compiled with OpenMP. */
int mt_openmp_enabled(void);
/* Parallel regions still to run on one thread because a recent one stalled at its join
 * (another process held a CPU; see threads.c's oversubscription guard); 0 on an idle
 * machine. */
int mt_thread_backoff(void);

/* The micro-kernel in use ("avx512", "avx2", "generic"); mt_gemm_use_isa selects one by
 * name and returns 0, or -1 when this CPU (or this build) cannot run it. */
const char *mt_gemm_isa(void);
int mt_gemm_use_isa(const char *name);

/* ---- fused kernels (float32/float64) ------------------------------------------------ */

/* relu_backward: for i < n: out[i] = x[i] <= 0 ? 0 : grad[i] (a nan x passes grad on) */
int mt_relu_backward(int dtype, const void *grad, const void *x, void *out, int64_t n);

/* log_softmax: for each row r < rows of `cols` values:
 *     out[r, c] = x[r, c] - max(x[r]) - log(sum(exp(x[r] - max(x[r])))) */
int mt_log_softmax(int dtype, const void *x, int64_t rows, int64_t cols, void *out);

/* log_softmax_backward: out[r, c] = grad[r, c] - exp(y[r, c]) * sum(grad[r]) */
int mt_log_softmax_backward(int dtype, const void *grad, const void *y, int64_t rows,
                            int64_t cols, void *out);

/* cross_entropy: for each row r < rows of `cols` values:
 *     out[r] = logsumexp(logits[r]) - logits[r, target[r]]
 *     probs[r, c] = softmax(logits[r])[c] = exp(logits[r, c] - logsumexp(logits[r]))
 * (target is int64 with every value in [0, cols); probs has rows * cols elements) */
int mt_cross_entropy(int dtype, const void *logits, const int64_t *target, int64_t rows,
                     int64_t cols, void *out, void *probs);

/* cross_entropy_backward, from the probs that cross_entropy wrote:
 *     out[r, c] = grad[r] * (probs[r, c] - (c == target[r])) */
int mt_cross_entropy_backward(int dtype, const void *probs, const int64_t *target,
                              const void *grad, int64_t rows, int64_t cols, void *out);

#endif
