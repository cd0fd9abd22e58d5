/* graph.h: undirected communication graphs (the topologies of
 * algo/topology.h): read from decentralizepy's "edges" format (first line:
 * node count; then one "x y" pair of 0-based ids per line), drawn at
 * random (simple d-regular; Watts-Strogatz small world) or built (ring,
 * torus, star). Stored as sorted adjacency lists (CSR). */
#ifndef DS_GRAPH_H
#define DS_GRAPH_H

#include <stdint.h>

#include "util/err.h"

#define GRAPH_MAX_FILE ((size_t)256 << 20) /* bytes of an edges file */

typedef struct graph {
    int nodes;
    int *start; /* [nodes + 1] */
    int *adj;   /* [start[nodes]] neighbour ids, sorted per node */
} graph;

/* Reads path; the node count must equal `nodes`. Errors name file:line. */
int graph_read_edges(const char *path, int nodes, graph *g, ds_err *err);
/* A uniformly drawn simple d-regular graph (pairing model with retries). */
int graph_random_regular(int nodes, int d, uint64_t seed, graph *g, ds_err *err);
/* The ring i ~ i +- 1 (nodes >= 2). */
int graph_ring(int nodes, graph *g, ds_err *err);
/* The rows x (nodes / rows) torus: i ~ its 4 grid neighbours, wrapping;
 * rows must divide nodes, both sides >= 2. */
int graph_torus(int nodes, int rows, graph *g, ds_err *err);
/* The star: node 0 ~ every other node. */
int graph_star(int nodes, graph *g, ds_err *err);
/* Watts-Strogatz: the ring lattice i ~ i +- 1..k/2 (k even, 2 <= k <
 * nodes), each edge (i, i + j) rewired to (i, w), w uniform among the
 * nodes i is not yet joined to, with probability beta. */
int graph_small_world(int nodes, int k, double beta, uint64_t seed, graph *g, ds_err *err);
/* Nodes reachable from node 0 (the graph is connected iff it is nodes). */
int graph_reach(const graph *g);
void graph_free(graph *g);
static inline int graph_degree(const graph *g, int v) { return g->start[v + 1] - g->start[v]; }

#endif
