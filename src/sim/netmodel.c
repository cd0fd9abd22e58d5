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
    n->link_flows = calloc(L, sizeof(net_hop *));
    n->link_n = calloc(L, sizeof(int));
    n->link_cap = calloc(L, sizeof(int));
    n->link_seen = calloc(L, sizeof(uint32_t));
    n->dirty = malloc(sizeof(int) * L);
    n->cap_left = malloc(sizeof(double) * L);
    n->wsum = malloc(sizeof(double) * L);
    n->unfixed = malloc(sizeof(int) * L);
    n->comp_links = malloc(sizeof(int) * L);
    n->level = malloc(sizeof(double) * L);
    n->old_level = malloc(sizeof(double) * L);
    n->queued = malloc(sizeof(double) * L);
    n->state = calloc(L, sizeof(uint32_t));
    n->finals = malloc(sizeof(int) * L);
    n->watched = malloc(sizeof(int) * L);
    if (!n->level || !n->old_level || !n->queued || !n->state || !n->finals || !n->watched) {
        net_free(n);
        return ds_fail(err, "out of memory for a %d-node network", nodes);
    }
    for (size_t l = 0; l < L; l++) n->level[l] = INFINITY;
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
    free(n->done_heap);
    free(n->fresh);
    free(n->level);
    free(n->old_level);
    free(n->queued);
    free(n->state);
    free(n->wf);
    free(n->pq);
    free(n->finals);
    free(n->watched);
    free(n->crossed);
    memset(n, 0, sizeof *n);
}

static void mark_dirty(net_model *n, int link);
static void done_remove(net_model *n, int id);

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
    struct net_done *dh = realloc(n->done_heap, sizeof *dh * cap);
    if (!dh) return -1;
    n->done_heap = dh;
    int *fr = realloc(n->fresh, sizeof(int) * cap);
    if (!fr) return -1;
    n->fresh = fr;
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

static int link_add(net_model *n, int link, int id, int other, double weight) {
    if (n->link_n[link] == n->link_cap[link]) {
        int cap = n->link_cap[link] ? 2 * n->link_cap[link] : 4;
        net_hop *p = realloc(n->link_flows[link], sizeof *p * (size_t)cap);
        if (!p) return -1;
        n->link_flows[link] = p;
        n->link_cap[link] = cap;
        if ((size_t)cap > n->wf_cap) { /* water-filling scratch: a link's flows */
            struct net_wf *w = realloc(n->wf, sizeof *w * (size_t)cap);
            if (!w) return -1;
            n->wf = w;
            n->wf_cap = (size_t)cap;
        }
    }
    int pos = n->link_n[link]++;
    n->link_flows[link][pos] = (net_hop){.flow = id, .other = other, .weight = weight};
    return pos;
}

/* Swap-removes the flow at pos of link, fixing the moved flow's position. */
static void link_remove(net_model *n, int link, int pos) {
    int last = --n->link_n[link];
    if (pos != last) {
        net_hop moved = n->link_flows[link][last];
        n->link_flows[link][pos] = moved;
        net_flow *m = &n->flows[moved.flow];
        if (link < n->nodes) m->pos_up = pos;
        else m->pos_down = pos;
    }
}

int net_start(net_model *n, int src, int dst, double bits, uint64_t tag) {
    if (n->n_free == 0 && grow(n)) return -1;
    int id = n->free_ids[n->n_free - 1];
    /* RTT = 2 x (sender's + receiver's one-way latency); a 1 us floor
     * keeps zero-latency setups finite. */
    double weight = n->rtt_weighted ? 1.0 / (2.0 * (n->latency[src] + n->latency[dst]) + 1e-6) : 1.0;
    int pu = link_add(n, src, id, n->nodes + dst, weight);
    if (pu < 0) return -1;
    int pd = link_add(n, n->nodes + dst, id, src, weight);
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
    f->weight = weight;
    f->tag = tag;
    f->active = 1;
    f->changed = 1;
    f->version = version + 1;
    f->heap_pos = -1;
    n->fresh[n->n_fresh++] = id;
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
    if (f->heap_pos >= 0) done_remove(n, id);
    f->active = 0;
    f->version++;
    n->active--;
    n->free_ids[n->n_free++] = id;
}

/* ---- completion heap: flow ids on (finish, seq) ---------------------- */

static int done_before(const struct net_done *x, const struct net_done *y) {
    return x->finish < y->finish || (x->finish == y->finish && x->seq < y->seq);
}

