/* test_sim_events.c: the simulator's event semantics on tiny scenarios,
 * each with its exact expected times, driven by a scripted algorithm and
 * the synthetic (quadratic) learner; and the quadratic learner itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/learner.h"
#include "sim/sim.h"

/* 238 floats + the 48-byte header = 1,000 bytes = 8,000 bits per model. */
#define P 238
#define BITS 8000.0

/* ---- a scripted algorithm ------------------------------------------------ */

enum { S_ONE, S_TWO_SAME, S_TWO_DIFF, S_CANCEL, S_IDLE };
static int scenario;      /* the script the nodes follow (test-only state) */
static int cancelled = -1; /* what cancel_unsent returned in S_CANCEL */

typedef struct script_node {
    int id;
    algo_counters cnt;
} script_node;

static int script_node_new(void **out, const algo_config *c, const void *sh, int id, ds_err *err) {
    (void)c;
    (void)sh;
    script_node *n = calloc(1, sizeof *n);
    if (!n) return ds_fail(err, "out of memory");
    n->id = id;
    *out = n;
    return 0;
}

static void script_node_free(void *p) { free(p); }

static void send_model(const algo_runtime *rt, int src, int dst) {
    model_snapshot *s = snapshot_new(rt->params(rt->ctx, src), P);
    rt->send(rt->ctx, algo_msg_new(MSG_MODEL, src, dst, 0, s));
    snapshot_unref(s);
}

static void script_start(void *p, const algo_runtime *rt) {
    script_node *n = p;
    if (n->id != 0) return;
    switch (scenario) {
    case S_ONE:
        send_model(rt, 0, 1);
        break;
    case S_TWO_SAME:
        send_model(rt, 0, 1);
        send_model(rt, 0, 1);
        break;
    case S_TWO_DIFF:
        send_model(rt, 0, 1);
        send_model(rt, 0, 2);
        break;
    case S_CANCEL:
        send_model(rt, 0, 1);
        send_model(rt, 0, 1);
        send_model(rt, 0, 1);
        rt->train(rt->ctx, 0, 1); /* done at step_time = 0.5 s */
        break;
    default:
        break;
    }
}

static void script_train_done(void *p, const algo_runtime *rt) {
    script_node *n = p;
    if (scenario == S_CANCEL) cancelled = rt->cancel_unsent(rt->ctx, n->id);
}

static void script_message(void *p, const algo_runtime *rt, const algo_msg *m) {
    (void)rt;
    (void)m;
    ((script_node *)p)->cnt.applied++;
}

static const algo_counters *script_counters(const void *p) { return &((const script_node *)p)->cnt; }

static const algo_ops SCRIPT = {
    .name = "script",
    .shared_new = algo_no_shared,
    .shared_free = algo_no_shared_free,
    .node_new = script_node_new,
    .node_free = script_node_free,
    .on_start = script_start,
    .on_train_done = script_train_done,
    .on_message = script_message,
    .counters = script_counters,
};

/* ---- recording ----------------------------------------------------------- */

typedef struct seen_msg {
    algo_msg_kind kind;
    int src, dst, outcome;
    uint32_t round;
    double when, queued;
    float first;       /* its first value */
    int matches;       /* its values equal rec.expect (when set) */
} seen_msg;

typedef struct rec {
    seen_msg msg[64];
    int n_msg;
    double evals[64];
    int n_eval;
    const float *expect[8]; /* by kind: the values a message of that kind must carry */
} rec;

static void on_message(void *ctx, const algo_msg *m, sim_msg_outcome outcome, double when) {
    rec *r = ctx;
    if (r->n_msg == 64) return;
    seen_msg *s = &r->msg[r->n_msg++];
    *s = (seen_msg){.kind = m->kind, .src = m->src, .dst = m->dst, .outcome = (int)outcome,
                    .round = m->round, .when = when, .queued = m->queued_at,
                    .first = m->count ? algo_msg_value(m, 0) : NAN, .matches = -1};
    const float *want = r->expect[m->kind];
    if (want) {
        s->matches = 1;
        for (size_t k = 0; k < m->count; k++) s->matches &= algo_msg_value(m, k) == want[k];
    }
}

