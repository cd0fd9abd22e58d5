/* topology.c: the run's communication graph and each node's view of it. */
#include "algo/topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"

static const char *const kind_names[] = {"complete", "ring", "torus", "regular", "small-world", "star", "file"};

int topology_kind(const char *name) {
    for (int k = 0; k < (int)(sizeof kind_names / sizeof kind_names[0]); k++)
        if (!strcmp(name, kind_names[k])) return k;
    return -1;
}

/* The most square rows x cols = n with rows <= cols; 1 when n is prime. */
static int square_rows(int n) {
    int best = 1;
    for (int r = 2; (long)r * r <= n; r++)
        if (n % r == 0) best = r;
    return best;
}

/* The graph of one draw: seed is the run's for the fixed graph, a derived
 * one for a retry or a redrawn epoch. */
static int draw(const topology_spec *s, int n, uint64_t seed, graph *g, ds_err *err) {
    switch (s->kind) {
    case TOPO_RING:
        return graph_ring(n, g, err);
    case TOPO_TORUS: {
        int rows = s->rows ? s->rows : square_rows(n);
        if (!s->rows && rows < 2)
            return ds_fail(err, "a torus needs nodes = rows x cols with both >= 2; %d nodes have no such split", n);
        return graph_torus(n, rows, g, err);
    }
    case TOPO_STAR:
        return graph_star(n, g, err);
    case TOPO_REGULAR:
        return graph_random_regular(n, s->degree, seed, g, err);
    case TOPO_SMALL_WORLD:
        return graph_small_world(n, s->degree, s->beta, seed, g, err);
    case TOPO_FILE:
        return graph_read_edges(s->file, n, g, err);
    case TOPO_COMPLETE:
        break;
    }
    memset(g, 0, sizeof *g);
    return 0;
}

static int is_random(topo_kind k) { return k == TOPO_REGULAR || k == TOPO_SMALL_WORLD; }

int topology_new(const topology_spec *s, int nodes, uint64_t seed, topology *t, ds_err *err) {
    memset(t, 0, sizeof *t);
    t->spec = *s;
    t->nodes = nodes;
    t->seed = seed;
    const char *name = kind_names[s->kind];
    if (s->redraw < 0) return ds_fail(err, "topology: redraw = %d rounds must be >= 0", s->redraw);
    if (s->redraw && !is_random(s->kind))
        return ds_fail(err, "topology %s: redraw needs a random topology (regular or small-world)", name);
    if (s->kind == TOPO_COMPLETE) {
        t->min_degree = t->max_degree = nodes - 1;
        return 0;
    }
    /* A fixed graph must connect every node; a random one gets new seeds
     * (the first draw uses the run's seed, so seeds that drew a connected
     * graph keep it). A redrawn one need not be connected at any epoch. */
    for (int attempt = 0;; attempt++) {
        uint64_t sd = attempt ? rng_derive(seed, 0xc0ec7, (uint64_t)attempt) : seed;
        if (draw(s, nodes, sd, &t->g, err)) return ds_fail_prefix(err, "topology %s", name);
        int reach = graph_reach(&t->g);
        if (reach < 0) {
            topology_free(t);
            return ds_fail(err, "topology %s: out of memory", name);
        }
        if (reach == nodes || s->redraw) break;
        graph_free(&t->g);
        if (!is_random(s->kind) || attempt == 99)
            return ds_fail(err, "topology %s is not connected: node 0 reaches %d of the %d nodes%s", name, reach, nodes,
                           is_random(s->kind) ? " in 100 draws (raise the degree)" : "");
    }
    t->min_degree = nodes;
    for (int v = 0; v < nodes; v++) {
        int d = graph_degree(&t->g, v);
        if (d < t->min_degree) t->min_degree = d;
        if (d > t->max_degree) t->max_degree = d;
    }
    return 0;
}

void topology_free(topology *t) {
    if (!t) return;
    graph_free(&t->g);
    memset(t, 0, sizeof *t);
}

