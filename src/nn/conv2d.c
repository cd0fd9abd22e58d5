/* conv2d.c: im2col / col2im on CBHW activations, GEMMs by OpenBLAS. */
#include "nn/conv2d.h"

#include <cblas.h>
#include <string.h>

int conv2d_shape_finish(conv2d_shape *s) {
    if (s->K <= 0 || s->stride <= 0 || s->pad < 0) return -1;
    s->OH = (s->H + 2 * s->pad - s->K) / s->stride + 1;
    s->OW = (s->W + 2 * s->pad - s->K) / s->stride + 1;
    return (s->OH > 0 && s->OW > 0) ? 0 : -1;
}

/* Range of output columns ow whose input column ow*stride - pad + kj lies
 * inside [0, W): [*lo, *hi). */
static void valid_cols(const conv2d_shape *s, int kj, int *lo, int *hi) {
    int off = kj - s->pad;
    int a = off >= 0 ? 0 : (-off + s->stride - 1) / s->stride;
    int b = (s->W - off + s->stride - 1) / s->stride; /* first ow with iw >= W */
    if (b > s->OW) b = s->OW;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

static void im2col(const conv2d_shape *s, const float *in, float *col) {
    const int HW = s->H * s->W, OHW = s->OH * s->OW;
    const size_t N = (size_t)s->B * OHW;
    for (int c = 0; c < s->C; c++)
        for (int ki = 0; ki < s->K; ki++)
            for (int kj = 0; kj < s->K; kj++) {
                float *dst = col + ((size_t)(c * s->K + ki) * s->K + kj) * N;
                int lo, hi;
                valid_cols(s, kj, &lo, &hi);
                int off = kj - s->pad;
                for (int b = 0; b < s->B; b++) {
                    const float *img = in + ((size_t)c * s->B + b) * HW;
                    for (int oh = 0; oh < s->OH; oh++) {
                        float *row = dst + (size_t)b * OHW + (size_t)oh * s->OW;
                        int ih = oh * s->stride - s->pad + ki;
                        if (ih < 0 || ih >= s->H) {
                            memset(row, 0, sizeof(float) * s->OW);
                            continue;
                        }
                        const float *src = img + (size_t)ih * s->W;
                        for (int ow = 0; ow < lo; ow++) row[ow] = 0;
                        if (s->stride == 1) {
                            memcpy(row + lo, src + lo + off, sizeof(float) * (size_t)(hi - lo));
                        } else {
                            for (int ow = lo; ow < hi; ow++) row[ow] = src[ow * s->stride + off];
                        }
                        for (int ow = hi; ow < s->OW; ow++) row[ow] = 0;
                    }
                }
            }
}

static void col2im(const conv2d_shape *s, const float *col, float *din) {
    const int HW = s->H * s->W, OHW = s->OH * s->OW;
    const size_t N = (size_t)s->B * OHW;
    memset(din, 0, sizeof(float) * (size_t)s->C * s->B * HW);
    for (int c = 0; c < s->C; c++)
        for (int ki = 0; ki < s->K; ki++)
            for (int kj = 0; kj < s->K; kj++) {
                const float *src = col + ((size_t)(c * s->K + ki) * s->K + kj) * N;
                int lo, hi;
                valid_cols(s, kj, &lo, &hi);
                int off = kj - s->pad;
                for (int b = 0; b < s->B; b++) {
                    float *img = din + ((size_t)c * s->B + b) * HW;
                    for (int oh = 0; oh < s->OH; oh++) {
                        int ih = oh * s->stride - s->pad + ki;
                        if (ih < 0 || ih >= s->H) continue;
                        const float *row = src + (size_t)b * OHW + (size_t)oh * s->OW;
                        float *dst = img + (size_t)ih * s->W;
                        for (int ow = lo; ow < hi; ow++) dst[ow * s->stride + off] += row[ow];
                    }
                }
            }
}

void conv2d_forward(const conv2d_shape *s, const float *in, const float *w, const float *bias,
                    float *col, float *out) {
    const int N = s->B * s->OH * s->OW, CKK = s->C * s->K * s->K;
    im2col(s, in, col);
    /* Seed out with the bias so the GEMM adds onto it (beta = 1). */
    for (int oc = 0; oc < s->OC; oc++) {
        float *row = out + (size_t)oc * N;
        float bv = bias ? bias[oc] : 0.0f;
        for (int j = 0; j < N; j++) row[j] = bv;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->OC, N, CKK, 1.0f, w, CKK, col, N,
                1.0f, out, N);
}

void conv2d_backward(const conv2d_shape *s, const float *dout, const float *w, float *col,
                     float *dw, float *dbias, float *din) {
    const int N = s->B * s->OH * s->OW, CKK = s->C * s->K * s->K;
    if (dbias)
        for (int oc = 0; oc < s->OC; oc++) {
            const float *row = dout + (size_t)oc * N;
            float acc = 0;
            for (int j = 0; j < N; j++) acc += row[j];
            dbias[oc] += acc;
        }
    /* dW[OC][CKK] += dout[OC][N] x col^T */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->OC, CKK, N, 1.0f, dout, N, col, N,
                1.0f, dw, CKK);
    if (!din) return;
    /* dcol[CKK][N] = W^T x dout, written over col (no longer needed). */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, CKK, N, s->OC, 1.0f, w, CKK, dout, N,
                0.0f, col, N);
    col2im(s, col, din);
}
