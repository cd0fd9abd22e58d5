/* graph.c: edge-list reading and random regular graphs. */
#include "algo/graph.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"
#include "util/rng.h"

void graph_free(graph *g) {
    if (!g) return;
    free(g->start);
    free(g->adj);
    memset(g, 0, sizeof *g);
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Builds the CSR from an edge list (each edge once), dropping duplicates. */
static int build(int n, const int *ex, const int *ey, size_t m, graph *g, ds_err *err) {
    g->nodes = n;
    g->start = calloc((size_t)n + 1, sizeof(int));
    g->adj = malloc(sizeof(int) * (2 * m + 1));
    int *fill = calloc((size_t)n, sizeof(int));
    if (!g->start || !g->adj || !fill) {
        free(fill);
        graph_free(g);
        return ds_fail(err, "out of memory for a graph");
    }
    for (size_t e = 0; e < m; e++) {
        g->start[ex[e] + 1]++;
        g->start[ey[e] + 1]++;
    }
    for (int v = 0; v < n; v++) g->start[v + 1] += g->start[v];
    for (size_t e = 0; e < m; e++) {
        g->adj[g->start[ex[e]] + fill[ex[e]]++] = ey[e];
        g->adj[g->start[ey[e]] + fill[ey[e]]++] = ex[e];
    }
    /* Sort and deduplicate each list, compacting in place. */
    int out = 0;
    for (int v = 0; v < n; v++) {
        int from = g->start[v], to = g->start[v + 1];
        qsort(g->adj + from, (size_t)(to - from), sizeof(int), cmp_int);
        g->start[v] = out;
        for (int k = from; k < to; k++)
            if (k == from || g->adj[k] != g->adj[k - 1]) g->adj[out++] = g->adj[k];
    }
    g->start[n] = out;
    free(fill);
    return 0;
}

int graph_read_edges(const char *path, int nodes, graph *g, ds_err *err) {
    memset(g, 0, sizeof *g);
    text_file tf;
    if (text_open(&tf, path, GRAPH_MAX_FILE, err)) return ds_fail_prefix(err, "graph file");
    long long n = -1;
    size_t m = 0, cap = 256;
    int *ex = malloc(sizeof(int) * cap), *ey = malloc(sizeof(int) * cap);
    int rc = -1;
    if (!ex || !ey) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (char *line; (line = text_next(&tf));) {
        char *f[2];
        int nf = text_fields(line, f, 2);
        if (nf == 0) continue;
        if (n < 0) {
            if (nf != 1 || text_int(f[0], &n) || n < 1 || n > 10000000) {
                ds_fail(err, "%s:%d: expected the number of nodes (1 to 10000000) on the first line", path, tf.line);
                goto done;
            }
            if (n != nodes) {
                ds_fail(err, "%s:%d: graph has %lld nodes but the experiment has %d", path, tf.line, n, nodes);
                goto done;
            }
            continue;
        }
        long long x, y;
        if (nf != 2 || text_int(f[0], &x) || text_int(f[1], &y)) {
            ds_fail(err, "%s:%d: expected an edge 'x y' of two node ids", path, tf.line);
            goto done;
        }
        if (x < 0 || y < 0 || x >= n || y >= n) {
            ds_fail(err, "%s:%d: edge %lld %lld: node ids must be in [0, %lld]", path, tf.line, x, y, n - 1);
            goto done;
        }
        if (x == y) {
            ds_fail(err, "%s:%d: self-loop %lld %lld", path, tf.line, x, y);
            goto done;
        }
        if (m == cap) {
            cap *= 2;
            int *nx = realloc(ex, sizeof(int) * cap);
            if (!nx) {
                ds_fail(err, "out of memory");
                goto done;
            }
            ex = nx;
            int *ny = realloc(ey, sizeof(int) * cap);
            if (!ny) {
                ds_fail(err, "out of memory");
                goto done;
            }
            ey = ny;
        }
        ex[m] = (int)x;
        ey[m++] = (int)y;
    }
    if (n < 0) {
        ds_fail(err, "%s: empty graph file (expected the node count, then edges)", path);
        goto done;
    }
    rc = build((int)n, ex, ey, m, g, err);
    for (int v = 0; rc == 0 && v < n; v++)
        if (graph_degree(g, v) == 0) {
            graph_free(g);
            rc = ds_fail(err, "%s: node %d has no neighbour", path, v);
        }
done:
    text_close(&tf);
    free(ex);
    free(ey);
    return rc;
}

static int has_edge(const int *adj, int d, int u, int v) {
    for (int k = 0; k < d; k++)
        if (adj[(size_t)u * d + k] == v) return 1;
    return 0;
}

static void replace_neighbour(int *adj, int d, int u, int from, int to) {
    for (int k = 0; k < d; k++)
        if (adj[(size_t)u * d + k] == from) {
            adj[(size_t)u * d + k] = to;
            return;
        }
}

/* A simple d-regular graph for when the pairing model keeps failing (few
 * nodes, high degree: its chance of a simple graph falls like
 * exp(-(d^2 - 1) / 4)): the circulant graph (i ~ i +- 1..d/2, and i ~ i +
 * n/2 for odd d) randomised by 20 m double-edge swaps that keep it simple
 * (a Markov chain whose stationary law is uniform over simple d-regular
 * graphs). ex, ey have room for m = n d / 2 edges. */
static int regular_by_swaps(int n, int d, rng *r, int *ex, int *ey, graph *g, ds_err *err) {
    size_t m = (size_t)n * d / 2, e = 0;
    int *adj = malloc(sizeof(int) * (size_t)n * d), *deg = calloc((size_t)n, sizeof(int));
    if (!adj || !deg) {
        free(adj);
        free(deg);
        return ds_fail(err, "out of memory for a graph");
    }
    for (int i = 0; i < n; i++)
        for (int k = 1; k <= d / 2; k++) {
            ex[e] = i;
            ey[e++] = (i + k) % n;
        }
    if (d % 2)
        for (int i = 0; i < n / 2; i++) {
            ex[e] = i;
            ey[e++] = i + n / 2;
        }
    for (size_t k = 0; k < m; k++) {
        adj[(size_t)ex[k] * d + deg[ex[k]]++] = ey[k];
        adj[(size_t)ey[k] * d + deg[ey[k]]++] = ex[k];
    }
    for (size_t s = 0; s < 20 * m; s++) {
        size_t e1 = (size_t)rng_below(r, m), e2 = (size_t)rng_below(r, m);
        int a = ex[e1], b = ey[e1], c = ex[e2], w = ey[e2];
        if (rng_below(r, 2)) {
            c = ey[e2];
            w = ex[e2];
        }
        /* (a,b), (c,w) -> (a,w), (c,b) */
        if (a == b || a == c || a == w || b == c || b == w || c == w) continue;
        if (has_edge(adj, d, a, w) || has_edge(adj, d, c, b)) continue;
        replace_neighbour(adj, d, a, b, w);
        replace_neighbour(adj, d, w, c, a);
        replace_neighbour(adj, d, c, w, b);
        replace_neighbour(adj, d, b, a, c);
        ex[e1] = a;
        ey[e1] = w;
        ex[e2] = c;
        ey[e2] = b;
    }
    free(adj);
    free(deg);
    return build(n, ex, ey, m, g, err);
}

int graph_random_regular(int n, int d, uint64_t seed, graph *g, ds_err *err) {
    memset(g, 0, sizeof *g);
    if (d < 1 || d >= n || ((long)n * d) % 2)
        return ds_fail(err, "no %d-regular graph on %d nodes (need 1 <= degree < nodes and nodes x degree even)", d, n);
    rng r;
    rng_seed(&r, rng_derive(seed, 0xd95d, 0));
    size_t m = (size_t)n * d / 2;
    int *stubs = malloc(sizeof(int) * (size_t)n * d), *ex = malloc(sizeof(int) * m), *ey = malloc(sizeof(int) * m);
    int rc = -1;
    if (!stubs || !ex || !ey) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (int attempt = 0; attempt < 10000 && rc; attempt++) {
        for (int i = 0; i < n * d; i++) stubs[i] = i / d;
        for (int i = n * d; i > 1; i--) {
            int j = (int)rng_below(&r, (uint64_t)i), t = stubs[i - 1];
            stubs[i - 1] = stubs[j];
            stubs[j] = t;
        }
        int ok = 1;
        for (size_t e = 0; e < m && ok; e++) {
            ex[e] = stubs[2 * e];
            ey[e] = stubs[2 * e + 1];
            ok = ex[e] != ey[e];
        }
        if (!ok) continue;
        if (build(n, ex, ey, m, g, err)) goto done;
        for (int v = 0; v < n && ok; v++) ok = graph_degree(g, v) == d; /* no multi-edges */
        if (ok) rc = 0;
        else graph_free(g);
    }
    /* The pairing model first (its graphs are exactly uniform; seeds that
     * drew one keep it), then the swap chain. */
    if (rc) rc = regular_by_swaps(n, d, &r, ex, ey, g, err);
done:
    free(stubs);
    free(ex);
    free(ey);
    return rc;
}

/* An edge list of m edges for build(). */
typedef struct edges {
    int *x, *y;
    size_t m;
} edges;

static int edges_alloc(edges *e, size_t m, ds_err *err) {
    e->m = 0;
    e->x = malloc(sizeof(int) * (m + 1));
    e->y = malloc(sizeof(int) * (m + 1));
    if (e->x && e->y) return 0;
    free(e->x);
    free(e->y);
    return ds_fail(err, "out of memory for a graph");
}

static int edges_build(edges *e, int n, graph *g, ds_err *err) {
    int rc = build(n, e->x, e->y, e->m, g, err);
    free(e->x);
    free(e->y);
    return rc;
}

static void edges_add(edges *e, int a, int b) {
    e->x[e->m] = a;
    e->y[e->m++] = b;
}

int graph_ring(int n, graph *g, ds_err *err) {
    memset(g, 0, sizeof *g);
    if (n < 2) return ds_fail(err, "a ring needs at least 2 nodes (got %d)", n);
    edges e;
    if (edges_alloc(&e, (size_t)n, err)) return -1;
    for (int i = 0; i < n; i++)
        if (n > 2 || i == 0) edges_add(&e, i, (i + 1) % n);
    return edges_build(&e, n, g, err);
}

int graph_torus(int n, int rows, graph *g, ds_err *err) {
    memset(g, 0, sizeof *g);
    if (rows < 2 || n % rows || n / rows < 2)
        return ds_fail(err, "a torus of %d nodes with %d rows: rows must divide the nodes and both sides be >= 2", n,
                       rows);
    const int cols = n / rows;
    edges e;
    if (edges_alloc(&e, 2 * (size_t)n, err)) return -1;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int i = r * cols + c;
            edges_add(&e, i, r * cols + (c + 1) % cols);   /* right (a duplicate when cols = 2: dropped) */
            edges_add(&e, i, ((r + 1) % rows) * cols + c); /* down */
        }
    return edges_build(&e, n, g, err);
}

