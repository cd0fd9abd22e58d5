/* linear.c: fully connected layer via SGEMM. */
#include "nn/linear.h"

#include <cblas.h>

#include "util/dispatch.h"

DS_HOT void linear_forward(int B, int F, int O, const float *x, const float *w, const float *bias,
                    float *y) {
    for (int b = 0; b < B; b++)
        for (int o = 0; o < O; o++) y[(size_t)b * O + o] = bias ? bias[o] : 0.0f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, O, F, 1.0f, x, F, w, F, 1.0f, y, O);
}

DS_HOT void linear_backward(int B, int F, int O, const float *x, const float *dy, const float *w,
                     float *dw, float *dbias, float *dx) {
    if (dbias)
        for (int b = 0; b < B; b++)
            for (int o = 0; o < O; o++) dbias[o] += dy[(size_t)b * O + o];
    /* dW[O][F] += dy^T[O][B] x x[B][F] */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, O, F, B, 1.0f, dy, O, x, F, 1.0f, dw, F);
    /* dx[B][F] = dy[B][O] x W[O][F] */
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, F, O, 1.0f, dy, O, w, F, 0.0f,
                    dx, F);
}
