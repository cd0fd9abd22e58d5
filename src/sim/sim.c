/* sim.c: the simulator's event loop and its implementation of the
 * algorithm runtime API. */
#include "sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/seeds.h"
#include "sim/event_queue.h"
#include "sim/netmodel.h"
#include "util/clock.h"
#include "util/progress.h"
#include "util/threadpool.h"

enum { EV_TRAIN_DONE = 1, EV_DELIVER, EV_TRACE, EV_CHURN };

#define SIM_MAX_THREADS 64

typedef struct sim_node {
    float *params, *next; /* model, and the buffer its training writes */
    void *algo;
    /* training */
    int training, computed, steps;
    uint32_t version;     /* invalidates stale train-done events */
    double train_start, train_end, busy;
    int offline;          /* left (churn): no training, no sending, deliveries dropped */
    double paused_left;   /* training time still due when it left; < 0 = none */
    learner_train_stats train; /* since the last evaluation */
    /* sending: queued messages in FIFO order; at most one in flight per
     * destination (a stream per peer, as ZeroMQ's per-peer pipes) */
    algo_msg **queue;
    size_t q_len, q_cap;
    int inflight;
    int *inflight_dst; /* [max(inflight)] destinations with a message in flight */
    int inflight_cap;
    node_report rep;
} sim_node;

typedef struct sim {
    const sim_config *c;
    const learner *learn;
    size_t n_params;
    sim_node *nodes;
    void *algo_shared;
    event_queue q;
    net_model net;
    int net_dirty;
    algo_msg **flow_msg; /* [net flow id] -> message in flight */
    size_t flow_msg_cap;
    double now;
    uint64_t next_msg_id, events;
    double wall_train, wall_eval; /* wall-clock seconds in SGD and in evaluation */
    double last_metric;           /* mean accuracy / RMSE at the last evaluation */
    algo_runtime rt;
    thread_pool *pool;
    int threads;
    ds_err work_err[SIM_MAX_THREADS]; /* the learner's errors, per worker */
    int work_failed[SIM_MAX_THREADS];
    int *pending; /* nodes whose training is not computed yet */
    int n_pending;
    int *eval_ids; /* evaluated nodes */
    int n_eval;
    float *mean_model;
    int failed;
    ds_err *err;
    const sim_hooks *hooks;
} sim;

/* ---- runtime API ------------------------------------------------------ */

static double rt_now(void *ctx) { return ((sim *)ctx)->now; }

static float *rt_params(void *ctx, int node) { return ((sim *)ctx)->nodes[node].params; }

static void rt_fail(void *ctx, const char *why) {
    sim *s = ctx;
    if (s->failed) return;
    s->failed = 1;
    ds_fail(s->err, "%s", why);
}

static void push(sim *s, double t, int kind, int node, uint64_t a, uint64_t b) {
    sim_event e = {.time = t, .kind = kind, .node = node, .a = a, .b = b};
    if (evq_push(&s->q, e) && !s->failed) {
        s->failed = 1;
        ds_fail(s->err, "out of memory for events");
    }
}

static void rt_train(void *ctx, int node, int steps) {
    sim *s = ctx;
    sim_node *n = &s->nodes[node];
    n->training = 1;
    n->computed = 0;
    n->steps = steps;
    n->version++;
    n->train_start = s->now;
    s->pending[s->n_pending++] = node;
    n->train_end = s->now + steps * s->c->step_time * s->c->node[node].slowdown;
    push(s, n->train_end, EV_TRAIN_DONE, node, n->version, 0);
}

static int dst_busy(const sim_node *n, int dst) {
    for (int k = 0; k < n->inflight; k++)
        if (n->inflight_dst[k] == dst) return 1;
    return 0;
}

/* Starts queued messages of node, oldest first, to every destination that
 * has no message in flight from it, up to max_inflight streams (0 = no
 * limit). */
