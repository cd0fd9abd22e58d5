/* divshare.c: DivShare (Biswas et al., WWW 2025), as the authors' artifact
 * behaves.
 *
 * The flat model is cut into Omega = round(1 / chunk_fraction) fragments by
 * one seeded random permutation, identical on every node, so a message
 * names its fragment by id. After each local round a node snapshots its
 * model, sends every fragment to `degree` distinct random peers in a
 * shuffled (peer, fragment) order, after dropping whatever it had not yet
 * sent from the previous round (flush_stale), then averages, per
 * parameter, its own value with every copy received (newest per sender and
 * fragment), and trains again. With `redraw`, each node draws a new
 * permutation every round (seeded by node and round), carried with the
 * round's snapshot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo/inbox.h"

typedef struct divshare_shared {
    int omega;
    uint32_t *perm;  /* [n_params] permutation; fragment f = perm[start[f] .. start[f+1]) */
    size_t *start;   /* [omega + 1] */
} divshare_shared;

typedef struct divshare_node {
    algo_config c;
    const divshare_shared *sh;
    int id;
    uint32_t round;
    rng r;
    inbox in;
    topo_view view;                         /* its neighbours */
    int *peers;                             /* [degree] */
    struct plan_item { int peer; int frag; } *plan; /* [omega * degree] */
    model_snapshot **frag_snaps;            /* [omega] scratch of send_packed, NULL between rounds */
    algo_counters cnt;
} divshare_node;

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int shared_new(void **out, const algo_config *c, ds_err *err) {
    divshare_shared *s = calloc(1, sizeof *s);
    if (!s) return ds_fail(err, "out of memory");
    s->omega = (int)lround(1.0 / c->chunk_fraction);
    if (s->omega < 1) s->omega = 1;
    if ((size_t)s->omega > c->n_params) s->omega = (int)c->n_params;
    s->perm = malloc(sizeof(uint32_t) * c->n_params);
    s->start = malloc(sizeof(size_t) * ((size_t)s->omega + 1));
    if (!s->perm || !s->start) {
        free(s->perm);
        free(s->start);
        free(s);
        return ds_fail(err, "out of memory");
    }
    for (size_t i = 0; i < c->n_params; i++) s->perm[i] = (uint32_t)i;
    rng r;
    rng_seed(&r, rng_derive(c->seed, 0xd1f5, 0)); /* same on every node */
    rng_shuffle_u32(&r, s->perm, c->n_params);
    for (int f = 0; f <= s->omega; f++) s->start[f] = c->n_params * (size_t)f / (size_t)s->omega;
    /* Each fragment's indices in increasing order: averaging then walks the
     * model forwards instead of at random (the same parameters, the same
     * sums per parameter, so the same results). */
    for (int f = 0; f < s->omega; f++)
        qsort(s->perm + s->start[f], s->start[f + 1] - s->start[f], sizeof(uint32_t), cmp_u32);
    *out = s;
    return 0;
}

static void shared_free(void *p) {
    divshare_shared *s = p;
    if (!s) return;
    free(s->perm);
    free(s->start);
    free(s);
}

static int node_new(void **out, const algo_config *c, const void *shared, int id, ds_err *err) {
    const divshare_shared *sh = shared;
    divshare_node *n = calloc(1, sizeof *n);
    if (!n) return ds_fail(err, "out of memory");
    n->c = *c;
    n->sh = sh;
    n->id = id;
    rng_seed(&n->r, rng_derive(c->seed, 0xa160, (uint64_t)id));
    topo_view_init(&n->view, id, c->nodes);
    n->peers = malloc(sizeof(int) * (size_t)c->degree);
    n->plan = malloc(sizeof *n->plan * (size_t)sh->omega * (size_t)c->degree);
    n->frag_snaps = calloc((size_t)sh->omega, sizeof *n->frag_snaps);
    if (!n->peers || !n->plan || !n->frag_snaps || inbox_init(&n->in, sh->omega, c->n_params, err)) {
        free(n->peers);
        free(n->plan);
        free(n->frag_snaps);
        free(n);
        return ds_fail(err, "out of memory");
    }
    n->in.disjoint = !c->redraw; /* one shared permutation: fragments partition the model */
    *out = n;
    return 0;
}

static void node_free(void *p) {
    divshare_node *n = p;
    if (!n) return;
    inbox_free(&n->in);
    topo_view_free(&n->view);
    free(n->peers);
    free(n->plan);
    free(n->frag_snaps);
    free(n);
}

static void on_start(void *p, const algo_runtime *rt) {
    divshare_node *n = p;
    rt->train(rt->ctx, n->id, n->c.local_steps);
}

/* Sends the round's fragments (the plan's first `items`) with the shared
 * permutation: one snapshot per fragment holding just its values, in index
 * order (packed), so a receiver reads each fragment's values contiguously
 * rather than picking them out of a whole model. */
