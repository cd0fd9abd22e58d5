/* report.h: the shared vocabulary of both runtimes: what a node's link
 * and compute are (its spec, and scheduled changes to it), and what an
 * evaluation reports, network-wide and per node. The simulator fills the
 * report directly; a real run's collector rebuilds it from node files. */
#ifndef DS_CORE_REPORT_H
#define DS_CORE_REPORT_H

#include <stdint.h>

typedef struct node_spec {
    double up, down; /* bit/s */
    double latency;  /* one-way access latency, s */
    double slowdown; /* compute time multiplier (>= 1 for stragglers) */
} node_spec;

/* A scheduled change of one node's link capacities (bandwidth trace). */
typedef struct trace_point {
    double time;     /* simulated s */
    int node;
    double up, down; /* bit/s */
    int line;        /* of the trace file: equal times apply in file order */
} trace_point;

/* A node leaving (online 0) or joining (1) at a time (availability
 * trace, [churn] file). Every node starts online. */
typedef struct churn_point {
    double time;     /* simulated s; a real node's training clock */
    int node;
    int online;
    int line;        /* of the file */
} churn_point;

/* Per-node figures at an evaluation (cumulative counters). */
typedef struct node_report {
    uint32_t round;
    double test_metric;   /* accuracy (fraction) or RMSE; NaN if not evaluated */
    double test_loss;     /* NaN if not evaluated */
    double train_loss;    /* mean over steps since the previous evaluation */
    uint64_t bytes_sent, bytes_received;
    uint64_t msgs_sent, msgs_dropped, msgs_received, applied;
    uint64_t msgs_offline; /* messages to this node dropped because it was offline, and its own
                              queued messages dropped when it left */
    double staleness;     /* mean rounds between sending and use of applied items */
    double idle_time;     /* simulated seconds not spent training */
} node_report;

typedef struct run_report {
    double time;          /* simulated s */
    double wall;          /* wall-clock s since start */
    int regress;          /* 1: metrics are RMSE, else accuracy */
    double metric_mean, metric_min, metric_max; /* over evaluated nodes */
    double test_loss;     /* mean over evaluated nodes */
    double train_loss;    /* mean over nodes */
    double consensus;     /* mean L2 distance of models to their average */
    double mean_round;
    uint64_t bytes_sent, msgs_sent, msgs_dropped, msgs_received;
    uint64_t msgs_offline; /* dropped because a node was offline (churn) */
    uint64_t events;
    double wall_train;    /* wall s spent in SGD so far */
    double wall_eval;     /* wall s spent evaluating so far (this one excluded) */
    int nodes;
    const node_report *node; /* [nodes], valid during the callback */
} run_report;

#endif