static void pump(sim *s, int node) {
    sim_node *n = &s->nodes[node];
    const int limit = s->c->max_inflight > 0 ? s->c->max_inflight : s->c->nodes;
    size_t keep = 0;
    for (size_t i = 0; i < n->q_len; i++) {
        algo_msg *m = n->queue[i];
        if (n->inflight >= limit || dst_busy(n, m->dst) || s->failed) {
            n->queue[keep++] = m;
            continue;
        }
        /* Room first, so that a failure leaves no flow without its message. */
        if (n->inflight == n->inflight_cap) {
            int cap = 2 * n->inflight_cap + 4;
            int *nd = realloc(n->inflight_dst, sizeof(int) * (size_t)cap);
            if (!nd) {
                s->failed = 1;
                ds_fail(s->err, "out of memory for network flows");
                n->queue[keep++] = m;
                continue;
            }
            n->inflight_dst = nd;
            n->inflight_cap = cap;
        }
        net_advance(&s->net, s->now);
        int id = net_start(&s->net, m->src, m->dst, 8.0 * (double)algo_msg_bytes(m), m->id);
        if (id >= 0 && (size_t)id >= s->flow_msg_cap) {
            algo_msg **fm = realloc(s->flow_msg, sizeof *fm * s->net.cap);
            if (fm) {
                s->flow_msg = fm;
                s->flow_msg_cap = s->net.cap;
            } else {
                net_end(&s->net, id);
                id = -1;
            }
        }
        if (id < 0) {
            s->failed = 1;
            ds_fail(s->err, "out of memory for network flows");
            n->queue[keep++] = m;
            continue;
        }
        s->flow_msg[id] = m;
        m->started_at = s->now;
        n->inflight_dst[n->inflight++] = m->dst;
        n->rep.msgs_sent++;
        s->net_dirty = 1;
    }
    n->q_len = keep;
}

static void stream_done(sim_node *n, int dst) {
    for (int k = 0; k < n->inflight; k++)
        if (n->inflight_dst[k] == dst) {
            n->inflight_dst[k] = n->inflight_dst[--n->inflight];
            return;
        }
}

static void rt_send(void *ctx, algo_msg *m) {
    sim *s = ctx;
    sim_node *n = &s->nodes[m->src];
    m->id = s->next_msg_id++;
    m->queued_at = s->now;
    if (n->q_len == n->q_cap) {
        size_t cap = n->q_cap ? 2 * n->q_cap : 64;
        algo_msg **q = realloc(n->queue, sizeof *q * cap);
        if (!q) {
            algo_msg_free(m);
            s->failed = 1;
            ds_fail(s->err, "out of memory for send queues");
            return;
        }
        n->queue = q;
        n->q_cap = cap;
    }
    n->queue[n->q_len++] = m;
    pump(s, m->src);
}

static int rt_cancel_unsent(void *ctx, int node) {
    sim *s = ctx;
    sim_node *n = &s->nodes[node];
    int dropped = (int)n->q_len;
    for (size_t i = 0; i < n->q_len; i++) {
        if (s->hooks && s->hooks->on_message)
            s->hooks->on_message(s->hooks->ctx, n->queue[i], SIM_MSG_DROPPED_STALE, s->now);
        algo_msg_free(n->queue[i]);
    }
    n->q_len = 0;
    n->rep.msgs_dropped += (uint64_t)dropped;
    return dropped;
}

/* ---- compute ---------------------------------------------------------- */

static void train_node(sim *s, int w, int id) {
    sim_node *n = &s->nodes[id];
    memcpy(n->next, n->params, sizeof(float) * s->n_params);
    if (!s->work_failed[w] &&
        s->learn->ops->train(s->learn->self, w, id, n->next, n->steps, &n->train, &s->work_err[w]))
        s->work_failed[w] = 1;
    n->computed = 1;
}

static void compute_worker(void *ctx, int w) {
    sim *s = ctx;
    for (int i = w; i < s->n_pending; i += s->threads) train_node(s, w, s->pending[i]);
}

/* Runs every pending training (in parallel); order does not matter since
 * each node's training reads only its own state. */
