/* float_kernels.h -- the floating-point kernels: unary, arithmetic, matmul (through
 * gemm.c) and the fused training kernels.
 *
 * A template, not a header: kernels.c includes it twice, with T = float / SFX = f32 /
 * DTYPE = MT_FLOAT32 and T = double / SFX = f64 / DTYPE = MT_FLOAT64, after
 * dtype_kernels.h (it uses FN(max_row)). Math calls go through <tgmath.h>, so exp(x) is
 * expf for float and exp for double.
 */

/* 1 / (1 + e**-x), computed from e**-|x| so that exp never overflows */
static inline T FN(sigmoid)(T x)
{
    const T z = exp(-fabs(x));
    return (x >= 0 ? (T)1 : z) / ((T)1 + z);
}

/* floor(x / y) computed from fmod, as Python's float // and torch.floor_divide do */
static inline T FN(floordiv)(T x, T y)
{
    if (y == 0)
        return x / y;
    const T mod = fmod(x, y);
    T div = (x - mod) / y;
    if (mod != 0 && (y < 0) != (mod < 0))
        div -= 1;
    if (div == 0)
        return copysign((T)0, x / y);
    T floored = floor(div);
    if (div - floored > (T)0.5)
        floored += 1;
    return floored;
}

/* Python's % (torch.remainder): x - floor(x / y) * y, with the sign of y */
static inline T FN(mod)(T x, T y)
{
    T mod = fmod(x, y);
    if (mod != 0 && (y < 0) != (mod < 0))
        mod += y;
    return mod;
}

/* unary: for i < n: out[i] = OP(a[i]) */
static int FN(unary)(int op, const T *restrict a, T *restrict out, int64_t n)
{
    switch (op) {
    case MT_NEG: MAP1(T, -x); break;
    case MT_ABS: MAP1(T, fabs(x)); break;
    case MT_SIGN: MAP1(T, (T)((x > 0) - (x < 0))); break;   /* sign(nan) = 0, as in torch */
    case MT_EXP: MAP1(T, exp(x)); break;
    case MT_LOG: MAP1(T, log(x)); break;
    case MT_SQRT: MAP1(T, sqrt(x)); break;
    case MT_SIN: MAP1(T, sin(x)); break;
    case MT_COS: MAP1(T, cos(x)); break;
    case MT_TANH: MAP1(T, tanh(x)); break;
    case MT_SIGMOID: MAP1(T, FN(sigmoid)(x)); break;
    case MT_RELU: MAP1(T, x <= 0 ? 0 : x); break;           /* relu(nan) = nan */
    case MT_TAN: MAP1(T, tan(x)); break;
    case MT_ASIN: MAP1(T, asin(x)); break;
    case MT_ACOS: MAP1(T, acos(x)); break;
    case MT_ATAN: MAP1(T, atan(x)); break;
    case MT_SINH: MAP1(T, sinh(x)); break;
    case MT_COSH: MAP1(T, cosh(x)); break;
    case MT_ASINH: MAP1(T, asinh(x)); break;
    case MT_ACOSH: MAP1(T, acosh(x)); break;
    case MT_ATANH: MAP1(T, atanh(x)); break;
    default: return MT_UNSUPPORTED;
    }
    return MT_OK;
}

/* arithmetic: for i < n: out[i] = OP(a[i], b[i]) */
static int FN(arithmetic)(int op, const T *restrict a, const T *restrict b, T *restrict out,
                          int64_t n)
{
    switch (op) {
    case MT_ADD: MAP2(T, x + y); break;
    case MT_SUB: MAP2(T, x - y); break;
    case MT_MUL: MAP2(T, x * y); break;
    case MT_DIV: MAP2(T, x / y); break;
    case MT_FLOORDIV: MAP2(T, FN(floordiv)(x, y)); break;
    case MT_MOD: MAP2(T, FN(mod)(x, y)); break;
    case MT_POW: MAP2(T, pow(x, y)); break;
    case MT_MAXIMUM: MAP2(T, (x < y || y != y) ? y : x); break;  /* nan if either is nan; */
    case MT_MINIMUM: MAP2(T, (y < x || y != y) ? y : x); break;  /* x on ties, as torch */
    case MT_ATAN2: MAP2(T, atan2(x, y)); break;
    case MT_FMOD: MAP2(T, fmod(x, y)); break;
    default: return MT_UNSUPPORTED;
    }
    return MT_OK;
}

