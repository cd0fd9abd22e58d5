/* fullmodel.c: the baselines that exchange whole models.
 *
 * AD-PSGD (Lian et al. 2018, as the DivShare artifact runs it): after each
 * round a node sends its model to degree/2 random peers as a *ping*; a node
 * receiving a ping replies with its current model (*pong*); both keep the
 * newest model per sender and average sum/count before their next round.
 * The send queue is never flushed.
 *
 * Swift (Bornstein et al. 2023, as the artifact runs it): after each round
 * a node sends its model to `degree` random distinct peers and averages,
 * with equal weights, whatever has arrived. No flushing. */
#include <stdlib.h>
#include <string.h>

#include "algo/inbox.h"

typedef struct full_node {
    algo_config c;
    int id;
    int adpsgd; /* 1: AD-PSGD (ping/pong to degree/2), 0: Swift */
    uint32_t round;
    rng r;
    inbox in;
    topo_view view;
    int *peers;
    algo_counters cnt;
    /* AD-PSGD: the round's model as pongs carry it, shared by every pong
     * of the round (the runtime changes params only before on_train_done,
     * which drops it); NULL until the round's first ping */
    model_snapshot *pong;
} full_node;

static int node_new_common(void **out, const algo_config *c, int id, int adpsgd, ds_err *err) {
    full_node *n = calloc(1, sizeof *n);
    if (!n) return ds_fail(err, "out of memory");
    n->c = *c;
    n->id = id;
    n->adpsgd = adpsgd;
    rng_seed(&n->r, rng_derive(c->seed, adpsgd ? 0xad95 : 0x5f17, (uint64_t)id));
    topo_view_init(&n->view, id, c->nodes);
    n->peers = malloc(sizeof(int) * (size_t)c->degree);
    if (!n->peers || inbox_init(&n->in, 1, c->n_params, err)) {
        free(n->peers);
        free(n);
        return ds_fail(err, "out of memory");
    }
    *out = n;
    return 0;
}
static int adpsgd_node_new(void **out, const algo_config *c, const void *sh, int id, ds_err *err) {
    (void)sh;
    return node_new_common(out, c, id, 1, err);
}
static int swift_node_new(void **out, const algo_config *c, const void *sh, int id, ds_err *err) {
    (void)sh;
    return node_new_common(out, c, id, 0, err);
}

static void node_free(void *p) {
    full_node *n = p;
    if (!n) return;
    snapshot_unref(n->pong);
    inbox_free(&n->in);
    topo_view_free(&n->view);
    free(n->peers);
    free(n);
}

static void on_start(void *p, const algo_runtime *rt) {
    full_node *n = p;
    rt->train(rt->ctx, n->id, n->c.local_steps);
}

static void on_train_done(void *p, const algo_runtime *rt) {
    full_node *n = p;
    float *params = rt->params(rt->ctx, n->id);
    snapshot_unref(n->pong); /* params changed: a new round's model */
    n->pong = NULL;
    n->round++;
    n->cnt.rounds++;
    int k = n->adpsgd ? (n->c.degree / 2 > 0 ? n->c.degree / 2 : 1) : n->c.degree;
    model_snapshot *snap = NULL;
    k = topology_pick(n->c.topo, &n->view, &n->r, n->round, k, n->peers);
    if (k < 0 || !(snap = snapshot_new(params, n->c.n_params))) {
        algo_fail(rt, "out of memory for the round's messages");
        return;
    }
    for (int i = 0; i < k; i++) {
        algo_msg *m = algo_msg_new(n->adpsgd ? MSG_PING : MSG_MODEL, n->id, n->peers[i], n->round, snap);
        if (!m) {
            snapshot_unref(snap);
            algo_fail(rt, "out of memory for a model message");
            return;
        }
        rt->send(rt->ctx, m);
    }
    snapshot_unref(snap);
    inbox_average_into(&n->in, params, n->round, &n->cnt);
    rt->train(rt->ctx, n->id, n->c.local_steps);
}

static void on_message(void *p, const algo_runtime *rt, const algo_msg *m) {
    full_node *n = p;
    if (m->kind != MSG_MODEL && m->kind != MSG_PING && m->kind != MSG_PONG) return;
    if (inbox_put(&n->in, m, &n->cnt) == INBOX_OOM) {
        algo_fail(rt, "out of memory storing a model");
        return;
    }
    if (m->kind == MSG_PING && n->adpsgd) {
        /* Reply with the current model (during training: the round's
         * start), one snapshot per round however many pings arrive. */
        if (!n->pong) n->pong = snapshot_new(rt->params(rt->ctx, n->id), n->c.n_params);
        algo_msg *r = n->pong ? algo_msg_new(MSG_PONG, n->id, m->src, n->round, n->pong) : NULL;
        if (!r) {
            algo_fail(rt, "adpsgd: out of memory for a pong");
            return;
        }
        rt->send(rt->ctx, r);
    }
}

static const algo_counters *counters(const void *p) { return &((const full_node *)p)->cnt; }

const algo_ops algo_adpsgd = {
    .name = "adpsgd",
    .help = "AD-PSGD (Lian et al. 2018): asynchronous ping/pong model exchange with degree/2 random peers",
    .shared_new = algo_no_shared,
    .shared_free = algo_no_shared_free,
    .node_new = adpsgd_node_new,
    .node_free = node_free,
    .on_start = on_start,
    .on_train_done = on_train_done,
    .on_message = on_message,
    .counters = counters,
};
const algo_ops algo_swift = {
    .name = "swift",
    .help = "Swift (Bornstein et al. 2023): asynchronous, the model to `degree` random peers, average what arrived",
    .shared_new = algo_no_shared,
    .shared_free = algo_no_shared_free,
    .node_new = swift_node_new,
    .node_free = node_free,
    .on_start = on_start,
    .on_train_done = on_train_done,
    .on_message = on_message,
    .counters = counters,
};
