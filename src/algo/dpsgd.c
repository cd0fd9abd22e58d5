/* dpsgd.c: D-PSGD (Lian et al. 2017), the synchronous reference.
 *
 * Nodes sit on a fixed graph: the run's topology (algo/topology.h); on the
 * complete topology, [algorithm] graph (decentralizepy's edges format) or
 * a seeded random `degree`-regular graph, the same on every node. After its local round r a node sends its model to all
 * neighbours, waits until it holds every neighbour's round-r model, then
 * replaces its model by the Metropolis-Hastings weighted average
 * x_i = w_ii x_i + sum_j w_ij x_j, w_ij = 1 / (1 + max(deg_i, deg_j)),
 * w_ii = 1 - sum_j w_ij, and starts round r + 1. A neighbour may already
 * be one round ahead, so two rounds are buffered. */
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"
#include "algo/graph.h"

typedef struct dpsgd_node {
    algo_config c;
    int id, deg;
    const int *nb;          /* neighbours (sorted), borrowed from the graph */
    float *w;               /* [deg] MH weights of the neighbours */
    float w_self;
    uint32_t round;
    int waiting;
    model_snapshot **got[2]; /* [parity][slot] */
    uint32_t *got_round[2];
    algo_counters cnt;
} dpsgd_node;

/* The graph the nodes sit on: the topology's (borrowed) or its own. */
typedef struct dpsgd_shared {
    graph own;
    const graph *g;
} dpsgd_shared;

static int shared_new(void **out, const algo_config *c, ds_err *err) {
    dpsgd_shared *s = calloc(1, sizeof *s);
    if (!s) return ds_fail(err, "out of memory");
    if (!topology_is_complete(c->topo)) {
        s->g = &c->topo->g;
        *out = s;
        return 0;
    }
    int rc = c->graph_file && *c->graph_file ? graph_read_edges(c->graph_file, c->nodes, &s->own, err)
                                              : graph_random_regular(c->nodes, c->degree, c->seed, &s->own, err);
    if (rc) {
        free(s);
        return ds_fail_prefix(err, "dpsgd");
    }
    s->g = &s->own;
    *out = s;
    return 0;
}

static void shared_free(void *p) {
    dpsgd_shared *s = p;
    if (!s) return;
    graph_free(&s->own);
    free(s);
}

static void node_free(void *p) {
    dpsgd_node *n = p;
    if (!n) return;
    for (int par = 0; par < 2; par++) {
        for (int k = 0; n->got[par] && k < n->deg; k++) snapshot_unref(n->got[par][k]);
        free(n->got[par]);
        free(n->got_round[par]);
    }
    free(n->w);
    free(n);
}

static int node_new(void **out, const algo_config *c, const void *sh, int id, ds_err *err) {
    const graph *g = ((const dpsgd_shared *)sh)->g;
    dpsgd_node *n = calloc(1, sizeof *n);
    if (!n) return ds_fail(err, "out of memory");
    n->c = *c;
    n->id = id;
    n->deg = graph_degree(g, id);
    n->nb = g->adj + g->start[id];
    n->w = malloc(sizeof(float) * (size_t)(n->deg + 1));
    for (int par = 0; par < 2; par++) {
        n->got[par] = calloc((size_t)n->deg + 1, sizeof(model_snapshot *));
        n->got_round[par] = calloc((size_t)n->deg + 1, sizeof(uint32_t));
    }
    if (!n->w || !n->got[0] || !n->got[1] || !n->got_round[0] || !n->got_round[1]) {
        node_free(n);
        return ds_fail(err, "out of memory");
    }
    double rest = 1.0;
    for (int k = 0; k < n->deg; k++) {
        int dj = graph_degree(g, n->nb[k]);
        double w = 1.0 / (1.0 + (dj > n->deg ? dj : n->deg));
        n->w[k] = (float)w;
        rest -= w;
    }
    n->w_self = (float)rest;
    *out = n;
    return 0;
}

static int slot_of(const dpsgd_node *n, int peer) {
    int lo = 0, hi = n->deg; /* neighbours are sorted */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (n->nb[mid] < peer) lo = mid + 1;
        else hi = mid;
    }
    return lo < n->deg && n->nb[lo] == peer ? lo : -1;
}

