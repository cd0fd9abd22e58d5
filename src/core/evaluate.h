/* evaluate.h: test metrics of a parameter vector over (part of) a dataset,
 * in batches, without touching gradients. */
#ifndef DS_CORE_EVALUATE_H
#define DS_CORE_EVALUATE_H

#include "data/batcher.h"
#include "nn/net.h"
#include "util/threadpool.h"

#define EVALUATOR_MAX_THREADS 64

/* The samples are split into one contiguous range per thread. */
typedef struct evaluator {
    const nn_arch *arch;                      /* borrowed */
    int threads;
    int active;                               /* threads with samples (evaluator_select) */
    thread_pool *pool;                        /* owned */
    nn_work *work[EVALUATOR_MAX_THREADS];     /* owned, sized for the eval batch */
    batcher batches[EVALUATOR_MAX_THREADS];   /* owned, in dataset order */
    const float *params;                      /* during evaluator_run */
    nn_stats stats[EVALUATOR_MAX_THREADS];
} evaluator;

/* idx/n select the samples; idx NULL: the first n (n = 0: the whole dataset). */
int evaluator_init(evaluator *e, const nn_arch *a, const dataset *d, const uint32_t *idx,
                   size_t n, int batch, int threads, ds_err *err);
void evaluator_free(evaluator *e);
/* Points e at other samples of d (idx[n], n >= 1), keeping its threads and
 * work space: e.g. one node's own test ratings before evaluating it. */
int evaluator_select(evaluator *e, const dataset *d, const uint32_t *idx, size_t n, int batch, ds_err *err);
/* One full pass; returns the summed statistics. */
nn_stats evaluator_run(evaluator *e, const float *params);

/* Wraps a batcher's current buffers as an nn_batch of n samples. */
nn_batch batch_from_batcher(const batcher *b, int n);

#endif
