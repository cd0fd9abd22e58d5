/* results.c: metrics.csv, nodes.csv and summary.json of a run. */
#include "exp/results.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/metrics_csv.h"
#include "exp/setup.h"
#include "util/clock.h"
#include "util/fileio.h"
#include "util/strbuf.h"

struct results {
    const config *cfg;
    char *dir;
    char *algorithm;
    const char *runtime;
    FILE *log;
    int regress;
    int n_targets;
    double targets[RESULTS_MAX_TARGETS]; /* % (accuracy) or RMSE */
    double reached[RESULTS_MAX_TARGETS]; /* s, or NAN */
    strbuf metrics, nodes;
    run_report last;
    int evals;
    double wall0;
    double wall_fixed; /* > 0: the run's wall time, given (real runs) */
    int n_stragglers;
    int *straggler_ids;            /* [n_stragglers], ascending */
    node_spec *straggler_spec; /* [n_stragglers], their links */
    int n_compute;
    int *compute_ids;              /* [n_compute] compute stragglers, ascending */
    double *compute_slowdown;      /* [n_compute] their step-time multipliers */
    unsigned char *kind;           /* [nodes] NODE_*_STRAGGLER flags, for nodes.csv */
    ds_err *err;
};

int results_parse_targets(const char *s, double *out, int *n, ds_err *err) {
    *n = 0;
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || v <= 0)
            return ds_fail(err, "[eval] targets = '%s': expected positive numbers separated by commas", s);
        if (*n == RESULTS_MAX_TARGETS) return ds_fail(err, "[eval] targets: at most %d", RESULTS_MAX_TARGETS);
        out[(*n)++] = v;
        p = end;
    }
    return 0;
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* links.csv: every node's access links and compute slowdown, and whether
 * it is a straggler, so that another simulator can replay the run. */
static int write_links(const results *x, const node_spec *spec, int N, ds_err *err) {
    strbuf b = {0};
    int rc = -1;
    char path[4096 + 16];
    if (strbuf_printf(&b, "node,up_bps,down_bps,latency_s,slowdown,straggler,compute_straggler\n")) goto oom;
    for (int i = 0, j = 0, q = 0; i < N; i++) {
        int straggler = j < x->n_stragglers && x->straggler_ids[j] == i;
        int slow = q < x->n_compute && x->compute_ids[q] == i;
        j += straggler;
        q += slow;
        if (strbuf_printf(&b, "%d,%.17g,%.17g,%.17g,%.17g,%d,%d\n", i, spec[i].up, spec[i].down, spec[i].latency,
                          spec[i].slowdown, straggler, slow))
            goto oom;
    }
    snprintf(path, sizeof path, "%s/links.csv", x->dir);
    rc = atomic_write_string(path, strbuf_str(&b), err);
    strbuf_free(&b);
    return rc;
oom:
    strbuf_free(&b);
    return ds_fail(err, "out of memory");
}

/* The run's stragglers (the same draw as the run's own), for summary.json
 * and links.csv. */
static int find_stragglers(results *x, ds_err *err) {
    const int N = (int)(x->cfg)->v.partition.nodes;
    node_spec *spec = malloc(sizeof *spec * (size_t)N);
    x->straggler_ids = malloc(sizeof(int) * (size_t)N);
    x->straggler_spec = malloc(sizeof *x->straggler_spec * (size_t)N);
    x->compute_ids = malloc(sizeof(int) * (size_t)N);
    x->compute_slowdown = malloc(sizeof(double) * (size_t)N);
    int rc = -1;
    if (!spec || !x->straggler_ids || !x->straggler_spec || !x->compute_ids || !x->compute_slowdown) {
        ds_fail(err, "out of memory");
        goto done;
    }
    if (exp_node_specs_named(x->cfg, N, spec, x->straggler_ids, &x->n_stragglers, x->compute_ids, &x->n_compute, err))
        goto done;
    qsort(x->straggler_ids, (size_t)x->n_stragglers, sizeof(int), cmp_int);
    for (int j = 0; j < x->n_stragglers; j++) x->straggler_spec[j] = spec[x->straggler_ids[j]];
    for (int j = 0; j < x->n_compute; j++) x->compute_slowdown[j] = spec[x->compute_ids[j]].slowdown;
    if (!(x->kind = calloc((size_t)N, 1))) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (int j = 0; j < x->n_stragglers; j++) x->kind[x->straggler_ids[j]] |= NODE_LINK_STRAGGLER;
    for (int j = 0; j < x->n_compute; j++) x->kind[x->compute_ids[j]] |= NODE_COMPUTE_STRAGGLER;
    rc = write_links(x, spec, N, err);
done:
    free(spec);
    return rc;
}

