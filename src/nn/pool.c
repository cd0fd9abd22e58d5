/* pool.c: max pooling forward (with argmax) and backward (scatter). */
#include "nn/pool.h"

#include <string.h>

#include "util/dispatch.h"

int maxpool_shape_finish(maxpool_shape *s) {
    if (s->K <= 0 || s->stride <= 0 || s->H < s->K || s->W < s->K) return -1;
    s->OH = (s->H - s->K) / s->stride + 1;
    s->OW = (s->W - s->K) / s->stride + 1;
    return 0;
}

/* The common 2x2, stride 2 case: max only, in a form the compiler turns
 * into vector max instructions (`a > b ? a : b` is exactly maxps). */
DS_HOT static void maxpool2x2_forward(const maxpool_shape *s, const float *in, float *out) {
    const size_t HW = (size_t)s->H * s->W, OHW = (size_t)s->OH * s->OW;
    for (int p = 0; p < s->planes; p++) {
        const float *x = in + p * HW;
        float *y = out + p * OHW;
        for (int oh = 0; oh < s->OH; oh++) {
            const float *r0 = x + (size_t)2 * oh * s->W, *r1 = r0 + s->W;
            float *yr = y + (size_t)oh * s->OW;
            for (int ow = 0; ow < s->OW; ow++) {
                float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
                float m1 = b > a ? b : a, m2 = d > c ? d : c;
                yr[ow] = m2 > m1 ? m2 : m1;
            }
        }
    }
}

/* Backward of the 2x2 case: the first of a, b, c, d equal to the pooled
 * maximum (PyTorch's scan order and tie rule) receives the gradient. */
DS_HOT static void maxpool2x2_backward(const maxpool_shape *s, const float *in, const float *out,
                                const float *dout, float *din) {
    const size_t HW = (size_t)s->H * s->W, OHW = (size_t)s->OH * s->OW;
    /* Only an odd last row or column lies outside every window. */
    if ((s->H | s->W) & 1) memset(din, 0, sizeof(float) * HW * s->planes);
    for (int p = 0; p < s->planes; p++) {
        const float *x = in + p * HW, *y = out + p * OHW, *dy = dout + p * OHW;
        float *dx = din + p * HW;
        for (int oh = 0; oh < s->OH; oh++) {
            const float *r0 = x + (size_t)2 * oh * s->W, *r1 = r0 + s->W;
            float *d0 = dx + (size_t)2 * oh * s->W, *d1 = d0 + s->W;
            const float *yr = y + (size_t)oh * s->OW, *gr = dy + (size_t)oh * s->OW;
            /* Windows are disjoint: each writes its own four cells, with
             * selects instead of data-dependent branches. */
            for (int ow = 0; ow < s->OW; ow++) {
                float m = yr[ow], g = gr[ow];
                /* bitwise, not &&: short-circuits compile to branches */
                int ea = r0[2 * ow] == m;
                int eb = (r0[2 * ow + 1] == m) & !ea;
                int ec = (r1[2 * ow] == m) & !(ea | eb);
                int ed = !(ea | eb | ec);
                d0[2 * ow] = ea ? g : 0.0f;
                d0[2 * ow + 1] = eb ? g : 0.0f;
                d1[2 * ow] = ec ? g : 0.0f;
                d1[2 * ow + 1] = ed ? g : 0.0f;
            }
        }
    }
}

DS_HOT void maxpool2x2_relu_forward(const maxpool_shape *s, const float *in, float *out, float *code) {
    const size_t HW = (size_t)s->H * s->W, OHW = (size_t)s->OH * s->OW;
    for (int p = 0; p < s->planes; p++) {
        const float *x = in + p * HW;
        float *y = out + p * OHW, *cd = code + p * OHW;
        for (int oh = 0; oh < s->OH; oh++) {
            const float *r0 = x + (size_t)2 * oh * s->W, *r1 = r0 + s->W;
            float *yr = y + (size_t)oh * s->OW, *cr = cd + (size_t)oh * s->OW;
            for (int ow = 0; ow < s->OW; ow++) {
                float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
                float m1 = b > a ? b : a, m2 = d > c ? d : c;
                float m = m2 > m1 ? m2 : m1;
                float k1 = b > a ? 1.0f : 0.0f, k2 = d > c ? 3.0f : 2.0f;
                float k = m2 > m1 ? k2 : k1;
                yr[ow] = m;
                cr[ow] = m > 0.0f ? k : 4.0f;
            }
        }
    }
}

DS_HOT void maxpool2x2_relu_route(int OH, int OW, const float *code, const float *dout, float *dy) {
    const int W = 2 * OW;
    for (int h = 0; h < 2 * OH; h++) {
        const float *cr = code + (size_t)(h / 2) * OW, *gr = dout + (size_t)(h / 2) * OW;
        const float top = (float)(2 * (h % 2)); /* code of this row's left cell */
        float *d = dy + (size_t)h * W;
        for (int ow = 0; ow < OW; ow++) {
            float g = gr[ow], k = cr[ow];
            d[2 * ow] = k == top ? g : 0.0f;
            d[2 * ow + 1] = k == top + 1.0f ? g : 0.0f;
        }
    }
}

DS_HOT void maxpool_forward(const maxpool_shape *s, const float *in, float *out, int32_t *argmax) {
    if (s->K == 2 && s->stride == 2) {
        maxpool2x2_forward(s, in, out);
        return;
    }
    const size_t HW = (size_t)s->H * s->W, OHW = (size_t)s->OH * s->OW;
    for (int p = 0; p < s->planes; p++) {
        const float *x = in + p * HW;
        float *y = out + p * OHW;
        int32_t *am = argmax + p * OHW;
        for (int oh = 0; oh < s->OH; oh++)
            for (int ow = 0; ow < s->OW; ow++) {
                int best = oh * s->stride * s->W + ow * s->stride;
                float bv = x[best];
                for (int ki = 0; ki < s->K; ki++)
                    for (int kj = 0; kj < s->K; kj++) {
                        int idx = (oh * s->stride + ki) * s->W + ow * s->stride + kj;
                        /* strict '>' keeps the first maximum, as PyTorch */
                        if (x[idx] > bv) {
                            bv = x[idx];
                            best = idx;
                        }
                    }
                y[oh * s->OW + ow] = bv;
                am[oh * s->OW + ow] = best;
            }
    }
}

DS_HOT void maxpool_backward(const maxpool_shape *s, const float *in, const float *out,
                      const float *dout, const int32_t *argmax, float *din) {
    if (s->K == 2 && s->stride == 2) {
        maxpool2x2_backward(s, in, out, dout, din);
        return;
    }
    const size_t HW = (size_t)s->H * s->W, OHW = (size_t)s->OH * s->OW;
    memset(din, 0, sizeof(float) * HW * s->planes);
    for (int p = 0; p < s->planes; p++) {
        float *dx = din + p * HW;
        const float *dy = dout + p * OHW;
        const int32_t *am = argmax + p * OHW;
        for (size_t j = 0; j < OHW; j++) dx[am[j]] += dy[j];
    }
}
