/* model.h: one trainable model instance: the flat parameter vector, its
 * gradient and optimiser state, over a shared (borrowed) architecture. */
#ifndef DS_MODEL_H
#define DS_MODEL_H

#include <stdint.h>

#include "nn/arch.h"
#include "nn/net.h"
#include "nn/sgd.h"

typedef struct nn_model {
    const nn_arch *arch; /* borrowed: must outlive the model */
    float *params;       /* [arch->n_params], owned */
    float *grads;        /* [arch->n_params], owned */
    float *velocity;     /* [n_params] if momentum is used, else NULL; owned */
    int sgd_started;
    sgd_config sgd;
} nn_model;

/* Allocates and initialises parameters deterministically from seed. */
int nn_model_init(nn_model *m, const nn_arch *a, const sgd_config *sgd, uint64_t seed, ds_err *err);
void nn_model_free(nn_model *m);

/* One SGD step on a batch; returns the mean batch loss. */
float nn_model_train_step(nn_model *m, nn_work *w, const nn_batch *b, nn_stats *stats);

#endif