static void compute_pending(sim *s) {
    double t0 = clock_now();
    if (s->n_pending == 1) train_node(s, 0, s->pending[0]);
    else pool_run(s->pool, compute_worker, s);
    s->n_pending = 0;
    s->wall_train += clock_now() - t0;
    for (int w = 0; w < s->threads; w++)
        if (s->work_failed[w] && !s->failed) {
            s->failed = 1;
            ds_fail(s->err, "%s", s->work_err[w].msg);
        }
}

/* ---- evaluation ------------------------------------------------------- */

static void eval_worker(void *ctx, int w) {
    sim *s = ctx;
    for (int i = w; i < s->n_eval; i += s->threads) {
        sim_node *n = &s->nodes[s->eval_ids[i]];
        learner_eval ev;
        if (s->work_failed[w]) break;
        if (s->learn->ops->evaluate(s->learn->self, w, s->eval_ids[i], n->params, &ev, &s->work_err[w])) {
            s->work_failed[w] = 1;
            break;
        }
        n->rep.test_metric = ev.metric;
        n->rep.test_loss = ev.loss;
    }
}

static int evaluate(sim *s, double wall0, const sim_hooks *h) {
    const int N = s->c->nodes;
    const size_t P = s->n_params;
    double te0 = clock_now();
    for (int i = 0; i < N; i++) s->nodes[i].rep.test_metric = s->nodes[i].rep.test_loss = NAN;
    pool_run(s->pool, eval_worker, s);
    for (int w = 0; w < s->threads; w++)
        if (s->work_failed[w]) return ds_fail(s->err, "%s", s->work_err[w].msg);
    run_report r = {0};
    r.time = s->now;
    r.wall = clock_now() - wall0;
    r.regress = s->learn->lower_is_better;
    r.nodes = N;
    r.events = s->events;
    r.wall_train = s->wall_train;
    r.wall_eval = s->wall_eval;
    r.metric_min = INFINITY;
    r.metric_max = -INFINITY;
    for (int i = 0; i < s->n_eval; i++) {
        const node_report *nr = &s->nodes[s->eval_ids[i]].rep;
        r.metric_mean += nr->test_metric / s->n_eval;
        r.test_loss += nr->test_loss / s->n_eval;
        if (nr->test_metric < r.metric_min) r.metric_min = nr->test_metric;
        if (nr->test_metric > r.metric_max) r.metric_max = nr->test_metric;
    }
    /* Consensus distance: mean over nodes of ||x_i - mean(x)||_2. */
    memset(s->mean_model, 0, sizeof(float) * P);
    for (int i = 0; i < N; i++) {
        const float *p = s->nodes[i].params;
        for (size_t k = 0; k < P; k++) s->mean_model[k] += p[k] / (float)N;
    }
    int with_loss = 0;
    for (int i = 0; i < N; i++) {
        sim_node *n = &s->nodes[i];
        double d = 0;
        for (size_t k = 0; k < P; k++) {
            double e = n->params[k] - s->mean_model[k];
            d += e * e;
        }
        r.consensus += sqrt(d) / N;
        n->rep.train_loss = n->train.steps ? n->train.step_loss_sum / n->train.steps : NAN;
        if (n->train.steps) {
            r.train_loss += n->rep.train_loss;
            with_loss++;
        }
        n->train = (learner_train_stats){0};
        const algo_counters *ac = s->c->algo->counters(n->algo);
        n->rep.round = (uint32_t)ac->rounds;
        n->rep.applied = ac->applied;
        n->rep.staleness = ac->applied ? ac->staleness_sum / (double)ac->applied : 0;
        n->rep.idle_time = s->now - n->busy - (n->training && !n->offline ? s->now - n->train_start : 0);
        r.mean_round += (double)n->rep.round / N;
        r.bytes_sent += n->rep.bytes_sent;
        r.msgs_sent += n->rep.msgs_sent;
        r.msgs_dropped += n->rep.msgs_dropped;
        r.msgs_received += n->rep.msgs_received;
        r.msgs_offline += n->rep.msgs_offline;
    }
    r.train_loss = with_loss ? r.train_loss / with_loss : NAN;
    r.node = &s->nodes[0].rep;
    /* The report's node array must be contiguous: copy out. */
    node_report *reps = malloc(sizeof *reps * (size_t)N);
    if (!reps) return ds_fail(s->err, "out of memory");
    for (int i = 0; i < N; i++) reps[i] = s->nodes[i].rep;
    r.node = reps;
    s->wall_eval += clock_now() - te0;
    s->last_metric = r.metric_mean;
    /* Report first (the files show the blow-up), then stop: training
     * that produced NaN/Inf cannot recover and would waste the run. */
    int rc = h && h->on_eval ? h->on_eval(h->ctx, &r) : 0;
    int diverged = -1;
    for (int i = 0; i < s->n_eval && diverged < 0; i++)
        if (!isfinite(s->nodes[s->eval_ids[i]].rep.test_loss)) diverged = s->eval_ids[i];
    free(reps);
    if (rc) return rc; /* the callback set the error */
    if (diverged >= 0)
        return ds_fail(s->err, "training diverged: node %d's test loss is not finite at t = %.3g s "
                               "(lower [train] lr, now %g)", diverged, s->now, s->c->lr);
    return 0;
}

