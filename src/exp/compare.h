/* compare.h: `divshare compare`: time to each accuracy target, final
 * accuracy (or RMSE), megabytes sent, stale messages dropped and the
 * time-to-accuracy speed-up relative to a baseline run, read from each
 * run's summary.json; as an aligned text table, Markdown or CSV. */
#ifndef DS_COMPARE_H
#define DS_COMPARE_H

#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

typedef enum compare_format { COMPARE_TEXT, COMPARE_MARKDOWN, COMPARE_CSV } compare_format;

typedef struct compare_options {
    compare_format format;
    /* The run the speed-ups are relative to: a directory given, or the
     * label of one (e.g. "adpsgd"); NULL = the first run. */
    const char *baseline;
} compare_options;

#define COMPARE_MAX_RUNS 256

int run_compare(char **dirs, int n, const compare_options *opt, FILE *out, ds_err *err);

/* The short name of a run directory: its last path component, or the last
 * two when that alone is ambiguous among dirs (e.g. sweep/omega5/divshare).
 * Writes into buf (size cap). */
void compare_label(char **dirs, int n, int i, char *buf, size_t cap);

/* The table of runs repeated over seeds: base/seed-<s>/<alg> for every
 * seed and algorithm; each cell is a mean with the half-width of its 95%
 * confidence interval, and speed-ups against baseline (an algorithm's
 * name; NULL = the first) are paired by seed. */
int run_compare_seeds(const char *base, const uint64_t *seeds, int n_seeds, char **algs, int n_algs,
                      const char *baseline, FILE *out, ds_err *err);
#define RUN_MAX_SEEDS_COMPARE 1000
/* Is dir an experiment run over seeds (seed-<s>/ folders, no summary.json)? */
int compare_is_seeded(const char *dir);
/* The seeds of base (its seed-<s>/ folders, ascending, at most
 * RUN_MAX_SEEDS_COMPARE) and the runs of the first (folders with
 * summary.json, by name; at most COMPARE_MAX_RUNS, strdup'ed: the caller
 * frees them). */
int compare_seed_layout(const char *base, uint64_t *seeds, int *n_seeds, char **algs, int *n_algs, ds_err *err);
/* run_compare_seeds over every seed-<s>/ folder of base and the runs of
 * the first; baseline: an algorithm's name (NULL = adpsgd, if present). */
int run_compare_seed_dir(const char *base, const char *baseline, FILE *out, ds_err *err);
/* Mean of v[0..n) and the half-width of its 95% Student-t interval (NAN
 * for n < 2). */
void compare_mean_ci(const double *v, int n, double *mean, double *half);

#endif
