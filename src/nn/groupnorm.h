/* groupnorm.h: Group Normalization (Wu & He 2018) on CBHW activations.
 *
 * Channels are split into G groups; each (sample, group) is normalized by
 * its own mean and biased variance over Cg*H*W values, then scaled and
 * shifted per channel: y = (x - mean) / sqrt(var + eps) * gamma + beta.
 * eps = 1e-5 as PyTorch. Cost: O(B*C*H*W). */
#ifndef DS_GROUPNORM_H
#define DS_GROUPNORM_H

#define GROUPNORM_EPS 1e-5f

typedef struct groupnorm_shape {
    int B, C, HW, G; /* batch, channels, spatial size, groups (C % G == 0) */
} groupnorm_shape;

/* mean, rstd: [B*G], kept for backward. gamma/beta may be NULL (no affine).
 * relu != 0 fuses a following ReLU: out = max(0, groupnorm(in)). */
void groupnorm_forward(const groupnorm_shape *s, const float *in, const float *gamma,
                       const float *beta, float *out, float *mean, float *rstd, int relu);

/* A fused GroupNorm + ReLU followed by a 2x2, stride-2 max pool
 * (maxpool2x2_relu_forward): backward takes the pool's gradient and codes
 * instead of dout, and routes them itself, plane by plane, through
 * `plane` (scratch of H*W floats). The pool's own backward pass and its
 * full-size gradient are skipped; the values are the same. */
typedef struct groupnorm_pool {
    int H, W;          /* the GroupNorm's plane (even sizes) */
    const float *code; /* [C][B][H/2][W/2] */
    const float *dout; /* [C][B][H/2][W/2], the gradient of the pool's output */
    float *plane;      /* scratch */
} groupnorm_pool;

/* Writes din (if not NULL); accumulates dgamma, dbeta (if not NULL).
 * relu_out: the fused forward's output, or NULL without fusion; where it is
 * 0 the incoming gradient is masked (ReLU's backward). With pool, dout and
 * relu_out are unused (NULL). */
void groupnorm_backward(const groupnorm_shape *s, const float *in, const float *dout,
                        const float *relu_out, const groupnorm_pool *pool, const float *gamma,
                        const float *mean, const float *rstd, float *din, float *dgamma,
                        float *dbeta);

#endif
