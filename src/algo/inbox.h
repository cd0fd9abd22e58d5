/* inbox.h: what a node has received and not yet averaged: the newest item
 * per (sender, fragment), and their averaging into the model.
 *
 * Averaging is per parameter: own value plus every held copy, divided by
 * 1 + copies of that parameter (fragments of different senders may cover
 * different index sets, as with DivShare's per-round redraw; a full model
 * is fragment 0 covering every parameter). Cost: O(values held + n_params). */
#ifndef DS_INBOX_H
#define DS_INBOX_H

#include "algo/algo.h"

typedef struct inbox_entry {
    int src;
    uint32_t fragment, round;
    const uint32_t *index; /* NULL = whole model */
    size_t count;
    int packed;            /* values are the count payload values in order */
    model_snapshot *snap;  /* one reference owned */
} inbox_entry;

typedef struct inbox {
    inbox_entry *e;
    size_t n, cap;
    int n_fragments;
    size_t n_params;
    uint16_t *copies; /* [n_params] scratch: copies per parameter */
    /* Set by the owner when every copy of a fragment id covers one index
     * set and different ids cover disjoint sets (DivShare's shared
     * permutation): averaging then goes fragment by fragment. */
    int disjoint;
    float *acc;       /* [acc_cap] scratch of that averaging: a fragment's sums */
    size_t acc_cap;
    uint32_t *order;  /* [order_cap] and [n_fragments + 1]: its copies grouped by id */
    size_t order_cap;
    size_t *group;
} inbox;

int inbox_init(inbox *b, int n_fragments, size_t n_params, ds_err *err);
void inbox_free(inbox *b);
/* Keeps msg's values unless a newer (or equal) round from the same sender
 * and fragment is held; a held older one is replaced (counted). Returns
 * 0, -1 for a message that does not fit (ignored), or INBOX_OOM. */
#define INBOX_OOM (-2)
int inbox_put(inbox *b, const algo_msg *m, algo_counters *cnt);
/* params = (params + sum of held copies) / (1 + copies), per fragment;
 * then empties the inbox. `round` is the receiver's, for staleness. */
void inbox_average_into(inbox *b, float *params, uint32_t round, algo_counters *cnt);

#endif