results *results_open(const config *c, const char *dir, const char *algorithm, const char *runtime,
                      int regress, FILE *log, ds_err *err) {
    results *x = calloc(1, sizeof *x);
    if (!x || !(x->dir = strdup(dir)) || !(x->algorithm = strdup(algorithm))) {
        results_free(x);
        ds_fail(err, "out of memory");
        return NULL;
    }
    x->cfg = c;
    x->runtime = runtime;
    x->log = log;
    x->regress = regress;
    x->err = err;
    x->wall0 = clock_now();
    for (int i = 0; i < RESULTS_MAX_TARGETS; i++) x->reached[i] = NAN;
    if (results_parse_targets(c->v.eval.targets, x->targets, &x->n_targets, err) ||
        make_dirs(dir, err) || find_stragglers(x, err)) {
        results_free(x);
        return NULL;
    }
    return x;
}

void results_free(results *x) {
    if (!x) return;
    strbuf_free(&x->metrics);
    strbuf_free(&x->nodes);
    free(x->straggler_ids);
    free(x->straggler_spec);
    free(x->compute_ids);
    free(x->compute_slowdown);
    free(x->kind);
    free(x->dir);
    free(x->algorithm);
    free(x);
}


static int write_summary(results *x, int final, int interrupted) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "command", "run");
    cJSON_AddStringToObject(root, "runtime", x->runtime);
    cJSON_AddStringToObject(root, "name", (x->cfg)->v.experiment.name);
    cJSON_AddStringToObject(root, "algorithm", x->algorithm);
    cJSON_AddStringToObject(root, "dataset", exp_dataset_name(x->cfg));
    cJSON_AddNumberToObject(root, "nodes", (double)(x->cfg)->v.partition.nodes);
    cJSON_AddStringToObject(root, "metric", x->regress ? "rmse" : "accuracy");
    cJSON_AddBoolToObject(root, "complete", final && !interrupted);
    cJSON_AddBoolToObject(root, "interrupted", interrupted);
    /* Which nodes are stragglers, and their links. */
    cJSON *strag = cJSON_AddArrayToObject(root, "stragglers");
    for (int j = 0; j < x->n_stragglers; j++) {
        const node_spec *sp = &x->straggler_spec[j];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "node", x->straggler_ids[j]);
        cJSON_AddNumberToObject(o, "up_bps", sp->up);
        cJSON_AddNumberToObject(o, "down_bps", sp->down);
        cJSON_AddNumberToObject(o, "latency_s", sp->latency);
        cJSON_AddNumberToObject(o, "slowdown", sp->slowdown);
        cJSON_AddItemToArray(strag, o);
    }
    cJSON *slow = cJSON_AddArrayToObject(root, "compute_stragglers");
    for (int j = 0; j < x->n_compute; j++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "node", x->compute_ids[j]);
        cJSON_AddNumberToObject(o, "slowdown", x->compute_slowdown[j]);
        cJSON_AddItemToArray(slow, o);
    }
    cJSON *tt = cJSON_AddArrayToObject(root, "time_to_target");
    for (int i = 0; i < x->n_targets; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "target", x->targets[i]);
        if (isnan(x->reached[i])) cJSON_AddNullToObject(o, "time_s");
        else cJSON_AddNumberToObject(o, "time_s", x->reached[i]);
        cJSON_AddItemToArray(tt, o);
    }
    const run_report *r = &x->last;
    cJSON *fin = cJSON_AddObjectToObject(root, "final");
    cJSON_AddNumberToObject(fin, "time_s", r->time);
    double scale = x->regress ? 1 : 100;
    cJSON_AddNumberToObject(fin, x->regress ? "rmse_mean" : "accuracy_mean", scale * r->metric_mean);
    cJSON_AddNumberToObject(fin, x->regress ? "rmse_min" : "accuracy_min", scale * r->metric_min);
    cJSON_AddNumberToObject(fin, x->regress ? "rmse_max" : "accuracy_max", scale * r->metric_max);
    cJSON_AddNumberToObject(fin, "test_loss", r->test_loss);
    cJSON_AddNumberToObject(fin, "train_loss", isnan(r->train_loss) ? 0 : r->train_loss);
    if (isnan(r->consensus)) cJSON_AddNullToObject(fin, "consensus_distance"); /* real runs: unknown */
    else cJSON_AddNumberToObject(fin, "consensus_distance", r->consensus);
    cJSON_AddNumberToObject(fin, "mean_round", r->mean_round);
    cJSON *tot = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(tot, "bytes_sent", (double)r->bytes_sent);
    cJSON_AddNumberToObject(tot, "messages_sent", (double)r->msgs_sent);
    cJSON_AddNumberToObject(tot, "messages_dropped_stale", (double)r->msgs_dropped);
    cJSON_AddNumberToObject(tot, "messages_received", (double)r->msgs_received);
    cJSON_AddNumberToObject(tot, "messages_dropped_offline", (double)r->msgs_offline);
    cJSON_AddNumberToObject(tot, "events", (double)r->events);
    double wall = x->wall_fixed > 0 ? x->wall_fixed : clock_now() - x->wall0;
    cJSON_AddNumberToObject(root, "wall_time_s", wall);
    /* Where wall time went: SGD, evaluation, and the rest (simulator
     * events, network model, messages, averaging, result files). */
    cJSON *w = cJSON_AddObjectToObject(root, "wall_time_split_s");
    cJSON_AddNumberToObject(w, "training", r->wall_train);
    cJSON_AddNumberToObject(w, "evaluation", r->wall_eval);
    cJSON_AddNumberToObject(w, "other", wall - r->wall_train - r->wall_eval);
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    if (!txt) return ds_fail(x->err, "out of memory");
    char path[4096 + 32];
    snprintf(path, sizeof path, "%s/summary.json", x->dir);
    int rc = atomic_write_string(path, txt, x->err);
    free(txt);
    return rc;
}

