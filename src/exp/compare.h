/* compare.h: `divshare compare`: time to each accuracy target, final
 * accuracy (or RMSE), megabytes sent, stale messages dropped and speed-up
 * relative to the first run, read from each run's summary.json. */
#ifndef DS_COMPARE_H
#define DS_COMPARE_H

#include <stdio.h>

#include "util/err.h"

int run_compare(char **dirs, int n, FILE *out, ds_err *err);

#endif
