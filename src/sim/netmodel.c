/* netmodel.c: progressive filling over access links with a lazy heap. */
#include "sim/netmodel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int net_init(net_model *n, int nodes, double up, double down, double latency, ds_err *err) {
    memset(n, 0, sizeof *n);
    if (nodes < 1) return ds_fail(err, "network needs at least one node");
    n->nodes = nodes;
    size_t L = 2 * (size_t)nodes;
    n->up = malloc(sizeof(double) * nodes);
    n->down = malloc(sizeof(double) * nodes);
    n->latency = malloc(sizeof(double) * nodes);
    n->cap_left = malloc(sizeof(double) * L);
    n->unfixed = malloc(sizeof(int) * L);
    n->link_start = malloc(sizeof(int) * (L + 1));
    if (!n->up || !n->down || !n->latency || !n->cap_left || !n->unfixed || !n->link_start) {
        net_free(n);
        return ds_fail(err, "out of memory for a %d-node network", nodes);
    }
    for (int i = 0; i < nodes; i++) net_set_node(n, i, up, down, latency);
    return 0;
}

void net_free(net_model *n) {
    if (!n) return;
    free(n->up);
    free(n->down);
    free(n->latency);
    free(n->flows);
    free(n->free_ids);
    free(n->cap_left);
    free(n->unfixed);
    free(n->link_start);
    free(n->link_flows);
    free(n->heap);
    memset(n, 0, sizeof *n);
}

void net_set_node(net_model *n, int node, double up, double down, double latency) {
    n->up[node] = up;
    n->down[node] = down;
    n->latency[node] = latency;
}

void net_advance(net_model *n, double t) {
    double dt = t - n->now;
    if (dt > 0)
        for (size_t i = 0; i < n->cap; i++) {
            net_flow *f = &n->flows[i];
            if (!f->active) continue;
            f->remaining -= f->rate * dt;
            if (f->remaining < 0) f->remaining = 0;
        }
    if (t > n->now) n->now = t;
}

static int grow(net_model *n) {
    size_t cap = n->cap ? 2 * n->cap : 64;
    net_flow *f = realloc(n->flows, sizeof *f * cap);
    if (!f) return -1;
    n->flows = f;
    int *ids = realloc(n->free_ids, sizeof(int) * cap);
    if (!ids) return -1;
    n->free_ids = ids;
    int *lf = realloc(n->link_flows, sizeof(int) * 2 * cap);
    if (!lf) return -1;
    n->link_flows = lf;
    /* The lazy heap holds each link once plus one entry per fixed flow. */
    __typeof__(n->heap) h = realloc(n->heap, sizeof *h * (2 * (size_t)n->nodes + cap + 1));
    if (!h) return -1;
    n->heap = h;
    /* New ids pushed so that the lowest is reused first (deterministic). */
    for (size_t i = cap; i-- > n->cap;) {
        n->flows[i].active = 0;
        n->free_ids[n->n_free++] = (int)i;
    }
    n->cap = cap;
    return 0;
}

int net_start(net_model *n, int src, int dst, double bits, uint64_t tag) {
    if (n->n_free == 0 && grow(n)) return -1;
    int id = n->free_ids[--n->n_free];
    net_flow *f = &n->flows[id];
    f->src = src;
    f->dst = dst;
    f->remaining = bits;
    f->rate = 0;
    f->tag = tag;
    f->active = 1;
    f->changed = 1;
    f->version++;
    n->active++;
    return id;
}

void net_end(net_model *n, int id) {
    net_flow *f = &n->flows[id];
    if (!f->active) return;
    f->active = 0;
    f->version++;
    n->active--;
    n->free_ids[n->n_free++] = id;
}

/* Min-heap on (share, link). */
static int heap_less(const net_model *n, int i, int j) {
    return n->heap[i].share < n->heap[j].share ||
           (n->heap[i].share == n->heap[j].share && n->heap[i].link < n->heap[j].link);
}
static void heap_push(net_model *n, size_t *size, double share, int link) {
    size_t i = (*size)++;
    n->heap[i].share = share;
    n->heap[i].link = link;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_less(n, (int)i, (int)p)) break;
        __typeof__(n->heap[0]) t = n->heap[i];
        n->heap[i] = n->heap[p];
        n->heap[p] = t;
        i = p;
    }
}
static void heap_pop(net_model *n, size_t *size) {
    n->heap[0] = n->heap[--*size];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *size) break;
        if (c + 1 < *size && heap_less(n, (int)(c + 1), (int)c)) c++;
        if (!heap_less(n, (int)c, (int)i)) break;
        __typeof__(n->heap[0]) t = n->heap[i];
        n->heap[i] = n->heap[c];
        n->heap[c] = t;
        i = c;
    }
}

int net_share(net_model *n) {
    const int N = n->nodes, L = 2 * N;
    /* Capacities and CSR lists of active flows per link. */
    for (int l = 0; l < L; l++) {
        n->cap_left[l] = l < N ? n->up[l] : n->down[l - N];
        n->unfixed[l] = 0;
    }
    for (size_t i = 0; i < n->cap; i++) {
        const net_flow *f = &n->flows[i];
        if (!f->active) continue;
        n->unfixed[f->src]++;
        n->unfixed[N + f->dst]++;
    }
    n->link_start[0] = 0;
    for (int l = 0; l < L; l++) n->link_start[l + 1] = n->link_start[l] + n->unfixed[l];
    /* Fill CSR using unfixed[] as a cursor from the end of each list; keep
     * each rate to detect which ones change. */
    for (size_t i = 0; i < n->cap; i++) {
        net_flow *f = &n->flows[i];
        if (!f->active) continue;
        f->old_rate = f->rate;
        f->rate = -1; /* unfixed */
        n->link_flows[n->link_start[f->src + 1] - n->unfixed[f->src]--] = (int)i;
        n->link_flows[n->link_start[N + f->dst + 1] - n->unfixed[N + f->dst]--] = (int)i;
    }
    for (int l = 0; l < L; l++) n->unfixed[l] = n->link_start[l + 1] - n->link_start[l];
    size_t hs = 0;
    for (int l = 0; l < L; l++)
        if (n->unfixed[l] > 0) heap_push(n, &hs, n->cap_left[l] / n->unfixed[l], l);
    while (hs > 0) {
        double share = n->heap[0].share;
        int l = n->heap[0].link;
        heap_pop(n, &hs);
        /* Stale entry: the link's share changed since it was pushed. */
        if (n->unfixed[l] == 0 || n->cap_left[l] / n->unfixed[l] != share) continue;
        if (share < 0) share = 0;
        for (int k = n->link_start[l]; k < n->link_start[l + 1]; k++) {
            net_flow *f = &n->flows[n->link_flows[k]];
            if (f->rate >= 0) continue; /* fixed already */
            f->rate = share;
            int other = l < N ? N + f->dst : f->src;
            n->cap_left[other] -= share;
            if (--n->unfixed[other] > 0)
                heap_push(n, &hs, n->cap_left[other] / n->unfixed[other], other);
        }
        n->cap_left[l] = 0;
        n->unfixed[l] = 0;
    }
    for (size_t i = 0; i < n->cap; i++) {
        net_flow *f = &n->flows[i];
        if (!f->active) continue;
        if (f->rate != f->old_rate) {
            f->changed = 1;
            f->version++;
        }
    }
    return 0;
}

double net_finish_time(const net_model *n, int id) {
    const net_flow *f = &n->flows[id];
    if (f->remaining <= 0) return n->now;
    if (f->rate <= 0) return INFINITY;
    return n->now + f->remaining / f->rate;
}
