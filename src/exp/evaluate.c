/* evaluate.c: batched evaluation. */
#include "exp/evaluate.h"

#include <string.h>

nn_batch batch_from_batcher(const batcher *b, int n) {
    nn_batch bt = {.n = n, .x = b->x, .label = b->label, .user = b->user, .item = b->item,
                   .target = b->target};
    return bt;
}

int evaluator_init(evaluator *e, const nn_arch *a, const dataset *d, const uint32_t *idx,
                   size_t n, int batch, ds_err *err) {
    memset(e, 0, sizeof *e);
    e->arch = a;
    if (batcher_init(&e->batches, d, idx, n, batch, 0, 0, err)) return -1;
    e->work = nn_work_new(a, batch, err);
    if (!e->work) {
        batcher_free(&e->batches);
        return -1;
    }
    return 0;
}

void evaluator_free(evaluator *e) {
    if (!e) return;
    nn_work_free(e->work);
    batcher_free(&e->batches);
    e->work = NULL;
}

nn_stats evaluator_run(evaluator *e, const float *params) {
    nn_stats s = {0};
    e->batches.pos = 0; /* restart the pass */
    int m;
    while ((m = batcher_next(&e->batches)) > 0) {
        nn_batch bt = batch_from_batcher(&e->batches, m);
        nn_forward_backward(e->arch, e->work, params, NULL, &bt, &s);
    }
    return s;
}