int graph_star(int n, graph *g, ds_err *err) {
    memset(g, 0, sizeof *g);
    if (n < 2) return ds_fail(err, "a star needs at least 2 nodes (got %d)", n);
    edges e;
    if (edges_alloc(&e, (size_t)n, err)) return -1;
    for (int i = 1; i < n; i++) edges_add(&e, 0, i);
    return edges_build(&e, n, g, err);
}

/* Growable neighbour lists for the rewiring. */
typedef struct adj_lists {
    int **nb;
    int *deg, *cap;
} adj_lists;

static int lists_has(const adj_lists *a, int u, int v) {
    for (int k = 0; k < a->deg[u]; k++)
        if (a->nb[u][k] == v) return 1;
    return 0;
}

static int lists_add(adj_lists *a, int u, int v) {
    if (a->deg[u] == a->cap[u]) {
        int cap = a->cap[u] ? 2 * a->cap[u] : 4;
        int *nb = realloc(a->nb[u], sizeof(int) * (size_t)cap);
        if (!nb) return -1;
        a->nb[u] = nb;
        a->cap[u] = cap;
    }
    a->nb[u][a->deg[u]++] = v;
    return 0;
}

static void lists_remove(adj_lists *a, int u, int v) {
    for (int k = 0; k < a->deg[u]; k++)
        if (a->nb[u][k] == v) {
            a->nb[u][k] = a->nb[u][--a->deg[u]];
            return;
        }
}

