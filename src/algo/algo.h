/* algo.h: decentralized learning algorithms as event-driven node state
 * machines over a runtime API.
 *
 * An algorithm reacts to three callbacks (start, local training done, a
 * message arrived) and acts only through the runtime: read the clock,
 * train for k steps (asynchronously), queue a message, drop its unsent
 * messages, read/write its model. Nothing here knows whether time is
 * simulated (src/sim) or real (src/net). */
#ifndef DS_ALGO_H
#define DS_ALGO_H

#include <stddef.h>
#include <stdint.h>

#include "algo/topology.h"
#include "util/err.h"
#include "util/rng.h"

/* An immutable copy of a node's flat model at one instant, shared by the
 * messages cut from it (reference counted; single-threaded use). */
typedef struct model_snapshot {
    int refs;
    size_t n;
    float values[];
} model_snapshot;

model_snapshot *snapshot_new(const float *params, size_t n); /* refs = 1; NULL if OOM */
model_snapshot *snapshot_alloc(size_t n); /* the same with values left for the caller to fill */
/* A snapshot with room for n uint32 after the values (e.g. the sender's
 * per-round fragment permutation), reachable by snapshot_extra. */
model_snapshot *snapshot_new_extra(const float *params, size_t n);
static inline uint32_t *snapshot_extra(model_snapshot *s) { return (uint32_t *)(s->values + s->n); }
model_snapshot *snapshot_ref(model_snapshot *s);
void snapshot_unref(model_snapshot *s); /* frees at 0; NULL is a no-op */

typedef enum algo_msg_kind {
    MSG_FRAGMENT = 1, /* DivShare: one fragment of the model */
    MSG_MODEL = 2,    /* full model (Swift, Epidemic Learning, D-PSGD) */
    MSG_PING = 3,     /* AD-PSGD: full model, asks for a reply */
    MSG_PONG = 4,     /* AD-PSGD: full model, the reply */
    MSG_NOTICE = 5,   /* Epidemic Learning: "not chosen this round", header only */
} algo_msg_kind;

#define ALGO_HEADER_BYTES 48 /* wire header: see the wire format in src/net */

typedef struct algo_msg {
    algo_msg_kind kind;
    int src, dst;
    uint32_t round;         /* sender's round when it was queued */
    uint32_t fragment;      /* DivShare fragment id (0 otherwise) */
    size_t count;           /* float values carried */
    const uint32_t *index;  /* fragment's parameter indices (shared, not owned); NULL = whole model */
    model_snapshot *snap;   /* values come from here; one reference owned by the message */
    int packed;             /* snap holds just the count payload values, in order (a
                               fragment decoded off the wire), not a whole model */
    uint64_t id;            /* assigned by the runtime */
    double queued_at;       /* runtime's clock when queued (s) */
    double started_at;      /* simulator: when its first bit left (s); < 0 = not yet */
    double sent_at;         /* simulator: when its last bit left (s); < 0 = not yet */
} algo_msg;

/* Encoded size on the wire: header + float32 payload. */
static inline uint64_t algo_msg_bytes(const algo_msg *m) { return ALGO_HEADER_BYTES + 4 * (uint64_t)m->count; }
/* Value k of the payload. */
static inline float algo_msg_value(const algo_msg *m, size_t k) {
    return m->snap->values[m->index && !m->packed ? m->index[k] : k];
}
/* Allocates a message holding a new reference to snap (NULL if OOM); snap
 * may be NULL for a header-only message (count 0). */
algo_msg *algo_msg_new(algo_msg_kind kind, int src, int dst, uint32_t round, model_snapshot *snap);
void algo_msg_free(algo_msg *m);

/* What an algorithm may ask of its runtime. ctx is the runtime's. */
typedef struct algo_runtime {
    void *ctx;
    double (*now)(void *ctx);
    /* Starts `steps` local SGD steps; on_train_done follows. */
    void (*train)(void *ctx, int node, int steps);
    /* Queues msg for sending; the runtime takes ownership. */
    void (*send)(void *ctx, algo_msg *msg);
    /* Drops node's queued, not yet started messages; returns how many. */
    int (*cancel_unsent)(void *ctx, int node);
    /* The node's model (n_params floats), readable and writable between
     * trainings. */
    float *(*params)(void *ctx, int node);
    /* The algorithm could not carry out a step (out of memory): the
     * runtime stops the run with why as its error. The algorithm returns
     * at once and is not called again. Call it through algo_fail. */
    void (*fail)(void *ctx, const char *why);
} algo_runtime;

