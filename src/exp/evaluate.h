/* evaluate.h: test metrics of a parameter vector over (part of) a dataset,
 * in batches, without touching gradients. */
#ifndef DS_EVALUATE_H
#define DS_EVALUATE_H

#include "data/batcher.h"
#include "nn/net.h"

typedef struct evaluator {
    const nn_arch *arch; /* borrowed */
    nn_work *work;       /* owned, sized for the eval batch */
    batcher batches;     /* owned, in dataset order */
} evaluator;

/* idx/n select the samples (idx NULL = the whole dataset). */
int evaluator_init(evaluator *e, const nn_arch *a, const dataset *d, const uint32_t *idx,
                   size_t n, int batch, ds_err *err);
void evaluator_free(evaluator *e);
/* One full pass; returns the summed statistics. */
nn_stats evaluator_run(evaluator *e, const float *params);

/* Wraps a batcher's current buffers as an nn_batch of n samples. */
nn_batch batch_from_batcher(const batcher *b, int n);

#endif
