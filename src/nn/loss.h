/* loss.h: losses with their gradient, mean over the batch (PyTorch's
 * default reduction). Each also adds per-sample sums to the caller's
 * accumulators so evaluation can average over many batches exactly. */
#ifndef DS_LOSS_H
#define DS_LOSS_H

#include <stdint.h>

/* Softmax cross-entropy over K classes. logits [B][K]; labels in [0, K).
 * dlogits (nullable) = (softmax - onehot) / B. Adds the summed loss to
 * *loss_sum and the number of argmax hits to *correct. Returns mean loss. */
float softmax_xent(int B, int K, const float *logits, const int32_t *labels, float *dlogits,
                   double *loss_sum, long *correct);

/* Mean squared error. dpred (nullable) = 2 (pred - target) / B. Adds the
 * summed squared error to *sq_sum. Returns the mean. */
float mse_loss(int B, const float *pred, const float *target, float *dpred, double *sq_sum);

#endif
