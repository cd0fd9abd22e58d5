/* collect.c: merging node-K.csv files into run-level results. */
#include "exp/collect.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exp/results.h"
#include "core/node_csv.h"
#include "util/fileio.h"

typedef struct node_row {
    double time;
    node_report rep;
    uint64_t unreachable, invalid, foreign;
} node_row;

typedef struct node_rows {
    node_row *r;
    int n;
    int regress; /* header said rmse */
} node_rows;

/* Parses one node-K.csv (node_csv.h); a bad row is an error (file:line). */
static int load_node(const char *path, node_rows *out, ds_err *err) {
    unsigned char *data;
    size_t len;
    out->r = NULL;
    out->n = 0;
    if (file_read_all(path, &data, &len, err)) return -1;
    /* Nodes write whole files ending in a newline: anything else was cut. */
    if (len == 0 || data[len - 1] != '\n') {
        free(data);
        return ds_fail(err, "%s: truncated (the last line has no end); not a complete node file", path);
    }
    char where[4096 + 256];
    snprintf(where, sizeof where, "%s:1", path);
    char *save, *line = strtok_r((char *)data, "\n", &save);
    if (!line || node_csv_parse_header(line, where, &out->regress, err)) {
        if (!line) ds_fail(err, "%s: not a divshare node file (empty)", where);
        free(data);
        return -1;
    }
    int cap = 0, lineno = 1;
    while ((line = strtok_r(NULL, "\n", &save))) {
        lineno++;
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        node_csv_row row;
        if (node_csv_parse_row(line, where, &row, err)) {
            free(data);
            free(out->r);
            return -1;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            node_row *nr = realloc(out->r, sizeof *nr * (size_t)cap);
            if (!nr) {
                free(data);
                free(out->r);
                return ds_fail(err, "out of memory");
            }
            out->r = nr;
        }
        node_row *r = &out->r[out->n++];
        memset(r, 0, sizeof *r);
        double scale = out->regress ? 1 : 100;
        r->time = row.time;
        r->rep.round = (uint32_t)row.round;
        r->rep.test_metric = row.metric / scale;
        r->rep.test_loss = row.test_loss;
        r->rep.train_loss = row.train_loss;
        r->rep.bytes_sent = row.bytes_sent;
        r->rep.bytes_received = row.bytes_received;
        r->rep.msgs_sent = row.msgs_sent;
        r->rep.msgs_dropped = row.msgs_dropped;
        r->rep.msgs_received = row.msgs_received;
        r->rep.applied = row.applied;
        r->rep.staleness = row.staleness;
        r->rep.idle_time = row.idle;
        r->unreachable = row.unreachable;
        r->invalid = row.invalid;
        r->foreign = row.foreign;
    }
    free(data);
    return 0;
}

/* wall_time_s, evaluation_s and messages_dropped_offline (0 if absent)
 * of dir/node-K.json; -1 if absent. */
