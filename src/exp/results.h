/* results.h: the result files of one run, the same for both runtimes,
 * into one directory:
 *   metrics.csv   one row per evaluation, network-wide
 *   nodes.csv     one row per (evaluation, node)
 *   summary.json  time to each target, final metrics, totals, wall time
 * all rewritten atomically after every evaluation, so Ctrl-C (or a crash)
 * loses nothing evaluated so far. */
#ifndef DS_RESULTS_H
#define DS_RESULTS_H

#include <stdio.h>

#include "exp/config.h"
#include "sim/sim.h"

#define RESULTS_MAX_TARGETS 16

typedef struct results results;

/* runtime: "sim" or "real" (recorded in summary.json). regress: RMSE
 * (lower is better) instead of accuracy. log: one line per evaluation. */
results *results_open(const config *c, const char *dir, const char *algorithm, const char *runtime,
                      int regress, FILE *log, ds_err *err);
/* Appends one evaluation and rewrites the files. r->node[0..r->nodes). */
int results_add(results *x, const run_report *r);
/* The run's wall time, when it is not the time since results_open (a
 * real run collected afterwards: the longest node's). */
void results_set_wall_time(results *x, double seconds);
/* Writes the final summary.json (complete unless interrupted). */
int results_finish(results *x, int interrupted);
/* "; 60% at 6 s; 70% not reached" for the run's log line. */
void results_print_targets(const results *x, FILE *f);
void results_free(results *x);

/* Writes c as dir/config.ini (atomically) under a comment line. */
int results_write_config(const config *c, const char *dir, const char *note, ds_err *err);

/* Empties dir of a previous run's files (result files, node files, plots
 * and their temporaries), so that a rerun never mixes with them. A
 * missing dir is fine; a dir holding anything else is an error and
 * nothing is removed. */
int results_clear_dir(const char *dir, ds_err *err);

/* Parses [eval] targets ("50, 60, 70"); *n = 0 for none. */
int results_parse_targets(const char *s, double *out, int *n, ds_err *err);

#endif