int graph_small_world(int n, int k, double beta, uint64_t seed, graph *g, ds_err *err) {
    memset(g, 0, sizeof *g);
    if (k < 2 || k % 2 || k >= n)
        return ds_fail(err, "a small world of %d nodes needs an even degree k with 2 <= k < nodes (got %d)", n, k);
    if (!(beta >= 0 && beta <= 1)) return ds_fail(err, "small world: rewiring probability %g is not in [0, 1]", beta);
    const int half = k / 2;
    const size_t m = (size_t)n * half;
    adj_lists a = {calloc((size_t)n, sizeof(int *)), calloc((size_t)n, sizeof(int)), calloc((size_t)n, sizeof(int))};
    int *target = malloc(sizeof(int) * m); /* edge (i, i + j)'s other end, at i * half + j - 1 */
    edges e = {0};
    int rc = -1;
    if (!a.nb || !a.deg || !a.cap || !target) {
        ds_fail(err, "out of memory for a graph");
        goto done;
    }
    for (int i = 0; i < n; i++)
        for (int j = 1; j <= half; j++) {
            target[(size_t)i * half + j - 1] = (i + j) % n;
            if (lists_add(&a, i, (i + j) % n) || lists_add(&a, (i + j) % n, i)) {
                ds_fail(err, "out of memory for a graph");
                goto done;
            }
        }
    rng r;
    rng_seed(&r, rng_derive(seed, 0x5a11, 0));
    for (int j = 1; j <= half; j++)
        for (int i = 0; i < n; i++) {
            if (rng_uniform(&r) >= beta || a.deg[i] >= n - 1) continue;
            int w;
            do w = (int)rng_below(&r, (uint64_t)n);
            while (w == i || lists_has(&a, i, w));
            int *t = &target[(size_t)i * half + j - 1];
            lists_remove(&a, i, *t);
            lists_remove(&a, *t, i);
            *t = w;
            if (lists_add(&a, i, w) || lists_add(&a, w, i)) {
                ds_fail(err, "out of memory for a graph");
                goto done;
            }
        }
    if (edges_alloc(&e, m, err)) goto done;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < half; j++) edges_add(&e, i, target[(size_t)i * half + j]);
    rc = edges_build(&e, n, g, err);
done:
    for (int i = 0; a.nb && i < n; i++) free(a.nb[i]);
    free(a.nb);
    free(a.deg);
    free(a.cap);
    free(target);
    return rc;
}

int graph_reach(const graph *g) {
    if (g->nodes < 1) return 0;
    int *queue = malloc(sizeof(int) * (size_t)g->nodes);
    char *seen = calloc((size_t)g->nodes, 1);
    int head = 0, tail = 0;
    if (!queue || !seen) {
        free(queue);
        free(seen);
        return -1;
    }
    queue[tail++] = 0;
    seen[0] = 1;
    while (head < tail) {
        int v = queue[head++];
        for (int k = g->start[v]; k < g->start[v + 1]; k++)
            if (!seen[g->adj[k]]) {
                seen[g->adj[k]] = 1;
                queue[tail++] = g->adj[k];
            }
    }
    free(queue);
    free(seen);
    return tail;
}
