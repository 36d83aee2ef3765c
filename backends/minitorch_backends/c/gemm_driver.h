/* gemm_driver.h -- packing and the blocked GEMM loop nest for one dtype.
 *
 * A template, not a header: gemm.c includes it twice, after defining T (float, double),
 * SFX (f32, f64; FN(x) names x_SFX) and MICROKERNELS, the initializer of this dtype's
 * micro-kernel table indexed by enum isa; gemm.c also defines FN(transpose) and LANES_SFX.
 */

#define LANES CAT(LANES, SFX)   /* elements per 16-byte vector: FN(transpose)'s block */

typedef struct {
    int mr, nr;   /* the tile: mr rows of A times nr columns of B */
    void (*run)(int64_t kc, const T *a, const T *b, T *c, int64_t ldc, int beta);
} FN(microkernel);

static const FN(microkernel) FN(microkernels)[] = MICROKERNELS;

/* Packs the mc x kc block A[i][p] = a[i*rsa + p*csa] into mr-tall slivers, zero rows past mc:
 *     ap[(i / mr) * mr * kc + p * mr + i % mr] = A[i][p] */
static void FN(pack_a)(int mr, int64_t mc, int64_t kc, const T *restrict a, int64_t rsa,
                       int64_t csa, T *restrict ap)
{
    if (rsa == 1 && csa != 1) {   /* A transposed (e.g. grad.mT in a weight gradient): its
                                   * columns are contiguous, so read mr of them per step */
        for (int64_t i0 = 0; i0 < mc; i0 += mr, ap += mr * kc) {
            const int rows = (int)min64(mr, mc - i0);
            for (int64_t p = 0; p < kc; p++) {
                const T *column = a + i0 + p * csa;
                for (int i = 0; i < rows; i++)
                    ap[p * mr + i] = column[i];
                for (int i = rows; i < mr; i++)
                    ap[p * mr + i] = 0;
            }
        }
        return;
    }
    for (int64_t i0 = 0; i0 < mc; i0 += mr, ap += mr * kc) {
        int64_t p = 0;
        if (csa == 1 && mr % LANES == 0 && i0 + mr <= mc)   /* rows contiguous along k:
                                                              * transpose LANES-square blocks */
            for (; p + LANES <= kc; p += LANES)
                for (int i = 0; i < mr; i += LANES)
                    FN(transpose)(a + (i0 + i) * rsa + p, rsa, ap + p * mr + i, mr);
        for (int i = 0; i < mr; i++)
            if (i0 + i < mc)
                for (int64_t q = p; q < kc; q++)
                    ap[q * mr + i] = a[(i0 + i) * rsa + q * csa];
            else
                for (int64_t q = p; q < kc; q++)
                    ap[q * mr + i] = 0;
    }
}

/* Packs one sliver, the kc x cols block B[p][j] = b[p*rsb + j*csb], zero columns past cols:
 *     bp[p * nr + j] = B[p][j]      for p < kc, j < nr */
static void FN(pack_b)(int nr, int64_t kc, int64_t cols, const T *restrict b, int64_t rsb,
                       int64_t csb, T *restrict bp)
{
    if (csb == 1)   /* rows of B are contiguous: copy them */
        for (int64_t p = 0; p < kc; p++)
            for (int64_t j = 0; j < cols; j++)
                bp[p * nr + j] = b[p * rsb + j];
    else {          /* e.g. linear's weight, B transposed: with its columns contiguous
                     * (rsb == 1), LANES-square blocks are transposed whole; the rest is
                     * read down the columns, 64 rows of bp at a time so that the rows
                     * written stay in L1 */
        int64_t whole_cols = 0, whole_rows = 0;
        if (rsb == 1 && nr % LANES == 0) {
            whole_cols = cols / LANES * LANES;
            whole_rows = kc / LANES * LANES;
        }
        for (int64_t j = 0; j < whole_cols; j += LANES)
            for (int64_t p = 0; p < whole_rows; p += LANES)
                FN(transpose)(b + p + j * csb, csb, bp + p * nr + j, nr);
        for (int64_t p0 = 0; p0 < kc; p0 += 64)
            for (int64_t j = 0; j < cols; j++) {
                const int64_t done = j < whole_cols ? whole_rows : 0;   /* by transposes */
                for (int64_t p = p0 > done ? p0 : done; p < p0 + 64 && p < kc; p++)
                    bp[p * nr + j] = b[p * rsb + j * csb];
            }
    }
    for (int64_t p = 0; p < kc; p++)
        for (int64_t j = cols; j < nr; j++)
            bp[p * nr + j] = 0;
}

/* One rows x cols tile of C from a pair of slivers: the micro-kernel itself when the tile
 * is full, else the micro-kernel into a scratch tile and the valid part copied out. */
