/* netmodel.c: incremental progressive filling over access links. */
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
    n->link_flows = calloc(L, sizeof(int *));
    n->link_n = calloc(L, sizeof(int));
    n->link_cap = calloc(L, sizeof(int));
    n->link_seen = calloc(L, sizeof(uint32_t));
    n->dirty = malloc(sizeof(int) * L);
    n->cap_left = malloc(sizeof(double) * L);
    n->wsum = malloc(sizeof(double) * L);
    n->unfixed = malloc(sizeof(int) * L);
    n->comp_links = malloc(sizeof(int) * L);
    if (!n->up || !n->down || !n->latency || !n->link_flows || !n->link_n || !n->link_cap ||
        !n->link_seen || !n->dirty || !n->cap_left || !n->wsum || !n->unfixed || !n->comp_links) {
        net_free(n);
        return ds_fail(err, "out of memory for a %d-node network", nodes);
    }
    for (int i = 0; i < nodes; i++) net_set_node(n, i, up, down, latency);
    return 0;
}

void net_free(net_model *n) {
    if (!n) return;
    for (int l = 0; n->link_flows && l < 2 * n->nodes; l++) free(n->link_flows[l]);
    free(n->up);
    free(n->down);
    free(n->latency);
    free(n->flows);
    free(n->free_ids);
    free(n->link_flows);
    free(n->link_n);
    free(n->link_cap);
    free(n->link_seen);
    free(n->dirty);
    free(n->cap_left);
    free(n->wsum);
    free(n->unfixed);
    free(n->comp_links);
    free(n->comp_flows);
    free(n->heap);
    memset(n, 0, sizeof *n);
}

static void mark_dirty(net_model *n, int link);

void net_set_node(net_model *n, int node, double up, double down, double latency) {
    n->up[node] = up;
    n->down[node] = down;
    n->latency[node] = latency;
    if (n->link_n[node] > 0) mark_dirty(n, node);
    if (n->link_n[n->nodes + node] > 0) mark_dirty(n, n->nodes + node);
}

void net_advance(net_model *n, double t) {
    if (t > n->now) n->now = t;
}

double net_remaining(const net_model *n, int id) {
    const net_flow *f = &n->flows[id];
    double r = f->remaining - (f->rate > 0 ? f->rate : 0) * (n->now - f->updated);
    return r > 0 ? r : 0;
}

static int grow(net_model *n) {
    size_t cap = n->cap ? 2 * n->cap : 64;
    net_flow *f = realloc(n->flows, sizeof *f * cap);
    if (!f) return -1;
    n->flows = f;
    int *ids = realloc(n->free_ids, sizeof(int) * cap);
    if (!ids) return -1;
    n->free_ids = ids;
    /* New ids pushed so that the lowest is reused first (deterministic). */
    for (size_t i = cap; i-- > n->cap;) {
        memset(&n->flows[i], 0, sizeof n->flows[i]);
        n->free_ids[n->n_free++] = (int)i;
    }
    n->cap = cap;
    return 0;
}

static void mark_dirty(net_model *n, int link) {
    /* link_seen doubles as the dirty flag between re-solves: generation
     * numbers are only compared during a walk, and a walk starts by
     * bumping the generation, so any stale value is harmless. Use the
     * top bit for "dirty". */
    if (n->link_seen[link] & 0x80000000u) return;
    n->link_seen[link] |= 0x80000000u;
    n->dirty[n->n_dirty++] = link;
}

static int link_add(net_model *n, int link, int id) {
    if (n->link_n[link] == n->link_cap[link]) {
        int cap = n->link_cap[link] ? 2 * n->link_cap[link] : 4;
        int *p = realloc(n->link_flows[link], sizeof(int) * (size_t)cap);
        if (!p) return -1;
        n->link_flows[link] = p;
        n->link_cap[link] = cap;
    }
    int pos = n->link_n[link]++;
    n->link_flows[link][pos] = id;
    return pos;
}

