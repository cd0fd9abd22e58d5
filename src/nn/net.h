/* net.h: running an architecture forward (and backward) on a batch.
 *
 * nn_work holds every activation, gradient and saved statistic for batches
 * of up to max_batch samples of one architecture. It is scratch: one per
 * thread, reusable across models (nodes) that share the architecture. */
#ifndef DS_NET_H
#define DS_NET_H

#include <stddef.h>
#include <stdint.h>

#include "nn/arch.h"

typedef struct nn_batch {
    int n;                 /* samples in this batch */
    const float *x;        /* [n][C*H*W] NCHW, normalised (classifiers) */
    const int32_t *label;  /* [n] class in [0, n_out) (classifiers) */
    const int32_t *user;   /* [n] user index (MF) */
    const int32_t *item;   /* [n] item index (MF) */
    const float *target;   /* [n] rating (MF) */
} nn_batch;

/* Sums over samples; add batches, then read the means with nn_stats_*. */
typedef struct nn_stats {
    double loss_sum; /* sum of per-sample losses (CE, or squared error) */
    long correct;    /* classifier argmax hits */
    long count;      /* samples */
} nn_stats;

double nn_stats_loss(const nn_stats *s);     /* mean loss */
double nn_stats_accuracy(const nn_stats *s); /* fraction in [0, 1] */
double nn_stats_rmse(const nn_stats *s);     /* sqrt(mean squared error) */

typedef struct nn_work nn_work;

/* Returns NULL on allocation failure (message in err). */
nn_work *nn_work_new(const nn_arch *a, int max_batch, ds_err *err);
void nn_work_free(nn_work *w);

/* Forward pass, and backward if grads is not NULL: grads is overwritten
 * with d(mean batch loss)/d(params). Adds the batch to *stats (nullable).
 * Returns the mean batch loss. batch->n must be in [1, max_batch]. */
float nn_forward_backward(const nn_arch *a, nn_work *w, const float *params, float *grads,
                          const nn_batch *batch, nn_stats *stats);

/* The network output of the last forward pass: [n][n_out] scores, or [n]
 * predictions for MF. Borrowed; valid until the next call. */
const float *nn_work_output(const nn_work *w);

/* Where a step's time goes, for benchmarks: after nn_work_profile(w, p),
 * every nn_forward_backward on w adds each layer's forward and backward
 * wall time to p (a GroupNorm fused with its ReLU counts as the
 * GroupNorm; the input transpose counts as layer 0's forward). NULL
 * stops. The clock is read only while a profile is attached. */
typedef struct nn_profile {
    double forward_s[NN_MAX_LAYERS];
    double backward_s[NN_MAX_LAYERS];
    double loss_s; /* softmax cross-entropy and its gradient */
    long passes;   /* nn_forward_backward calls */
} nn_profile;
void nn_work_profile(nn_work *w, nn_profile *p);

#endif
