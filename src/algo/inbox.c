/* inbox.c: newest-per-(sender, fragment) store and sum/count averaging. */
#include "algo/inbox.h"

#include <stdlib.h>
#include <string.h>

#include "util/dispatch.h"

int inbox_init(inbox *b, int n_fragments, size_t n_params, ds_err *err) {
    memset(b, 0, sizeof *b);
    b->n_fragments = n_fragments;
    b->n_params = n_params;
    b->copies = calloc(n_params ? n_params : 1, sizeof(uint16_t));
    if (!b->copies) {
        inbox_free(b);
        return ds_fail(err, "out of memory");
    }
    return 0;
}

void inbox_free(inbox *b) {
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) snapshot_unref(b->e[i].snap);
    free(b->e);
    free(b->copies);
    memset(b, 0, sizeof *b);
}

int inbox_put(inbox *b, const algo_msg *m, algo_counters *cnt) {
    if ((int)m->fragment >= b->n_fragments || !m->snap) return -1;
    if (m->packed ? !m->index || m->snap->n != m->count : m->snap->n != b->n_params) return -1;
    if (!m->index && m->count != b->n_params) return -1;
    for (size_t i = 0; i < b->n; i++) {
        inbox_entry *e = &b->e[i];
        if (e->src != m->src || e->fragment != m->fragment) continue;
        if (e->round >= m->round) return 0; /* we hold a newer one */
        snapshot_unref(e->snap);
        e->snap = snapshot_ref(m->snap);
        e->round = m->round;
        e->index = m->index; /* a redrawn permutation: other indices */
        e->count = m->count;
        e->packed = m->packed;
        cnt->replaced++;
        return 0;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        inbox_entry *ne = realloc(b->e, sizeof *ne * cap);
        if (!ne) return INBOX_OOM;
        b->e = ne;
        b->cap = cap;
    }
    inbox_entry *e = &b->e[b->n++];
    e->src = m->src;
    e->fragment = m->fragment;
    e->round = m->round;
    e->index = m->index;
    e->count = m->count;
    e->packed = m->packed;
    e->snap = snapshot_ref(m->snap);
    return 0;
}

DS_HOT void inbox_average_into(inbox *b, float *params, uint32_t round, algo_counters *cnt) {
    if (b->n == 0) return;
    memset(b->copies, 0, sizeof(uint16_t) * b->n_params);
    for (size_t i = 0; i < b->n; i++) {
        const inbox_entry *e = &b->e[i];
        const float *v = e->snap->values;
        if (e->index && e->packed)
            for (size_t k = 0; k < e->count; k++) {
                uint32_t p = e->index[k];
                params[p] += v[k];
                b->copies[p]++;
            }
        else if (e->index)
            for (size_t k = 0; k < e->count; k++) {
                uint32_t p = e->index[k];
                params[p] += v[p];
                b->copies[p]++;
            }
        else
            for (size_t k = 0; k < e->count; k++) {
                params[k] += v[k];
                b->copies[k]++;
            }
        cnt->applied++;
        cnt->staleness_sum += round >= e->round ? (double)(round - e->round) : 0.0;
        snapshot_unref(e->snap);
    }
    for (size_t p = 0; p < b->n_params; p++)
        if (b->copies[p]) params[p] /= (float)(1 + b->copies[p]);
    b->n = 0;
}
