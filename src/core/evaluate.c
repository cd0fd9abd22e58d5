/* evaluate.c: batched evaluation. */
#include "core/evaluate.h"

#include <stdlib.h>
#include <string.h>

nn_batch batch_from_batcher(const batcher *b, int n) {
    nn_batch bt = {.n = n, .x = b->x, .label = b->label, .user = b->user, .item = b->item,
                   .target = b->target};
    return bt;
}

int evaluator_init(evaluator *e, const nn_arch *a, const dataset *d, const uint32_t *idx,
                   size_t n, int batch, int threads, ds_err *err) {
    memset(e, 0, sizeof *e);
    e->arch = a;
    if (!idx && (n == 0 || n > d->n)) n = d->n;
    if (threads < 1) threads = 1;
    if (threads > EVALUATOR_MAX_THREADS) threads = EVALUATOR_MAX_THREADS;
    if ((size_t)threads > n) threads = n ? (int)n : 1;
    e->threads = threads;
    e->active = threads;
    uint32_t *all = NULL;
    if (!idx) {
        if (!(all = malloc(sizeof(uint32_t) * (n ? n : 1)))) return ds_fail(err, "out of memory");
        for (size_t i = 0; i < n; i++) all[i] = (uint32_t)i;
        idx = all;
    }
    int rc = 0;
    for (int t = 0; t < threads && !rc; t++) {
        size_t from = n * (size_t)t / (size_t)threads, to = n * (size_t)(t + 1) / (size_t)threads;
        rc = batcher_init(&e->batches[t], d, idx + from, to - from, batch, 0, 0, err);
        if (!rc && !(e->work[t] = nn_work_new(a, batch, err))) rc = -1;
    }
    free(all);
    if (!rc && !(e->pool = pool_new(threads, err))) rc = -1;
    if (rc) evaluator_free(e);
    return rc;
}

void evaluator_free(evaluator *e) {
    if (!e) return;
    pool_destroy(e->pool);
    for (int t = 0; t < EVALUATOR_MAX_THREADS; t++) {
        nn_work_free(e->work[t]);
        batcher_free(&e->batches[t]);
    }
    memset(e, 0, sizeof *e);
}

int evaluator_select(evaluator *e, const dataset *d, const uint32_t *idx, size_t n, int batch, ds_err *err) {
    int active = (size_t)e->threads > n ? (int)n : e->threads;
    for (int t = 0; t < e->threads; t++) batcher_free(&e->batches[t]);
    e->active = 0;
    for (int t = 0; t < active; t++) {
        size_t from = n * (size_t)t / (size_t)active, to = n * (size_t)(t + 1) / (size_t)active;
        if (batcher_init(&e->batches[t], d, idx + from, to - from, batch, 0, 0, err)) return -1;
        e->active = t + 1;
    }
    return 0;
}

static void eval_worker(void *ctx, int t) {
    evaluator *e = ctx;
    batcher *b = &e->batches[t];
    nn_stats s = {0};
    if (t >= e->active) {
        e->stats[t] = s;
        return;
    }
    b->pos = 0; /* restart the pass */
    int m;
    while ((m = batcher_next(b)) > 0) {
        nn_batch bt = batch_from_batcher(b, m);
        nn_forward_backward(e->arch, e->work[t], e->params, NULL, &bt, &s);
    }
    e->stats[t] = s;
}

nn_stats evaluator_run(evaluator *e, const float *params) {
    e->params = params;
    pool_run(e->pool, eval_worker, e);
    nn_stats s = {0};
    for (int t = 0; t < e->threads; t++) {
        s.loss_sum += e->stats[t].loss_sum;
        s.correct += e->stats[t].correct;
        s.count += e->stats[t].count;
    }
    return s;
}
