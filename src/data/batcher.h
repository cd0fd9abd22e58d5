/* batcher.h: endless shuffled mini-batches over a subset of a dataset.
 *
 * Each epoch visits every index once in a fresh seeded order; the last
 * batch of an epoch may be short (PyTorch's DataLoader, drop_last=False). */
#ifndef DS_BATCHER_H
#define DS_BATCHER_H

#include "data/dataset.h"
#include "util/rng.h"

typedef struct batcher {
    const dataset *ds; /* borrowed */
    uint32_t *order;   /* owned copy of the indices, permuted each epoch */
    size_t n, pos;
    int batch;
    int shuffle;
    long epoch;        /* epochs started */
    rng r;
    /* Batch buffers (owned); those the dataset kind does not use are NULL. */
    float *x;
    int32_t *label, *user, *item;
    float *target;
} batcher;

/* idx: the subset (copied); NULL means every sample. */
int batcher_init(batcher *b, const dataset *d, const uint32_t *idx, size_t n, int batch,
                 int shuffle, uint64_t seed, ds_err *err);
void batcher_free(batcher *b);

/* Gathers the next batch into the buffers and returns its size; returns 0
 * once at the end of each epoch (the next call starts a new epoch). */
int batcher_next(batcher *b);

#endif