static int write_file(const char *dir, const char *name, const strbuf *t, ds_err *err) {
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return atomic_write_string(path, strbuf_str(t), err);
}

int results_add(results *x, const run_report *r_in) {
    run_report rr = *r_in;
    rr.regress = x->regress;
    const run_report *r = &rr;
    double scale = x->regress ? 1 : 100;
    const char *m = metrics_csv_metric(x->regress);
    int rc = 0;
    if (x->evals == 0) {
        rc |= metrics_csv_header(&x->metrics, x->regress);
        rc |= nodes_csv_header(&x->nodes, x->regress);
    }
    rc |= metrics_csv_append(&x->metrics, r);
    rc |= nodes_csv_append(&x->nodes, r, x->kind);
    if (rc) return ds_fail(x->err, "out of memory for results");
    for (int i = 0; i < x->n_targets; i++) {
        int hit = x->regress ? r->metric_mean <= x->targets[i] : scale * r->metric_mean >= x->targets[i];
        if (isnan(x->reached[i]) && hit) x->reached[i] = r->time;
    }
    x->last = *r;
    x->last.node = NULL;
    x->evals++;
    if (x->log) {
        char cons[48] = "";
        if (!isnan(r->consensus)) snprintf(cons, sizeof cons, "  consensus %.3f", r->consensus);
        fprintf(x->log, "  t=%7.1fs  round %6.1f  %s %6.2f%s (min %.2f, max %.2f)%s  %.1f MB sent\n", r->time,
                r->mean_round, m, scale * r->metric_mean, x->regress ? "" : "%", scale * r->metric_min,
                scale * r->metric_max, cons, (double)r->bytes_sent / 1e6);
        fflush(x->log);
    }
    if (write_file(x->dir, "metrics.csv", &x->metrics, x->err) ||
        write_file(x->dir, "nodes.csv", &x->nodes, x->err) || write_summary(x, 0, 0))
        return -1;
    return 0;
}

