/* learner_nn.c: the built-in learner: an nn/ model trained by SGD on each
 * node's partition of a dataset, evaluated on (the first samples of) the
 * test set. */
#include <stdlib.h>
#include <string.h>

#include "core/evaluate.h"
#include "core/learner.h"
#include "core/seeds.h"
#include "data/batcher.h"
#include "data/partition.h"
#include "nn/arch.h"
#include "nn/trainer.h"
#include "util/rng.h"

#define LEARNER_MAX_WORKERS 64

typedef struct nn_node {
    batcher data;
    uint32_t *test_idx; /* own_users: the test ratings of its users */
    size_t test_n;
    float *velocity; /* momentum state, or NULL */
    int sgd_started;
} nn_node;

typedef struct nn_learner {
    const nn_arch *arch;
    const dataset *test;
    int eval_batch;
    sgd_config sgd;
    int n_slots;             /* nodes hosted */
    int *slot_of;            /* [node id] -> slot, or -1 (NULL: slot = id) */
    int max_node;
    nn_node *nodes;          /* [n_slots] */
    int workers;
    nn_trainer train[LEARNER_MAX_WORKERS];
    evaluator eval[LEARNER_MAX_WORKERS];
} nn_learner;

static void nn_destroy(void *self) {
    nn_learner *L = self;
    if (!L) return;
    for (int i = 0; L->nodes && i < L->n_slots; i++) {
        batcher_free(&L->nodes[i].data);
        free(L->nodes[i].velocity);
        free(L->nodes[i].test_idx);
    }
    free(L->nodes);
    free(L->slot_of);
    for (int w = 0; w < L->workers; w++) {
        nn_trainer_free(&L->train[w]);
        evaluator_free(&L->eval[w]);
    }
    free(L);
}

static nn_node *node_of(nn_learner *L, int node) {
    if (node < 0 || node > L->max_node) return NULL;
    int slot = L->slot_of ? L->slot_of[node] : node;
    return slot >= 0 ? &L->nodes[slot] : NULL;
}

static void nn_init_params(void *self, float *params, uint64_t seed) {
    nn_learner *L = self;
    nn_arch_init_params(L->arch, params, seed);
}

static int nn_train(void *self, int worker, int node, float *params, int steps, learner_train_stats *st,
                    ds_err *err) {
    nn_learner *L = self;
    nn_node *n = node_of(L, node);
    if (!n) return ds_fail(err, "node %d is not hosted by this learner", node);
    nn_trainer *t = &L->train[worker];
    for (int k = 0; k < steps; k++) {
        int m = batcher_next(&n->data);
        if (m == 0) m = batcher_next(&n->data); /* the batcher's epoch boundary */
        nn_batch bt = batch_from_batcher(&n->data, m);
        if (t->threads == 1) {
            nn_stats s1 = {0};
            nn_trainer_step(t, &L->sgd, params, n->velocity, &n->sgd_started, &bt, &s1);
            st->step_loss_sum += s1.loss_sum / (double)m;
            st->loss_sum += s1.loss_sum;
            st->correct += s1.correct;
            st->samples += s1.count;
        } else {
            /* The slices' sums go straight into the running sums, in slice order. */
            nn_stats acc = {.loss_sum = st->loss_sum, .correct = st->correct, .count = st->samples};
            st->step_loss_sum += nn_trainer_step(t, &L->sgd, params, n->velocity, &n->sgd_started, &bt, &acc);
            st->loss_sum = acc.loss_sum;
            st->correct = acc.correct;
            st->samples = acc.count;
        }
        st->steps++;
    }
    return 0;
}

static int nn_evaluate(void *self, int worker, int node, const float *params, learner_eval *out, ds_err *err) {
    nn_learner *L = self;
    nn_node *n = node_of(L, node);
    if (n && n->test_idx && evaluator_select(&L->eval[worker], L->test, n->test_idx, n->test_n, L->eval_batch, err))
        return -1;
    nn_stats s = evaluator_run(&L->eval[worker], params);
    out->metric = L->arch->task == NN_TASK_REGRESS ? nn_stats_rmse(&s) : nn_stats_accuracy(&s);
    out->loss = nn_stats_loss(&s);
    return 0;
}

static const learner_ops NN_OPS = {
    .name = "nn",
    .init_params = nn_init_params,
    .train = nn_train,
    .evaluate = nn_evaluate,
    .destroy = nn_destroy,
};

