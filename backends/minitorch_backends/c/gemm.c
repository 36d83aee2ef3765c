/* gemm.c -- the float32/float64 matrix product behind matmul and linear.
 *
 * A cache-blocked GEMM with packed panels (see gemm_driver.h for the loop nest) whose
 * inner loop is a register-tiled micro-kernel written with GCC/clang vector extensions:
 * an MR x NV grid of vector accumulators, updated with one broadcast element of A times
 * NV vectors of B per step, which the compiler keeps in registers and turns into FMAs
 * (the build passes -ffp-contract=fast).
 *
 * The default build is portable (no -march=native): on x86 each micro-kernel is compiled
 * three times, for AVX-512, AVX2+FMA and the baseline, with __attribute__((target)), and
 * the best one the CPU supports is picked at run time (__builtin_cpu_supports). Other
 * architectures get the baseline kernel with 16-byte vectors. With OpenMP (when the build
 * found it; mt_set_num_threads) each thread computes its own band of rows (or columns) of
 * C; products under PARALLEL_MIN_FLOPS run on one thread, and so do products right after
 * one whose threads stalled at the join (the oversubscription guard, below).
 *
 * Rebuild after editing: `pip install -e .`, or in place with
 * `python backends/minitorch_backends/c/build_kernels.py`.
 */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "kernels.h"
#include "threads.h"

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SFX)

enum {
    KC = 400,                 /* depth of a packed block: an 8 x 400 A sliver fits in L1 */
    MC = 96,                  /* rows of A packed per block, at most */
    PANEL_BYTES = 512 * 1024, /* a packed kc x nc panel of B, at most (it stays in L2) */
    MAX_TILE = 8 * 32         /* elements of the largest micro-kernel tile (AVX-512 f32) */
};
#define PARALLEL_MIN_FLOPS 2e6     /* smaller products run on one thread */

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

/* The size of each of the ceil(total / cap) equal blocks of total, rounded up to `multiple`. */
static inline int64_t even_block(int64_t total, int64_t cap, int64_t multiple)
{
    cap = cap > multiple ? cap : multiple;
    return round_up(ceil_div(total, ceil_div(total, cap)), multiple);
}


/* ---- instruction sets -------------------------------------------------------------- */

enum isa { ISA_GENERIC, ISA_AVX2, ISA_AVX512, ISA_COUNT };
static const char *const isa_names[ISA_COUNT] = {"generic", "avx2", "avx512"};
static int chosen_isa = -1;   /* the best supported one, found on first use */

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define X86 1
#define TARGET_AVX512 __attribute__((target("avx512f")))
#define TARGET_AVX2 __attribute__((target("avx2,fma")))
#endif

static int cpu_supports(int isa)
{
#ifdef X86
    __builtin_cpu_init();
    if (isa == ISA_AVX512)
        return __builtin_cpu_supports("avx512f");
    if (isa == ISA_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return isa == ISA_GENERIC;
}

static int current_isa(void)
{
    if (chosen_isa < 0) {
        int isa = ISA_COUNT - 1;
        while (!cpu_supports(isa))
            isa--;
        chosen_isa = isa;
    }
    return chosen_isa;
}

const char *mt_gemm_isa(void)
{
    return isa_names[current_isa()];
}

int mt_gemm_use_isa(const char *name)
{
    for (int isa = 0; isa < ISA_COUNT; isa++)
        if (strcmp(name, isa_names[isa]) == 0 && cpu_supports(isa)) {
            chosen_isa = isa;
            return 0;
        }
    return -1;
}

/* ---- micro-kernels ----------------------------------------------------------------- */

/* NAME computes one MR x NR tile of C (NR = NV vectors of VBYTES bytes) from an MR-tall
 * sliver of packed A and an NR-wide sliver of packed B (VBYTES-aligned):
 *     for i < MR, j < NR:
 *         c[i*ldc + j] = (beta ? c[i*ldc + j] : 0) + sum(a[p*MR + i] * b[p*NR + j] for p < kc)
 * and defines NAME_MR and NAME_NR for the kernel tables. */
#define DEFINE_MICROKERNEL(NAME, T, TARGET, VBYTES, MR, NV)                             \
    enum { NAME##_MR = MR, NAME##_NR = NV * VBYTES / sizeof(T) };                       \
    TARGET static void NAME(int64_t kc, const T *restrict a, const T *restrict b,       \
                            T *restrict c, int64_t ldc, int beta)                       \
    {                                                                                   \
        typedef T vec __attribute__((vector_size(VBYTES)));                             \
        typedef T unaligned_vec                                                         \
            __attribute__((vector_size(VBYTES), aligned(sizeof(T)), may_alias));        \
        const int lanes = VBYTES / sizeof(T);                                           \
        vec acc[MR][NV];                                                                \
        for (int i = 0; i < MR; i++)                                                    \
            for (int v = 0; v < NV; v++)                                                \
                acc[i][v] = (vec){0};                                                   \
        for (int64_t p = 0; p < kc; p++, a += MR, b += NV * lanes)                      \
            for (int i = 0; i < MR; i++)                                                \
                for (int v = 0; v < NV; v++)                                            \
                    acc[i][v] += a[i] * ((const vec *)b)[v];                            \
        for (int i = 0; i < MR; i++)                                                    \
            for (int v = 0; v < NV; v++) {                                              \
                unaligned_vec *out = (unaligned_vec *)(c + i * ldc + v * lanes);        \
                if (beta)                                                               \
                    *out += acc[i][v];                                                  \
                else                                                                    \
                    *out = acc[i][v];                                                   \
            }                                                                           \
    }
#define MICROKERNEL_ENTRY(NAME) {NAME##_MR, NAME##_NR, NAME}

/* Tiles: 8 x 2 zmm (16 accumulators of 32 registers) for AVX-512, 6 x 2 ymm or xmm
 * (12 of 16) for AVX2 and the baseline. */
DEFINE_MICROKERNEL(f32_generic, float, , 16, 6, 2)
DEFINE_MICROKERNEL(f64_generic, double, , 16, 6, 2)
#ifdef X86
DEFINE_MICROKERNEL(f32_avx2, float, TARGET_AVX2, 32, 6, 2)
DEFINE_MICROKERNEL(f64_avx2, double, TARGET_AVX2, 32, 6, 2)
DEFINE_MICROKERNEL(f32_avx512, float, TARGET_AVX512, 64, 8, 2)
DEFINE_MICROKERNEL(f64_avx512, double, TARGET_AVX512, 64, 8, 2)
#define F32_MICROKERNELS {MICROKERNEL_ENTRY(f32_generic), MICROKERNEL_ENTRY(f32_avx2), \
                          MICROKERNEL_ENTRY(f32_avx512)}
#define F64_MICROKERNELS {MICROKERNEL_ENTRY(f64_generic), MICROKERNEL_ENTRY(f64_avx2), \
                          MICROKERNEL_ENTRY(f64_avx512)}