static void done_place(net_model *n, size_t i, struct net_done e) {
    n->done_heap[i] = e;
    n->flows[e.flow].heap_pos = (int)i;
}

/* Moves the entry at i up or down to its place. */
static void done_sift(net_model *n, size_t i) {
    struct net_done e = n->done_heap[i];
    while (i > 0 && done_before(&e, &n->done_heap[(i - 1) / 2])) {
        done_place(n, i, n->done_heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n->n_done) break;
        if (c + 1 < n->n_done && done_before(&n->done_heap[c + 1], &n->done_heap[c])) c++;
        if (!done_before(&n->done_heap[c], &e)) break;
        done_place(n, i, n->done_heap[c]);
        i = c;
    }
    done_place(n, i, e);
}

static void done_remove(net_model *n, int id) {
    size_t i = (size_t)n->flows[id].heap_pos;
    struct net_done last = n->done_heap[--n->n_done];
    n->flows[id].heap_pos = -1;
    if (last.flow == id) return;
    n->done_heap[i] = last;
    done_sift(n, i);
}

void net_schedule(net_model *n, int id, uint64_t seq) {
    net_flow *f = &n->flows[id];
    if (f->heap_pos < 0) f->heap_pos = (int)n->n_done++;
    n->done_heap[f->heap_pos] = (struct net_done){.finish = net_finish_time(n, id), .seq = seq, .flow = id};
    done_sift(n, (size_t)f->heap_pos);
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

/* Appends flow id to the re-solved flows (net_resolved). */
static int list_append(net_model *n, int id) {
    if ((size_t)n->n_comp_flows == n->comp_flows_cap) {
        size_t cap = n->comp_flows_cap ? 2 * n->comp_flows_cap : 64;
        int *p = realloc(n->comp_flows, sizeof(int) * cap);
        if (!p) return -1;
        n->comp_flows = p;
        n->comp_flows_cap = cap;
    }
    n->comp_flows[n->n_comp_flows++] = id;
    return 0;
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
            int id = n->link_flows[l][j].flow;
            net_flow *f = &n->flows[id];
            if (f->seen == gen) continue;
            f->seen = gen;
            if (list_append(n, id)) return -1;
            int other = l < n->nodes ? n->nodes + f->dst : f->src;
            if ((n->link_seen[other] & 0x7fffffffu) != gen) {
                n->link_seen[other] = gen | (n->link_seen[other] & 0x80000000u);
                n->comp_links[n->n_comp_links++] = other;
            }
        }
    }
    return 0;
}

