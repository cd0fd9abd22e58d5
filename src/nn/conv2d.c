/* conv2d.c: im2col / col2im on CBHW activations, GEMMs by nn/gemm.h. */
#include "nn/conv2d.h"

#include <string.h>

#include "nn/gemm.h"
#include "nn/lanes.h"
#include "util/dispatch.h"

int conv2d_shape_finish(conv2d_shape *s) {
    if (s->K <= 0 || s->stride <= 0 || s->pad < 0) return -1;
    s->OH = (s->H + 2 * s->pad - s->K) / s->stride + 1;
    s->OW = (s->W + 2 * s->pad - s->K) / s->stride + 1;
    s->chunk = s->B;
    return (s->OH > 0 && s->OW > 0) ? 0 : -1;
}

int conv2d_chunk_for(const conv2d_shape *s, size_t bytes) {
    size_t per_image = sizeof(float) * (size_t)s->C * s->K * s->K * s->OH * s->OW;
    size_t chunk = per_image ? bytes / per_image : 1;
    if (chunk < 1) chunk = 1;
    if (chunk > (size_t)s->B) chunk = (size_t)s->B;
    return (int)chunk;
}

size_t conv2d_col_floats(const conv2d_shape *s) {
    return (size_t)s->C * s->K * s->K * s->chunk * s->OH * s->OW;
}

size_t conv2d_gemm_floats(const conv2d_shape *s) {
    return gemm_abt_floats(s->OC, s->C * s->K * s->K, s->chunk * s->OH * s->OW);
}

size_t conv2d_pad_floats(const conv2d_shape *s) {
    return (size_t)s->C * s->chunk * (s->H + 2 * s->pad) * (s->W + 2 * s->pad);
}

/* Stride 1 with a padded copy: pad = images [b0, b0+nb) of in, [C][nb][Hp][Wp]
 * with zero borders; then row (c, ki, kj) of im2col at (b, oh) is the
 * contiguous run pad[c][b][oh + ki][kj .. kj + OW). */
DS_HOT static void im2col_padded(const conv2d_shape *s, const float *in, int b0, int nb, float *pad,
                          float *col) {
    const int Hp = s->H + 2 * s->pad, Wp = s->W + 2 * s->pad, HW = s->H * s->W;
    const size_t plane = (size_t)Hp * Wp, N = (size_t)nb * s->OH * s->OW;
    for (int c = 0; c < s->C; c++)
        for (int b = 0; b < nb; b++) {
            float *dst = pad + ((size_t)c * nb + b) * plane;
            const float *src = in + ((size_t)c * s->B + b0 + b) * HW;
            memset(dst, 0, sizeof(float) * (size_t)Wp * s->pad);
            for (int h = 0; h < s->H; h++) {
                float *row = dst + (size_t)(h + s->pad) * Wp;
                for (int w = 0; w < s->pad; w++) row[w] = 0;
                memcpy(row + s->pad, src + (size_t)h * s->W, sizeof(float) * s->W);
                for (int w = s->pad + s->W; w < Wp; w++) row[w] = 0;
            }
            memset(dst + (size_t)(s->H + s->pad) * Wp, 0, sizeof(float) * (size_t)Wp * (Hp - s->H - s->pad));
        }
    for (int c = 0; c < s->C; c++)
        for (int ki = 0; ki < s->K; ki++)
            for (int kj = 0; kj < s->K; kj++) {
                float *dst = col + ((size_t)(c * s->K + ki) * s->K + kj) * N;
                for (int b = 0; b < nb; b++) {
                    const float *img = pad + ((size_t)c * nb + b) * plane + (size_t)ki * Wp + kj;
                    for (int oh = 0; oh < s->OH; oh++) {
                        const float *sp = img + (size_t)oh * Wp;
                        for (int ow = 0; ow < s->OW; ow++) dst[ow] = sp[ow];
                        dst += s->OW;
                    }
                }
            }
}