static int on_eval(void *ctx, const run_report *r) {
    rec *x = ctx;
    if (x->n_eval < 64) x->evals[x->n_eval++] = r->time;
    return 0;
}

/* Runs ops on N nodes with the quadratic learner; spec per node. */
static int run(const algo_ops *ops, const algo_config *ac, int N, const node_spec *spec, double duration,
               double step_time, double eval_interval, const trace_point *trace, int n_trace, rec *r) {
    ds_err err;
    learner l;
    learner_quadratic_spec qs = {.nodes = N, .dim = P, .lr = 0.1, .seed = 7};
    if (learner_quadratic_new(&qs, &l, &err)) return -1;
    sim_config c = {
        .nodes = N,
        .duration = duration,
        .step_time = step_time,
        .lr = 0.1,
        .eval_interval = eval_interval,
        .threads = 1,
        .seed = 7,
        .node = spec,
        .trace = trace,
        .n_trace = n_trace,
        .algo = ops,
        .algo_cfg = *ac,
    };
    sim_hooks h = {.ctx = r, .on_message = on_message, .on_eval = on_eval};
    int interrupted;
    memset(r, 0, sizeof *r - sizeof r->expect);
    int rc = sim_run(&c, &l, &h, &interrupted, &err);
    if (rc) printf("sim_run: %s\n", err.msg);
    learner_free(&l);
    return rc;
}

static const seen_msg *find(const rec *r, int src, int dst, int outcome, int nth) {
    for (int i = 0; i < r->n_msg; i++)
        if (r->msg[i].src == src && r->msg[i].dst == dst && r->msg[i].outcome == outcome && nth-- == 0)
            return &r->msg[i];
    return NULL;
}

#define NEAR(a, b) (fabs((a) - (b)) <= 1e-12 * fmax(1, fabs(b)))

/* ---- scenarios ------------------------------------------------------------ */

static node_spec spec3[3];
static algo_config ac3 = {.nodes = 3, .n_params = P, .degree = 1, .local_steps = 1, .chunk_fraction = 1, .seed = 7};

static void setup_links(void) {
    /* Node 0 sends at 8,000 bit/s; receivers take 16,000. Latencies differ
     * so that a sum of the wrong ones shows. */
    spec3[0] = (node_spec){.up = 8000, .down = 16000, .latency = 0.1, .slowdown = 1};
    spec3[1] = (node_spec){.up = 8000, .down = 16000, .latency = 0.2, .slowdown = 1};
    spec3[2] = (node_spec){.up = 8000, .down = 16000, .latency = 0.4, .slowdown = 1};
}

static void test_delivery(void) {
    rec r;
    setup_links();
    scenario = S_ONE;
    CHECK(run(&SCRIPT, &ac3, 3, spec3, 5, 0.5, 10, NULL, 0, &r) == 0, "one message runs");
    const seen_msg *m = find(&r, 0, 1, SIM_MSG_DELIVERED, 0);
    /* bits / min(up_0, down_1) + latency_0 + latency_1 */
    CHECK(m && NEAR(m->when, BITS / 8000 + 0.1 + 0.2), "delivery = bits / rate + both latencies: %.15g",
          m ? m->when : NAN);
    /* The receiver's downlink as the bottleneck. */
    spec3[0].up = 32000;
    spec3[1].down = 4000;
    CHECK(run(&SCRIPT, &ac3, 3, spec3, 5, 0.5, 10, NULL, 0, &r) == 0, "slow receiver runs");
    m = find(&r, 0, 1, SIM_MSG_DELIVERED, 0);
    CHECK(m && NEAR(m->when, BITS / 4000 + 0.3), "the receiver's downlink bounds the rate: %.15g",
          m ? m->when : NAN);
}