/* rt->fail(why) where the runtime has one. */
void algo_fail(const algo_runtime *rt, const char *why);

typedef struct algo_config {
    int nodes;
    size_t n_params;
    int degree;            /* peers per round (DivShare: per fragment) */
    int local_steps;       /* SGD steps per round */
    double chunk_fraction; /* DivShare: fragment size as a fraction of the model */
    int flush_stale;       /* DivShare: drop unsent fragments of the previous round */
    int redraw;            /* DivShare: new permutation every round (per node and round) */
    uint64_t seed;
    const char *graph_file; /* D-PSGD on the complete topology: edges file, NULL/"" = random
                               regular graph (borrowed) */
    const struct topology *topo; /* whom a node may talk to (borrowed); NULL = complete */
    const void *ext;        /* an algorithm from outside the registry: its own data (borrowed) */
} algo_config;

/* Counters an algorithm keeps per node (read by the runtime for metrics). */
typedef struct algo_counters {
    uint64_t rounds;
    uint64_t applied;  /* received items averaged into the model */
    uint64_t replaced; /* received items superseded by a newer one before use */
    double staleness_sum; /* rounds between sending and use, summed over applied items */
} algo_counters;

/* An algorithm. To add one: a file defining `const algo_ops algo_<name>`
 * and its name in ALGO_REGISTRY (algo.c). docs/extending.md shows how. */
typedef struct algo_ops {
    const char *name;
    /* Data shared by all nodes (e.g. DivShare's fragment partition). */
    int (*shared_new)(void **shared, const algo_config *c, ds_err *err);
    void (*shared_free)(void *shared);
    int (*node_new)(void **state, const algo_config *c, const void *shared, int node, ds_err *err);
    void (*node_free)(void *state);
    void (*on_start)(void *state, const algo_runtime *rt);
    void (*on_train_done)(void *state, const algo_runtime *rt);
    /* msg is borrowed: take snapshot references to keep its values. */
    void (*on_message)(void *state, const algo_runtime *rt, const algo_msg *msg);
    const algo_counters *(*counters)(const void *state);
    /* For decoding received fragments (real runtime): the parameter indices
     * of fragment f and their count, or NULL if f is not a fragment id.
     * NULL for algorithms that only send whole models. */
    const uint32_t *(*fragment_index)(const void *shared, uint32_t f, size_t *count);
    /* Optional: the algorithm's own rules on c, after the common ones. */
    int (*check)(const algo_config *c, ds_err *err);
    const char *help; /* one line, for --help and the README */
    int synchronous;  /* a round waits for peers (el, dpsgd): its wall time is not all work */
} algo_ops;

/* The algorithm named `name`, or NULL. */
const algo_ops *algo_find(const char *name);
/* "divshare, adpsgd, swift", for messages. */
/* algo_find, or NULL with "unknown algorithm 'x' (allowed: ...)" in err. */
const algo_ops *algo_lookup(const char *name, ds_err *err);
/* The registered algorithms' names, joined by sep, into buf (size n). */
void algo_names(char *buf, size_t n, const char *sep);
/* Checks c against the algorithm's needs (degree < nodes, ...). */
int algo_config_check(const char *name, const algo_config *c, ds_err *err);
/* One line "name  help" per registered algorithm, into buf (size n). */
void algo_help(char *buf, size_t n);
/* The same for an algorithm given by its ops (one outside the registry). */
int algo_config_check_ops(const algo_ops *ops, const algo_config *c, ds_err *err);

/* Helpers shared by the algorithms. */
/* shared_new / shared_free for algorithms without shared data. */
int algo_no_shared(void **shared, const algo_config *c, ds_err *err);
void algo_no_shared_free(void *shared);
/* k distinct peers of `self` among n nodes, uniformly, into out[k].
 * Returns 0, or -1 when out of memory. */
int algo_pick_peers(rng *r, int n, int self, int k, int *out);

#endif