/* Swap-removes the flow at pos of link, fixing the moved flow's position. */
static void link_remove(net_model *n, int link, int pos) {
    int last = --n->link_n[link];
    if (pos != last) {
        int moved = n->link_flows[link][last];
        n->link_flows[link][pos] = moved;
        net_flow *m = &n->flows[moved];
        if (link < n->nodes) m->pos_up = pos;
        else m->pos_down = pos;
    }
}

int net_start(net_model *n, int src, int dst, double bits, uint64_t tag) {
    if (n->n_free == 0 && grow(n)) return -1;
    int id = n->free_ids[n->n_free - 1];
    int pu = link_add(n, src, id);
    if (pu < 0) return -1;
    int pd = link_add(n, n->nodes + dst, id);
    if (pd < 0) {
        link_remove(n, src, pu);
        return -1;
    }
    n->n_free--;
    net_flow *f = &n->flows[id];
    uint32_t version = f->version;
    memset(f, 0, sizeof *f);
    f->src = src;
    f->dst = dst;
    f->pos_up = pu;
    f->pos_down = pd;
    f->remaining = bits;
    f->updated = n->now;
    /* RTT = 2 x (sender's + receiver's one-way latency); a 1 us floor
     * keeps zero-latency setups finite. */
    f->weight = n->rtt_weighted ? 1.0 / (2.0 * (n->latency[src] + n->latency[dst]) + 1e-6) : 1.0;
    f->tag = tag;
    f->active = 1;
    f->changed = 1;
    f->version = version + 1;
    n->active++;
    mark_dirty(n, src);
    mark_dirty(n, n->nodes + dst);
    return id;
}

void net_end(net_model *n, int id) {
    net_flow *f = &n->flows[id];
    if (!f->active) return;
    link_remove(n, f->src, f->pos_up);
    link_remove(n, n->nodes + f->dst, f->pos_down);
    mark_dirty(n, f->src);
    mark_dirty(n, n->nodes + f->dst);
    f->active = 0;
    f->version++;
    n->active--;
    n->free_ids[n->n_free++] = id;
}

/* Min-heap on (share, link). */
static int heap_less(const net_model *n, size_t i, size_t j) {
    return n->heap[i].share < n->heap[j].share ||
           (n->heap[i].share == n->heap[j].share && n->heap[i].link < n->heap[j].link);
}
static void heap_swap(net_model *n, size_t i, size_t j) {
    __typeof__(n->heap[0]) t = n->heap[i];
    n->heap[i] = n->heap[j];
    n->heap[j] = t;
}
static void heap_push(net_model *n, size_t *size, double share, int link) {
    size_t i = (*size)++;
    n->heap[i].share = share;
    n->heap[i].link = link;
    while (i > 0 && heap_less(n, i, (i - 1) / 2)) {
        heap_swap(n, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}
static void heap_pop(net_model *n, size_t *size) {
    n->heap[0] = n->heap[--*size];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *size) break;
        if (c + 1 < *size && heap_less(n, c + 1, c)) c++;
        if (!heap_less(n, c, i)) break;
        heap_swap(n, i, c);
        i = c;
    }
}

