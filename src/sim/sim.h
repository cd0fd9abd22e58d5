/* sim.h: the deterministic discrete-event simulator: N nodes that really
 * train (real SGD on their data partitions) while time is simulated.
 *
 * Compute: a node's local round of k steps takes k * step_time * slowdown
 * simulated seconds. The SGD math itself runs lazily, in parallel on a
 * thread pool, when some node's result is first needed; each node trains
 * into a second buffer, swapped in at its finish time, so results do not
 * depend on the thread count.
 * Network: each node sends from a FIFO queue, oldest first, with at most
 * one message in flight per destination (one stream per peer, as ZeroMQ's
 * per-peer pipes) and at most max_inflight streams (0 = no limit); each message is a flow of its encoded size through
 * the max-min fair network model (sim/netmodel.h).
 * Evaluation: every eval_interval simulated seconds (it costs no simulated
 * time), on a fixed sample of nodes and of the test set. */
#ifndef DS_SIM_H
#define DS_SIM_H

#include <signal.h>
#include <stdio.h>

#include "algo/algo.h"
#include "core/learner.h"
#include "core/report.h"
#include "core/seeds.h"

typedef struct sim_config {
    int nodes;
    double duration;      /* simulated seconds */
    double step_time;     /* seconds per SGD step at slowdown 1 */
    double lr;            /* [train] lr, named when training diverges */
    int max_inflight;     /* concurrent outgoing streams per node (0 = no limit) */
    int rtt_weighted;     /* Kollaps-style: bottlenecks shared in proportion to 1 / RTT */
    int component_solver; /* re-solve whole components (the reference solver) */
    int resolve_per_instant; /* re-solve once per simulated instant, not after every event */
    double eval_interval; /* simulated seconds */
    int eval_nodes;       /* nodes evaluated (0 = all) */
    int threads;          /* concurrent learner calls: the learner needs as many workers */
    uint64_t seed;
    const node_spec *node; /* [nodes], borrowed */
    const trace_point *trace; /* [n_trace] sorted by time, borrowed; may be NULL */
    int n_trace;
    const churn_point *churn; /* [n_churn] sorted by time, borrowed; may be NULL */
    int n_churn;
    const algo_ops *algo;
    algo_config algo_cfg;
} sim_config;

/* The fate of one message, for message traces. At the end of a run the
 * messages not delivered yet are reported as queued (not started), in
 * flight (bits on the wire) or propagating (sent, not yet arrived). */
typedef enum {
    SIM_MSG_DELIVERED = 1,
    SIM_MSG_DROPPED_STALE,
    SIM_MSG_QUEUED,
    SIM_MSG_IN_FLIGHT,
    SIM_MSG_PROPAGATING,
    SIM_MSG_DROPPED_OFFLINE, /* its receiver was offline, or its sender left before sending it */
} sim_msg_outcome;

typedef struct sim_hooks {
    void *ctx;
    /* Called when a message is delivered or dropped, and at the end of the
     * run for every message still on its way, in id order (NULL = no
     * trace). */
    void (*on_message)(void *ctx, const algo_msg *m, sim_msg_outcome outcome, double when);
    /* Called at every evaluation; return non-zero (having set the run's
     * ds_err) to abort the run. */
    int (*on_eval)(void *ctx, const run_report *r);
    FILE *progress;                    /* progress bar (NULL = none) */
    const volatile sig_atomic_t *stop; /* stop early when set */
} sim_hooks;

/* Evaluated nodes when [eval] nodes = 0: all of them up to this count, a
 * seeded sample of this many beyond (evaluating every one of 1,000 nodes
 * on the test set would cost more than simulating them). */
#define SIM_EVAL_AUTO 100

/* How many nodes a run of N nodes evaluates with [eval] nodes = k. */
static inline int sim_eval_count(int N, int k) {
    if (k <= 0) k = SIM_EVAL_AUTO;
    return k < N ? k : N;
}

/* The seeded sample of sim_eval_count(N, k) evaluated nodes into ids[N];
 * returns how many, or -1 if out of memory. */
int sim_eval_sample(uint64_t seed, int N, int k, int *ids);

/* Runs the simulation: learner trains and evaluates node 0..nodes-1 (it is
 * borrowed, and must have at least `threads` workers). Returns 0, or -1
 * with a message; *interrupted is set if stopped early. */
int sim_run(const sim_config *c, const learner *learn, const sim_hooks *hooks, int *interrupted, ds_err *err);

#endif
