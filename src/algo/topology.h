/* topology.h: who may talk to whom. Every algorithm draws its peers from
 * the node's neighbours in the run's topology: the complete graph (any
 * other node, the default), a ring, a torus, a star, a random regular or
 * Watts-Strogatz small-world graph, or a graph file in decentralizepy's
 * edges format. A random topology may be redrawn every `redraw` rounds of
 * a node (a peer sampler, as decentralizepy's dynamic one): a node in
 * round r uses the graph of epoch r / redraw, drawn from the run's seed and
 * the epoch, so every node that reaches an epoch sees the same graph.
 *
 * The runtime builds one topology per run and lends it to the algorithms
 * (algo_config.topo); a node keeps a topo_view, its own neighbour list of
 * the current epoch. */
#ifndef DS_TOPOLOGY_H
#define DS_TOPOLOGY_H

#include <stdint.h>

#include "algo/graph.h"
#include "util/err.h"
#include "util/rng.h"

typedef enum topo_kind {
    TOPO_COMPLETE = 0,
    TOPO_RING,
    TOPO_TORUS,
    TOPO_REGULAR,
    TOPO_SMALL_WORLD,
    TOPO_STAR,
    TOPO_FILE,
} topo_kind;

#define TOPO_NAMES "complete, ring, torus, regular, small-world, star, file"

typedef struct topology_spec {
    topo_kind kind;
    int degree;       /* regular: d; small-world: k (even) */
    double beta;      /* small-world: rewiring probability */
    int rows;         /* torus: rows (0 = the most square factorisation) */
    int redraw;       /* regular, small-world: a new graph every this many rounds (0 = fixed) */
    const char *file; /* file: the edges file (borrowed) */
} topology_spec;

typedef struct topology {
    topology_spec spec;
    int nodes;
    uint64_t seed;
    graph g;          /* the fixed graph, or epoch 0's when redrawn; empty for complete */
    int min_degree, max_degree;
} topology;

/* The kind named `name` (one of TOPO_NAMES); -1 if none. */
int topology_kind(const char *name);
/* Builds the topology of `nodes` nodes. A fixed graph must be connected;
 * random ones are redrawn (new seeds) until they are, up to 100 times. */
int topology_new(const topology_spec *s, int nodes, uint64_t seed, topology *t, ds_err *err);
void topology_free(topology *t);
/* The topology's description for a run's log: "ring, 2 neighbours per
 * node", "small-world (k 4, beta 0.1), 3-6 neighbours, redrawn every 5
 * rounds". */
void topology_describe(const topology *t, char *buf, size_t cap);
static inline int topology_is_complete(const topology *t) { return !t || t->spec.kind == TOPO_COMPLETE; }

/* A node's neighbours in its current epoch. */
typedef struct topo_view {
    int node, nodes;
    int64_t epoch; /* -1 before the first use */
    int deg;
    int *nb;   /* [deg], sorted, owned */
    int *pool; /* [deg] scratch for drawing peers */
    int cap;
} topo_view;

void topo_view_init(topo_view *v, int node, int nodes);
void topo_view_free(topo_view *v);
/* Brings v to the epoch of `round`; returns 0, or -1 (out of memory) with
 * err set. A no-op on the complete topology. */
int topo_view_update(const topology *t, topo_view *v, uint64_t round, ds_err *err);
/* min(k, neighbours) distinct neighbours of v's node in the epoch of
 * `round`, uniformly, into out[]; returns how many, or -1 when out of
 * memory. On the complete topology (t NULL or complete) this is
 * algo_pick_peers: the same draws as before topologies existed. */
int topology_pick(const topology *t, topo_view *v, rng *r, uint64_t round, int k, int *out);

#endif
