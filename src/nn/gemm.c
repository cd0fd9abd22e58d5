/* gemm.c: see gemm.h. The kernel keeps a tile of C in 24 zmm registers
 * (8 rows x 48 columns, or 12 x 32, or 24 x 16 for narrow panels); per k
 * it loads B's row k once and broadcasts one element of A per row, so 8
 * rows x 3 vectors are 24 FMAs for 11 loads. */
#include "nn/gemm.h"

#include <cblas.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(DIVSHARE_NO_AVX512_GEMM)
#define GEMM_AVX512 1
#include <immintrin.h>
#endif

#ifdef GEMM_AVX512
/* K runs in blocks of KC so the B panel a tile sweeps (KC rows of up to 48
 * floats) stays in L1 while the row blocks of A pass over it; C takes each
 * block's sums in turn. So each element of C is the same sum, in the same
 * order, whatever M, N and the tiling: k in order within a block, blocks
 * in order. */
#define KC 128
#define MAX_ROWS 24

/* rows x (nv x 16) elements of C, columns masked by m[0..nv). rows and nv
 * are constants at every call, so acc lives in registers: 24 rows x 1
 * vector, 12 x 2 or 8 x 3. */
__attribute__((target("avx512f"), always_inline)) static inline void
tile(const int rows, const int nv, int K, gemm_a A, const float *b, size_t ldb, float *c, size_t ldc, int add,
     const __mmask16 *m) {
    __m512 acc[MAX_ROWS][3];
#pragma GCC unroll 24
    for (int i = 0; i < MAX_ROWS; i++)
#pragma GCC unroll 3
        for (int j = 0; j < 3; j++)
            if (i < rows && j < nv) acc[i][j] = _mm512_setzero_ps();
    for (int k = 0; k < K; k++) {
        const float *bk = b + (size_t)k * ldb;
        __m512 bv[3];
#pragma GCC unroll 3
        for (int j = 0; j < 3; j++)
            if (j < nv) bv[j] = _mm512_maskz_loadu_ps(m[j], bk + 16 * j);
        const float *ak = A.a + (size_t)k * A.col;
#pragma GCC unroll 24
        for (int i = 0; i < MAX_ROWS; i++)
            if (i < rows) {
                __m512 ai = _mm512_set1_ps(ak[(size_t)i * A.row]);
#pragma GCC unroll 3
                for (int j = 0; j < 3; j++)
                    if (j < nv) acc[i][j] = _mm512_fmadd_ps(ai, bv[j], acc[i][j]);
            }
    }
#pragma GCC unroll 24
    for (int i = 0; i < MAX_ROWS; i++)
        if (i < rows) {
            float *ci = c + (size_t)i * ldc;
#pragma GCC unroll 3
            for (int j = 0; j < 3; j++)
                if (j < nv) {
                    __m512 v = acc[i][j];
                    if (add) v = _mm512_add_ps(_mm512_maskz_loadu_ps(m[j], ci + 16 * j), v);
                    _mm512_mask_storeu_ps(ci + 16 * j, m[j], v);
                }
        }
}

static __mmask16 lane_mask(int n) { return n >= 16 ? (__mmask16)0xffff : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

/* One column panel of nv vectors, all M rows: tiles of the panel's full
 * height, then the remaining rows in tiles of 4, 2 and 1. */
#define PANEL(NV, MR)                                                                          \
    __attribute__((target("avx512f"))) static void panel##NV(int M, int K, gemm_a A, const float *b, \
                                                            size_t ldb, float *c, size_t ldc, int add, \
                                                            const __mmask16 *m) {                       \
        int r = 0;                                                                             \
        for (; r + MR <= M; r += MR)                                                           \
            tile(MR, NV, K, (gemm_a){A.a + (size_t)r * A.row, A.row, A.col}, b, ldb,           \
                 c + (size_t)r * ldc, ldc, add, m);                                            \
        for (; r + 4 <= M; r += 4)                                                             \
            tile(4, NV, K, (gemm_a){A.a + (size_t)r * A.row, A.row, A.col}, b, ldb,            \
                 c + (size_t)r * ldc, ldc, add, m);                                            \
        for (; r + 2 <= M; r += 2)                                                             \
            tile(2, NV, K, (gemm_a){A.a + (size_t)r * A.row, A.row, A.col}, b, ldb,            \
                 c + (size_t)r * ldc, ldc, add, m);                                            \
        for (; r < M; r++)                                                                     \
            tile(1, NV, K, (gemm_a){A.a + (size_t)r * A.row, A.row, A.col}, b, ldb,            \
                 c + (size_t)r * ldc, ldc, add, m);                                            \
    }