static void FN(tile)(const FN(microkernel) *uk, int64_t kc, const T *ap, const T *bp, T *c,
                     int64_t ldc, int64_t rows, int64_t cols, int beta)
{
    if (rows == uk->mr && cols == uk->nr) {
        uk->run(kc, ap, bp, c, ldc, beta);
        return;
    }
    T scratch[MAX_TILE];
    uk->run(kc, ap, bp, scratch, uk->nr, 0);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++)
            c[i * ldc + j] = (beta ? c[i * ldc + j] : 0) + scratch[i * uk->nr + j];
}

/* The single-threaded loop nest (Goto / BLIS) over an m x n block of C (row stride ldc),
 * for one thread: for each kc x nc panel of B, packed into bp, the rows are packed mc at
 * a time into ap and swept against the panel one mr x nr tile at a time. The A sliver
 * (mr x kc) stays in L1 while the B panel (kc x nc <= PANEL_BYTES) streams from L2. C
 * starts from its contents when `accumulate`, else from zero. Not inlined: inside the
 * OpenMP region the compiler reloads the loop bounds from memory, which costs ~6%
 * (measured). */
__attribute__((noinline))
static void FN(gemm_rows)(const FN(microkernel) *uk, int64_t m, int64_t n, int64_t k,
                          const T *a, int64_t rsa, int64_t csa, const T *b, int64_t rsb,
                          int64_t csb, int accumulate, T *c, int64_t ldc, int64_t kc_max,
                          int64_t nc_max, int64_t mc_max, T *bp, T *ap)
{
    const int mr = uk->mr, nr = uk->nr;
    for (int64_t jc = 0; jc < n; jc += nc_max) {
        const int64_t nc = min64(nc_max, n - jc);
        for (int64_t pc = 0; pc < k; pc += kc_max) {
            const int64_t kc = min64(kc_max, k - pc);
            const int beta = accumulate || pc > 0;
            for (int64_t jr = 0; jr < nc; jr += nr)
                FN(pack_b)(nr, kc, min64(nr, nc - jr), b + pc * rsb + (jc + jr) * csb, rsb,
                           csb, bp + jr * kc);
            for (int64_t ic = 0; ic < m; ic += mc_max) {
                const int64_t mc = min64(mc_max, m - ic);
                FN(pack_a)(mr, mc, kc, a + ic * rsa + pc * csa, rsa, csa, ap);
                for (int64_t ir = 0; ir < mc; ir += mr)
                    for (int64_t jr = 0; jr < nc; jr += nr)
                        FN(tile)(uk, kc, ap + ir * kc, bp + jr * kc,
                                 c + (ic + ir) * ldc + jc + jr, ldc, min64(mr, mc - ir),
                                 min64(nr, nc - jr), beta);
            }
        }
    }
}

static int FN(gemm)(int64_t m, int64_t n, int64_t k, const T *a, int64_t rsa, int64_t csa,
                    const T *b, int64_t rsb, int64_t csb, const T *bias, T *c);

/* gemm for a narrow C (n at most half a micro-kernel tile wide, e.g. a linear layer with
 * 10 outputs): the micro-kernel would compute nr columns for n, so it computes the
 * transposed product C^T = B^T A^T (n rows, the narrow side now split in mr-row slivers)
 * into a scratch block, whose transpose then lands in c with the bias. */
static int FN(gemm_narrow)(int64_t m, int64_t n, int64_t k, const T *a, int64_t rsa,
                           int64_t csa, const T *b, int64_t rsb, int64_t csb, const T *bias,
                           T *c)
{
    T *transposed = mt_alloc((size_t)(m * n) * sizeof(T));
    if (transposed == NULL)
        return MT_NO_MEMORY;
    const int status = FN(gemm)(n, m, k, b, csb, rsb, a, csa, rsa, NULL, transposed);
    if (status == MT_OK)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++)
                c[i * n + j] = (bias != NULL ? bias[j] : 0) + transposed[j * m + i];
    mt_free(transposed);
    return status;
}

/* gemm: for i < m, j < n:
 *     c[i*n + j] = (bias ? bias[j] : 0) + sum(a[i*rsa + t*csa] * b[t*rsb + j*csb] for t < k)
 *
 * Threads split the product evenly into bands, each of which runs gemm_rows with its own
 * packing buffers: bands of rows or of columns, whichever leaves the busiest thread fewer
 * micro-kernel tiles; on a tie, the split in which every thread packs the smaller
 * operand whole (measured: a weight gradient 128x128 @ 128x784 in bands of 64 rows, 8 x
 * 25 tiles each, took 132 us on two threads; in bands of 416 and 368 columns, 16 x 13
 * tiles for the first, 140 us, though each thread packs less). When both operands are
 * contiguous along k (linear's x @ weight.T) and k is the largest dim, packing either
 * whole is a full transpose per thread, so the threads split k instead: each packs its
 * share of both and the partial products are added at the end (measured: 128x784 @
 * 784x128 on two threads, 140 -> 132 us). The threads never wait for each other until
 * the end (barriers inside the product cost milliseconds whenever another process holds
 * a core). Blocks are split evenly: k = 820 gives three blocks of about 274, not 400 +
 * 400 + 20. */
