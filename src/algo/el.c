/* el.c: Epidemic Learning, EL-Local (de Vos et al., NeurIPS 2023), as
 * decentralizepy runs it: synchronous rounds. After local round r a node
 * sends its model to `degree` random neighbours and a header-only notice
 * to every other neighbour (every other node on the complete topology),
 * waits until it holds a round-r message (model or notice) from each, then averages its model with the models it
 * received, equal weights, and starts round r + 1. A faster node may
 * already be one round ahead, so two rounds are buffered. */
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

typedef struct el_node {
    algo_config c;
    int id;
    uint32_t round;
    int waiting;
    rng r;
    topo_view view;
    int *peers;
    int *chosen;              /* [nodes] scratch */
    model_snapshot **got[2];  /* [parity][sender]: model, or NULL for a notice */
    uint32_t *got_round[2];   /* [parity][sender]: round of the held message, 0 = none */
    algo_counters cnt;
} el_node;

static void node_free(void *p) {
    el_node *n = p;
    if (!n) return;
    for (int par = 0; par < 2; par++) {
        for (int i = 0; n->got[par] && i < n->c.nodes; i++) snapshot_unref(n->got[par][i]);
        free(n->got[par]);
        free(n->got_round[par]);
    }
    topo_view_free(&n->view);
    free(n->peers);
    free(n->chosen);
    free(n);
}

static int node_new(void **out, const algo_config *c, const void *sh, int id, ds_err *err) {
    (void)sh;
    el_node *n = calloc(1, sizeof *n);
    if (!n) return ds_fail(err, "out of memory");
    n->c = *c;
    n->id = id;
    rng_seed(&n->r, rng_derive(c->seed, 0xe1e1, (uint64_t)id));
    topo_view_init(&n->view, id, c->nodes);
    n->peers = malloc(sizeof(int) * (size_t)c->degree);
    n->chosen = malloc(sizeof(int) * (size_t)c->nodes);
    for (int par = 0; par < 2; par++) {
        n->got[par] = calloc((size_t)c->nodes, sizeof(model_snapshot *));
        n->got_round[par] = calloc((size_t)c->nodes, sizeof(uint32_t));
    }
    if (!n->peers || !n->chosen || !n->got[0] || !n->got[1] || !n->got_round[0] || !n->got_round[1] ||
        topo_view_update(c->topo, &n->view, 0, err)) {
        node_free(n);
        return ds_fail(err, "out of memory");
    }
    *out = n;
    return 0;
}

/* The k-th node n hears from (k < others(n)): every other node on the
 * complete topology, else its neighbours. */
static int others(const el_node *n) { return topology_is_complete(n->c.topo) ? n->c.nodes - 1 : n->view.deg; }
static int other(const el_node *n, int k) {
    if (!topology_is_complete(n->c.topo)) return n->view.nb[k];
    return k < n->id ? k : k + 1;
}

static void try_advance(el_node *n, const algo_runtime *rt) {
    if (!n->waiting) return;
    const int par = n->round & 1;
    for (int k = 0; k < others(n); k++)
        if (n->got_round[par][other(n, k)] != n->round) return;
    float *x = rt->params(rt->ctx, n->id);
    int models = 0;
    for (int i = 0; i < n->c.nodes; i++) {
        model_snapshot *m = n->got[par][i];
        if (!m) continue;
        for (size_t p = 0; p < n->c.n_params; p++) x[p] += m->values[p];
        models++;
        n->cnt.applied++;
    }
    if (models) {
        const float inv = 1.0f / (float)(1 + models);
        for (size_t p = 0; p < n->c.n_params; p++) x[p] *= inv;
    }
    for (int i = 0; i < n->c.nodes; i++) {
        snapshot_unref(n->got[par][i]);
        n->got[par][i] = NULL;
        n->got_round[par][i] = 0;
    }
    n->waiting = 0;
    rt->train(rt->ctx, n->id, n->c.local_steps);
}

static void on_start(void *p, const algo_runtime *rt) {
    el_node *n = p;
    rt->train(rt->ctx, n->id, n->c.local_steps);
}

static void on_train_done(void *p, const algo_runtime *rt) {
    el_node *n = p;
    n->round++;
    n->cnt.rounds++;
    model_snapshot *snap = NULL;
    int picked = topology_pick(n->c.topo, &n->view, &n->r, n->round, n->c.degree, n->peers);
    if (picked < 0 || !(snap = snapshot_new(rt->params(rt->ctx, n->id), n->c.n_params))) {
        algo_fail(rt, "el: out of memory for the round's messages");
        return;
    }
    memset(n->chosen, 0, sizeof(int) * (size_t)n->c.nodes);
    for (int k = 0; k < picked; k++) {
        n->chosen[n->peers[k]] = 1;
        algo_msg *m = algo_msg_new(MSG_MODEL, n->id, n->peers[k], n->round, snap);
        if (!m) {
            snapshot_unref(snap);
            algo_fail(rt, "el: out of memory for a model message");
            return;
        }
        rt->send(rt->ctx, m);
    }
    snapshot_unref(snap);
    for (int k = 0; k < others(n); k++) {
        const int i = other(n, k);
        if (n->chosen[i]) continue;
        algo_msg *m = algo_msg_new(MSG_NOTICE, n->id, i, n->round, NULL);
        if (!m) {
            algo_fail(rt, "el: out of memory for a notice");
            return;
        }
        rt->send(rt->ctx, m);
    }
    n->waiting = 1;
    try_advance(n, rt);
}

static void on_message(void *p, const algo_runtime *rt, const algo_msg *m) {
    el_node *n = p;
    if (m->src < 0 || m->src >= n->c.nodes || m->src == n->id || m->round == 0) return;
    if (!topology_is_complete(n->c.topo) && !bsearch(&m->src, n->view.nb, (size_t)n->view.deg, sizeof(int), cmp_int))
        return; /* not a neighbour */
    if (m->kind == MSG_MODEL && m->count != n->c.n_params) return;
    if (m->kind != MSG_MODEL && m->kind != MSG_NOTICE) return;
    const int par = m->round & 1;
    snapshot_unref(n->got[par][m->src]);
    n->got[par][m->src] = m->kind == MSG_MODEL ? snapshot_ref(m->snap) : NULL;
    n->got_round[par][m->src] = m->round;
    try_advance(n, rt);
}

static const algo_counters *counters(const void *p) { return &((const el_node *)p)->cnt; }

static int check(const algo_config *c, ds_err *err) {
    if (!topology_is_complete(c->topo) && c->topo->spec.redraw)
        return ds_fail(err, "el: [topology] redraw: the synchronous algorithms (dpsgd, el) keep one graph; redraw is "
                            "for divshare, adpsgd, swift and gossip");
    return 0;
}

const algo_ops algo_el = {
    .name = "el",
    .help = "Epidemic Learning, EL-Local (de Vos et al. 2023): rounds, each model to `degree` random neighbours",
    .shared_new = algo_no_shared,
    .shared_free = algo_no_shared_free,
    .node_new = node_new,
    .node_free = node_free,
    .on_start = on_start,
    .on_train_done = on_train_done,
    .on_message = on_message,
    .counters = counters,
    .check = check,
    .synchronous = 1,
};
