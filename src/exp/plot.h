/* plot.h: `divshare plot`: PNG and SVG plots of one or more runs, overlaid,
 * drawn by gnuplot from each run's metrics.csv:
 *   accuracy_time  mean test accuracy (or RMSE) over simulated time
 *   accuracy_bytes the same against megabytes sent by all nodes
 *   spread         per-node spread: min-max band over evaluated nodes + mean
 * The gnuplot script is kept next to the plots (plots.gp) so they can be
 * restyled by hand. Every image is written to a temporary name and renamed,
 * so a plot on disk is always complete. */
#ifndef DS_PLOT_H
#define DS_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Draws the plots of runs dirs[0..n) into out_dir (created if needed).
 * Fails with a clear message when gnuplot is not installed. */
int run_plot(char **dirs, int n, const char *out_dir, ds_err *err);

/* The plots of an experiment run over seeds (base/seed-<s>/<alg>/): per
 * algorithm the mean over the seeds, with its 95% confidence band (Student
 * t) on the time plot; the averaged curves are kept as
 * out_dir/seeds-<alg>.csv. Every seed must have been evaluated at the
 * same times. */
int run_plot_seeds(const char *base, const uint64_t *seeds, int n_seeds, char **algs, int n_algs, const char *out_dir,
                   ds_err *err);
/* The same for a folder of seed-<s>/ folders (what `divshare plot BASE` gets). */
int run_plot_seed_dir(const char *base, const char *out_dir, ds_err *err);

/* The default plot directory for dirs: <common parent>/plots when every run
 * has the same parent directory, else ./plots. */
void plot_default_dir(char **dirs, int n, char *buf, size_t cap);

#endif