/* Collects the connected component(s) of the dirty links. */
static int walk_components(net_model *n) {
    const uint32_t gen = ++n->generation & 0x7fffffffu;
    n->n_comp_links = n->n_comp_flows = 0;
    for (int d = 0; d < n->n_dirty; d++) {
        int l = n->dirty[d];
        n->link_seen[l] &= 0x7fffffffu; /* clear the dirty bit */
        if (n->link_seen[l] == gen) continue;
        n->link_seen[l] = gen;
        n->comp_links[n->n_comp_links++] = l;
    }
    n->n_dirty = 0;
    for (int k = 0; k < n->n_comp_links; k++) { /* BFS: comp_links is the queue */
        int l = n->comp_links[k];
        for (int j = 0; j < n->link_n[l]; j++) {
            int id = n->link_flows[l][j];
            net_flow *f = &n->flows[id];
            if (f->seen == gen) continue;
            f->seen = gen;
            if ((size_t)n->n_comp_flows == n->comp_flows_cap) {
                size_t cap = n->comp_flows_cap ? 2 * n->comp_flows_cap : 64;
                int *p = realloc(n->comp_flows, sizeof(int) * cap);
                if (!p) return -1;
                n->comp_flows = p;
                n->comp_flows_cap = cap;
            }
            n->comp_flows[n->n_comp_flows++] = id;
            int other = l < n->nodes ? n->nodes + f->dst : f->src;
            if ((n->link_seen[other] & 0x7fffffffu) != gen) {
                n->link_seen[other] = gen | (n->link_seen[other] & 0x80000000u);
                n->comp_links[n->n_comp_links++] = other;
            }
        }
    }
    return 0;
}

int net_share(net_model *n) {
    const int N = n->nodes;
    if (walk_components(n)) return -1;
    size_t need = (size_t)n->n_comp_links + (size_t)n->n_comp_flows + 1;
    if (need > n->heap_cap) {
        __typeof__(n->heap) h = realloc(n->heap, sizeof *h * need);
        if (!h) return -1;
        n->heap = h;
        n->heap_cap = need;
    }
    for (int k = 0; k < n->n_comp_flows; k++) {
        net_flow *f = &n->flows[n->comp_flows[k]];
        f->remaining = net_remaining(n, n->comp_flows[k]); /* progress at the old rate */
        f->updated = n->now;
        f->old_rate = f->rate;
        f->rate = -1; /* unfixed */
    }
    size_t hs = 0;
    for (int k = 0; k < n->n_comp_links; k++) {
        int l = n->comp_links[k];
        n->cap_left[l] = l < N ? n->up[l] : n->down[l - N];
        n->unfixed[l] = n->link_n[l];
        n->wsum[l] = 0;
        for (int j = 0; j < n->link_n[l]; j++) n->wsum[l] += n->flows[n->link_flows[l][j]].weight;
        if (n->unfixed[l] > 0) heap_push(n, &hs, n->cap_left[l] / n->wsum[l], l);
    }
    while (hs > 0) {
        double share = n->heap[0].share; /* per unit weight */
        int l = n->heap[0].link;
        heap_pop(n, &hs);
        /* Stale entry: the link's share changed since it was pushed. */
        if (n->unfixed[l] == 0 || n->cap_left[l] / n->wsum[l] != share) continue;
        if (share < 0) share = 0;
        for (int j = 0; j < n->link_n[l]; j++) {
            net_flow *f = &n->flows[n->link_flows[l][j]];
            if (f->rate >= 0) continue; /* fixed already */
            f->rate = share * f->weight;
            int other = l < N ? N + f->dst : f->src;
            n->cap_left[other] -= f->rate;
            n->wsum[other] -= f->weight;
            if (--n->unfixed[other] > 0)
                heap_push(n, &hs, n->cap_left[other] / n->wsum[other], other);
        }
        n->cap_left[l] = 0;
        n->unfixed[l] = 0;
    }
    for (int k = 0; k < n->n_comp_flows; k++) {
        net_flow *f = &n->flows[n->comp_flows[k]];
        if (f->rate != f->old_rate) {
            f->changed = 1;
            f->version++;
        }
    }
    return 0;
}

int net_share_all(net_model *n) {
    for (int l = 0; l < 2 * n->nodes; l++) mark_dirty(n, l);
    return net_share(n);
}

double net_finish_time(const net_model *n, int id) {
    const net_flow *f = &n->flows[id];
    double rem = net_remaining(n, id);
    if (rem <= 0) return n->now;
    if (f->rate <= 0) return INFINITY;
    return n->now + rem / f->rate;
}