static int FN(gemm)(int64_t m, int64_t n, int64_t k, const T *a, int64_t rsa, int64_t csa,
                    const T *b, int64_t rsb, int64_t csb, const T *bias, T *c)
{
    const FN(microkernel) *uk = &FN(microkernels)[current_isa()];
    if (2 * n <= uk->nr && n > 0 && n < m && k > 0)
        return FN(gemm_narrow)(m, n, k, a, rsa, csa, b, rsb, csb, bias, c);
    if (k == 0 || bias != NULL)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++)
                c[i * n + j] = bias != NULL ? bias[j] : 0;
    if (m == 0 || n == 0 || k == 0)
        return MT_OK;
    const int mr = uk->mr, nr = uk->nr;
    const int max_threads = 2.0 * m * n * k < PARALLEL_MIN_FLOPS || mt_get_num_threads() == 1
                            || !mt_threads_allowed() ? 1 : mt_get_num_threads();
    /* tiles the busiest thread computes with bands of rows, or of columns */
    const int64_t m_slivers = ceil_div(m, mr), n_slivers = ceil_div(n, nr);
    const int64_t row_tiles = ceil_div(m_slivers, max_threads) * n_slivers;
    const int64_t column_tiles = ceil_div(n_slivers, max_threads) * m_slivers;
    const enum split split = max_threads == 1 ? SPLIT_ROWS
                           : csa == 1 && rsb == 1 && k > m && k > n ? SPLIT_DEPTH
                           : column_tiles < row_tiles || (column_tiles == row_tiles && n > m)
                           ? SPLIT_COLUMNS : SPLIT_ROWS;
    const int64_t span = split == SPLIT_DEPTH ? k : split == SPLIT_COLUMNS ? n : m;
    const int64_t unit = split == SPLIT_DEPTH ? LANES : split == SPLIT_COLUMNS ? nr : mr;
    const int64_t band = round_up(ceil_div(span, max_threads), unit);
    const int threads = (int)ceil_div(span, band);
    const int64_t band_rows = split == SPLIT_ROWS ? band : m;
    const int64_t band_cols = split == SPLIT_COLUMNS ? band : n;
    const int64_t kc_max = even_block(split == SPLIT_DEPTH ? band : k, KC, 1);
    const int64_t nc_max = even_block(band_cols, PANEL_BYTES / (kc_max * (int64_t)sizeof(T)),
                                      nr);
    const int64_t mc_max = even_block(band_rows, MC, mr);
    /* each thread's bp stays aligned for the micro-kernel's vector loads; with a split
     * of k, threads after the first also keep their own m x n copy of C */
    const int64_t panel = kc_max * round_up(nc_max, nr);
    const int64_t packing = panel + round_up(mc_max * kc_max, 64);
    const int64_t workspace = packing + (split == SPLIT_DEPTH ? round_up(m * n, 64) : 0);
    /* mt_alloc: the cached block of the last product of this size, so no page faults */
    T *work = mt_alloc((size_t)(threads * workspace) * sizeof(T));
    if (work == NULL)
        return MT_NO_MEMORY;
#ifdef _OPENMP
    const double start = threads > 1 ? omp_get_wtime() : 0;
    double master_done = 0;
#endif
#pragma omp parallel for num_threads(threads) schedule(static, 1) if (threads > 1)
    for (int t = 0; t < threads; t++) {
        const int64_t first = t * band, size = min64(band, span - first);
        T *bp = work + t * workspace, *ap = bp + panel;
        if (split == SPLIT_COLUMNS)
            FN(gemm_rows)(uk, m, size, k, a, rsa, csa, b + first * csb, rsb, csb,
                          bias != NULL, c + first, n, kc_max, nc_max, mc_max, bp, ap);
        else if (split == SPLIT_ROWS)
            FN(gemm_rows)(uk, size, n, k, a + first * rsa, rsa, csa, b, rsb, csb,
                          bias != NULL, c + first * n, n, kc_max, nc_max, mc_max, bp, ap);
        else   /* the master sums into c, the others into their copy */
            FN(gemm_rows)(uk, m, n, size, a + first * csa, rsa, csa, b + first * rsb, rsb,
                          csb, t == 0 && bias != NULL, t == 0 ? c : bp + packing, n, kc_max,
                          nc_max, mc_max, bp, ap);
#ifdef _OPENMP
        if (t == 0 && threads > 1)   /* band 0 is the master's (schedule(static, 1)) */
            master_done = omp_get_wtime();
#endif
    }
#ifdef _OPENMP
    if (threads > 1)
        mt_record_join(master_done - start, omp_get_wtime() - master_done);
#endif
    if (split == SPLIT_DEPTH)
        for (int t = 1; t < threads; t++) {
            const T *partial = work + t * workspace + packing;
            for (int64_t i = 0; i < m * n; i++)
                c[i] += partial[i];
        }
    mt_free(work);
    return MT_OK;
}

#undef LANES
