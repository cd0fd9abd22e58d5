/* netmodel.h: flow-level network model with max-min fair bandwidth sharing.
 *
 * The network is a star of access links: node i has an uplink of capacity
 * U_i and a downlink of capacity D_i (bit/s), and a one-way access latency
 * L_i (s). A message from s to d is a *flow* crossing two links, s's uplink
 * and d's downlink; the core is never the bottleneck. Its last bit arrives
 * L_s + L_d after it left the sender.
 *
 * Rates are max-min fair, as SimGrid's flow model computes them by
 * progressive filling. Constraints are the links (capacity C_l), variables
 * the flows (rate r_f), and every flow uses exactly two constraints. Start
 * with every flow unfixed; the fair share of link l is (C_l - fixed rate
 * through l) / (unfixed flows through l). Take the link with the smallest
 * share (ties: lowest link index), give that share to each of its unfixed
 * flows, fix them, subtract their rates from their other link, repeat
 * until every flow is fixed. Each flow then gets its bottleneck share and
 * no rate can grow without shrinking a smaller one.
 *
 * Rates change only when a flow starts or ends: the caller advances the
 * model to that instant (net_advance), applies the change, and re-solves
 * (net_share). A flow's finish time then is now + remaining / rate.
 *
 * Optionally (rtt_weighted, as Kollaps emulates TCP) flows share a link in
 * proportion to 1 / RTT rather than equally: weighted progressive filling,
 * where a link's share per unit weight is (C_l - fixed) / (unfixed weight)
 * and a flow of weight w gets w times it. With equal weights this is the
 * max-min solution above.
 *
 * Only what changed is re-solved. The default solver is incremental: a
 * flow is fixed at the first of its two links in level order, so a link's
 * level depends only on the links before it, and after a change the sweep
 * of progressive filling is replayed over the links the change reaches
 * (see "incremental max-min" in netmodel.c). Its cost is the links and
 * flows near the change; rates equal progressive filling's up to rounding
 * (the tests bound the difference by 1e-12 relative with equal weights).
 * NET_SOLVER_COMPONENT, the solver up to version 0.2, re-solves the whole
 * connected component of the changed links by progressive filling; with
 * every node sending to many peers that component is the whole network.
 *
 * Completions: each flow has one scheduled completion (net_schedule),
 * moved in place in a heap when its rate changes, so no stale completion
 * waits in the simulator's agenda. */
#ifndef DS_NETMODEL_H
#define DS_NETMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct net_flow {
    int src, dst;
    int pos_up, pos_down; /* index in the uplink's and downlink's flow lists */
    uint32_t seen;        /* component walk generation */
    double remaining; /* bits still to send at time `updated` */
    double updated;   /* s; remaining now = remaining - rate * (now - updated) */
    double rate;      /* bit/s, from the last net_share */
    double old_rate;  /* scratch of net_share */
    double weight;    /* 1, or 1 / RTT with rtt_weighted */
    uint64_t tag;     /* caller's (message id) */
    uint32_t version; /* bumped when the rate changes or the flow ends */
    int active;
    int changed;      /* rate changed in the last net_share (finish time moved) */
    int heap_pos;     /* index in the completion heap (net_schedule), -1 if not scheduled */
    uint32_t listed;  /* re-solve stamp: in the list of re-solved flows */
} net_flow;

/* A flow as one of its links sees it. */
typedef struct net_hop {
    int flow;      /* id */
    int other;     /* the flow's other link */
    double weight; /* the flow's */
} net_hop;

