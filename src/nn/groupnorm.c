/* groupnorm.c: forward and backward of GroupNorm, statistics in double. */
#include "nn/groupnorm.h"

#include <math.h>
#include <stddef.h>

#include "nn/lanes.h"
#include "nn/pool.h"
#include "util/dispatch.h"

/* Element (c, b, i) of a CBHW tensor. */
#define AT(t, c, b, i) ((t)[((size_t)(c) * s->B + (b)) * s->HW + (i)])

DS_HOT void groupnorm_forward(const groupnorm_shape *s, const float *in, const float *gamma,
                       const float *beta, float *out, float *mean, float *rstd, int relu) {
    const int Cg = s->C / s->G;
    const double M = (double)Cg * s->HW;
    for (int b = 0; b < s->B; b++)
        for (int g = 0; g < s->G; g++) {
            /* Two passes (mean, then squared deviations) for accuracy. */
            double sum = 0, sq = 0;
            for (int c = g * Cg; c < (g + 1) * Cg; c++) sum += lanes_sum(&AT(in, c, b, 0), (size_t)s->HW);
            double mu = sum / M;
            for (int c = g * Cg; c < (g + 1) * Cg; c++) sq += lanes_sqdev(&AT(in, c, b, 0), (size_t)s->HW, (float)mu);
            float r = (float)(1.0 / sqrt(sq / M + GROUPNORM_EPS));
            float m = (float)mu;
            mean[b * s->G + g] = m;
            rstd[b * s->G + g] = r;
            for (int c = g * Cg; c < (g + 1) * Cg; c++) {
                /* (x - m) first: x * scale - m * scale would cancel badly
                 * when the variance is tiny and scale large. */
                float scale = r * (gamma ? gamma[c] : 1.0f), shift = beta ? beta[c] : 0.0f;
                const float *x = &AT(in, c, b, 0);
                float *y = &AT(out, c, b, 0);
                if (relu)
                    for (int i = 0; i < s->HW; i++) {
                        float v = (x[i] - m) * scale + shift;
                        y[i] = v > 0.0f ? v : 0.0f;
                    }
                else
                    for (int i = 0; i < s->HW; i++) y[i] = (x[i] - m) * scale + shift;
            }
        }
}

/* The gradient reaching the normalised output: dout, masked by a fused
 * ReLU where its output was 0. */
#define DY(i) (mask ? (mask[i] > 0.0f ? dy[i] : 0.0f) : dy[i])

/* Plane (c, b) of the gradient reaching the GroupNorm's output: dout's
 * own, or the pool's routed into pool->plane. */
static const float *plane_dy(const groupnorm_shape *s, const float *dout, const groupnorm_pool *pool, int c,
                             int b) {
    if (!pool) return &AT(dout, c, b, 0);
    const int OH = pool->H / 2, OW = pool->W / 2;
    const size_t at = ((size_t)c * s->B + b) * OH * OW;
    maxpool2x2_relu_route(OH, OW, pool->code + at, pool->dout + at, pool->plane);
    return pool->plane;
}

DS_HOT void groupnorm_backward(const groupnorm_shape *s, const float *in, const float *dout,
                        const float *relu_out, const groupnorm_pool *pool, const float *gamma,
                        const float *mean, const float *rstd, float *din, float *dgamma,
                        float *dbeta) {
    const int Cg = s->C / s->G;
    const float invM = 1.0f / (float)(Cg * s->HW);
    for (int b = 0; b < s->B; b++)
        for (int g = 0; g < s->G; g++) {
            const float m = mean[b * s->G + g], r = rstd[b * s->G + g];
            /* sum1 = sum(dxhat), sum2 = sum(dxhat * xhat) over the group. */
            float sum1 = 0, sum2 = 0;
            for (int c = g * Cg; c < (g + 1) * Cg; c++) {
                const float *x = &AT(in, c, b, 0), *dy = plane_dy(s, dout, pool, c, b);
                const float *mask = relu_out ? &AT(relu_out, c, b, 0) : NULL;
                float gc = gamma ? gamma[c] : 1.0f;
                float l_dy[LANES] = {0}, l_dyx[LANES] = {0};
                int i = 0;
                for (; i + LANES <= s->HW; i += LANES)
                    for (int k = 0; k < LANES; k++) {
                        float xhat = (x[i + k] - m) * r, gi = DY(i + k);
                        l_dy[k] += gi;
                        l_dyx[k] += gi * xhat;
                    }
                float s_dy = 0, s_dyx = 0;
                for (int k = 0; k < LANES; k++) {
                    s_dy += l_dy[k];
                    s_dyx += l_dyx[k];
                }
                for (; i < s->HW; i++) {
                    float xhat = (x[i] - m) * r, gi = DY(i);
                    s_dy += gi;
                    s_dyx += gi * xhat;
                }
                if (dgamma) dgamma[c] += s_dyx;
                if (dbeta) dbeta[c] += s_dy;
                sum1 += gc * s_dy;
                sum2 += gc * s_dyx;
            }
            if (!din) continue;
            sum1 *= invM;
            sum2 *= invM;
            for (int c = g * Cg; c < (g + 1) * Cg; c++) {
                const float *x = &AT(in, c, b, 0), *dy = plane_dy(s, dout, pool, c, b);
                const float *mask = relu_out ? &AT(relu_out, c, b, 0) : NULL;
                float *dx = &AT(din, c, b, 0);
                float gc = gamma ? gamma[c] : 1.0f;
                for (int i = 0; i < s->HW; i++) {
                    float xhat = (x[i] - m) * r;
                    dx[i] = r * (gc * DY(i) - sum1 - xhat * sum2);
                }
            }
        }
}