/* matmul: for p < batch: out[p] = a[p] @ b[p], with (m, k) @ (k, n) row-major blocks */
static int FN(matmul)(const T *a, const T *b, int64_t batch, int64_t m, int64_t k, int64_t n,
                      T *out)
{
    for (int64_t p = 0; p < batch; p++) {
        const int status = mt_gemm(DTYPE, m, n, k, a + p * m * k, k, 1, b + p * k * n, n, 1,
                                   NULL, out + p * m * n);
        if (status != MT_OK)
            return status;
    }
    return MT_OK;
}

/* relu_backward: for i < n: out[i] = x[i] <= 0 ? 0 : grad[i] (a nan x passes grad on) */
static int FN(relu_backward)(const T *restrict grad, const T *restrict x, T *restrict out,
                             int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        const T g = grad[i];   /* loaded unconditionally, so the select vectorizes */
        out[i] = x[i] <= 0 ? 0 : g;
    }
    return MT_OK;
}

/* log(sum(exp(x[0:n] - shift))) */
static T FN(log_sum_exp_shifted)(const T *x, int64_t n, T shift)
{
    T total = 0;
    for (int64_t i = 0; i < n; i++)
        total += exp(x[i] - shift);
    return log(total);
}

/* log_softmax: for each row r: out[r, c] = x[r, c] - max(x[r]) - log(sum(exp(x[r] - max))) */
static int FN(log_softmax)(const T *restrict x, int64_t rows, int64_t cols, T *restrict out)
{
    for (int64_t r = 0; r < rows; r++, x += cols, out += cols) {
        const T max = FN(max_row)(x, cols);
        const T log_sum = FN(log_sum_exp_shifted)(x, cols, max);
        for (int64_t c = 0; c < cols; c++)
            out[c] = x[c] - max - log_sum;
    }
    return MT_OK;
}

/* log_softmax_backward: out[r, c] = grad[r, c] - exp(y[r, c]) * sum(grad[r]) */
static int FN(log_softmax_backward)(const T *restrict grad, const T *restrict y, int64_t rows,
                                    int64_t cols, T *restrict out)
{
    for (int64_t r = 0; r < rows; r++, grad += cols, y += cols, out += cols) {
        T grad_sum = 0;
        for (int64_t c = 0; c < cols; c++)
            grad_sum += grad[c];
        for (int64_t c = 0; c < cols; c++)
            out[c] = grad[c] - exp(y[c]) * grad_sum;
    }
    return MT_OK;
}

/* cross_entropy: out[r] = logsumexp(logits[r]) - logits[r, target[r]] and
 * probs[r, c] = softmax(logits[r])[c], in one pass over the row after its max: probs
 * holds exp(logits - max) until the row's sum is known */
static int FN(cross_entropy)(const T *restrict logits, const int64_t *restrict target,
                             int64_t rows, int64_t cols, T *restrict out, T *restrict probs)
{
    for (int64_t r = 0; r < rows; r++, logits += cols, probs += cols) {
        const T max = FN(max_row)(logits, cols);
        T total = 0;
        for (int64_t c = 0; c < cols; c++)
            total += probs[c] = exp(logits[c] - max);
        out[r] = log(total) - (logits[target[r]] - max);
        const T scale = (T)1 / total;
        for (int64_t c = 0; c < cols; c++)
            probs[c] *= scale;
    }
    return MT_OK;
}

/* cross_entropy_backward: out[r, c] = grad[r] * (probs[r, c] - (c == target[r])) */
static int FN(cross_entropy_backward)(const T *restrict probs, const int64_t *restrict target,
                                      const T *restrict grad, int64_t rows, int64_t cols,
                                      T *restrict out)
{
    for (int64_t r = 0; r < rows; r++, probs += cols, out += cols) {
        const T g = grad[r];
        for (int64_t c = 0; c < cols; c++)
            out[c] = g * probs[c];
        out[target[r]] -= g;
    }
    return MT_OK;
}

