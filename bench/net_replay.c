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

/* Splits line at commas in place; returns the field count (at most max). */
static int split(char *line, char **f, int max) {
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

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: net_replay RUN_DIR/ALGORITHM [incremental|component]\n");
        return 2;
    }
    int solver = argc > 2 && !strcmp(argv[2], "component") ? NET_SOLVER_COMPONENT : NET_SOLVER_INCREMENTAL;
    char path[4096], line[1024];
    char *f[16];
    snprintf(path, sizeof path, "%s/links.csv", argv[1]);
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "net_replay: cannot open %s\n", path);
        return 1;
    }
    enum { MAX_NODES = 1000000 };
    double *up = malloc(sizeof(double) * MAX_NODES), *down = malloc(sizeof(double) * MAX_NODES);
    int nodes = 0;
    while (up && down && fgets(line, sizeof line, in)) {
        if (!strncmp(line, "node,", 5)) continue;
        if (split(line, f, 16) < 3 || nodes == MAX_NODES) {
            fprintf(stderr, "net_replay: %s: unexpected row %d\n", path, nodes + 2);
            fclose(in);
            return 1;
        }
        up[nodes] = atof(f[1]);
        down[nodes] = atof(f[2]);
        nodes++;
    }
    fclose(in);
    if (!up || !down) {
        fprintf(stderr, "net_replay: out of memory\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/messages.csv", argv[1]);
    in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "net_replay: cannot open %s\n", path);
        return 1;
    }
    size_t n = 0, cap = 1024;
    flow_row *rows = malloc(sizeof *rows * cap);
    while (rows && fgets(line, sizeof line, in)) {
        if (!strncmp(line, "id,", 3)) continue;
        if (split(line, f, 16) < 12) {
            fprintf(stderr, "net_replay: %s: a row has fewer than 12 fields\n", path);
            return 1;
        }
        if (!*f[2]) continue; /* never started: queued or dropped */
        if (n == cap) {
            cap *= 2;
            flow_row *p = realloc(rows, sizeof *rows * cap);
            if (!p) break;
            rows = p;
        }
        rows[n++] = (flow_row){.start = atof(f[2]), .sent = *f[3] ? atof(f[3]) : -1, .bits = 8 * atof(f[11]),
                               .src = atoi(f[6]), .dst = atoi(f[7]), .end = -1};
    }
    fclose(in);
    flow_row **order = rows ? malloc(sizeof *order * (n ? n : 1)) : NULL;
    flow_row **by_id = rows ? calloc(n ? n : 1, sizeof *by_id) : NULL;
    if (!order || !by_id) {
        fprintf(stderr, "net_replay: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) order[i] = &rows[i];
    qsort(order, n, sizeof *order, by_start);

    ds_err err;
    net_model net;
    if (net_init(&net, nodes, 1, 1, 0, &err)) {
        fprintf(stderr, "net_replay: %s\n", err.msg);
        return 1;
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
            by_id[net.flows[id].tag]->end = t;
            net_end(&net, id);
        }
        for (; next < n && order[next]->start <= t; next++) { /* every flow that starts now */
            int id = net_start(&net, order[next]->src, order[next]->dst, order[next]->bits, (uint64_t)(order[next] - rows));
            if (id < 0) ok = 0;
            else by_id[order[next] - rows] = order[next];
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
    if (!ok) {
        fprintf(stderr, "net_replay: out of memory\n");
        return 1;
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
    net_free(&net);
    free(order);
    free(by_id);
    free(rows);
    free(up);
    free(down);
    return 0;
}