/* ---- setup and loop ---------------------------------------------------- */

static void sim_free(sim *s) {
    if (s->nodes) {
        for (int i = 0; i < s->c->nodes; i++) {
            sim_node *n = &s->nodes[i];
            free(n->params);
            free(n->next);
            if (n->algo) s->c->algo->node_free(n->algo);
            for (size_t k = 0; k < n->q_len; k++) algo_msg_free(n->queue[k]);
            free(n->queue);
            free(n->inflight_dst);
        }
        free(s->nodes);
    }
    /* Messages still in flight or waiting for delivery. */
    for (size_t i = 0; i < s->net.cap; i++)
        if (s->net.flows && s->net.flows[i].active) algo_msg_free(s->flow_msg[i]);
    sim_event e;
    while (evq_pop(&s->q, &e) == 0)
        if (e.kind == EV_DELIVER) algo_msg_free((algo_msg *)(uintptr_t)e.a);
    evq_free(&s->q);
    net_free(&s->net);
    free(s->flow_msg);
    if (s->algo_shared) s->c->algo->shared_free(s->algo_shared);
    pool_destroy(s->pool);
    free(s->pending);
    free(s->eval_ids);
    free(s->mean_model);
}

int sim_eval_sample(uint64_t seed, int N, int k, int *ids) {
    int n = sim_eval_count(N, k);
    uint32_t *perm = malloc(sizeof(uint32_t) * (size_t)N);
    if (!perm) return -1;
    for (int i = 0; i < N; i++) perm[i] = (uint32_t)i;
    rng r;
    rng_seed(&r, rng_derive(seed, SEED_EVAL_SAMPLE, 0));
    if (n < N) rng_shuffle_u32(&r, perm, (size_t)N);
    for (int i = 0; i < n; i++) ids[i] = (int)perm[i];
    free(perm);
    return n;
}

