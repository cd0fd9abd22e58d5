/* train.h: single-node (centralised) training of a configured model, with
 * per-epoch evaluation and result files:
 *   <out>/curve.csv    one row per epoch (columns in README "Outputs")
 *   <out>/summary.json the same curve, final metrics, sizes, wall time
 *   <out>/config.ini   the resolved configuration
 * All written atomically after every epoch, so an interrupted run keeps
 * every finished epoch. */
#ifndef DS_TRAIN_H
#define DS_TRAIN_H

#include <signal.h>
#include <stdio.h>

#include "exp/config.h"

typedef struct train_options {
    const char *out_dir;               /* NULL: <experiment.output>/<experiment.name> */
    FILE *log;                         /* per-epoch lines and summaries (NULL = silent) */
    FILE *progress;                    /* progress bar / periodic lines (NULL = none) */
    const volatile sig_atomic_t *stop; /* set asynchronously (Ctrl-C) to stop early */
    int steps_per_epoch_limit;         /* 0 = full epochs (tests use a small limit) */
} train_options;

typedef struct train_result {
    int epochs_done;
    double test_accuracy; /* classifiers, fraction */
    double test_loss;
    double test_rmse;     /* regression */
    double wall_time;     /* seconds */
    int interrupted;
    int diverged;         /* stopped: the test loss was not finite */
    char out_dir[4096];
} train_result;

int train_run(const config *c, const train_options *opt, train_result *res, ds_err *err);

#endif