static int nn_host(nn_learner *L, const learner_nn_spec *s, int slot, int id, ds_err *err) {
    nn_node *n = &L->nodes[slot];
    const uint32_t *idx = NULL;
    size_t count = 0;
    uint64_t seed = s->batch_seed;
    if (s->part) {
        if (s->part->count[id] == 0)
            return ds_fail(err, "node %d has no training data (too many nodes for the dataset?)", id);
        idx = s->part->idx[id];
        count = s->part->count[id];
        seed = rng_derive(s->batch_seed, SEED_NODE_BATCHES, (uint64_t)id);
    }
    if (batcher_init(&n->data, s->train, idx, count, s->batch_size, 1, seed, err)) return -1;
    if (s->own_users && s->train->user && s->test->user) {
        /* The test ratings (of the first test_n) whose user the node trains on. */
        size_t test_n = s->eval_samples && s->eval_samples < s->test->n ? s->eval_samples : s->test->n;
        char *mine = calloc((size_t)s->train->n_users + 1, 1);
        n->test_idx = malloc(sizeof(uint32_t) * (test_n ? test_n : 1));
        if (!mine || !n->test_idx) {
            free(mine);
            return ds_fail(err, "out of memory");
        }
        for (size_t k = 0; k < (idx ? count : s->train->n); k++) {
            int32_t u = s->train->user[idx ? idx[k] : k];
            if (u >= 0 && u < s->train->n_users) mine[u] = 1;
        }
        for (size_t k = 0; k < test_n; k++) {
            int32_t u = s->test->user[k];
            if (u >= 0 && u < s->train->n_users && mine[u]) n->test_idx[n->test_n++] = (uint32_t)k;
        }
        free(mine);
        if (n->test_n == 0)
            return ds_fail(err, "node %d: none of its users has a test rating ([eval] scope = own_users)", id);
    }
    if (s->sgd->momentum != 0 && !(n->velocity = calloc(L->arch->n_params, sizeof(float))))
        return ds_fail(err, "out of memory");
    return 0;
}

int learner_nn_new(const learner_nn_spec *s, learner *out, ds_err *err) {
    *out = (learner){0};
    int total = s->part ? s->part->nodes : 1;
    int workers = s->workers < 1 ? 1 : s->workers;
    if (workers > LEARNER_MAX_WORKERS) workers = LEARNER_MAX_WORKERS;
    nn_learner *L = calloc(1, sizeof *L);
    if (!L) return ds_fail(err, "out of memory");
    L->arch = s->arch;
    L->test = s->test;
    L->sgd = *s->sgd;
    L->max_node = total - 1;
    L->n_slots = s->nodes ? s->n_nodes : total;
    if (!(L->nodes = calloc((size_t)(L->n_slots > 0 ? L->n_slots : 1), sizeof *L->nodes))) goto oom;
    if (s->nodes) {
        if (!(L->slot_of = malloc(sizeof(int) * (size_t)total))) goto oom;
        for (int i = 0; i < total; i++) L->slot_of[i] = -1;
    }
    for (int i = 0; i < L->n_slots; i++) {
        int id = s->nodes ? s->nodes[i] : i;
        if (id < 0 || id >= total) {
            ds_fail(err, "node %d is outside the partition's %d nodes", id, total);
            goto fail;
        }
        if (L->slot_of) L->slot_of[id] = i;
        if (nn_host(L, s, i, id, err)) goto fail;
    }
    int eval_batch = s->eval_batch > 0 ? s->eval_batch : 128;
    L->eval_batch = eval_batch;
    size_t test_n = s->eval_samples && s->eval_samples < s->test->n ? s->eval_samples : s->test->n;
    L->workers = workers;
    for (int w = 0; w < workers; w++) {
        if (nn_trainer_init(&L->train[w], s->arch, s->threads, s->batch_size, err)) goto fail;
        if (evaluator_init(&L->eval[w], s->arch, s->test, NULL, test_n, eval_batch, s->threads, err)) goto fail;
    }
    *out = (learner){
        .ops = &NN_OPS,
        .self = L,
        .n_params = s->arch->n_params,
        .lower_is_better = s->arch->task == NN_TASK_REGRESS,
        .model = s->arch->name,
    };
    return 0;
oom:
    ds_fail(err, "out of memory");
fail:
    nn_destroy(L);
    return -1;
}
