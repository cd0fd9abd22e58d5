/* partition.h: splitting a training set over N nodes, deterministically
 * from a seed, the ways decentralizepy does:
 *   iid        random equal parts (remainder dropped, as the artifact)
 *   kshard     sort by label; each node takes `shards` random contiguous
 *              segments of size (n/N)/shards (with wrap-around), removed
 *              from the pool as taken (decentralizepy's KShardDataPartitioner)
 *   dirichlet  per class, proportions ~ Dir(alpha) over nodes, nodes that
 *              already hold n/N samples get none; redrawn until every node
 *              has at least `classes` samples
 *   user       ratings only: users in contiguous blocks (first n_users % N
 *              nodes get one more user), each node all its users' ratings */
#ifndef DS_PARTITION_H
#define DS_PARTITION_H

#include <stdint.h>
#include <stdio.h>

#include "data/dataset.h"

/* The registry: X(ID, name) per partitioner, each made by the function
 * make_<name> of partition.c. To add one: its function and a line here. */
#define PARTITION_REGISTRY(X) X(IID, iid) X(KSHARD, kshard) X(DIRICHLET, dirichlet) X(USER, user)

typedef enum partition_kind {
#define PARTITION_ID(id, name) PARTITION_##id,
    PARTITION_REGISTRY(PARTITION_ID)
#undef PARTITION_ID
    PARTITION_KINDS
} partition_kind;

typedef struct partition_spec {
    partition_kind kind;
    int nodes;     /* >= 1 */
    int shards;    /* kshard: segments per node */
    double alpha;  /* dirichlet concentration, > 0 */
    uint64_t seed;
} partition_spec;

typedef struct partition {
    int nodes;
    uint32_t **idx; /* [nodes][count[k]] sample indices, owned */
    size_t *count;  /* [nodes] */
} partition;

/* Parses a registered name ("iid", "kshard", ...). */
int partition_kind_parse(const char *s, partition_kind *out);
const char *partition_kind_name(partition_kind k);
/* The registered names joined by sep into buf (size n). */
void partition_names(char *buf, size_t n, const char *sep);

int partition_make(const dataset *d, const partition_spec *spec, partition *out, ds_err *err);
void partition_free(partition *p);

/* Writes one line per node (samples; label histogram or user count). */
void partition_print_summary(const dataset *d, const partition *p, FILE *out);

#endif
