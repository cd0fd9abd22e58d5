/* test_api.c: the public C API, linked against libdivshare.so alone (only
 * include/divshare.h): configuration, runs with the built-in synthetic
 * model, a caller's learner and a caller's algorithm, callbacks, stopping,
 * results and comparison. */
#include <divshare.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static char dir[256];

static ds_config *quadratic_config(void) {
    ds_error e;
    ds_config *c = ds_config_new(&e);
    static const char *const SET[][2] = {
        {"model.name", "quadratic"},  {"model.dim", "200"},          {"train.lr", "0.1"},
        {"partition.nodes", "8"},     {"algorithm.degree", "2"},     {"experiment.duration", "4"},
        {"eval.interval", "1"},       {"algorithm.algorithms", "swift,divshare"},
    };
    for (size_t i = 0; c && i < sizeof SET / sizeof SET[0]; i++)
        if (ds_config_set(c, SET[i][0], SET[i][1], &e)) printf("set %s: %s\n", SET[i][0], e.message);
    return c;
}

static void test_config(void) {
    ds_error e;
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", DS_VERSION_MAJOR, DS_VERSION_MINOR, DS_VERSION_PATCH);
    CHECK(!strcmp(ds_version(), want), "version of the library = the header's: %s", ds_version());
    ds_config *c = ds_config_new(&e);
    char buf[64];
    CHECK(c && ds_config_get(c, "train.lr", buf, sizeof buf, &e) == DS_OK && atof(buf) > 0, "config, defaults");
    CHECK(ds_config_set(c, "train.lr", "0.5", &e) == DS_OK && ds_config_get(c, "train.lr", buf, sizeof buf, &e) == 0 &&
          !strcmp(buf, "0.5"), "config, set then get");
    CHECK(ds_config_set(c, "train.lrr", "1", &e) == DS_EINVAL && strstr(e.message, "unknown key 'lrr'"),
          "config, unknown key: %s", e.message);
    CHECK(ds_config_set(c, "train.batch_size", "0", &e) == DS_EINVAL && e.code == DS_EINVAL,
          "config, out of range: %s", e.message);
    CHECK(ds_config_set(c, "lr", "1", &e) == DS_EINVAL && strstr(e.message, "section.name"), "config, key without a section: %s",
          e.message);
    CHECK(ds_config_get(c, "train.nope", buf, sizeof buf, &e) == DS_EINVAL, "config, get of an unknown key");
    CHECK(ds_config_set(c, "partition.nodes", "1", &e) == 0 && ds_config_validate(c, &e) == DS_EINVAL &&
          strstr(e.message, "at least 2 nodes"), "config, validate: %s", e.message);
    ds_config_free(c);
    CHECK(ds_config_load("/nonexistent.ini", &e) == NULL && e.code == DS_EINVAL && strstr(e.message, "nonexistent"),
          "config, a missing file: %s", e.message);
    /* Written configs read back identically. */
    c = quadratic_config();
    char path[300], again[64];
    snprintf(path, sizeof path, "%s/c.ini", dir);
    CHECK(ds_config_write(c, path, &e) == 0, "config, write: %s", e.message);
    ds_config *d = ds_config_load(path, &e);
    CHECK(d && ds_config_get(d, "model.dim", again, sizeof again, &e) == 0 && !strcmp(again, "200"), "config, reads back");
    ds_config_free(d);
    ds_config_free(c);
}

typedef struct evals {
    int n;
    double first, last;
    int stop_after;
} evals;

static int count_evals(void *ctx, const char *algorithm, const ds_report *r) {
    evals *v = ctx;
    if (v->n == 0) v->first = r->metric_mean;
    v->last = r->metric_mean;
    v->n++;
    return v->stop_after && v->n >= v->stop_after;
}

static void test_run_and_results(void) {
    ds_error e;
    ds_config *c = quadratic_config();
    evals v = {0};
    char out[300];
    snprintf(out, sizeof out, "%s/q", dir);
    ds_run_options o = {.out_dir = out, .on_eval = count_evals, .ctx = &v};
    CHECK(ds_run(c, &o, &e) == DS_OK, "run, quadratic model: %s", e.message);
    CHECK(v.n == 10 && v.last < v.first, "run, on_eval at every evaluation of both algorithms: %d, %g -> %g", v.n,
          v.first, v.last);
    char run_dir[320];
    snprintf(run_dir, sizeof run_dir, "%s/divshare", out);
    ds_results *r = ds_results_open(run_dir, &e);
    CHECK(r && ds_results_count(r) == 5 && ds_results_row(r, 4)->time == 4 && ds_results_row(r, 4)->lower_is_better &&
          ds_results_row(r, 5) == NULL, "results, 5 rows read back");
    CHECK(r && fabs(ds_results_row(r, 4)->metric_mean - v.last) < 1e-4, "results, the file holds what on_eval saw");
    ds_results_free(r);
    CHECK(ds_results_open("/nonexistent", &e) == NULL && e.code == DS_EINVAL, "results, a missing run: %s", e.message);
    char swift[320];
    snprintf(swift, sizeof swift, "%s/swift", out);
    const char *dirs[] = {run_dir, swift};
    char *table = ds_compare(dirs, 2, "swift", 2, &e);
    CHECK(table && strstr(table, "divshare") && strstr(table, "swift"), "compare, CSV table: %s", table ? "" : e.message);
    ds_free(table);
    /* Stopping from the callback keeps what was evaluated. */
    v = (evals){.stop_after = 2};
    CHECK(ds_run(c, &o, &e) == DS_EINTR && strstr(e.message, "on_eval"), "run, stopped by on_eval: %s", e.message);
    r = ds_results_open(swift, &e);
    CHECK(r && ds_results_count(r) == 2, "results, the stopped run kept its 2 evaluations");
    ds_results_free(r);
    ds_config_free(c);
}