/* If every neighbour's model of our round has arrived: average, train. */
static void try_advance(dpsgd_node *n, const algo_runtime *rt) {
    if (!n->waiting) return;
    const int par = n->round & 1;
    for (int k = 0; k < n->deg; k++)
        if (!n->got[par][k] || n->got_round[par][k] != n->round) return;
    float *x = rt->params(rt->ctx, n->id);
    for (size_t p = 0; p < n->c.n_params; p++) {
        float acc = n->w_self * x[p];
        for (int k = 0; k < n->deg; k++) acc += n->w[k] * n->got[par][k]->values[p];
        x[p] = acc;
    }
    for (int k = 0; k < n->deg; k++) {
        snapshot_unref(n->got[par][k]);
        n->got[par][k] = NULL;
        n->cnt.applied++;
    }
    n->waiting = 0;
    rt->train(rt->ctx, n->id, n->c.local_steps);
}

static void on_start(void *p, const algo_runtime *rt) {
    dpsgd_node *n = p;
    rt->train(rt->ctx, n->id, n->c.local_steps);
}

static void on_train_done(void *p, const algo_runtime *rt) {
    dpsgd_node *n = p;
    n->round++;
    n->cnt.rounds++;
    model_snapshot *snap = snapshot_new(rt->params(rt->ctx, n->id), n->c.n_params);
    if (!snap) {
        algo_fail(rt, "dpsgd: out of memory for the round's model");
        return;
    }
    for (int k = 0; k < n->deg; k++) {
        algo_msg *m = algo_msg_new(MSG_MODEL, n->id, n->nb[k], n->round, snap);
        if (!m) {
            snapshot_unref(snap);
            algo_fail(rt, "dpsgd: out of memory for a model message");
            return;
        }
        rt->send(rt->ctx, m);
    }
    snapshot_unref(snap);
    n->waiting = 1;
    try_advance(n, rt);
}

static void on_message(void *p, const algo_runtime *rt, const algo_msg *m) {
    dpsgd_node *n = p;
    int k = slot_of(n, m->src);
    if (m->kind != MSG_MODEL || k < 0 || m->count != n->c.n_params) return;
    int par = m->round & 1;
    snapshot_unref(n->got[par][k]);
    n->got[par][k] = snapshot_ref(m->snap);
    n->got_round[par][k] = m->round;
    try_advance(n, rt);
}

static const algo_counters *counters(const void *p) { return &((const dpsgd_node *)p)->cnt; }

/* The graph: a file's (checked whole), or a random `degree`-regular one,
 * which exists only when nodes x degree is even. */
static int check(const algo_config *c, ds_err *err) {
    if (!topology_is_complete(c->topo)) {
        if (c->topo->spec.redraw)
            return ds_fail(err, "dpsgd: [topology] redraw: the synchronous algorithms (dpsgd, el) keep one graph; "
                                "redraw is for divshare, adpsgd, swift and gossip");
        return 0;
    }
    if (c->graph_file && *c->graph_file) {
        graph g;
        if (graph_read_edges(c->graph_file, c->nodes, &g, err)) return ds_fail_prefix(err, "dpsgd");
        graph_free(&g);
        return 0;
    }
    if (c->degree < 1 || c->degree >= c->nodes)
        return ds_fail(err, "[algorithm] degree = %d must be in [1, nodes - 1] = [1, %d]", c->degree,
                       c->nodes - 1);
    if (((long)c->nodes * c->degree) % 2)
        return ds_fail(err, "dpsgd: no %d-regular graph on %d nodes exists (nodes x degree must be even): "
                            "change [algorithm] degree or give a graph file", c->degree, c->nodes);
    return 0;
}

const algo_ops algo_dpsgd = {
    .name = "dpsgd",
    .help = "D-PSGD (Lian et al. 2017): synchronous rounds, averaging with all neighbours of the topology (on the complete one: a random `degree`-regular graph)",
    .shared_new = shared_new,
    .shared_free = shared_free,
    .node_new = node_new,
    .node_free = node_free,
    .on_start = on_start,
    .on_train_done = on_train_done,
    .on_message = on_message,
    .counters = counters,
    .check = check,
    .synchronous = 1,
};