static int sim_setup(sim *s, const sim_config *c, const learner *learn, ds_err *err) {
    const int N = c->nodes;
    const size_t P = learn->n_params;
    s->c = c;
    s->learn = learn;
    s->n_params = P;
    s->err = err;
    evq_init(&s->q);
    s->rt = (algo_runtime){.ctx = s,
                           .now = rt_now,
                           .train = rt_train,
                           .send = rt_send,
                           .cancel_unsent = rt_cancel_unsent,
                           .params = rt_params,
                           .fail = rt_fail};
    s->threads = c->threads < 1 ? 1 : c->threads > SIM_MAX_THREADS ? SIM_MAX_THREADS : c->threads;
    if (s->threads > N) s->threads = N;
    if (net_init(&s->net, N, 1, 1, 0, err)) return -1;
    s->net.rtt_weighted = c->rtt_weighted;
    s->net.solver = c->component_solver ? NET_SOLVER_COMPONENT : NET_SOLVER_INCREMENTAL;
    for (int i = 0; i < N; i++)
        net_set_node(&s->net, i, c->node[i].up, c->node[i].down, c->node[i].latency);
    if (!(s->pool = pool_new(s->threads, err))) return -1;
    s->pending = malloc(sizeof(int) * (size_t)N);
    s->mean_model = malloc(sizeof(float) * P);
    s->nodes = calloc((size_t)N, sizeof *s->nodes);
    if (!s->pending || !s->mean_model || !s->nodes) return ds_fail(err, "out of memory");
    /* A fixed, seeded sample of nodes to evaluate. */
    s->eval_ids = malloc(sizeof(int) * (size_t)N);
    if (!s->eval_ids) return ds_fail(err, "out of memory");
    if ((s->n_eval = sim_eval_sample(c->seed, N, c->eval_nodes, s->eval_ids)) < 0)
        return ds_fail(err, "out of memory");
    if (c->algo->shared_new(&s->algo_shared, &c->algo_cfg, err)) return -1;
    /* Every node starts from the same model, as decentralizepy seeds it. */
    float *init = malloc(sizeof(float) * P);
    if (!init) return ds_fail(err, "out of memory");
    learn->ops->init_params(learn->self, init, rng_derive(c->seed, SEED_INIT_MODEL, 0));
    for (int i = 0; i < N; i++) {
        sim_node *n = &s->nodes[i];
        n->params = malloc(sizeof(float) * P);
        n->next = malloc(sizeof(float) * P);
        if (!n->params || !n->next) {
            free(init);
            return ds_fail(err, "out of memory for %d models", N);
        }
        memcpy(n->params, init, sizeof(float) * P);
        if (c->algo->node_new(&n->algo, &c->algo_cfg, s->algo_shared, i, err)) {
            free(init);
            return -1;
        }
    }
    free(init);
    return 0;
}

/* After flows started or ended: re-solve rates, reschedule the completion
 * of every flow whose rate changed. A completion takes the next event
 * sequence number, as if pushed on the agenda, so completions and events
 * at the same instant keep one order; a flow has one completion, moved
 * when its rate changes. */
static void reshare(sim *s) {
    if (!s->net_dirty) return;
    s->net_dirty = 0;
    if (net_share(&s->net)) {
        rt_fail(s, "out of memory sharing the network's bandwidth");
        return;
    }
    const int *ids;
    int k = net_resolved(&s->net, &ids);
    for (int j = 0; j < k; j++) {
        net_flow *f = &s->net.flows[ids[j]];
        if (!f->changed) continue;
        f->changed = 0;
        net_schedule(&s->net, ids[j], s->q.next_seq++);
    }
}

/* Flow id sent its last bit: deliver after the propagation delay and start
 * the sender's next queued message. */
static void flow_done(sim *s, int id) {
    net_advance(&s->net, s->now);
    algo_msg *m = s->flow_msg[id];
    m->sent_at = s->now;
    net_end(&s->net, id);
    s->net_dirty = 1;
    sim_node *src = &s->nodes[m->src];
    stream_done(src, m->dst);
    src->rep.bytes_sent += algo_msg_bytes(m);
    push(s, s->now + net_latency(&s->net, m->src, m->dst), EV_DELIVER, m->dst, (uintptr_t)m, 0);
    pump(s, m->src);
}

