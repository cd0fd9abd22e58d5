/* learner.h: the one owner of a node's training.
 *
 * A learner trains and evaluates models held in flat float vectors; the
 * simulator, the real node, step-time calibration and `divshare train` all
 * drive training through it, and algorithms never see it (they see the
 * vector). One learner serves every node a process hosts: the simulator's
 * N nodes, or the one node of a real process. It keeps each node's own
 * state (its data order, its optimiser state) and one scratch space per
 * worker, so that `workers` threads may call it at once for different
 * nodes.
 *
 * Built in: learner_nn_new (nn/ models on a dataset partition) and
 * learner_quadratic_new (a synthetic objective, almost free to run). */
#ifndef DS_LEARNER_H
#define DS_LEARNER_H

#include <stddef.h>
#include <stdint.h>

#include "data/dataset.h"
#include "data/partition.h"
#include "nn/arch.h"
#include "nn/sgd.h"
#include "util/err.h"

/* Statistics of training, added to (never reset) by learner train. */
typedef struct learner_train_stats {
    long steps;
    double step_loss_sum; /* sum over steps of each step's mean loss */
    double loss_sum;      /* sum over samples of their loss */
    long correct;         /* classifiers: samples predicted right */
    long samples;
} learner_train_stats;

/* The test figures of one model. */
typedef struct learner_eval {
    double metric; /* accuracy as a fraction, or an error (RMSE): see lower_is_better */
    double loss;
} learner_eval;

typedef struct learner_ops {
    const char *name;
    /* The initial model from seed (the same on every node). */
    void (*init_params)(void *self, float *params, uint64_t seed);
    /* `steps` optimiser steps of node's objective on params, in place. Returns
     * 0, or -1 with a message in err. */
    int (*train)(void *self, int worker, int node, float *params, int steps, learner_train_stats *st,
                 ds_err *err);
    /* Test metric and loss of params as node's model. */
    int (*evaluate)(void *self, int worker, int node, const float *params, learner_eval *out, ds_err *err);
    void (*destroy)(void *self);
} learner_ops;

typedef struct learner {
    const learner_ops *ops;
    void *self;
    size_t n_params;
    int lower_is_better; /* 1: the metric is an error (RMSE), else an accuracy */
    int max_workers;     /* concurrent callers it allows (0: as many as it was made for) */
    const char *model;   /* what is trained, for logs ("gnlenet", "quadratic") */
} learner;

static inline void learner_free(learner *l) {
    if (l && l->ops) l->ops->destroy(l->self);
    if (l) *l = (learner){0};
}

/* The wall seconds of one training step of node 0 on worker 0: the median
 * of 5 timings of 10 steps, after 10 steps of warm-up. It trains node 0's
 * state: use a learner made for the purpose. */
int learner_step_time(learner *l, double *out, ds_err *err);

/* ---- built in: nn/ models on a dataset --------------------------------- */

typedef struct learner_nn_spec {
    const nn_arch *arch;                /* borrowed, as are the datasets and partition */
    const dataset *train, *test;
    const partition *part;              /* NULL: one node (0) holding the whole training set */
    const int *nodes;                   /* the nodes to host (NULL: all of part, or node 0) */
    int n_nodes;
    int batch_size;
    const sgd_config *sgd;
    uint64_t batch_seed;                /* node k's order: rng_derive(seed, SEED_NODE_BATCHES, k); without part, the seed itself */
    int workers;                        /* concurrent callers (worker ids 0..workers-1) */
    int threads;                        /* threads inside one call (data parallel); 1 in the simulator */
    size_t eval_samples;                /* the first test samples used (0 = all) */
    int eval_batch;                     /* 0 = 128 */
    int own_users;                      /* ratings: test node k on the test ratings of the users in its
                                           training partition (decentralizepy's way), not all of them */
} learner_nn_spec;

int learner_nn_new(const learner_nn_spec *s, learner *out, ds_err *err);

/* ---- built in: a synthetic quadratic ------------------------------------ *
 * Node k minimises f_k(x) = 1/2 sum_i a_ki (x_i - b_ki)^2 by gradient steps
 * x <- x - lr * grad f_k(x), with a_ki in [0.5, 1.5] and b_ki in [-1, 1]
 * drawn from (seed, k). The consensus optimum of sum_k f_k is
 * x*_i = sum_k a_ki b_ki / sum_k a_ki; the metric is the RMSE of x against
 * x* (lower is better) and the loss is mean_k f_k(x) - mean_k f_k(x*).
 * A step costs O(dim). */
typedef struct learner_quadratic_spec {
    int nodes;
    size_t dim;
    double lr;        /* in (0, 1]: a step's contraction per coordinate is 1 - lr a_ki */
    uint64_t seed;
} learner_quadratic_spec;

int learner_quadratic_new(const learner_quadratic_spec *s, learner *out, ds_err *err);

#endif
