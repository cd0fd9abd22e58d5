/* compare.h: `divshare compare`: time to each accuracy target, final
 * accuracy (or RMSE), megabytes sent, stale messages dropped and the
 * time-to-accuracy speed-up relative to a baseline run, read from each
 * run's summary.json; as an aligned text table, Markdown or CSV. */
#ifndef DS_COMPARE_H
#define DS_COMPARE_H

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

#endif