static void test_streams(void) {
    rec r;
    setup_links();
    scenario = S_TWO_SAME;
    CHECK(run(&SCRIPT, &ac3, 3, spec3, 5, 0.5, 10, NULL, 0, &r) == 0, "two to one peer runs");
    const seen_msg *a = find(&r, 0, 1, SIM_MSG_DELIVERED, 0), *b = find(&r, 0, 1, SIM_MSG_DELIVERED, 1);
    /* One stream per destination: the second starts when the first ends. */
    CHECK(a && b && NEAR(a->when, 1.3) && NEAR(b->when, 2.3), "one stream per destination: %.15g, %.15g",
          a ? a->when : NAN, b ? b->when : NAN);
    scenario = S_TWO_DIFF;
    CHECK(run(&SCRIPT, &ac3, 3, spec3, 5, 0.5, 10, NULL, 0, &r) == 0, "two to two peers runs");
    a = find(&r, 0, 1, SIM_MSG_DELIVERED, 0);
    b = find(&r, 0, 2, SIM_MSG_DELIVERED, 0);
    /* Two streams share node 0's uplink: 4,000 bit/s each. */
    CHECK(a && b && NEAR(a->when, 2 + 0.3) && NEAR(b->when, 2 + 0.5), "two streams share the uplink: %.15g, %.15g",
          a ? a->when : NAN, b ? b->when : NAN);
}

static void test_cancel(void) {
    rec r;
    setup_links();
    scenario = S_CANCEL;
    cancelled = -1;
    CHECK(run(&SCRIPT, &ac3, 3, spec3, 5, 0.5, 10, NULL, 0, &r) == 0, "cancel runs");
    CHECK(cancelled == 2, "cancel_unsent drops the 2 queued messages, not the one in flight: %d", cancelled);
    const seen_msg *d0 = find(&r, 0, 1, SIM_MSG_DELIVERED, 0), *d1 = find(&r, 0, 1, SIM_MSG_DELIVERED, 1);
    const seen_msg *x0 = find(&r, 0, 1, SIM_MSG_DROPPED_STALE, 0), *x1 = find(&r, 0, 1, SIM_MSG_DROPPED_STALE, 1);
    CHECK(d0 && !d1 && NEAR(d0->when, 1.3), "the in-flight message arrives on time: %.15g", d0 ? d0->when : NAN);
    CHECK(x0 && x1 && NEAR(x0->when, 0.5) && NEAR(x1->when, 0.5), "the queued two are dropped at 0.5 s");
}

static void test_trace(void) {
    rec r;
    setup_links();
    scenario = S_ONE;
    /* At 0.5 s node 0's uplink halves: 4,000 bits are left at 4,000 bit/s. */
    trace_point tp = {.time = 0.5, .node = 0, .up = 4000, .down = 16000, .line = 1};
    CHECK(run(&SCRIPT, &ac3, 3, spec3, 5, 0.5, 10, &tp, 1, &r) == 0, "trace runs");
    const seen_msg *m = find(&r, 0, 1, SIM_MSG_DELIVERED, 0);
    CHECK(m && NEAR(m->when, 0.5 + 1.0 + 0.3), "a trace row changes the rate at its time: %.15g",
          m ? m->when : NAN);
}

static void test_eval_times(void) {
    rec r;
    setup_links();
    scenario = S_IDLE;
    CHECK(run(&SCRIPT, &ac3, 3, spec3, 2.5, 0.5, 1, NULL, 0, &r) == 0, "idle run");
    CHECK(r.n_eval == 4 && r.evals[0] == 0 && r.evals[1] == 1 && r.evals[2] == 2 && r.evals[3] == 2.5,
          "evaluations at 0, 1, 2 and the end 2.5: %d evaluations", r.n_eval);
    CHECK(run(&SCRIPT, &ac3, 3, spec3, 2, 0.5, 1, NULL, 0, &r) == 0, "idle run to 2 s");
    CHECK(r.n_eval == 3 && r.evals[2] == 2, "no second evaluation at the end when it falls on the grid: %d",
          r.n_eval);
}

/* AD-PSGD: a ping that arrives while a node trains is answered with the
 * model the node's round started from, not the one being trained. */