static void handle(sim *s, const sim_event *e) {
    switch (e->kind) {
    case EV_TRAIN_DONE: {
        sim_node *n = &s->nodes[e->node];
        if (!n->training || e->a != n->version) break;
        if (!n->computed) compute_pending(s);
        float *t = n->params;
        n->params = n->next;
        n->next = t;
        n->training = 0;
        n->busy += s->now - n->train_start;
        s->c->algo->on_train_done(n->algo, &s->rt);
        break;
    }
    case EV_TRACE: {
        const trace_point *tp = &s->c->trace[e->a];
        net_advance(&s->net, s->now);
        net_set_node(&s->net, tp->node, tp->up, tp->down, s->net.latency[tp->node]);
        s->net_dirty = 1;
        break;
    }
    case EV_CHURN: {
        const churn_point *cp = &s->c->churn[e->a];
        sim_node *n = &s->nodes[cp->node];
        if (!cp->online && !n->offline) {
            /* Leaving: its unsent messages are lost, its round pauses. */
            n->offline = 1;
            for (size_t i = 0; i < n->q_len; i++) {
                if (s->hooks && s->hooks->on_message)
                    s->hooks->on_message(s->hooks->ctx, n->queue[i], SIM_MSG_DROPPED_OFFLINE, s->now);
                algo_msg_free(n->queue[i]);
            }
            n->rep.msgs_offline += n->q_len;
            n->q_len = 0;
            n->paused_left = -1;
            if (n->training) {
                n->paused_left = n->train_end - s->now;
                n->busy += s->now - n->train_start;
                n->version++; /* the pending train-done event is void */
            }
        } else if (cp->online && n->offline) {
            n->offline = 0;
            if (n->paused_left >= 0) { /* the rest of the round, from now */
                n->train_start = s->now;
                n->train_end = s->now + n->paused_left;
                push(s, n->train_end, EV_TRAIN_DONE, cp->node, n->version, 0);
            }
            pump(s, cp->node);
        }
        break;
    }
    case EV_DELIVER: {
        algo_msg *m = (algo_msg *)(uintptr_t)e->a;
        sim_node *dst = &s->nodes[m->dst];
        if (dst->offline) {
            dst->rep.msgs_offline++;
            if (s->hooks && s->hooks->on_message)
                s->hooks->on_message(s->hooks->ctx, m, SIM_MSG_DROPPED_OFFLINE, s->now);
            algo_msg_free(m);
            break;
        }
        dst->rep.bytes_received += algo_msg_bytes(m);
        dst->rep.msgs_received++;
        s->c->algo->on_message(dst->algo, &s->rt, m);
        if (s->hooks && s->hooks->on_message) s->hooks->on_message(s->hooks->ctx, m, SIM_MSG_DELIVERED, s->now);
        algo_msg_free(m);
        break;
    }
    }
}

typedef struct unfinished {
    const algo_msg *m;
    sim_msg_outcome outcome;
} unfinished;

static int cmp_unfinished(const void *a, const void *b) {
    const algo_msg *x = ((const unfinished *)a)->m;
    const algo_msg *y = ((const unfinished *)b)->m;
    return (x->id > y->id) - (x->id < y->id);
}

/* At the end: every message still queued, in flight or propagating goes
 * to the trace, in id order, so that a replay sees the whole schedule. */
static int report_unfinished(sim *s) {
    if (!s->hooks || !s->hooks->on_message) return 0;
    size_t n = s->net.active + evq_size(&s->q);
    for (int i = 0; i < s->c->nodes; i++) n += s->nodes[i].q_len;
    unfinished *u = malloc(sizeof *u * (n ? n : 1));
    if (!u) return ds_fail(s->err, "out of memory for the message trace");
    size_t k = 0;
    for (int i = 0; i < s->c->nodes; i++)
        for (size_t j = 0; j < s->nodes[i].q_len; j++) u[k++] = (unfinished){s->nodes[i].queue[j], SIM_MSG_QUEUED};
    for (size_t i = 0; i < s->net.cap; i++)
        if (s->net.flows[i].active) u[k++] = (unfinished){s->flow_msg[i], SIM_MSG_IN_FLIGHT};
    for (size_t i = 0; i < evq_size(&s->q); i++)
        if (s->q.heap[i].kind == EV_DELIVER)
            u[k++] = (unfinished){(const algo_msg *)(uintptr_t)s->q.heap[i].a, SIM_MSG_PROPAGATING};
    qsort(u, k, sizeof *u, cmp_unfinished);
    for (size_t i = 0; i < k; i++) s->hooks->on_message(s->hooks->ctx, u[i].m, u[i].outcome, s->now);
    free(u);
    return 0;
}

