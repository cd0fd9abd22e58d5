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
    free(b->acc);
    free(b->order);
    free(b->group);
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

/* Adds every held copy into params (inbox order) and counts copies. */
static DS_HOT void sum_by_entry(inbox *b, float *params) {
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
    }
}

/* Groups the held copies by fragment id, each group in inbox order (a
 * stable counting sort): group f is b->e[b->order[k]] for k in
 * [b->group[f], b->group[f + 1]). 0 if out of memory. */
static int group_by_fragment(inbox *b) {
    const int F = b->n_fragments;
    if (b->n > b->order_cap) {
        uint32_t *o = realloc(b->order, sizeof(uint32_t) * b->cap);
        if (!o) return 0;
        b->order = o;
        b->order_cap = b->cap;
    }
    if (!b->group && !(b->group = malloc(sizeof(size_t) * ((size_t)F + 1)))) return 0;
    memset(b->group, 0, sizeof(size_t) * ((size_t)F + 1));
    for (size_t i = 0; i < b->n; i++) b->group[b->e[i].fragment + 1]++;
    for (int f = 0; f < F; f++) b->group[f + 1] += b->group[f];
    for (size_t i = 0; i < b->n; i++) b->order[b->group[b->e[i].fragment]++] = (uint32_t)i;
    for (int f = F; f > 0; f--) b->group[f] = b->group[f - 1]; /* each start moved to the next: back */
    b->group[0] = 0;
    return 1;
}

/* The same sums fragment by fragment (b->disjoint): a parameter's copies
 * then all come from one fragment id, so adding that fragment's copies in
 * inbox order adds the same values in the same order as sum_by_entry, bit
 * for bit; the fragment's parameters are gathered once into b->acc instead
 * of once per copy. Returns 0 without touching params if the entries do
 * not fit that (an id with two index sets, a whole model) or out of
 * memory for the scratch: then sum_by_entry does it. */
static DS_HOT int sum_by_fragment(inbox *b, float *params) {
    if (!group_by_fragment(b)) return 0;
    size_t most = 0;
    for (int f = 0; f < b->n_fragments; f++)
        for (size_t k = b->group[f]; k < b->group[f + 1]; k++) {
            const inbox_entry *e = &b->e[b->order[k]];
            const inbox_entry *first = &b->e[b->order[b->group[f]]];
            if (!e->index || e->index != first->index || e->count != first->count) return 0;
            if (e->count > most) most = e->count;
        }
    if (most > b->acc_cap) {
        float *a = realloc(b->acc, sizeof(float) * most);
        if (!a) return 0;
        b->acc = a;
        b->acc_cap = most;
    }
    float *acc = b->acc;
    for (int f = 0; f < b->n_fragments; f++) {
        if (b->group[f] == b->group[f + 1]) continue;
        const inbox_entry *first = &b->e[b->order[b->group[f]]];
        const uint32_t *idx = first->index;
        const size_t count = first->count;
        const uint16_t copies = (uint16_t)(b->group[f + 1] - b->group[f]);
        for (size_t k = 0; k < count; k++) acc[k] = params[idx[k]];
        for (size_t g = b->group[f]; g < b->group[f + 1]; g++) {
            const inbox_entry *e = &b->e[b->order[g]];
            const float *v = e->snap->values;
            if (e->packed)
                for (size_t k = 0; k < count; k++) acc[k] += v[k];
            else
                for (size_t k = 0; k < count; k++) acc[k] += v[idx[k]];
        }
        for (size_t k = 0; k < count; k++) {
            params[idx[k]] = acc[k];
            b->copies[idx[k]] = copies;
        }
    }
    return 1;
}

DS_HOT void inbox_average_into(inbox *b, float *params, uint32_t round, algo_counters *cnt) {
    if (b->n == 0) return;
    memset(b->copies, 0, sizeof(uint16_t) * b->n_params);
    if (!b->disjoint || !sum_by_fragment(b, params)) sum_by_entry(b, params);
    for (size_t i = 0; i < b->n; i++) {
        const inbox_entry *e = &b->e[i];
        cnt->applied++;
        cnt->staleness_sum += round >= e->round ? (double)(round - e->round) : 0.0;
        snapshot_unref(e->snap);
    }
    for (size_t p = 0; p < b->n_params; p++)
        if (b->copies[p]) params[p] /= (float)(1 + b->copies[p]);
    b->n = 0;
}