static void test_adpsgd_pong(void) {
    ds_err err;
    rec r;
    node_spec s2[2] = {
        {.up = 1e9, .down = 1e9, .latency = 0.001, .slowdown = 1},
        {.up = 1e9, .down = 1e9, .latency = 0.001, .slowdown = 10}, /* trains 10x slower */
    };
    algo_config ac = {.nodes = 2, .n_params = P, .degree = 1, .local_steps = 2, .chunk_fraction = 1, .seed = 7};
    /* The models to expect: x0 (everyone's start), and node 0 after its
     * first round of 2 steps. */
    learner l;
    learner_quadratic_spec qs = {.nodes = 2, .dim = P, .lr = 0.1, .seed = 7};
    CHECK(learner_quadratic_new(&qs, &l, &err) == 0, "quadratic learner");
    float x0[P], x1[P];
    l.ops->init_params(l.self, x0, rng_derive(7, SEED_INIT_MODEL, 0));
    memcpy(x1, x0, sizeof x0);
    learner_train_stats st = {0};
    l.ops->train(l.self, 0, 0, x1, 2, &st, &err);
    learner_free(&l);
    memset(r.expect, 0, sizeof r.expect);
    r.expect[MSG_PONG] = x0;
    r.expect[MSG_PING] = x1;
    CHECK(run(algo_find("adpsgd"), &ac, 2, s2, 0.3, 0.1, 1, NULL, 0, &r) == 0, "adpsgd runs");
    const seen_msg *ping = find(&r, 0, 1, SIM_MSG_DELIVERED, 0), *pong = find(&r, 1, 0, SIM_MSG_DELIVERED, 0);
    CHECK(ping && ping->kind == MSG_PING && NEAR(ping->queued, 0.2), "node 0 pings after its round: %.15g",
          ping ? ping->queued : NAN);
    CHECK(ping && ping->matches == 1, "the ping carries node 0's trained model");
    /* Node 1 trains until 2 s: the ping arrives mid-round, after the
     * simulator has already computed node 1's round (lazily, with node 0's). */
    CHECK(pong && pong->kind == MSG_PONG && pong->queued < 2, "node 1 pongs mid-round at %.15g",
          pong ? pong->queued : NAN);
    CHECK(pong && pong->matches == 1, "the pong carries the model node 1's round started from");
}

/* ---- the quadratic learner ------------------------------------------------ */

static void test_quadratic(void) {
    ds_err err;
    learner l;
    learner_quadratic_spec qs = {.nodes = 5, .dim = 40, .lr = 0.5, .seed = 3};
    CHECK(learner_quadratic_new(&qs, &l, &err) == 0 && l.n_params == 40 && l.lower_is_better, "quadratic learner, create");
    float x[5][40];
    for (int k = 0; k < 5; k++) l.ops->init_params(l.self, x[k], 11);
    learner_eval e0, e1;
    l.ops->evaluate(l.self, 0, 0, x[0], &e0, &err);
    /* Decentralised gradient descent with exact averaging reaches x*. */
    for (int round = 0; round < 200; round++) {
        learner_train_stats st = {0};
        for (int k = 0; k < 5; k++) l.ops->train(l.self, 0, k, x[k], 1, &st, &err);
        for (int i = 0; i < 40; i++) {
            float m = 0;
            for (int k = 0; k < 5; k++) m += x[k][i] / 5;
            for (int k = 0; k < 5; k++) x[k][i] = m;
        }
    }
    l.ops->evaluate(l.self, 0, 0, x[0], &e1, &err);
    CHECK(e0.metric > 0.5 && e1.metric < 1e-5 && e1.loss < 1e-9, "quadratic learner, averaging converges to x*: %g -> %g (loss %g)",
          e0.metric, e1.metric, e1.loss);
    /* A node alone goes to its own optimum, away from x*. */
    learner_train_stats st = {0};
    float y[40];
    memcpy(y, x[0], sizeof y);
    l.ops->train(l.self, 0, 2, y, 100, &st, &err);
    learner_eval e2;
    l.ops->evaluate(l.self, 0, 2, y, &e2, &err);
    CHECK(e2.metric > 0.1 && st.steps == 100, "quadratic learner, a node alone drifts to its own optimum: %g", e2.metric);
    CHECK(l.ops->train(l.self, 0, 5, y, 1, &st, &err) != 0 && strstr(err.msg, "node 5"), "quadratic learner, node out of range: %s",
          err.msg);
    learner_free(&l);
    qs.lr = 0;
    CHECK(learner_quadratic_new(&qs, &l, &err) != 0 && strstr(err.msg, "lr = 0"), "quadratic learner, lr 0 refused: %s", err.msg);
}

int main(void) {
    test_delivery();
    test_streams();
    test_cancel();
    test_trace();
    test_eval_times();
    test_adpsgd_pong();
    test_quadratic();
    return check_done("test_sim_events");
}