void topology_describe(const topology *t, char *buf, size_t cap) {
    const topology_spec *s = &t->spec;
    char what[160] = "";
    if (s->kind == TOPO_REGULAR) snprintf(what, sizeof what, " (degree %d)", s->degree);
    if (s->kind == TOPO_SMALL_WORLD) snprintf(what, sizeof what, " (k %d, beta %g)", s->degree, s->beta);
    if (s->kind == TOPO_TORUS) {
        int rows = s->rows ? s->rows : square_rows(t->nodes);
        snprintf(what, sizeof what, " (%d x %d)", rows, t->nodes / rows);
    }
    if (s->kind == TOPO_FILE) snprintf(what, sizeof what, " (%s)", s->file);
    char deg[64];
    if (t->min_degree == t->max_degree) snprintf(deg, sizeof deg, "%d", t->min_degree);
    else snprintf(deg, sizeof deg, "%d-%d", t->min_degree, t->max_degree);
    char again[64] = "";
    if (s->redraw) snprintf(again, sizeof again, ", redrawn every %d rounds", s->redraw);
    snprintf(buf, cap, "%s%s, %s neighbours per node%s", kind_names[s->kind], what, deg, again);
}

void topo_view_init(topo_view *v, int node, int nodes) { *v = (topo_view){.node = node, .nodes = nodes, .epoch = -1}; }

void topo_view_free(topo_view *v) {
    free(v->nb);
    free(v->pool);
    v->nb = v->pool = NULL;
    v->cap = v->deg = 0;
}

/* Copies node's list of g into v. */
static int view_copy(topo_view *v, const graph *g) {
    int d = graph_degree(g, v->node);
    if (d > v->cap) {
        int *nb = realloc(v->nb, sizeof(int) * (size_t)d);
        if (!nb) return -1;
        v->nb = nb;
        int *pool = realloc(v->pool, sizeof(int) * (size_t)d);
        if (!pool) return -1;
        v->pool = pool;
        v->cap = d;
    }
    memcpy(v->nb, g->adj + g->start[v->node], sizeof(int) * (size_t)d);
    v->deg = d;
    return 0;
}

int topo_view_update(const topology *t, topo_view *v, uint64_t round, ds_err *err) {
    if (topology_is_complete(t)) return 0;
    int64_t epoch = t->spec.redraw ? (int64_t)(round / (uint64_t)t->spec.redraw) : 0;
    if (epoch == v->epoch) return 0;
    if (epoch == 0) {
        if (view_copy(v, &t->g)) return ds_fail(err, "out of memory for a node's neighbours");
    } else {
        /* Each node draws the epoch's whole graph itself (O(nodes x
         * degree) per node and epoch) and keeps only its own list. */
        graph g;
        if (draw(&t->spec, t->nodes, rng_derive(t->seed, 0x7090, (uint64_t)epoch), &g, err))
            return ds_fail_prefix(err, "topology redraw");
        int rc = view_copy(v, &g);
        graph_free(&g);
        if (rc) return ds_fail(err, "out of memory for a node's neighbours");
    }
    v->epoch = epoch;
    return 0;
}

int topology_pick(const topology *t, topo_view *v, rng *r, uint64_t round, int k, int *out) {
    if (topology_is_complete(t)) return algo_pick_peers(r, v->nodes, v->node, k, out) ? -1 : k;
    if (topo_view_update(t, v, round, NULL)) return -1;
    if (k > v->deg) k = v->deg;
    memcpy(v->pool, v->nb, sizeof(int) * (size_t)v->deg);
    for (int i = 0; i < k; i++) {
        int j = i + (int)rng_below(r, (uint64_t)(v->deg - i));
        int tmp = v->pool[i];
        v->pool[i] = v->pool[j];
        v->pool[j] = tmp;
        out[i] = v->pool[i];
    }
    return k;
}