static int share_components(net_model *n) {
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
        for (int j = 0; j < n->link_n[l]; j++) n->wsum[l] += n->flows[n->link_flows[l][j].flow].weight;
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
            net_flow *f = &n->flows[n->link_flows[l][j].flow];
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

/* ---- incremental max-min ---------------------------------------------
 *
 * Progressive filling settles the links in increasing order of their
 * level (share per unit weight), ties by link index: a flow is fixed at
 * the first of its two links in that order, at weight x that link's
 * level. A link's level depends only on its capacity, its flows, and the
 * levels of the neighbours that settle before it.
 *
 * After a change only some links can change, and the re-solve replays the
 * filling's sweep over those alone. The dirty links are the first
 * candidates. A candidate is queued at a lower bound of its level: its
 * water-filling level given the links known to be final, which are those
 * settled in this re-solve and the untouched ones the sweep has passed (a
 * link's level only rises as more links settle before it). Popped, it is
 * recomputed: still at the sweep, it settles; higher, it is re-queued.
 * Untouched links keep their level until a change reaches them:
 *  - a settled link whose level or fixing changed for a flow it shares
 *    with an untouched link makes that link a candidate (settle);
 *  - a candidate queued above its old level will let the sweep pass that
 *    level unsettled, so the links that counted its flows as fixed there
 *    become candidates (push_crossed).
 * So the sweep meets an untouched link only when that link's inputs are
 * unchanged, and its old level is final. A re-solve costs the links and
 * flows near the change, not the component. net_share_all makes every
 * link a candidate: the same computation from scratch, which the tests
 * compare with it and with progressive filling.
 *
 * Most links a change reaches are no one's bottleneck: with DivShare's
 * traffic, a fast downlink whose senders are all limited by their own
 * uplinks has level INFINITY, and every uplink change reaches the
 * downlinks of its flows: on 240 nodes, four in five of the links a
 * re-solve settled were such links and stayed at INFINITY, each for two or
 * more water-fillings over its flows.
 * Such a link is only watched (make_candidate): it stays untouched for the
 * sweep, and afterwards it stays at INFINITY if its flows' rates, now
 * final, sum to less than its capacity with a margin of 1e-9 relative
 * (watch_holds), which is exactly when water-filling would fix every flow
 * elsewhere. If one is saturated, the sweep is undone and redone without
 * watching (about one re-solve in twenty on that traffic). So levels,
 * rates and the order of the re-solved flows are those of the sweep that
 * re-solves every reached link, to the bit; the tests compare the rates
 * and the re-solved flows in order after every change. */

enum { LINK_PENDING = 1, LINK_FINAL = 2, LINK_WATCHED = 3 };

static int link_state(const net_model *n, int l) {
    return (n->state[l] >> 2) == n->solve_gen ? (int)(n->state[l] & 3u) : 0;
}

static void set_state(net_model *n, int l, int st) { n->state[l] = n->solve_gen << 2 | (uint32_t)st; }

/* Link a settles before link b. */
static int key_less(double ka, int a, double kb, int b) { return ka < kb || (ka == kb && a < b); }

static double link_capacity(const net_model *n, int l) {
    return l < n->nodes ? n->up[l] : n->down[l - n->nodes];
}

/* Link l's level given the final levels around it: flows whose other link
 * is known to settle first are fixed there, at weight x its level; the
 * rest share what is left. INFINITY if every flow is fixed elsewhere.
 * Water-filling without sorting: the level only rises as flows are fixed
 * elsewhere, so fix every flow whose other link settles before the current
 * level, recompute, and repeat until none is added. */
static double link_level(net_model *n, int l) {
    const int deg = n->link_n[l];
    if (deg == 0) return INFINITY;
    double W = 0;
    int k = 0;
    const net_hop *h = n->link_flows[l];
    /* a neighbour's level is known to be final if it settled in this
     * re-solve, or is untouched (or watched) and passed by the sweep; the
     * model's fields are in locals, as the stores to wf could alias them */
    const uint32_t *state = n->state;
    const double *level = n->level;
    const uint32_t gen = n->solve_gen;
    const double sweep_key = n->sweep;
    const int sweep_link = n->sweep_link;
    struct net_wf *wf = n->wf;
    for (int j = 0; j < deg; j++) {
        W += h[j].weight;
        int o = h[j].other;
        uint32_t st = state[o] >> 2 == gen ? state[o] & 3u : 0;
        double key = level[o];
        if (st == LINK_FINAL || (st != LINK_PENDING && key_less(key, o, sweep_key, sweep_link)))
            wf[k++] = (struct net_wf){.key = key, .other = o, .id = 0, .w = h[j].weight};
    }
    const double C = link_capacity(n, l);
    double lam = C / W;
    int fixed = 0;
    for (;;) {
        int added = 0;
        double R = 0, Wf = 0;
        for (int i = 0; i < k; i++) {
            struct net_wf *w = &wf[i];
            if (!w->id && key_less(w->key, w->other, lam, l)) {
                w->id = 1;
                added++;
            }
            if (w->id) {
                R += w->w * w->key;
                Wf += w->w;
            }
        }
        if (!added) break;
        fixed += added;
        if (fixed == deg) return INFINITY;
        lam = (C - R) / (W - Wf);
        if (lam < 0) lam = 0;
    }
    return lam;
}

static int pq_less(const struct net_pq *a, const struct net_pq *b) { return key_less(a->key, a->link, b->key, b->link); }

static int pq_push(net_model *n, double key, int link) {
    if (n->pq_n == n->pq_cap) {
        size_t cap = n->pq_cap ? 2 * n->pq_cap : 64;
        struct net_pq *p = realloc(n->pq, sizeof *p * cap);
        if (!p) return -1;
        n->pq = p;
        n->pq_cap = cap;
    }
    size_t i = n->pq_n++;
    struct net_pq e = {.key = key, .link = link};
    while (i > 0 && pq_less(&e, &n->pq[(i - 1) / 2])) {
        n->pq[i] = n->pq[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    n->pq[i] = e;
    n->queued[link] = key;
    return 0;
}

static struct net_pq pq_pop(net_model *n) {
    struct net_pq top = n->pq[0];
    struct net_pq last = n->pq[--n->pq_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n->pq_n) break;
        if (c + 1 < n->pq_n && pq_less(&n->pq[c + 1], &n->pq[c])) c++;
        if (!pq_less(&n->pq[c], &last)) break;
        n->pq[i] = n->pq[c];
        i = c;
    }
    if (n->pq_n) n->pq[i] = last;
    return top;
}

/* Queues pending link l at key, no earlier than the sweep. Queued above
 * its old level for the first time, l is noted for push_crossed. */
static int queue_link(net_model *n, int l, double key) {
    if (key < n->sweep) key = n->sweep;
    if (n->old_level[l] < key && !(n->old_level[l] < n->queued[l])) {
        if (n->n_crossed == n->crossed_cap) {
            size_t cap = n->crossed_cap ? 2 * n->crossed_cap : 64;
            int *p = realloc(n->crossed, sizeof(int) * cap);
            if (!p) return -1;
            n->crossed = p;
            n->crossed_cap = cap;
        }
        n->crossed[n->n_crossed++] = l;
    }
    return pq_push(n, key, l);
}

/* Makes l (untouched so far) a candidate. A link that is no one's
 * bottleneck (level INFINITY: every flow through it is fixed at its other
 * link) is only watched when n->watch is set: it keeps its level, the
 * sweep passes it where it would settle it (at INFINITY, in link order),
 * and share_incremental checks afterwards that its flows' new rates still
 * fit (watch_holds). */
static int make_candidate(net_model *n, int l) {
    n->old_level[l] = n->level[l];
    if (n->watch && n->level[l] == INFINITY) {
        set_state(n, l, LINK_WATCHED);
        n->watched[n->n_watched++] = l;
        /* a downlink's flows change rate with their uplinks, which list
         * them; an uplink lists the flows fixed at downlinks after it, so
         * it keeps its place in the list */
        return l < n->nodes ? pq_push(n, INFINITY, l) : 0;
    }
    n->queued[l] = -INFINITY;
    set_state(n, l, LINK_PENDING);
    return queue_link(n, l, link_level(n, l));
}

/* l is queued above its old level: the sweep will pass that level with l
 * unsettled, so its dependents (the links that counted l's flows as fixed
 * at l) lose that input and become candidates. */
static int push_crossed(net_model *n, int l) {
    const double old = n->old_level[l];
    for (int j = 0; j < n->link_n[l]; j++) {
        int o = n->link_flows[l][j].other;
        if (link_state(n, o) == 0 && key_less(old, l, n->level[o], o) && make_candidate(n, o)) return -1;
    }
    return 0;
}

/* Handles the links noted by queue_link, and those they note in turn. */
static int drain_crossed(net_model *n) {
    while (n->n_crossed > 0) {
        int l = n->crossed[--n->n_crossed];
        if (link_state(n, l) == LINK_PENDING && push_crossed(n, l)) return -1;
    }
    return 0;
}

/* Settles l at level lam and makes candidates of the untouched neighbours
 * whose input changed: a shared flow fixed at l before or now, at another
 * level or no longer there. */
static int settle(net_model *n, int l, double lam) {
    set_state(n, l, LINK_FINAL);
    n->level[l] = lam;
    n->finals[n->n_finals++] = l;
    const double old = n->old_level[l];
    for (int j = 0; j < n->link_n[l]; j++) {
        int o = n->link_flows[l][j].other;
        if (link_state(n, o) != 0) continue;
        int was_here = key_less(old, l, n->level[o], o);
        int now_here = key_less(lam, l, n->level[o], o);
        if ((was_here || now_here) && (was_here != now_here || old != lam) && make_candidate(n, o)) return -1;
    }
    return 0;
}

/* Gives flow id its new rate (progress so far at the old one) and lists
 * it for net_resolved. */
static int list_flow(net_model *n, int id, double rate) {
    net_flow *f = &n->flows[id];
    f->listed = n->solve_gen;
    f->remaining = net_remaining(n, id);
    f->updated = n->now;
    if (rate != f->rate) {
        f->rate = rate;
        f->changed = 1;
        f->version++;
    }
    return list_append(n, id);
}

/* A watched link still is no one's bottleneck: it stays at INFINITY if the
 * rates its flows now have at their uplinks sum to less than its capacity
 * (then water-filling fixes every flow elsewhere, see link_level). The
 * margin keeps the decision on the safe side of rounding; a link within it
 * of saturation is re-solved exactly. */
static int watch_holds(const net_model *n) {
    for (int i = 0; i < n->n_watched; i++) {
        int l = n->watched[i];
        const net_hop *h = n->link_flows[l];
        double R = 0;
        for (int j = 0; j < n->link_n[l]; j++) R += h[j].weight * n->level[h[j].other];
        if (!(R < link_capacity(n, l) * (1 - 1e-9))) return 0;
    }
    return 1;
}

/* One sweep over the links the dirty ones reach (see "incremental
 * max-min" above); the dirty list stays for a second sweep. */
static int sweep(net_model *n) {
    if (++n->solve_gen >= (1u << 30)) { /* stamps wrap: forget them */
        memset(n->state, 0, sizeof(uint32_t) * 2 * (size_t)n->nodes);
        for (size_t i = 0; i < n->cap; i++) n->flows[i].listed = 0;
        n->solve_gen = 1;
    }
    n->pq_n = 0;
    n->n_finals = 0;
    n->n_watched = 0;
    n->n_crossed = 0;
    n->sweep = -INFINITY;
    n->sweep_link = -1;
    for (int d = 0; d < n->n_dirty; d++) {
        int l = n->dirty[d];
        n->link_seen[l] &= 0x7fffffffu; /* clear the dirty bit */
        n->old_level[l] = n->level[l];
        n->queued[l] = -INFINITY;
        set_state(n, l, LINK_PENDING);
    }
    for (int d = 0; d < n->n_dirty; d++)
        if (queue_link(n, n->dirty[d], link_level(n, n->dirty[d]))) return -1;
    for (;;) {
        if (drain_crossed(n)) return -1;
        if (n->pq_n == 0) break;
        struct net_pq top = pq_pop(n);
        int l = top.link;
        int st = link_state(n, l);
        if ((st != LINK_PENDING && st != LINK_WATCHED) || top.key != n->queued[l]) continue; /* stale entry */
        n->sweep = top.key;
        n->sweep_link = l;
        if (st == LINK_WATCHED) { /* passed at INFINITY, where it would settle */
            n->finals[n->n_finals++] = l;
            continue;
        }
        double lam = link_level(n, l);
        if (lam > top.key) { /* settles later than queued: re-queue */
            if (queue_link(n, l, lam)) return -1;
            continue;
        }
        if (settle(n, l, lam)) return -1;
    }
    return 0;
}

/* Re-solves with watched links; if one of them turns out to be saturated,
 * undoes the sweep and re-solves without watching, so the levels are those
 * of the sweep that re-solves every reached link. */
static int share_incremental(net_model *n) {
    n->n_comp_flows = 0;
    n->watch = !n->no_watch;
    if (sweep(n)) return -1;
    if (n->watch && !watch_holds(n)) {
        for (int i = 0; i < n->n_finals; i++) n->level[n->finals[i]] = n->old_level[n->finals[i]];
        n->watch = 0;
        n->resweeps++;
        if (sweep(n)) return -1;
    }
    n->n_dirty = 0;
    /* New rates: a flow takes the level of the link it is fixed at. Only
     * flows on settled links can change, and only those whose link levels
     * moved (or that just started). */
    for (int i = 0; i < n->n_finals; i++) {
        int l = n->finals[i];
        const net_hop *h = n->link_flows[l];
        for (int j = 0; j < n->link_n[l]; j++) {
            int o = h[j].other;
            int final_o = link_state(n, o) >= LINK_FINAL; /* settled or watched */
            if (final_o && o < l) continue; /* visited from o */
            double old_o = final_o ? n->old_level[o] : n->level[o];
            double was = key_less(n->old_level[l], l, old_o, o) ? n->old_level[l] : old_o;
            double now = key_less(n->level[l], l, n->level[o], o) ? n->level[l] : n->level[o];
            if (was != now && list_flow(n, h[j].flow, h[j].weight * now)) return -1;
        }
    }
    for (size_t i = 0; i < n->n_fresh; i++) {
        const net_flow *f = &n->flows[n->fresh[i]];
        if (!f->active || f->listed == n->solve_gen) continue;
        int u = f->src;
        int d = n->nodes + f->dst;
        double now = key_less(n->level[u], u, n->level[d], d) ? n->level[u] : n->level[d];
        if (list_flow(n, n->fresh[i], f->weight * now)) return -1;
    }
    n->n_fresh = 0;
    return 0;
}

int net_share(net_model *n) {
    if (n->solver == NET_SOLVER_INCREMENTAL) return share_incremental(n);
    n->n_fresh = 0;
    return share_components(n);
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
