/* trainer.h: data-parallel SGD steps of one model on several threads.
 *
 * The batch is split into contiguous slices, one per thread; each thread
 * runs forward and backward on its slice with its own workspace and
 * gradient buffer (OpenBLAS single-threaded), and the gradients are
 * combined weighted by slice size, which equals the gradient of the mean
 * loss over the whole batch. With one thread it is nn_forward_backward
 * and sgd_step. */
#ifndef DS_TRAINER_H
#define DS_TRAINER_H

#include "nn/net.h"
#include "nn/sgd.h"
#include "util/threadpool.h"

#define NN_TRAINER_MAX_THREADS 64

typedef struct nn_trainer {
    const nn_arch *arch;                      /* borrowed */
    thread_pool *pool;                        /* owned */
    int threads;
    nn_work *work[NN_TRAINER_MAX_THREADS];    /* owned, one per thread */
    float *grads[NN_TRAINER_MAX_THREADS];     /* owned, one per thread */
} nn_trainer;

int nn_trainer_init(nn_trainer *t, const nn_arch *a, int threads, int max_batch, ds_err *err);
void nn_trainer_free(nn_trainer *t);
/* One SGD step of params on b (velocity and *sgd_started: the optimiser
 * state, see sgd_step); adds to *stats (nullable); returns the mean loss. */
float nn_trainer_step(nn_trainer *t, const sgd_config *sgd, float *params, float *velocity, int *sgd_started,
                      const nn_batch *b, nn_stats *stats);

#endif
