/* agree.h: `divshare agree`: how far the simulator is from real processes
 * on one experiment. The experiment runs as real processes (launch), then
 * in the simulator paced at the real run's measured step time, and the two
 * are printed side by side: bytes, drops, time to each target, accuracy at
 * fixed times. The orchestration is the CLI's (it owns launching); the
 * measuring and the table are here. */
#ifndef DS_AGREE_H
#define DS_AGREE_H

#include <stdio.h>

#include "util/err.h"

/* The real run's pace from real_dir's node-K.json and links.csv: the
 * median, over nodes with compute slowdown 1, of training clock / SGD
 * steps (synchronous algorithms: SGD time / steps, since their clock also
 * holds the wait for peers, which the simulator adds itself). */
int agree_step_time(const char *real_dir, int synchronous, double *step_time, ds_err *err);

/* The side-by-side table of real_base/<alg> and sim_base/<alg> for each
 * algorithm, step_time[i] the pace the simulator ran at; written to out
 * and, as CSV (algorithm, quantity, real, sim), to csv_path. */
int agree_table(const char *real_base, const char *sim_base, char **algs, int n, const double *step_time,
                const char *csv_path, FILE *out, ds_err *err);

#endif