void results_set_wall_time(results *x, double seconds) { x->wall_fixed = seconds; }

int results_finish(results *x, int interrupted) { return write_summary(x, 1, interrupted); }

void results_print_targets(const results *x, FILE *f) {
    int at_start = 0;
    for (int i = 0; i < x->n_targets; i++) {
        if (isnan(x->reached[i])) fprintf(f, "; %g%s not reached", x->targets[i], x->regress ? "" : "%");
        else fprintf(f, "; %g%s at %.0f s", x->targets[i], x->regress ? "" : "%", x->reached[i]);
        at_start |= x->reached[i] == 0;
    }
    /* a target the untrained model meets measures nothing: say so */
    if (at_start)
        fprintf(f, " (at 0 s: met by the initial model%s)",
                x->regress ? "; an RMSE target is reached once the RMSE is at most it" : "");
}

int results_write_config(const config *c, const char *dir, const char *note, ds_err *err) {
    if (make_dirs(dir, err)) return -1;
    char path[4096 + 32];
    snprintf(path, sizeof path, "%s/config.ini", dir);
    atomic_file af;
    if (atomic_open(&af, path, err)) return -1;
    fprintf(af.f, "; %s\n", note);
    config_write(c, af.f);
    return atomic_commit(&af, err);
}

/* Is name one of the files a run or its plots write? node-<k>.<ext>,
 * fixed names, and their atomic-write temporaries (<name>.tmp.<pid>). */
static int is_result_file(const char *name) {
    static const char *const fixed[] = {"metrics.csv", "nodes.csv", "summary.json", "config.ini",
                                        "messages.csv", "links.csv", "hosts.txt", "plots.gp", "accuracy_time.png",
                                        "accuracy_time.svg", "accuracy_bytes.png", "accuracy_bytes.svg",
                                        "spread.png", "spread.svg"};
    static const char *const node_ext[] = {".csv", ".json", ".log", ".ready"};
    char base[256];
    snprintf(base, sizeof base, "%s", name);
    char *tmp = strstr(base, ".tmp.");
    if (tmp) {
        const char *d = tmp + 5;
        while (isdigit((unsigned char)*d)) d++;
        if (*d || d == tmp + 5) return 0;
        *tmp = 0;
    }
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcmp(base, fixed[i])) return 1;
    if (strncmp(base, "node-", 5)) return 0;
    const char *d = base + 5;
    if (!isdigit((unsigned char)*d)) return 0;
    while (isdigit((unsigned char)*d)) d++;
    for (size_t i = 0; i < sizeof node_ext / sizeof node_ext[0]; i++)
        if (!strcmp(d, node_ext[i])) return 1;
    return 0;
}

int results_clear_dir(const char *dir, ds_err *err) {
    DIR *d = opendir(dir);
    if (!d && errno == ENOENT) return 0;
    if (!d) return ds_fail(err, "%s: cannot open directory: %s", dir, strerror(errno));
    int rc = 0;
    /* Check every entry before removing any. */
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (!is_result_file(e->d_name))
            rc = ds_fail(err, "%s holds '%s', which divshare did not write: choose another output "
                              "directory (--out) or remove it", dir, e->d_name);
    }
    rewinddir(d);
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[4096 + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0) rc = ds_fail(err, "%s: cannot remove: %s", path, strerror(errno));
    }
    closedir(d);
    return rc;
}
