/* net_replay: the network model alone on a run's own flow schedule. Reads
 * RUN_DIR/links.csv and RUN_DIR/messages.csv (a run with [eval]
 * trace_messages = true, max-min sharing, no bandwidth trace), starts
 * every message that began transmitting as a flow of 8 x bytes bits at its
 * started_s, and lets divshare's max-min model (src/sim/netmodel.c)
 * finish them: one re-solve per instant at which flows start or end, one
 * scheduled completion per flow. bench/simgrid_replay.cpp replays the same
 * schedule in SimGrid, so the two sit side by side.
 *
 * Prints the flows replayed, the CPU seconds of the replay (parsing
 * excluded), and how far each flow's replayed end of transmission lands
 * from the run's sent_s (largest difference relative to its transmission
 * time), which checks that the schedule was replayed faithfully.
 *
 * usage: net_replay RUN_DIR/ALGORITHM [incremental|component] */
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/netmodel.h"

typedef struct flow_row {
    double start, sent; /* s; sent < 0: still sending at the run's end */
    double bits;
    int src, dst;
    double end; /* replayed */
} flow_row;

/* Splits line at commas in place, without its line ending; returns the
 * field count (at most max). */
static int split(char *line, char **f, int max) {
    line[strcspn(line, "\r\n")] = 0;
    int k = 0;
    f[k++] = line;
    for (char *p = line; *p && k < max; p++)
        if (*p == ',') {
            *p = 0;
            f[k++] = p + 1;
        }
    return k;
}

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_start(const void *a, const void *b) {
    const flow_row *x = *(flow_row *const *)a, *y = *(flow_row *const *)b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Field s of path:line as a number in [lo, hi], or an error naming it. */
static int field(const char *path, int line, const char *what, const char *s, double lo, double hi, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "net_replay: %s:%d: %s '%s' is not a number in [%g, %g]\n", path, line, what, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static FILE *open_input(const char *path) {
    FILE *in = fopen(path, "r");
    if (!in) fprintf(stderr, "net_replay: cannot open %s: %s\n", path, strerror(errno));
    return in;
}

/* Reads links.csv: every node's uplink and downlink (bit/s), ids 0, 1, ... */
static int read_links(const char *path, double **up, double **down, int *nodes) {
    FILE *in = open_input(path);
    if (!in) return -1;
    char line[1024];
    char *f[16];
    int n = 0, cap = 0, ln = 0, rc = -1;
    *up = *down = NULL;
    while (fgets(line, sizeof line, in)) {
        ln++;
        if (ln == 1 && !strncmp(line, "node,", 5)) continue;
        double id, u, d;
        if (split(line, f, 16) < 3) {
            fprintf(stderr, "net_replay: %s:%d: a cut or malformed row (node,up_bps,down_bps,...)\n", path, ln);
            goto done;
        }
        if (field(path, ln, "node", f[0], 0, 1e9, &id)) goto done;
        if (id != n) {
            fprintf(stderr, "net_replay: %s:%d: node %s where node %d belongs (ids 0, 1, ... in order)\n", path, ln, f[0], n);
            goto done;
        }
        if (field(path, ln, "up_bps", f[1], 1, 1e15, &u) ||
            field(path, ln, "down_bps", f[2], 1, 1e15, &d))
            goto done;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            double *pu = realloc(*up, sizeof(double) * (size_t)cap);
            if (pu) *up = pu;
            double *pd = realloc(*down, sizeof(double) * (size_t)cap);
            if (pd) *down = pd;
            if (!pu || !pd) {
                fprintf(stderr, "net_replay: out of memory\n");
                goto done;
            }
        }
        (*up)[n] = u;
        (*down)[n] = d;
        n++;
    }
    if (n < 2) {
        fprintf(stderr, "net_replay: %s: fewer than 2 nodes\n", path);
        goto done;
    }
    *nodes = n;
    rc = 0;
done:
    fclose(in);
    return rc;
}

/* Reads messages.csv: every message that began transmitting. */
static int read_messages(const char *path, int nodes, flow_row **rows, size_t *n_rows) {
    FILE *in = open_input(path);
    if (!in) return -1;
    char line[1024];
    char *f[16];
    size_t n = 0, cap = 0;
    int ln = 0, rc = -1;
    *rows = NULL;
    while (fgets(line, sizeof line, in)) {
        ln++;
        if (ln == 1 && !strncmp(line, "id,", 3)) continue;
        if (split(line, f, 16) < 12) {
            fprintf(stderr, "net_replay: %s:%d: a cut or malformed row (12 fields expected)\n", path, ln);
            goto done;
        }
        if (!*f[2]) continue; /* never started: queued or dropped */
        flow_row r = {.sent = -1, .end = -1};
        double src, dst, bytes;
        if (field(path, ln, "started_s", f[2], 0, 1e12, &r.start) ||
            (*f[3] && field(path, ln, "sent_s", f[3], r.start, 1e12, &r.sent)) ||
            field(path, ln, "src", f[6], 0, nodes - 1, &src) || field(path, ln, "dst", f[7], 0, nodes - 1, &dst) ||
            field(path, ln, "bytes", f[11], 1, 1e15, &bytes))
            goto done;
        if (src == dst) {
            fprintf(stderr, "net_replay: %s:%d: src and dst are both node %g\n", path, ln, src);
            goto done;
        }
        r.src = (int)src;
        r.dst = (int)dst;
        r.bits = 8 * bytes;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            flow_row *p = realloc(*rows, sizeof *p * cap);
            if (!p) {
                fprintf(stderr, "net_replay: out of memory\n");
                goto done;
            }
            *rows = p;
        }
        (*rows)[n++] = r;
    }
    *n_rows = n;
    rc = 0;
done:
    fclose(in);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "incremental") && strcmp(argv[2], "component"))) {
        fprintf(stderr, "usage: net_replay RUN_DIR/ALGORITHM [incremental|component]\n");
        return 2;
    }
    int solver = argc == 3 && !strcmp(argv[2], "component") ? NET_SOLVER_COMPONENT : NET_SOLVER_INCREMENTAL;
    char path[4096];
    double *up = NULL, *down = NULL;
    flow_row *rows = NULL;
    flow_row **order = NULL;
    size_t n = 0;
    int nodes = 0, rc = 1;
    snprintf(path, sizeof path, "%s/links.csv", argv[1]);
    if (read_links(path, &up, &down, &nodes)) goto fail;
    snprintf(path, sizeof path, "%s/messages.csv", argv[1]);
    if (read_messages(path, nodes, &rows, &n)) goto fail;
    order = malloc(sizeof *order * (n ? n : 1));
    if (!order) {
        fprintf(stderr, "net_replay: out of memory\n");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) order[i] = &rows[i];
    qsort(order, n, sizeof *order, by_start);

    ds_err err;
    net_model net;
    if (net_init(&net, nodes, 1, 1, 0, &err)) {
        fprintf(stderr, "net_replay: %s\n", err.msg);
        goto fail;
    }
    net.solver = solver;
    for (int i = 0; i < nodes; i++) net_set_node(&net, i, up[i], down[i], 0);
    double t0 = cpu_now();
    uint64_t seq = 0, shares = 0;
    size_t next = 0;
    int ok = 1;
    while (ok && (next < n || net_next_done(&net))) {
        const struct net_done *d = net_next_done(&net);
        double t = next < n ? order[next]->start : INFINITY;
        if (d && d->finish < t) t = d->finish;
        net_advance(&net, t);
        while ((d = net_next_done(&net)) && d->finish <= t) { /* every flow that ends now */
            int id = d->flow;
            rows[net.flows[id].tag].end = t; /* the tag is the row */
            net_end(&net, id);
        }
        for (; next < n && order[next]->start <= t; next++) { /* every flow that starts now */
            if (net_start(&net, order[next]->src, order[next]->dst, order[next]->bits, (uint64_t)(order[next] - rows)) < 0)
                ok = 0;
        }
        if (!ok || net_share(&net)) {
            ok = 0;
            break;
        }
        shares++;
        const int *ids;
        int k = net_resolved(&net, &ids);
        for (int j = 0; j < k; j++) {
            net_flow *fl = &net.flows[ids[j]];
            if (!fl->changed) continue;
            fl->changed = 0;
            net_schedule(&net, ids[j], seq++);
        }
    }
    double cpu = cpu_now() - t0;
    net_free(&net);
    if (!ok) {
        fprintf(stderr, "net_replay: out of memory\n");
        goto fail;
    }
    double worst = 0;
    size_t compared = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].sent < 0) continue;
        double dt = rows[i].sent - rows[i].start;
        double e = fabs(rows[i].end - rows[i].sent) / (dt > 0 ? dt : 1e-12);
        if (!(e <= worst)) worst = e;
        compared++;
    }
    printf("divshare %-11s %zu flows on %d nodes: %.3f s CPU, %llu re-solves; end of transmission vs the run's sent_s:"
           " largest difference %.1e of the transmission time (%zu flows)\n",
           solver == NET_SOLVER_COMPONENT ? "component" : "incremental", n, nodes, cpu, (unsigned long long)shares,
           worst, compared);
    rc = 0;
fail:
    free(order);
    free(rows);
    free(up);
    free(down);
    return rc;
}
