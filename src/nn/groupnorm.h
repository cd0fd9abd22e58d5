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

/* mean, rstd: [B*G], kept for backward. gamma/beta may be NULL (no affine). */
void groupnorm_forward(const groupnorm_shape *s, const float *in, const float *gamma,
                       const float *beta, float *out, float *mean, float *rstd);

/* Writes din (if not NULL); accumulates dgamma, dbeta (if not NULL). */
void groupnorm_backward(const groupnorm_shape *s, const float *in, const float *dout,
                        const float *gamma, const float *mean, const float *rstd, float *din,
                        float *dgamma, float *dbeta);

#endif
