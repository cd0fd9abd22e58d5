/* gossip.c: gossip learning (Ormándi, Hegedűs and Jelasity 2013): after
 * each round of local training a node sends its model to one peer drawn
 * uniformly at random, and before its next round it merges its model with
 * the most recent model it received: x = (x + y) / 2. Older models that
 * arrived in the meantime are superseded (counted as replaced). No rounds
 * to wait for and no send queue to flush: the plainest asynchronous
 * averaging, and the worked example of docs/extending.md. */
#include <stdlib.h>

#include "algo/algo.h"

typedef struct gossip_node {
    int id;
    int nodes, local_steps;
    size_t n_params;
    uint32_t round;
    rng r;
    const topology *topo;
    topo_view view;
    model_snapshot *latest; /* the newest model received, or NULL */
    uint32_t latest_round;  /* its sender's round */
    algo_counters cnt;
} gossip_node;

static int node_new(void **out, const algo_config *c, const void *shared, int id, ds_err *err) {
    (void)shared;
    gossip_node *n = calloc(1, sizeof *n);
    if (!n) return ds_fail(err, "out of memory");
    *n = (gossip_node){.id = id, .nodes = c->nodes, .local_steps = c->local_steps, .n_params = c->n_params, .topo = c->topo};
    topo_view_init(&n->view, id, c->nodes);
    rng_seed(&n->r, rng_derive(c->seed, 0x6055, (uint64_t)id));
    *out = n;
    return 0;
}

static void node_free(void *p) {
    gossip_node *n = p;
    if (!n) return;
    snapshot_unref(n->latest);
    topo_view_free(&n->view);
    free(n);
}

static void on_start(void *p, const algo_runtime *rt) {
    gossip_node *n = p;
    rt->train(rt->ctx, n->id, n->local_steps);
}

static void on_train_done(void *p, const algo_runtime *rt) {
    gossip_node *n = p;
    float *x = rt->params(rt->ctx, n->id);
    n->round++;
    n->cnt.rounds++;
    int peer;
    model_snapshot *snap = NULL;
    algo_msg *m = NULL;
    if (topology_pick(n->topo, &n->view, &n->r, n->round, 1, &peer) == 1 && (snap = snapshot_new(x, n->n_params)))
        m = algo_msg_new(MSG_MODEL, n->id, peer, n->round, snap);
    snapshot_unref(snap);
    if (!m) {
        algo_fail(rt, "gossip: out of memory for a message");
        return;
    }
    rt->send(rt->ctx, m);
    if (n->latest) { /* merge with the newest model received */
        for (size_t i = 0; i < n->n_params; i++) x[i] = 0.5f * (x[i] + n->latest->values[i]);
        n->cnt.applied++;
        n->cnt.staleness_sum += (double)n->round - 1 - (double)n->latest_round;
        snapshot_unref(n->latest);
        n->latest = NULL;
    }
    rt->train(rt->ctx, n->id, n->local_steps);
}

static void on_message(void *p, const algo_runtime *rt, const algo_msg *m) {
    gossip_node *n = p;
    (void)rt;
    if (m->kind != MSG_MODEL || m->count != n->n_params || m->index) return;
    if (n->latest) n->cnt.replaced++;
    snapshot_unref(n->latest);
    n->latest = snapshot_ref(m->snap);
    n->latest_round = m->round;
}

static const algo_counters *counters(const void *p) { return &((const gossip_node *)p)->cnt; }

const algo_ops algo_gossip = {
    .name = "gossip",
    .help = "gossip learning (Ormándi et al. 2013): the model to one random peer after each round; merge with the newest model received",
    .shared_new = algo_no_shared,
    .shared_free = algo_no_shared_free,
    .node_new = node_new,
    .node_free = node_free,
    .on_start = on_start,
    .on_train_done = on_train_done,
    .on_message = on_message,
    .counters = counters,
};