typedef struct net_model {
    int nodes;
    double *up, *down, *latency; /* [nodes]: bit/s, bit/s, s; owned */
    net_flow *flows;             /* [cap], owned; ids are indices, reused */
    int *free_ids;               /* stack of free flow ids */
    size_t cap, n_free, active;
    double now;                  /* time of the last net_advance, s */
    int rtt_weighted;            /* share bottlenecks in proportion to 1 / RTT */
    int solver;                  /* NET_SOLVER_*: how net_share re-solves */
    /* [2 * nodes] links: uplink i = i, downlink i = nodes + i */
    net_hop **link_flows;        /* active flows per link */
    int *link_n, *link_cap;
    uint32_t *link_seen;         /* component walk generation */
    int *dirty;                  /* links touched since the last net_share */
    int n_dirty;
    uint32_t generation;
    /* re-solve scratch */
    double *cap_left;
    double *wsum;                /* unfixed weight per link */
    int *unfixed;
    int *comp_links, *comp_flows;
    int n_comp_links, n_comp_flows;
    size_t comp_flows_cap;
    struct { double share; int link; } *heap;
    size_t heap_cap;
    /* completion heap: scheduled flow ids, earliest (finish, seq) first; one
     * entry per flow, moved in place when its finish time changes, so the
     * agenda holds no stale completions */
    struct net_done {
        double finish; /* when the last bit leaves, s */
        uint64_t seq;  /* the caller's tie-break among completions at one instant */
        int flow;
    } *done_heap; /* [cap] */
    int *fresh;                  /* flows started since the last net_share */
    size_t n_fresh;
    size_t n_done;
    /* incremental solver (NET_SOLVER_INCREMENTAL): per link its bottleneck
     * level (share per unit weight; INFINITY when no flow is fixed there),
     * the level before this re-solve, and its state in this re-solve */
    double *level, *old_level;   /* [2 * nodes] */
    double *queued;              /* [2 * nodes] key of a pending link's latest queue entry */
    uint32_t *state;             /* [2 * nodes] solve_gen << 2 | LINK_PENDING or LINK_FINAL */
    uint32_t solve_gen;
    struct net_wf { double key; int other, id; double w; } *wf; /* water-filling scratch */
    size_t wf_cap;
    struct net_pq { double key; int link; } *pq; /* candidate links */
    size_t pq_n, pq_cap;
    int *finals;                 /* links settled in this re-solve */
    int n_finals;
    double sweep;                /* the sweep's position: (sweep, sweep_link) */
    int sweep_link;
    int *watched;                /* [2 * nodes] links at level INFINITY the sweep reached, watched */
    int n_watched;
    int watch;                   /* this sweep watches such links rather than re-solving them */
    int no_watch;                /* never watch: re-solve every reached link (the tests' reference) */
    uint64_t resweeps;           /* sweeps redone because a watched link was saturated */
    int *crossed;                /* pending links queued above their old level */
    size_t n_crossed, crossed_cap;
} net_model;

enum {
    /* Exact incremental max-min (the default): only the links whose level
     * can change are recomputed, in increasing level order. */
    NET_SOLVER_INCREMENTAL = 0,
    /* Progressive filling of every dirty link's whole component: the
     * simulator's solver up to version 0.2, kept as a reference. */
    NET_SOLVER_COMPONENT = 1,
};

int net_init(net_model *n, int nodes, double up, double down, double latency, ds_err *err);
void net_free(net_model *n);
/* Per-node capacities (bit/s, > 0) and latency (s, >= 0). Takes effect for
 * active flows at the next net_share (the node's links are marked dirty);
 * call net_advance to the change's time first. */
void net_set_node(net_model *n, int node, double up, double down, double latency);

/* Moves the model's clock to t >= n->now. O(1): a flow's progress is
 * brought up to date only when its rate changes. */
void net_advance(net_model *n, double t);
/* Starts a flow of `bits` at the current time; returns its id or -1 (out
 * of memory). Call net_share afterwards. */
int net_start(net_model *n, int src, int dst, double bits, uint64_t tag);
/* Ends flow id (finished or cancelled). Call net_share afterwards. */
void net_end(net_model *n, int id);
/* Recomputes max-min fair rates where flows started or ended since the
 * last call, with n->solver. Flows whose rate changed get `changed` set and
 * their version bumped; the others keep their finish time. -1 on
 * allocation failure. */
int net_share(net_model *n);
/* The flows the last net_share re-solved (ids; borrowed until the next
 * call): every flow whose `changed` can be set. */
static inline int net_resolved(const net_model *n, const int **ids) {
    *ids = n->comp_flows;
    return n->n_comp_flows;
}
/* Schedules flow id's completion at its current finish time, with seq as
 * the tie-break among completions at the same time (the caller's event
 * sequence number), replacing any earlier schedule of id. O(log flows). */
void net_schedule(net_model *n, int id, uint64_t seq);
/* The scheduled completion that comes first (earliest finish, then lowest
 * seq; NULL if none): its flow, finish time and seq. Ending the flow
 * (net_end) unschedules it. */
static inline const struct net_done *net_next_done(const net_model *n) {
    return n->n_done ? &n->done_heap[0] : NULL;
}
/* Re-solves every link (a reference for tests and after capacity changes). */
int net_share_all(net_model *n);
/* Bits flow id still has to send at the current time. */
double net_remaining(const net_model *n, int id);
/* When flow id finishes sending at its current rate (s). */
double net_finish_time(const net_model *n, int id);
/* One-way propagation delay from src to dst (s). */
static inline double net_latency(const net_model *n, int src, int dst) {
    return n->latency[src] + n->latency[dst];
}

#endif
