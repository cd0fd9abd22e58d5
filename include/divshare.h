/* divshare.h: the public C API of libdivshare.
 *
 * divshare simulates (and runs for real) asynchronous decentralized
 * learning: N nodes train on their data and exchange models with DivShare,
 * AD-PSGD, Swift, Epidemic Learning or D-PSGD over a network with
 * stragglers. This API loads and edits an experiment configuration, runs
 * it in the deterministic simulator (with your learner and algorithm if
 * you bring them, and a callback at every evaluation), and reads results.
 *
 * Conventions, in libzmq's manner: everything is prefixed ds_; handles are
 * opaque; functions return 0 (DS_OK) or an error code and fill a ds_error
 * with a message; nothing is global, nothing exits the process, nothing
 * changes process-wide state. Thread safety: one handle per thread. */
#ifndef DIVSHARE_H
#define DIVSHARE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DS_EXPORT __attribute__((visibility("default")))
#else
#define DS_EXPORT
#endif

#define DS_VERSION_MAJOR 0
#define DS_VERSION_MINOR 2
#define DS_VERSION_PATCH 0

/* ---- errors ---------------------------------------------------------------- */

enum {
    DS_OK = 0,
    DS_EINVAL = 1, /* bad input: a key, a value, a file, an argument */
    DS_ERUN = 2,   /* the run failed (a learner, out of memory, divergence) */
    DS_EINTR = 3,  /* stopped by the caller; what was evaluated is written */
    DS_ENOMEM = 4,
};

typedef struct ds_error {
    int code;
    char message[1024];
} ds_error;

/* "0.2.0". */
DS_EXPORT const char *ds_version(void);

