/* graph.h: undirected communication graphs for the synchronous baselines:
 * read from decentralizepy's "edges" format (first line: node count; then
 * one "x y" pair of 0-based ids per line) or drawn at random as a simple
 * d-regular graph. Stored as sorted adjacency lists (CSR). */
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
void graph_free(graph *g);
static inline int graph_degree(const graph *g, int v) { return g->start[v + 1] - g->start[v]; }

#endif
