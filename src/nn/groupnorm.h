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

/* Writes din (if not NULL); accumulates dgamma, dbeta (if not NULL).
 * relu_out: the fused forward's output, or NULL without fusion; where it is
 * 0 the incoming gradient is masked (ReLU's backward). */
void groupnorm_backward(const groupnorm_shape *s, const float *in, const float *dout,
                        const float *relu_out, const float *gamma, const float *mean,
                        const float *rstd, float *din, float *dgamma, float *dbeta);

#endif
