/* launch.h: `divshare launch`: a real run of every configured algorithm
 * on this machine. For each algorithm it writes <out>/<algorithm>/config.ini
 * and a loopback hosts.txt (free ports asked of the kernel), starts the N
 * `divshare node` processes (fork/exec; each one's output goes to
 * node-K.log), waits for them, and collects their files into the
 * simulator's layout (collect.h). Ctrl-C stops the nodes cleanly (SIGTERM;
 * they write what they have) and keeps everything. A node that fails or
 * dies does not stop the others; it is reported with the end of its log. */
#ifndef DS_LAUNCH_H
#define DS_LAUNCH_H

#include <signal.h>
#include <stdio.h>

#include "exp/config.h"

typedef struct launch_options {
    const char *out_dir;               /* NULL: <experiment.output>/<experiment.name> */
    const char *exe;                   /* the divshare binary to start nodes with */
    FILE *log;                         /* per-run lines (NULL = silent) */
    FILE *progress;                    /* progress bar (NULL = none) */
    const volatile sig_atomic_t *stop; /* Ctrl-C */
    int netem;                         /* kernel-level link emulation (netem.h) */
    const char *learner;               /* MODULE:FACTORY: nodes are `python3 -m divshare node --learner` */
} launch_options;

/* c is modified (algorithm.name is set per run). Nodes that were killed
 * or failed do not stop the run: their count goes to *nodes_failed, and
 * then err describes the first of them although 0 is returned. */
int launch_experiment(config *c, const launch_options *o, int *interrupted, int *bad_input, int *nodes_failed,
                      ds_err *err);

#endif
