/* dpsgd.c: D-PSGD (Lian et al. 2017), the synchronous reference.
 *
 * Nodes sit on a fixed random `degree`-regular graph (one seeded graph,
 * the same on every node). After its local round r a node sends its model
 * to all neighbours, waits until it holds every neighbour's round-r model,
 * then replaces its model by the Metropolis-Hastings weighted average
 * x_i = sum_j w_ij x_j, with w_ij = 1 / (1 + max(deg_i, deg_j)) for
 * neighbours and w_ii = 1 - sum_j w_ij, and starts round r + 1. A
 * neighbour may already be one round ahead, so two rounds are buffered. */
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"

typedef struct dpsgd_shared {
    int nodes, degree;
    int *adj; /* [nodes][degree] neighbour ids */
} dpsgd_shared;

typedef struct dpsgd_node {
    algo_config c;
    const dpsgd_shared *sh;
    int id;
    uint32_t round;  /* last completed local round */
    int waiting;     /* round done, waiting for neighbours */
    model_snapshot *got[2][64]; /* [round parity][neighbour slot] */
    uint32_t got_round[2][64];
    algo_counters cnt;
} dpsgd_node;

#define DPSGD_MAX_DEGREE 64

/* Random d-regular simple graph by the pairing model, retried until
 * simple (no loops, no multi-edges); fine for the sizes simulated here. */
static int make_regular(int n, int d, uint64_t seed, int *adj) {
    rng r;
    rng_seed(&r, rng_derive(seed, 0xd95d, 0));
    int *stubs = malloc(sizeof(int) * (size_t)n * d), *deg = malloc(sizeof(int) * n);
    if (!stubs || !deg) {
        free(stubs);
        free(deg);
        return -1;
    }
    for (int attempt = 0; attempt < 10000; attempt++) {
        for (int i = 0; i < n * d; i++) stubs[i] = i / d;
        for (int i = n * d; i > 1; i--) {
            int j = (int)rng_below(&r, (uint64_t)i), t = stubs[i - 1];
            stubs[i - 1] = stubs[j];
            stubs[j] = t;
        }
        memset(deg, 0, sizeof(int) * n);
        int ok = 1;
        for (int e = 0; e < n * d && ok; e += 2) {
            int a = stubs[e], b = stubs[e + 1];
            if (a == b) ok = 0;
            for (int k = 0; k < deg[a] && ok; k++) ok = adj[a * d + k] != b;
            if (!ok) break;
            adj[a * d + deg[a]++] = b;
            adj[b * d + deg[b]++] = a;
        }
        if (ok) {
            free(stubs);
            free(deg);
            return 0;
        }
    }
    free(stubs);
    free(deg);
    return -1;
}

static int shared_new(void **out, const algo_config *c, ds_err *err) {
    if (c->degree > DPSGD_MAX_DEGREE) return ds_fail(err, "dpsgd: degree %d above %d", c->degree, DPSGD_MAX_DEGREE);
    if ((c->nodes * c->degree) % 2)
        return ds_fail(err, "dpsgd: a %d-regular graph on %d nodes needs nodes x degree even", c->degree, c->nodes);
    dpsgd_shared *s = calloc(1, sizeof *s);
    if (!s) return ds_fail(err, "out of memory");
    s->nodes = c->nodes;
    s->degree = c->degree;
    s->adj = malloc(sizeof(int) * (size_t)c->nodes * c->degree);
    if (!s->adj || make_regular(c->nodes, c->degree, c->seed, s->adj)) {
        free(s->adj);
        free(s);
        return ds_fail(err, "dpsgd: could not build a random %d-regular graph on %d nodes", c->degree, c->nodes);
    }
    *out = s;
    return 0;
}

static void shared_free(void *p) {
    dpsgd_shared *s = p;
    if (!s) return;
    free(s->adj);
    free(s);
}

static int node_new(void **out, const algo_config *c, const void *sh, int id, ds_err *err) {
    dpsgd_node *n = calloc(1, sizeof *n);
    if (!n) return ds_fail(err, "out of memory");
    n->c = *c;
    n->sh = sh;
    n->id = id;
    *out = n;
    return 0;
}

static void node_free(void *p) {
    dpsgd_node *n = p;
    if (!n) return;
    for (int r = 0; r < 2; r++)
        for (int k = 0; k < DPSGD_MAX_DEGREE; k++) snapshot_unref(n->got[r][k]);
    free(n);
}

static int slot_of(const dpsgd_node *n, int peer) {
    const int *nb = n->sh->adj + (size_t)n->id * n->sh->degree;
    for (int k = 0; k < n->sh->degree; k++)
        if (nb[k] == peer) return k;
    return -1;
}

/* If every neighbour's model of our round has arrived: average, train. */
static void try_advance(dpsgd_node *n, const algo_runtime *rt) {
    if (!n->waiting) return;
    const int d = n->sh->degree, par = n->round & 1;
    for (int k = 0; k < d; k++)
        if (!n->got[par][k] || n->got_round[par][k] != n->round) return;
    /* Regular graph: w_ij = 1 / (d + 1) for neighbours and self. */
    float *x = rt->params(rt->ctx, n->id);
    const float w = 1.0f / (float)(d + 1);
    for (size_t p = 0; p < n->c.n_params; p++) {
        float acc = x[p];
        for (int k = 0; k < d; k++) acc += n->got[par][k]->values[p];
        x[p] = acc * w;
    }
    for (int k = 0; k < d; k++) {
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
    const int *nb = n->sh->adj + (size_t)n->id * n->sh->degree;
    for (int k = 0; snap && k < n->sh->degree; k++) {
        algo_msg *m = algo_msg_new(MSG_MODEL, n->id, nb[k], n->round, snap);
        if (m) rt->send(rt->ctx, m);
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

const algo_ops algo_dpsgd = {"dpsgd", shared_new, shared_free, node_new, node_free,
                             on_start, on_train_done, on_message, counters};