/* ---- a caller's learner and algorithm ---------------------------------------- */

#define DIM 50

static int my_train(void *ctx, int worker, int node, float *x, int steps, double *loss, ds_error *e) {
    if (node < 0 || node >= 8) return ds_error_set(e, DS_ERUN, "no node %d", node);
    for (int s = 0; s < steps; s++)
        for (int i = 0; i < DIM; i++) {
            float target = (float)(node - 3.5); /* the nodes' average target is 0 */
            *loss += 0.5 * (x[i] - target) * (x[i] - target) / DIM;
            x[i] -= 0.1f * (x[i] - target);
        }
    return 0;
}

static int my_evaluate(void *ctx, int worker, int node, const float *x, double *metric, double *loss, ds_error *e) {
    double sq = 0;
    for (int i = 0; i < DIM; i++) sq += x[i] * x[i];
    *loss = sq / DIM;
    *metric = sqrt(*loss);
    return 0;
}

static int begins;
static int my_begin(void *ctx, const char *algorithm, int nodes, ds_error *e) {
    begins++;
    return nodes == 8 ? 0 : ds_error_set(e, DS_EINVAL, "want 8 nodes");
}

/* Gossip: after each round, send the model to the next node; average what
 * arrives into the model. */
typedef struct gossip {
    int id, nodes;
    long received;
} gossip;

static int g_new(void *ctx, int node, int nodes, void **state, ds_error *e) {
    gossip *g = calloc(1, sizeof *g);
    if (!g) return ds_error_set(e, DS_ENOMEM, "out of memory");
    g->id = node;
    g->nodes = nodes;
    *state = g;
    return 0;
}
static void g_free(void *ctx, void *state) { free(state); }
static void g_start(void *state, const ds_rt *rt) { ds_rt_train(rt, ((gossip *)state)->id, 2); }
static void g_done(void *state, const ds_rt *rt) {
    gossip *g = state;
    ds_rt_send_model(rt, g->id, (g->id + 1) % g->nodes, 0);
    ds_rt_train(rt, g->id, 2);
}
static void g_message(void *state, const ds_rt *rt, const ds_msg *m) {
    gossip *g = state;
    float *x = ds_rt_params(rt, g->id);
    for (size_t i = 0; i < ds_msg_count(m); i++) x[i] = 0.5f * (x[i] + ds_msg_value(m, i));
    g->received++;
}

static void test_own_learner_and_algorithm(void) {
    ds_error e;
    ds_config *c = quadratic_config();
    ds_learner L = {.name = "toy", .n_params = DIM, .lower_is_better = 1, .begin = my_begin, .train = my_train,
                    .evaluate = my_evaluate};
    ds_algorithm A = {.name = "gossip", .node_new = g_new, .node_free = g_free, .on_start = g_start,
                      .on_train_done = g_done, .on_message = g_message};
    evals v = {0};
    char out[300];
    snprintf(out, sizeof out, "%s/own", dir);
    ds_run_options o = {.out_dir = out, .learner = &L, .algorithm = &A, .on_eval = count_evals, .ctx = &v};
    CHECK(ds_run(c, &o, &e) == DS_OK, "own learner and algorithm run: %s", e.message);
    CHECK(begins == 1 && v.n == 5 && v.first == 0 && v.last > 0 && v.last < 3.5, "own learner, %d begins, rmse %g -> %g",
          begins, v.first, v.last);
    char run_dir[320];
    snprintf(run_dir, sizeof run_dir, "%s/gossip", out);
    ds_results *r = ds_results_open(run_dir, &e);
    CHECK(r && ds_results_count(r) == 5 && ds_results_row(r, 4)->msgs_received > 0 && ds_results_row(r, 4)->mean_round > 1,
          "own algorithm, its results folder, messages and rounds");
    ds_results_free(r);
    /* A learner's error stops the run with its message. */
    ds_config_set(c, "partition.nodes", "9", &e);
    CHECK(ds_run(c, &o, &e) == DS_ERUN && strstr(e.message, "want 8 nodes"), "learner error, %s", e.message);
    ds_config_free(c);
}

static void test_partition(void) {
    ds_error e;
    ds_config *c = ds_config_new(&e);
    int32_t labels[100];
    for (int i = 0; i < 100; i++) labels[i] = i % 10;
    ds_config_set(c, "partition.nodes", "4", &e);
    ds_config_set(c, "partition.name", "kshard", &e);
    ds_partition *p = ds_partition_new(c, labels, 100, &e);
    size_t total = 0;
    int seen[100] = {0}, ok = p != NULL;
    for (int k = 0; p && k < ds_partition_nodes(p); k++) {
        total += ds_partition_count(p, k);
        for (size_t i = 0; i < ds_partition_count(p, k); i++) ok &= !seen[ds_partition_indices(p, k)[i]]++;
    }
    CHECK(ok && ds_partition_nodes(p) == 4 && total == 96 && ds_partition_count(p, 4) == 0 &&
          ds_partition_indices(p, -1) == NULL, "partition, kshard of 100 labels over 4 nodes x 2 shards of 12, each sample at most once: %s",
          p ? "" : e.message);
    ds_partition_free(p);
    labels[3] = 300;
    CHECK(ds_partition_new(c, labels, 100, &e) == NULL && strstr(e.message, "label 300 of sample 3"),
          "partition, a label out of range: %s", e.message);
    ds_config_free(c);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/divshare-test-api-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_config();
    test_run_and_results();
    test_own_learner_and_algorithm();
    test_partition();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) printf("could not remove %s\n", dir);
    return check_done("test_api");
}