static int node_wall(const char *dir, int k, double *wall, double *eval, double *offline) {
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/node-%d.json", dir, k);
    unsigned char *data;
    size_t len;
    ds_err ignore;
    if (!path_exists(path) || file_read_all(path, &data, &len, &ignore)) return -1;
    cJSON *j = cJSON_Parse((const char *)data);
    free(data);
    cJSON *w = cJSON_GetObjectItem(j, "wall_time_s"), *e = cJSON_GetObjectItem(j, "evaluation_s");
    cJSON *off = cJSON_GetObjectItem(j, "messages_dropped_offline");
    int ok = cJSON_IsNumber(w) && cJSON_IsNumber(e);
    if (ok) {
        *wall = w->valuedouble;
        *eval = e->valuedouble;
        *offline = cJSON_IsNumber(off) ? off->valuedouble : 0;
    }
    cJSON_Delete(j);
    return ok ? 0 : -1;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int collect_run(const config *c, const char *dir, const char *algorithm, FILE *log, int interrupted,
                int *missing, ds_err *err) {
    const int N = (int)c->v.partition.nodes;
    node_rows *nodes = calloc((size_t)N, sizeof *nodes);
    node_report *reps = calloc((size_t)N, sizeof *reps);
    double *times = NULL;
    results *res = NULL;
    int rc = -1, regress = -1, n_times = 0;
    *missing = 0;
    if (!nodes || !reps) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (int i = 0; i < N; i++) {
        char path[4096 + 64];
        snprintf(path, sizeof path, "%s/node-%d.csv", dir, i);
        if (!path_exists(path)) {
            (*missing)++;
            continue;
        }
        if (load_node(path, &nodes[i], err)) goto done;
        if (nodes[i].n && regress >= 0 && nodes[i].regress != regress) {
            ds_fail(err, "%s: mixes accuracy and RMSE files", dir);
            goto done;
        }
        if (nodes[i].n) regress = nodes[i].regress;
        n_times += nodes[i].n;
    }
    if (regress < 0) {
        ds_fail(err, "%s: no node results (node-K.csv) to collect", dir);
        goto done;
    }
    /* The distinct nominal evaluation times over all nodes, in order. */
    times = malloc(sizeof(double) * (size_t)n_times);
    if (!times) {
        ds_fail(err, "out of memory");
        goto done;
    }
    int nt = 0;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < nodes[i].n; k++) times[nt++] = nodes[i].r[k].time;
    qsort(times, (size_t)nt, sizeof *times, cmp_double);
    int u = 0;
    for (int k = 0; k < nt; k++)
        if (u == 0 || times[k] > times[u - 1] + 1e-9) times[u++] = times[k];
    if (!(res = results_open(c, dir, algorithm, "real", regress, log, err))) goto done;
    /* Wall time and its split, from the nodes' own accounts. */
    double wall = 0, eval_sum = 0, offline = 0;
    int with_json = 0;
    for (int i = 0; i < N; i++) {
        double w, e, off;
        if (node_wall(dir, i, &w, &e, &off)) continue;
        if (w > wall) wall = w;
        eval_sum += e;
        offline += off;
        with_json++;
    }
    if (with_json) results_set_wall_time(res, wall);
    double mean_eval = with_json ? eval_sum / with_json : 0;
    int *cursor = calloc((size_t)N, sizeof(int));
    if (!cursor) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (int k = 0; k < u && rc != -2; k++) {
        run_report r = {0};
        r.time = times[k];
        r.regress = regress;
        r.nodes = N;
        r.node = reps;
        r.consensus = NAN;
        r.metric_min = INFINITY;
        r.metric_max = -INFINITY;
        /* per node on average: evaluating, and the rest (training and
         * waiting); totals for the run, reported with the last row */
        r.wall_eval = mean_eval;
        r.wall_train = with_json ? wall - mean_eval : 0;
        r.msgs_offline = (uint64_t)offline; /* the nodes' totals at the end (summary.json) */
        int evaluated = 0, with_loss = 0;
        for (int i = 0; i < N; i++) {
            node_rows *nr = &nodes[i];
            while (cursor[i] < nr->n && nr->r[cursor[i]].time <= times[k] + 1e-9) cursor[i]++;
            const node_row *row = cursor[i] > 0 ? &nr->r[cursor[i] - 1] : NULL;
            int current = row && fabs(row->time - times[k]) < 1e-9;
            if (!row) {
                memset(&reps[i], 0, sizeof reps[i]);
                reps[i].test_metric = reps[i].test_loss = reps[i].train_loss = NAN;
            } else {
                reps[i] = row->rep;
                if (!current) reps[i].test_metric = reps[i].test_loss = reps[i].train_loss = NAN;
            }
            const node_report *p = &reps[i];
            if (!isnan(p->test_metric)) {
                evaluated++;
                r.metric_mean += p->test_metric;
                r.test_loss += p->test_loss;
                if (p->test_metric < r.metric_min) r.metric_min = p->test_metric;
                if (p->test_metric > r.metric_max) r.metric_max = p->test_metric;
            }
            if (!isnan(p->train_loss)) {
                r.train_loss += p->train_loss;
                with_loss++;
            }
            r.mean_round += (double)p->round / N;
            r.bytes_sent += p->bytes_sent;
            r.msgs_sent += p->msgs_sent;
            r.msgs_dropped += p->msgs_dropped;
            r.msgs_received += p->msgs_received;
        }
        if (evaluated == 0) continue; /* nothing to report at this time */
        r.metric_mean /= evaluated;
        r.test_loss /= evaluated;
        r.train_loss = with_loss ? r.train_loss / with_loss : NAN;
        if (results_add(res, &r)) rc = -2;
    }
    free(cursor);
    if (rc == -2) goto done;
    rc = results_finish(res, interrupted || *missing > 0);
done:
    results_free(res);
    for (int i = 0; nodes && i < N; i++) free(nodes[i].r);
    free(nodes);
    free(reps);
    free(times);
    return rc ? -1 : 0;
}
