/* node.h: `divshare node`: one node of a real run as an OS process.
 *
 * The main thread trains (one SGD step at a time) and runs the algorithm's
 * callbacks; received messages are handed to the algorithm between steps.
 * The training clock is real time minus the time spent evaluating (the
 * artifact evaluates saved models offline, so evaluation must not delay
 * training). The node evaluates every [eval] interval of that clock if it
 * is in the evaluated sample, and stops when it reaches [experiment]
 * duration. It writes, atomically at every evaluation, into out_dir:
 *   node-K.csv   one row per evaluation (the columns of the simulator's
 *                nodes.csv, plus unreachable/invalid/foreign message counts)
 *   node-K.json  written at the end: complete/interrupted, totals, wall time
 * `divshare launch` (or `divshare collect` after mpirun/srun/ssh) merges
 * them into the simulator's result layout. */
#ifndef DS_NODE_H
#define DS_NODE_H

#include <signal.h>
#include <stdio.h>

#include "core/learner.h"
#include "exp/config.h"

enum { NODE_SHAPING_ALL = 0, NODE_SHAPING_LATENCY, NODE_SHAPING_NONE };

typedef struct node_options {
    int id;
    const char *hosts_path;
    const char *key_path;              /* secret key; NULL: node-<id>.key beside hosts_path */
    const char *out_dir;
    FILE *log;                         /* one line per evaluation, or NULL */
    const volatile sig_atomic_t *stop; /* SIGINT/SIGTERM: finish cleanly */
    /* With `divshare launch`: once ready (data loaded, socket bound) the
     * node writes node-K.ready and starts training only when *go is set
     * (SIGUSR1 from the launcher), so that all nodes start together; the
     * protocol itself needs no barrier. NULL: start at once. */
    const volatile sig_atomic_t *go;
    /* What the process emulates of its links: NODE_SHAPING_ALL (bandwidth
     * and latency), NODE_SHAPING_LATENCY (bandwidth emulated by the
     * kernel), NODE_SHAPING_NONE (both by the kernel: launch --netem). */
    int shaping;
    /* A caller's learner instead of the configured model (no data is
     * loaded); NULL: the configured one. */
    int (*make_learner)(void *ctx, const config *c, const char *algorithm, int workers, learner *out, ds_err *err);
    void *learner_ctx;
} node_options;

/* Runs node o->id of the experiment c. *bad_input is set for errors in the
 * configuration, hosts file or data (as opposed to runtime failures). */
int node_run(const config *c, const node_options *o, int *bad_input, ds_err *err);

/* The node id from, in order: explicit (>= 0), OMPI_COMM_WORLD_RANK,
 * PMI_RANK, SLURM_PROCID. Returns -1 with err set if none is usable. */
int node_id_from_env(int explicit_id, ds_err *err);

#endif
