/* gemm.h: the convolutions' two "broadcast" GEMMs,
 *
 *     C[M][N] = A[M][K] x B[K][N]   (or C += that),
 *
 * with B and C row-major and A read element by element at
 * a[m * a_row + k * a_col], so that forward (W x col) and the input
 * gradient (W^T x dout) both run on the weights as stored, without a
 * transposed copy, and B is read in place, without packing.
 *
 * Where the CPU has AVX-512 (chosen at run time) a kernel of 8 rows x 48
 * columns of accumulators does it with fused multiply-adds, k in order,
 * one rounding per product-add, and C (when accumulating) added last;
 * elsewhere it is OpenBLAS's sgemm. Both are deterministic; they differ in
 * the last bits, as OpenBLAS's own kernels do from CPU to CPU. */
#ifndef DS_GEMM_H
#define DS_GEMM_H

#include <stddef.h>

typedef struct gemm_a {
    const float *a;
    size_t row, col; /* element (m, k) is a[m * row + k * col]; col == 1
                        (row-major) or row == 1 (transposed) */
} gemm_a;

/* accumulate = 0: C = A x B; otherwise C += A x B. */
void gemm_bcast(int M, int N, int K, gemm_a A, const float *b, size_t ldb, float *c, size_t ldc,
                int accumulate);

/* C[M][N] += A[M][K] x B[N][K]^T, the weight gradient (dout x col^T).
 * With the AVX-512 kernel: A is transposed into scratch and
 * C^T = B x A^T runs through gemm_bcast into scratch, then is added to C;
 * elsewhere OpenBLAS. scratch: gemm_abt_floats(M, N, K) floats (0 where
 * OpenBLAS runs). */
size_t gemm_abt_floats(int M, int N, int K);
void gemm_abt(int M, int N, int K, const float *a, size_t lda, const float *b, size_t ldb, float *c,
              size_t ldc, float *scratch);

/* 1 when gemm_bcast and gemm_abt run the AVX-512 kernel on this CPU. */
int gemm_bcast_native(void);

/* The OpenBLAS paths of both, whatever the CPU (tests check both). */
void gemm_bcast_blas(int M, int N, int K, gemm_a A, const float *b, size_t ldb, float *c, size_t ldc,
                     int accumulate);
void gemm_abt_blas(int M, int N, int K, const float *a, size_t lda, const float *b, size_t ldb, float *c,
                   size_t ldc);

#endif
