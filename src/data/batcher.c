/* batcher.c: epoch-wise shuffling and gathering. */
#include "data/batcher.h"

#include <stdlib.h>
#include <string.h>

void batcher_free(batcher *b) {
    if (!b) return;
    free(b->order);
    free(b->x);
    free(b->label);
    free(b->user);
    free(b->item);
    free(b->target);
    memset(b, 0, sizeof *b);
}

int batcher_init(batcher *b, const dataset *d, const uint32_t *idx, size_t n, int batch,
                 int shuffle, uint64_t seed, ds_err *err) {
    memset(b, 0, sizeof *b);
    if (batch < 1) return ds_fail(err, "batch size %d (must be >= 1)", batch);
    if (!idx) n = d->n;
    if (n == 0) return ds_fail(err, "batcher: empty sample set");
    b->ds = d;
    b->n = n;
    b->batch = batch;
    b->shuffle = shuffle;
    b->pos = n; /* first call starts epoch 1 */
    rng_seed(&b->r, seed);
    b->order = malloc(sizeof(uint32_t) * n);
    int bad = !b->order;
    if (d->kind == DATASET_IMAGES) {
        b->x = malloc(sizeof(float) * dataset_sample_size(d) * batch);
        b->label = malloc(sizeof(int32_t) * batch);
        bad |= !b->x || !b->label;
    } else {
        b->user = malloc(sizeof(int32_t) * batch);
        b->item = malloc(sizeof(int32_t) * batch);
        b->target = malloc(sizeof(float) * batch);
        bad |= !b->user || !b->item || !b->target;
    }
    if (bad) {
        batcher_free(b);
        return ds_fail(err, "out of memory for batches of %d", batch);
    }
    for (size_t i = 0; i < n; i++) b->order[i] = idx ? idx[i] : (uint32_t)i;
    b->pos = 0;
    b->epoch = 0;
    return 0;
}

int batcher_next(batcher *b) {
    if (b->pos >= b->n) {
        b->pos = 0;
        return 0;
    }
    if (b->pos == 0) {
        b->epoch++;
        if (b->shuffle) rng_shuffle_u32(&b->r, b->order, b->n);
    }
    size_t left = b->n - b->pos;
    int m = left < (size_t)b->batch ? (int)left : b->batch;
    dataset_gather(b->ds, b->order + b->pos, m, b->x, b->label, b->user, b->item, b->target);
    b->pos += (size_t)m;
    return m;
}