int sim_run(const sim_config *c, const learner *learn, const sim_hooks *h, int *interrupted, ds_err *err) {
    sim s;
    memset(&s, 0, sizeof s);
    s.last_metric = NAN;
    s.hooks = h;
    *interrupted = 0;
    double wall0 = clock_now();
    int rc = -1;
    if (sim_setup(&s, c, learn, err)) goto done;
    for (int i = 0; i < c->n_trace; i++) push(&s, c->trace[i].time, EV_TRACE, c->trace[i].node, (uint64_t)i, 0);
    for (int i = 0; i < c->n_churn; i++) push(&s, c->churn[i].time, EV_CHURN, c->churn[i].node, (uint64_t)i, 0);
    for (int i = 0; i < c->nodes; i++) c->algo->on_start(s.nodes[i].algo, &s.rt);
    progress pg;
    progress_begin(&pg, h ? h->progress : NULL, "simulate", c->duration);
    double next_eval = 0;
    for (;;) {
        /* The next event: the agenda's or the network's first completion,
         * whichever is earlier (same time: lower sequence number). */
        const sim_event *top = evq_peek(&s.q);
        const struct net_done *done = net_next_done(&s.net);
        /* Flows started or ended: re-solve, after each event or, with
         * resolve_per_instant, once every event of this instant is
         * handled (until then the completions keep their schedule: a flow
         * due now ends now, whatever its new rate). */
        if (s.net_dirty &&
            (!c->resolve_per_instant || (!(top && top->time == s.now) && !(done && done->finish == s.now)))) {
            reshare(&s);
            if (s.failed) goto done;
            done = net_next_done(&s.net);
        }
        double t_next = top ? top->time : INFINITY;
        int flow = -1;
        if (done && (done->finish < t_next || (top && done->finish == t_next && done->seq < top->seq))) {
            t_next = done->finish;
            flow = done->flow;
        }
        /* Evaluations happen between events at their scheduled times,
         * after every event of the same instant (a round ending exactly
         * at an evaluation counts). */
        if (next_eval <= c->duration && next_eval < t_next) {
            s.now = next_eval;
            if (evaluate(&s, wall0, h)) goto done;
            next_eval += c->eval_interval;
            continue;
        }
        if (t_next > c->duration || t_next == INFINITY) break;
        if (h && h->stop && *h->stop) {
            *interrupted = 1;
            break;
        }
        s.now = t_next;
        s.events++;
        if (flow >= 0) {
            flow_done(&s, flow);
        } else {
            sim_event e;
            evq_pop(&s.q, &e);
            handle(&s, &e);
        }
        if (s.failed) goto done;
        if (h && h->progress && (s.events & 255) == 0) {
            char status[96];
            double el = clock_now() - wall0;
            if (isnan(s.last_metric))
                snprintf(status, sizeof status, "t=%.1fs  %.0f events/s", s.now, el > 0 ? s.events / el : 0);
            else
                snprintf(status, sizeof status, "t=%.1fs  %s %.2f%s  %.0f events/s", s.now,
                         learn->lower_is_better ? "rmse" : "acc",
                         learn->lower_is_better ? s.last_metric : 100 * s.last_metric,
                         learn->lower_is_better ? "" : "%", el > 0 ? s.events / el : 0);
            progress_update(&pg, s.now, status);
        }
    }
    progress_end(&pg);
    /* A final evaluation at the end time if the last one was earlier. */
    if (!*interrupted && next_eval - c->eval_interval < c->duration) {
        s.now = c->duration;
        if (evaluate(&s, wall0, h)) goto done;
    }
    rc = report_unfinished(&s);
done:
    sim_free(&s);
    return rc;
}