/* For callbacks: sets e's code and message (printf-style); returns code. */
DS_EXPORT int ds_error_set(ds_error *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- configuration ----------------------------------------------------------
 * Keys are "section.name", as in an experiment file's [section] name = value
 * (the README's configuration reference lists them all). */

typedef struct ds_config ds_config;

DS_EXPORT ds_config *ds_config_new(ds_error *e);                    /* every key at its default */
DS_EXPORT ds_config *ds_config_load(const char *path, ds_error *e); /* an experiment file over the defaults */
DS_EXPORT int ds_config_set(ds_config *c, const char *key, const char *value, ds_error *e);
/* The value of key as text into buf (size n). */
DS_EXPORT int ds_config_get(const ds_config *c, const char *key, char *buf, size_t n, ds_error *e);
/* Checks what can be checked without data: names, ranges, cross-key rules. */
DS_EXPORT int ds_config_validate(const ds_config *c, ds_error *e);
/* Writes every key as an experiment file (reads back identically). */
DS_EXPORT int ds_config_write(const ds_config *c, const char *path, ds_error *e);
DS_EXPORT void ds_config_free(ds_config *c);

/* ---- your learner -----------------------------------------------------------
 * A learner trains and evaluates the nodes' models, each a flat vector of
 * n_params floats. The algorithm averages these vectors; it never sees the
 * learner. One learner serves every node: `node` says whose data to use.
 * `worker` < max_workers identifies concurrent callers (threads of the
 * simulator); with max_workers 0 or 1 calls come one at a time. */
typedef struct ds_learner {
    const char *name;    /* for logs */
    size_t n_params;
    int lower_is_better; /* 1: the metric is an error (RMSE); 0: an accuracy in [0, 1] */
    int max_workers;
    void *ctx;
    /* Optional: before each algorithm's run (fresh per-node state). */
    int (*begin)(void *ctx, const char *algorithm, int nodes, ds_error *e);
    /* Optional: the initial model, the same on every node (default zeros). */
    void (*init)(void *ctx, float *params, uint64_t seed);
    /* `steps` optimiser steps of node's model, params in place; *loss: the
     * sum of the steps' mean training losses. Non-zero (with e set) stops
     * the run. */
    int (*train)(void *ctx, int worker, int node, float *params, int steps, double *loss, ds_error *e);
    /* The test metric and loss of params as node's model. */
    int (*evaluate)(void *ctx, int worker, int node, const float *params, double *metric, double *loss,
                    ds_error *e);
    /* Optional: after each algorithm's run. */
    void (*end)(void *ctx);
} ds_learner;

/* ---- your algorithm ---------------------------------------------------------
 * An algorithm is a state machine per node, driven by three callbacks and
 * acting only through the runtime handle they get: read the clock, start
 * local training (on_train_done follows), send its model, drop messages
 * not yet sent, read and write its model. */
typedef struct ds_rt ds_rt;   /* the runtime, valid during a callback */
typedef struct ds_msg ds_msg; /* a received message, valid during on_message */

DS_EXPORT double ds_rt_now(const ds_rt *rt);                   /* seconds */
DS_EXPORT void ds_rt_train(const ds_rt *rt, int node, int steps);
DS_EXPORT float *ds_rt_params(const ds_rt *rt, int node);      /* n_params floats */
DS_EXPORT size_t ds_rt_n_params(const ds_rt *rt);
/* Queues a copy of src's current model for dst, tagged with round. */
DS_EXPORT int ds_rt_send_model(const ds_rt *rt, int src, int dst, uint32_t round);
DS_EXPORT int ds_rt_cancel_unsent(const ds_rt *rt, int node); /* how many were dropped */
DS_EXPORT void ds_rt_fail(const ds_rt *rt, const char *why);  /* stops the run with why */

DS_EXPORT int ds_msg_src(const ds_msg *m);
DS_EXPORT uint32_t ds_msg_round(const ds_msg *m);
DS_EXPORT size_t ds_msg_count(const ds_msg *m); /* values carried (n_params for a model) */
DS_EXPORT float ds_msg_value(const ds_msg *m, size_t k);
/* All ds_msg_count values into out. */
DS_EXPORT void ds_msg_copy(const ds_msg *m, float *out);

typedef struct ds_algorithm {
    const char *name; /* its results go to <out>/<name>/ */
    void *ctx;
    int (*node_new)(void *ctx, int node, int nodes, void **state, ds_error *e);
    void (*node_free)(void *ctx, void *state);
    void (*on_start)(void *state, const ds_rt *rt);
    void (*on_train_done)(void *state, const ds_rt *rt); /* counted as a round */
    void (*on_message)(void *state, const ds_rt *rt, const ds_msg *m);
} ds_algorithm;

/* ---- partitions ----------------------------------------------------------------
 * Which samples each node trains on, as divshare's partitioners ([partition]
 * name, nodes, shards, alpha; the experiment seed) split a labelled dataset:
 * for a learner that brings its own data. */
typedef struct ds_partition ds_partition;

/* labels[n]: each sample's class in [0, 255]. */
DS_EXPORT ds_partition *ds_partition_new(const ds_config *c, const int32_t *labels, size_t n, ds_error *e);
DS_EXPORT int ds_partition_nodes(const ds_partition *p);
DS_EXPORT size_t ds_partition_count(const ds_partition *p, int node);          /* 0 outside [0, nodes) */
DS_EXPORT const uint32_t *ds_partition_indices(const ds_partition *p, int node); /* sample indices, in order */
DS_EXPORT void ds_partition_free(ds_partition *p);

/* ---- runs -------------------------------------------------------------------- */

/* One evaluation, network-wide. Accuracy is a fraction in [0, 1] here (the
 * CSV files write it in %). */
typedef struct ds_report {
    double time;         /* simulated s */
    double wall;         /* wall s since the run started */
    int lower_is_better; /* the metric is an RMSE (else an accuracy) */
    double metric_mean, metric_min, metric_max; /* over evaluated nodes */
    double test_loss, train_loss;
    double consensus;    /* mean L2 distance of the models to their average (NaN: not measured) */
    double mean_round;
    uint64_t bytes_sent, msgs_sent, msgs_dropped, msgs_received, events;
    int nodes;
} ds_report;

typedef struct ds_run_options {
    const char *out_dir;               /* NULL: <experiment.output>/<experiment.name> */
    int verbose;                       /* 1: per-run lines on stdout, a progress bar on stderr */
    const ds_learner *learner;         /* NULL: the configured [model] and [dataset] */
    const ds_algorithm *algorithm;     /* NULL: [algorithm] algorithms */
    /* After every evaluation, once the result files hold it; non-zero stops the run. */
    int (*on_eval)(void *ctx, const char *algorithm, const ds_report *r);
    void *ctx;
    const volatile int *stop;          /* set (e.g. from a signal handler) to stop early */
} ds_run_options;

/* Runs the experiment in the simulator: every algorithm (and every seed of
 * experiment.seeds) into <out>/<algorithm>/ (or <out>/seed-<s>/<algorithm>/):
 * metrics.csv, nodes.csv, summary.json, config.ini. */
DS_EXPORT int ds_run(const ds_config *c, const ds_run_options *o, ds_error *e);

/* ---- one node of a real run ------------------------------------------------------ */

typedef struct ds_node_options {
    const char *hosts;         /* the hosts file: "id host port [public key]" per node */
    int id;                    /* this node; -1: OMPI_COMM_WORLD_RANK, PMI_RANK or SLURM_PROCID */
    const char *key;           /* its secret key file; NULL: node-<id>.key beside the hosts file */
    const char *out_dir;       /* NULL: <experiment.output>/<experiment.name>/<algorithm.name> */
    int verbose;               /* 1: a line per evaluation on stdout */
    const ds_learner *learner; /* NULL: the configured [model] and [dataset] */
    const volatile int *stop;  /* set to finish early (the node writes what it has) */
    /* Started by `divshare launch`: once ready the node writes node-<id>.ready
     * and trains only when *go is set (the launcher's SIGUSR1); NULL: at once. */
    const volatile int *go;
    int shaping;               /* links emulated in the process: 0 all, 1 latency only, 2 none (launch --netem) */
} ds_node_options;

/* Runs one node of [algorithm] name over ZeroMQ until [experiment]
 * duration of training time, writing node-<id>.csv and node-<id>.json
 * into out_dir (`divshare collect` merges a run's nodes). */
DS_EXPORT int ds_node_run(const ds_config *c, const ds_node_options *o, ds_error *e);

/* ---- results ----------------------------------------------------------------- */

typedef struct ds_results ds_results;

/* A run's folder (<out>/<algorithm>): its metrics.csv, one row per evaluation. */
DS_EXPORT ds_results *ds_results_open(const char *run_dir, ds_error *e);
DS_EXPORT int ds_results_count(const ds_results *r);
DS_EXPORT const ds_report *ds_results_row(const ds_results *r, int i); /* NULL outside [0, count) */
DS_EXPORT void ds_results_free(ds_results *r);

/* The comparison table of run folders (as `divshare compare`) as text
 * (format 0), Markdown (1) or CSV (2); baseline: a folder or label (NULL:
 * the first). A new string: free it with ds_free. */
DS_EXPORT char *ds_compare(const char *const *run_dirs, int n, const char *baseline, int format, ds_error *e);
DS_EXPORT void ds_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