#else   /* only ISA_GENERIC is ever chosen */
#define F32_MICROKERNELS {MICROKERNEL_ENTRY(f32_generic)}
#define F64_MICROKERNELS {MICROKERNEL_ENTRY(f64_generic)}
#endif

/* ---- packing transposes ------------------------------------------------------------ */

/* transpose_SFX: dst[q*ds + i] = src[i*ss + q] for i, q < LANES_SFX, the square block of
 * one 16-byte vector per row (4 floats, 2 doubles), in registers: packing an operand whose
 * contiguous dim is the depth k (linear's x and weight) is such a transpose, which
 * element by element costs ~1.5 cycles per element. 16-byte vectors, because every x86-64
 * and ARM64 CPU shuffles them natively (wider generic shuffles are scalarized by the
 * portable build). Rows need no alignment. */
enum { LANES_f32 = 4, LANES_f64 = 2 };
typedef float f32x4 __attribute__((vector_size(16)));
typedef float f32x4_unaligned __attribute__((vector_size(16), aligned(4), may_alias));
typedef double f64x2 __attribute__((vector_size(16)));
typedef double f64x2_unaligned __attribute__((vector_size(16), aligned(8), may_alias));

static inline void transpose_f32(const float *src, int64_t ss, float *dst, int64_t ds)
{
    const f32x4 r0 = *(const f32x4_unaligned *)src, r1 = *(const f32x4_unaligned *)(src + ss);
    const f32x4 r2 = *(const f32x4_unaligned *)(src + 2 * ss);
    const f32x4 r3 = *(const f32x4_unaligned *)(src + 3 * ss);
    const f32x4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5);   /* a0 b0 a1 b1 */
    const f32x4 t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);   /* a2 b2 a3 b3 */
    const f32x4 t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);   /* c0 d0 c1 d1 */
    const f32x4 t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);   /* c2 d2 c3 d3 */
    *(f32x4_unaligned *)dst = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    *(f32x4_unaligned *)(dst + ds) = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    *(f32x4_unaligned *)(dst + 2 * ds) = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    *(f32x4_unaligned *)(dst + 3 * ds) = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

static inline void transpose_f64(const double *src, int64_t ss, double *dst, int64_t ds)
{
    const f64x2 r0 = *(const f64x2_unaligned *)src, r1 = *(const f64x2_unaligned *)(src + ss);
    *(f64x2_unaligned *)dst = __builtin_shufflevector(r0, r1, 0, 2);
    *(f64x2_unaligned *)(dst + ds) = __builtin_shufflevector(r0, r1, 1, 3);
}

/* ---- the drivers ------------------------------------------------------------------- */

/* How the threads share a product: bands of rows of C, bands of columns, or bands of the
 * depth k (each thread then sums its part of k into its own copy of C). */
enum split { SPLIT_ROWS, SPLIT_COLUMNS, SPLIT_DEPTH };

#define T float
#define SFX f32
#define MICROKERNELS F32_MICROKERNELS
#include "gemm_driver.h"
#undef T
#undef SFX
#undef MICROKERNELS

#define T double
#define SFX f64
#define MICROKERNELS F64_MICROKERNELS
#include "gemm_driver.h"
#undef T
#undef SFX
#undef MICROKERNELS

int mt_gemm(int dtype, int64_t m, int64_t n, int64_t k, const void *a, int64_t rsa,
            int64_t csa, const void *b, int64_t rsb, int64_t csb, const void *bias, void *c)
{
    if (m == 0 || n == 0)   /* nothing to write (and no loop over a huge m or n) */
        return (dtype == MT_FLOAT32 || dtype == MT_FLOAT64) ? MT_OK : MT_UNSUPPORTED;
    switch (dtype) {
    case MT_FLOAT32: return gemm_f32(m, n, k, a, rsa, csa, b, rsb, csb, bias, c);
    case MT_FLOAT64: return gemm_f64(m, n, k, a, rsa, csa, b, rsb, csb, bias, c);
    default: return MT_UNSUPPORTED;
    }
}