/* matmul_block: for i < m, j < n:
 *     out[i*n + j] = sum(a[i*rsa + t*csa] * b[t*rsb + j*csb] for t < k)
 * one matrix of mt_matmul_view, through the GEMM (whose packing reads the strides) */
static int FN(matmul_block)(int64_t m, int64_t n, int64_t k, const T *a, int64_t rsa,
                            int64_t csa, const T *b, int64_t rsb, int64_t csb, T *out)
{
    return mt_gemm(DTYPE, m, n, k, a, rsa, csa, b, rsb, csb, NULL, out);
}

/* sgd_step: for i < n:
 *     g = grad[i] + weight_decay * param[i]          (the term only if weight_decay != 0)
 *     if buf: buf[i] = g if first_step else momentum * buf[i] + (1 - dampening) * g
 *             g = g + momentum * buf[i] if nesterov else buf[i]
 *     param[i] -= lr * g
 * No `restrict`: grad may alias param or buf without changing the result elementwise. */
static int FN(sgd_step)(const T *grad, T *buf, double lr_, double momentum_,
                        double dampening_, double weight_decay_, int nesterov,
                        int first_step, T *param, int64_t n)
{
    const T lr = (T)lr_, momentum = (T)momentum_, weight_decay = (T)weight_decay_;
    const T keep = (T)(1.0 - dampening_);
    if (buf == NULL) {
        if (weight_decay_ == 0)
            for (int64_t i = 0; i < n; i++)
                param[i] -= lr * grad[i];
        else
            for (int64_t i = 0; i < n; i++)
                param[i] -= lr * (grad[i] + weight_decay * param[i]);
        return MT_OK;
    }
    const int decay = weight_decay_ != 0;
    for (int64_t i = 0; i < n; i++) {   /* every load unconditional: the selects vectorize */
        const T p = param[i], old = buf[i];
        const T g = decay ? grad[i] + weight_decay * p : grad[i];
        const T b = first_step ? g : momentum * old + keep * g;
        buf[i] = b;
        param[i] = p - lr * (nesterov ? g + momentum * b : b);
    }
    return MT_OK;
}

/* adam_step: for i < n:
 *     g = grad[i]
 *     if decoupled: param[i] *= 1 - lr * weight_decay
 *     elif weight_decay != 0: g = g + weight_decay * param[i]
 *     exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
 *     exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
 *     param[i] -= step_size * (exp_avg[i] / (sqrt(exp_avg_sq[i]) / bias_correction2_sqrt + eps)) */
static int FN(adam_step)(const T *grad, T *exp_avg, T *exp_avg_sq, double step_size_,
                         double bias_correction2_sqrt_, double lr_, double beta1_,
                         double beta2_, double eps_, double weight_decay_, int decoupled,
                         T *param, int64_t n)
{
    const T step_size = (T)step_size_, correction = (T)bias_correction2_sqrt_;
    const T beta1 = (T)beta1_, beta2 = (T)beta2_, eps = (T)eps_;
    const T rest1 = (T)(1.0 - beta1_), rest2 = (T)(1.0 - beta2_);
    const T weight_decay = (T)weight_decay_, decay = (T)(1.0 - lr_ * weight_decay_);
    const int coupled_decay = !decoupled && weight_decay_ != 0;
    for (int64_t i = 0; i < n; i++) {   /* every load unconditional: the selects vectorize */
        const T p = decoupled ? param[i] * decay : param[i];
        const T g = coupled_decay ? grad[i] + weight_decay * p : grad[i];
        const T m = beta1 * exp_avg[i] + rest1 * g;
        const T v = beta2 * exp_avg_sq[i] + rest2 * g * g;
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
        param[i] = p - step_size * (m / (sqrt(v) / correction + eps));
    }
    return MT_OK;
}
