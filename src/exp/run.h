/* run.h: `divshare run`: an experiment file -> one simulated run per
 * algorithm, each into <output>/<name>/<algorithm>/:
 *   metrics.csv   one row per evaluation, network-wide
 *   nodes.csv     one row per (evaluation, node)
 *   summary.json  time to each target, final metrics, totals, wall time
 *   config.ini    the resolved configuration
 * All rewritten atomically at every evaluation: Ctrl-C loses nothing
 * evaluated so far. */
#ifndef DS_RUN_H
#define DS_RUN_H

#include <signal.h>
#include <stdio.h>

#include "algo/algo.h"
#include "exp/config.h"
#include "sim/sim.h"

typedef struct run_options {
    const char *out_dir;               /* NULL: <experiment.output>/<experiment.name> */
    FILE *log;                         /* per-run lines (NULL = silent) */
    FILE *progress;                    /* progress bar (NULL = none) */
    const volatile sig_atomic_t *stop; /* Ctrl-C */
    /* A caller's learner instead of the configured model (no data is
     * loaded): made afresh for each algorithm's run, with `workers`
     * concurrent callers. */
    int (*make_learner)(void *ctx, const config *c, const char *algorithm, int workers, learner *out, ds_err *err);
    void *learner_ctx;
    /* A caller's algorithm instead of [algorithm] algorithms: the one run,
     * under its own name. */
    const algo_ops *algo;
    const void *algo_ext;              /* its algo_config.ext */
    /* After every evaluation, once the result files hold it: return
     * non-zero (having set err) to stop the run. */
    int (*on_eval)(void *ctx, const char *algorithm, const run_report *r, ds_err *err);
    void *eval_ctx;
} run_options;

#define RUN_MAX_ALGORITHMS 16

/* Splits [algorithm] algorithms (or name) into algs (pointing into buf),
 * checking each name. Returns the count, or -1 with err set. */
int run_algorithm_list(const config *c, char *buf, size_t cap, char **algs, int max, ds_err *err);

/* The [algorithm] settings of c for a model of n_params parameters (the
 * same for the simulator and for every real node). */
algo_config run_algo_config(const config *c, size_t n_params, const topology *topo);

/* The directory the runs of an experiment go to: out_dir if given, else
 * <experiment.output>/<experiment.name>. */
void run_base_dir(const config *c, const char *out_dir, char *buf, size_t cap);

/* Before a run: empties <base>/<alg> for each of the run's algorithms
 * and <base>/plots of a previous run's files (results_clear_dir), so the
 * run's folders hold only its own results even if it is stopped. */
int run_clear_dirs(const char *base, char **algs, int count, ds_err *err);

/* Reads a bandwidth trace ([network] trace): "time node up down" per
 * line, node in [0, N), '#' comments; sorted by time, equal times in file
 * order. *out: a new array (caller frees), NULL when empty. */
int run_read_trace(const char *path, int N, trace_point **out, int *n_out, ds_err *err);
/* Reads an availability trace ([churn] file): "time node down|up" per
 * line, node in [0, N), '#' comments; every node starts up and must
 * alternate. Sorted by time, equal times in file order. *out: a new
 * array (caller frees), NULL when empty. */
int run_read_churn(const char *path, int N, churn_point **out, int *n_out, ds_err *err);

#define RUN_MAX_SEEDS 100

/* Parses [experiment] seeds ("1-5", "1,2,7", "1-3,9"; blanks allowed)
 * into seeds[]; *n = 0 for an empty list. Errors name the origin. */
int run_parse_seeds(const config *c, uint64_t *seeds, int *n, ds_err *err);

/* One experiment of run_over_seeds: run c into out_dir (NULL: the
 * default base). */
typedef int (*run_seed_fn)(void *ctx, config *c, const char *out_dir, int *interrupted, int *bad_input,
                           ds_err *err);
/* Runs `one` once per seed of [experiment] seeds, with [experiment] seed
 * set, into <base>/seed-<s>/, announcing each seed on log (nullable); or
 * once into out_dir when the list is empty. The seeds go to seeds[] and
 * their count to *n_seeds (0: no list). Stops at the first failure or
 * interruption. */
int run_over_seeds(config *c, const char *out_dir, FILE *log, run_seed_fn one, void *ctx, uint64_t *seeds,
                   int *n_seeds, int *interrupted, int *bad_input, ds_err *err);

/* Validates what can be checked without data: algorithm names and
 * settings, nodes, targets, step_time, stragglers, the bandwidth trace. */
int run_check(const config *c, ds_err *err);
/* The same, for the simulator (real = 0) or real processes (real = 1). */
int run_check_for(const config *c, int real, ds_err *err);

/* Runs every configured algorithm. *interrupted is set if stopped early.
 * Bad configuration returns -1 with *bad_input = 1. */
int run_experiment(const config *c, const run_options *o, int *interrupted, int *bad_input, ds_err *err);

#endif