PANEL(1, 24)
PANEL(2, 12)
PANEL(3, 8)

__attribute__((target("avx512f"))) static void gemm_avx512(int M, int N, int K, gemm_a A, const float *b,
                                                         size_t ldb, float *c, size_t ldc, int accumulate) {
    const int blocks = K > 0 ? (K + KC - 1) / KC : 1; /* K = 0: one empty block, C = 0 or C */
    for (int kb = 0; kb < blocks; kb++) {
        const int k0 = kb * KC, kc = K - k0 < KC ? K - k0 : KC;
        int add = accumulate || k0 > 0;
        gemm_a Ak = {A.a + (size_t)k0 * A.col, A.row, A.col};
        const float *bk = b + (size_t)k0 * ldb;
        /* panels of 48 columns; a last one of up to 16 or 32 gets a
         * narrower, taller tile */
        for (int n0 = 0; n0 < N;) {
            int n = N - n0;
            __mmask16 m[3] = {lane_mask(n), lane_mask(n - 16), lane_mask(n - 32)};
            if (n <= 16) panel1(M, kc, Ak, bk + n0, ldb, c + n0, ldc, add, m);
            else if (n <= 32) panel2(M, kc, Ak, bk + n0, ldb, c + n0, ldc, add, m);
            else panel3(M, kc, Ak, bk + n0, ldb, c + n0, ldc, add, m);
            n0 += n < 48 ? n : 48;
        }
    }
}
#endif

size_t gemm_abt_floats(int M, int N, int K) {
    return gemm_bcast_native() ? (size_t)M * ((size_t)K + (size_t)N) : 0; /* OpenBLAS needs none */
}

void gemm_abt(int M, int N, int K, const float *a, size_t lda, const float *b, size_t ldb, float *c,
              size_t ldc, float *scratch) {
    if (M <= 0 || N <= 0 || K <= 0) return;
    if (!gemm_bcast_native()) {
        gemm_abt_blas(M, N, K, a, lda, b, ldb, c, ldc);
        return;
    }
    float *at = scratch, *ct = scratch + (size_t)K * M; /* A^T [K][M], C^T [N][M] */
    for (int k = 0; k < K; k++) {
        float *atk = at + (size_t)k * M;
        for (int m = 0; m < M; m++) atk[m] = a[(size_t)m * lda + k];
    }
    gemm_bcast(N, M, K, (gemm_a){b, ldb, 1}, at, (size_t)M, ct, (size_t)M, 0);
    for (int m = 0; m < M; m++) {
        float *cm = c + (size_t)m * ldc;
        for (int n = 0; n < N; n++) cm[n] += ct[(size_t)n * M + m];
    }
}

void gemm_abt_blas(int M, int N, int K, const float *a, size_t lda, const float *b, size_t ldb, float *c,
                   size_t ldc) {
    if (M <= 0 || N <= 0 || K <= 0) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, a, (int)lda, b, (int)ldb, 1.0f, c, (int)ldc);
}

int gemm_bcast_native(void) {
#ifdef GEMM_AVX512
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

void gemm_bcast(int M, int N, int K, gemm_a A, const float *b, size_t ldb, float *c, size_t ldc,
                int accumulate) {
    if (M <= 0 || N <= 0) return;
#ifdef GEMM_AVX512
    if (gemm_bcast_native()) {
        gemm_avx512(M, N, K, A, b, ldb, c, ldc, accumulate);
        return;
    }
#endif
    gemm_bcast_blas(M, N, K, A, b, ldb, c, ldc, accumulate);
}

void gemm_bcast_blas(int M, int N, int K, gemm_a A, const float *b, size_t ldb, float *c, size_t ldc,
                     int accumulate) {
    if (M <= 0 || N <= 0) return;
    /* A is row-major (col == 1, a[m * row + k]) or transposed (row == 1,
     * a[k * col + m]); a stride that never moves (one row, or one column)
     * still has to be a valid leading dimension for BLAS. */
    const float beta = accumulate ? 1.0f : 0.0f;
    if (A.col == 1) {
        size_t lda = M == 1 || A.row < (size_t)K ? (size_t)K : A.row;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A.a, (int)lda, b, (int)ldb, beta, c,
                    (int)ldc);
    } else {
        size_t lda = K == 1 || A.col < (size_t)M ? (size_t)M : A.col;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, K, 1.0f, A.a, (int)lda, b, (int)ldb, beta, c,
                    (int)ldc);
    }
}