/* Inverse of im2col_padded: scatter-add col into the padded scratch, then
 * copy its interior into images [b0, b0+nb) of din. */
DS_HOT static void col2im_padded(const conv2d_shape *s, const float *col, int b0, int nb, float *pad,
                          float *din) {
    const int Hp = s->H + 2 * s->pad, Wp = s->W + 2 * s->pad, HW = s->H * s->W;
    const size_t plane = (size_t)Hp * Wp, N = (size_t)nb * s->OH * s->OW;
    memset(pad, 0, sizeof(float) * plane * s->C * nb);
    for (int c = 0; c < s->C; c++)
        for (int ki = 0; ki < s->K; ki++)
            for (int kj = 0; kj < s->K; kj++) {
                const float *src = col + ((size_t)(c * s->K + ki) * s->K + kj) * N;
                for (int b = 0; b < nb; b++) {
                    float *img = pad + ((size_t)c * nb + b) * plane + (size_t)ki * Wp + kj;
                    for (int oh = 0; oh < s->OH; oh++) {
                        float *dp = img + (size_t)oh * Wp;
                        for (int ow = 0; ow < s->OW; ow++) dp[ow] += src[ow];
                        src += s->OW;
                    }
                }
            }
    for (int c = 0; c < s->C; c++)
        for (int b = 0; b < nb; b++) {
            const float *p = pad + ((size_t)c * nb + b) * plane + (size_t)s->pad * Wp + s->pad;
            float *dst = din + ((size_t)c * s->B + b0 + b) * HW;
            for (int h = 0; h < s->H; h++) memcpy(dst + (size_t)h * s->W, p + (size_t)h * Wp, sizeof(float) * s->W);
        }
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

/* im2col of images [b0, b0 + nb): col is [C*K*K][nb*OH*OW]. */
DS_HOT static void im2col(const conv2d_shape *s, const float *in, int b0, int nb, float *col) {
    const int HW = s->H * s->W, OHW = s->OH * s->OW;
    const size_t N = (size_t)nb * OHW;
    for (int c = 0; c < s->C; c++)
        for (int ki = 0; ki < s->K; ki++)
            for (int kj = 0; kj < s->K; kj++) {
                float *dst = col + ((size_t)(c * s->K + ki) * s->K + kj) * N;
                int lo, hi;
                valid_cols(s, kj, &lo, &hi);
                int off = kj - s->pad;
                for (int b = 0; b < nb; b++) {
                    const float *img = in + ((size_t)c * s->B + b0 + b) * HW;
                    for (int oh = 0; oh < s->OH; oh++) {
                        float *row = dst + (size_t)b * OHW + (size_t)oh * s->OW;
                        int ih = oh * s->stride - s->pad + ki;
                        if (ih < 0 || ih >= s->H) {
                            memset(row, 0, sizeof(float) * s->OW);
                            continue;
                        }
                        const float *src = img + (size_t)ih * s->W;
                        for (int ow = 0; ow < lo; ow++) row[ow] = 0;
                        /* Rows are short (8-32 floats): plain loops, which
                         * the compiler vectorises, beat memcpy calls. */
                        if (s->stride == 1) {
                            const float *sp = src + off;
                            for (int ow = lo; ow < hi; ow++) row[ow] = sp[ow];
                        } else {
                            for (int ow = lo; ow < hi; ow++) row[ow] = src[ow * s->stride + off];
                        }
                        for (int ow = hi; ow < s->OW; ow++) row[ow] = 0;
                    }
                }
            }
}

/* Scatter-adds col ([C*K*K][nb*OH*OW]) into images [b0, b0 + nb) of din,
 * which it zeroes first. */
DS_HOT static void col2im(const conv2d_shape *s, const float *col, int b0, int nb, float *din) {
    const int HW = s->H * s->W, OHW = s->OH * s->OW;
    const size_t N = (size_t)nb * OHW;
    for (int c = 0; c < s->C; c++)
        memset(din + ((size_t)c * s->B + b0) * HW, 0, sizeof(float) * (size_t)nb * HW);
    for (int c = 0; c < s->C; c++)
        for (int ki = 0; ki < s->K; ki++)
            for (int kj = 0; kj < s->K; kj++) {
                const float *src = col + ((size_t)(c * s->K + ki) * s->K + kj) * N;
                int lo, hi;
                valid_cols(s, kj, &lo, &hi);
                int off = kj - s->pad;
                for (int b = 0; b < nb; b++) {
                    float *img = din + ((size_t)c * s->B + b0 + b) * HW;
                    for (int oh = 0; oh < s->OH; oh++) {
                        int ih = oh * s->stride - s->pad + ki;
                        if (ih < 0 || ih >= s->H) continue;
                        const float *row = src + (size_t)b * OHW + (size_t)oh * s->OW;
                        float *dst = img + (size_t)ih * s->W;
                        if (s->stride == 1) {
                            float *dp = dst + off;
                            for (int ow = lo; ow < hi; ow++) dp[ow] += row[ow];
                        } else {
                            for (int ow = lo; ow < hi; ow++) dst[ow * s->stride + off] += row[ow];
                        }
                    }
                }
            }
}

DS_HOT void conv2d_forward(const conv2d_shape *s, const float *in, const float *w, const float *bias,
                    float *col, float *pad, float *out) {
    const int OHW = s->OH * s->OW, N = s->B * OHW, CKK = s->C * s->K * s->K;
    /* Seed out with the bias so the GEMMs add onto it (beta = 1). */
    for (int oc = 0; oc < s->OC; oc++) {
        float *row = out + (size_t)oc * N;
        float bv = bias ? bias[oc] : 0.0f;
        for (int j = 0; j < N; j++) row[j] = bv;
    }
    for (int b0 = 0; b0 < s->B; b0 += s->chunk) {
        int nb = s->B - b0 < s->chunk ? s->B - b0 : s->chunk, cols = nb * OHW;
        if (pad && s->stride == 1) im2col_padded(s, in, b0, nb, pad, col);
        else im2col(s, in, b0, nb, col);
        /* out[:, b0*OHW ...] += W[OC][CKK] x col[CKK][cols] */
        gemm_bcast(s->OC, cols, CKK, (gemm_a){w, (size_t)CKK, 1}, col, (size_t)cols, out + (size_t)b0 * OHW,
                   (size_t)N, 1);
    }
}

DS_HOT void conv2d_backward(const conv2d_shape *s, const float *in, const float *dout, const float *w,
                     float *col, float *pad, float *gemm_scratch, int col_valid, float *dw, float *dbias,
                     float *din) {
    const int OHW = s->OH * s->OW, N = s->B * OHW, CKK = s->C * s->K * s->K;
    if (dbias)
        for (int oc = 0; oc < s->OC; oc++) dbias[oc] += (float)lanes_sum(dout + (size_t)oc * N, (size_t)N);
    for (int b0 = 0; b0 < s->B; b0 += s->chunk) {
        int nb = s->B - b0 < s->chunk ? s->B - b0 : s->chunk, cols = nb * OHW;
        const float *dchunk = dout + (size_t)b0 * OHW;
        if (!(col_valid && nb == s->B)) {
            if (pad && s->stride == 1) im2col_padded(s, in, b0, nb, pad, col);
            else im2col(s, in, b0, nb, col);
        }
        /* dW[OC][CKK] += dout[OC][cols] x col^T */
        gemm_abt(s->OC, CKK, cols, dchunk, (size_t)N, col, (size_t)cols, dw, (size_t)CKK, gemm_scratch);
        if (!din) continue;
        /* dcol[CKK][cols] = W^T x dout, written over col. */
        gemm_bcast(CKK, cols, s->OC, (gemm_a){w, 1, (size_t)CKK}, dchunk, (size_t)N, col, (size_t)cols, 0);
        if (pad && s->stride == 1) col2im_padded(s, col, b0, nb, pad, din);
        else col2im(s, col, b0, nb, din);
    }
}