static int send_packed(divshare_node *n, const algo_runtime *rt, const float *params, int items) {
    const divshare_shared *sh = n->sh;
    model_snapshot **snaps = n->frag_snaps;
    int rc = -1;
    for (int f = 0; f < sh->omega; f++) {
        const uint32_t *idx = sh->perm + sh->start[f];
        size_t count = sh->start[f + 1] - sh->start[f];
        snaps[f] = snapshot_alloc(count);
        if (!snaps[f]) {
            algo_fail(rt, "divshare: out of memory for the round's model");
            goto done;
        }
        for (size_t k = 0; k < count; k++) snaps[f]->values[k] = params[idx[k]];
    }
    for (int i = 0; i < items; i++) {
        int f = n->plan[i].frag;
        algo_msg *m = algo_msg_new(MSG_FRAGMENT, n->id, n->plan[i].peer, n->round, snaps[f]);
        if (!m) {
            algo_fail(rt, "divshare: out of memory for a fragment message");
            goto done;
        }
        m->fragment = (uint32_t)f;
        m->index = sh->perm + sh->start[f];
        m->packed = 1;
        rt->send(rt->ctx, m);
    }
    rc = 0;
done:
    for (int f = 0; f < sh->omega; f++) {
        snapshot_unref(snaps[f]); /* the messages hold their own references */
        snaps[f] = NULL;
    }
    return rc;
}

/* Sends the round's fragments with a permutation drawn for this node and
 * round (redraw): one snapshot of the whole model that also carries the
 * permutation, which the messages' indices point into. */
static int send_redrawn(divshare_node *n, const algo_runtime *rt, const float *params, int items) {
    const divshare_shared *sh = n->sh;
    model_snapshot *snap = snapshot_new_extra(params, n->c.n_params);
    if (!snap) {
        algo_fail(rt, "divshare: out of memory for the round's model");
        return -1;
    }
    uint32_t *own = snapshot_extra(snap);
    for (size_t i = 0; i < n->c.n_params; i++) own[i] = (uint32_t)i;
    rng r;
    rng_seed(&r, rng_derive(n->c.seed ^ 0x4ed4a3, (uint64_t)n->id, n->round));
    rng_shuffle_u32(&r, own, n->c.n_params);
    for (int i = 0; i < items; i++) {
        algo_msg *m = algo_msg_new(MSG_FRAGMENT, n->id, n->plan[i].peer, n->round, snap);
        if (!m) {
            snapshot_unref(snap);
            algo_fail(rt, "divshare: out of memory for a fragment message");
            return -1;
        }
        int f = n->plan[i].frag;
        m->fragment = (uint32_t)f;
        m->index = own + sh->start[f];
        m->count = sh->start[f + 1] - sh->start[f];
        rt->send(rt->ctx, m);
    }
    snapshot_unref(snap);
    return 0;
}

static void on_train_done(void *p, const algo_runtime *rt) {
    divshare_node *n = p;
    const divshare_shared *sh = n->sh;
    float *params = rt->params(rt->ctx, n->id);
    n->round++;
    n->cnt.rounds++;
    /* Plan: each fragment to `degree` distinct neighbours (all of them if
     * fewer), then shuffle. */
    int items = 0;
    for (int f = 0; f < sh->omega; f++) {
        int got = topology_pick(n->c.topo, &n->view, &n->r, n->round, n->c.degree, n->peers);
        if (got < 0) {
            algo_fail(rt, "divshare: out of memory picking peers");
            return;
        }
        for (int j = 0; j < got; j++) n->plan[items++] = (struct plan_item){n->peers[j], f};
    }
    for (int i = items; i > 1; i--) {
        int j = (int)rng_below(&n->r, (uint64_t)i);
        struct plan_item t = n->plan[i - 1];
        n->plan[i - 1] = n->plan[j];
        n->plan[j] = t;
    }
    if (n->c.flush_stale) rt->cancel_unsent(rt->ctx, n->id);
    if (n->c.redraw ? send_redrawn(n, rt, params, items) : send_packed(n, rt, params, items)) return;
    inbox_average_into(&n->in, params, n->round, &n->cnt);
    rt->train(rt->ctx, n->id, n->c.local_steps);
}

static void on_message(void *p, const algo_runtime *rt, const algo_msg *m) {
    divshare_node *n = p;
    if (m->kind == MSG_FRAGMENT && inbox_put(&n->in, m, &n->cnt) == INBOX_OOM)
        algo_fail(rt, "divshare: out of memory storing a fragment");
}

static const algo_counters *counters(const void *p) { return &((const divshare_node *)p)->cnt; }

static const uint32_t *fragment_index(const void *p, uint32_t f, size_t *count) {
    const divshare_shared *sh = p;
    if (f >= (uint32_t)sh->omega) return NULL;
    *count = sh->start[f + 1] - sh->start[f];
    return sh->perm + sh->start[f];
}

const algo_ops algo_divshare = {
    .name = "divshare",
    .help = "DivShare (Biswas et al. 2025): the model cut into fragments, each sent to `degree` random peers; stale unsent fragments dropped",
    .shared_new = shared_new,
    .shared_free = shared_free,
    .node_new = node_new,
    .node_free = node_free,
    .on_start = on_start,
    .on_train_done = on_train_done,
    .on_message = on_message,
    .counters = counters,
    .fragment_index = fragment_index,
};
