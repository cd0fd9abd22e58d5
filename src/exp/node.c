/* node.c: the real runtime of one node: training loop, algorithm runtime
 * callbacks over the transport, periodic evaluation and result files. */
#define _POSIX_C_SOURCE 200809L
#include "exp/node.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"
#include "core/learner.h"
#include "exp/run.h"
#include "exp/setup.h"
#include "net/auth.h"
#include "core/node_csv.h"
#include "net/transport.h"
#include "util/clock.h"
#include "util/fileio.h"
#include "util/rng.h"
#include "util/strbuf.h"

/* After its duration a node receives until no message came for
 * NODE_LINGER_QUIET_S (peers that started later are still finishing), at
 * most NODE_LINGER_MAX_S. */
#define NODE_LINGER_QUIET_S 1.5
#define NODE_LINGER_MAX_S 15.0

typedef struct node_rt {
    int id;
    learner learn;
    const algo_ops *algo;
    void *shared, *state;
    transport *tr;
    float *params, *next;
    double lr;                /* [train] lr, named when training diverges */
    double slowdown;
    /* clock: training time = wall - t0 - time spent evaluating */
    double t0, eval_time;
    int steps_left, training;
    double busy;              /* training-clock seconds spent in SGD */
    uint64_t steps;           /* SGD steps taken */
    int offline;              /* down per [churn] file: no training, no sending, arrivals dropped */
    uint64_t msgs_offline;    /* dropped by churn: queued when it left, or arrived while down */
    learner_train_stats train; /* since the last evaluation */
    /* results */
    strbuf rows;              /* node-K.csv text */
    int evals;
    double last_metric, last_loss;
    int failed;               /* the algorithm called rt_fail */
    char failed_why[128];
    ds_err *err;
} node_rt;

static double train_clock(const node_rt *n) { return clock_now() - n->t0 - n->eval_time; }

/* ---- algorithm runtime callbacks ---------------------------------------- */

static double rt_now(void *ctx) { return train_clock(ctx); }

static void rt_train(void *ctx, int node, int steps) {
    node_rt *n = ctx;
    (void)node;
    n->steps_left = steps;
    n->training = 1;
    memcpy(n->next, n->params, sizeof(float) * n->learn.n_params);
}

static void rt_fail(void *ctx, const char *why) {
    node_rt *n = ctx;
    if (!n->failed) snprintf(n->failed_why, sizeof n->failed_why, "%s", why);
    n->failed = 1;
}

static void rt_send(void *ctx, algo_msg *m) {
    node_rt *n = ctx;
    size_t len;
    unsigned char *buf = wire_encode(m, n->learn.n_params, &len);
    if (buf) transport_send(n->tr, buf, len, m->dst);
    else rt_fail(n, "out of memory encoding a message");
    algo_msg_free(m);
}

static int rt_cancel_unsent(void *ctx, int node) {
    (void)node;
    return transport_cancel_unsent(((node_rt *)ctx)->tr);
}

static float *rt_params(void *ctx, int node) {
    (void)node;
    return ((node_rt *)ctx)->params;
}

/* ---- training ------------------------------------------------------------ */

/* One SGD step on `next`; a compute straggler then idles (slowdown - 1)
 * times the step's duration. */
static int train_step(node_rt *n) {
    double t0 = clock_now();
    if (n->learn.ops->train(n->learn.self, 0, n->id, n->next, 1, &n->train, n->err)) return -1;
    if (n->slowdown > 1) clock_sleep((n->slowdown - 1) * (clock_now() - t0));
    n->busy += clock_now() - t0;
    n->steps++;
    return 0;
}

/* ---- results ------------------------------------------------------------- */

static int write_rows(node_rt *n, const char *dir) {
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/node-%d.csv", dir, n->id);
    return atomic_write_string(path, strbuf_str(&n->rows), n->err);
}

/* Evaluates (if `evaluated`) and appends one row; the clock is paused. */
static int evaluate_row(node_rt *n, int evaluated, double t_nominal, const char *dir, FILE *log) {
    double w0 = clock_now();
    transport_pause(n->tr, 1);
    int regress = n->learn.lower_is_better;
    node_csv_row row = {.eval = n->evals, .time = t_nominal, .node = n->id, .metric = NAN, .test_loss = NAN,
                        .train_loss = NAN};
    if (evaluated) {
        learner_eval ev;
        if (n->learn.ops->evaluate(n->learn.self, 0, n->id, n->params, &ev, n->err)) {
            transport_pause(n->tr, 0);
            return -1;
        }
        n->last_metric = ev.metric;
        n->last_loss = ev.loss;
        row.metric = (regress ? 1 : 100) * n->last_metric;
        row.test_loss = n->last_loss;
    }
    if (n->train.steps) row.train_loss = n->train.step_loss_sum / (double)n->train.steps;
    n->train = (learner_train_stats){0};
    transport_stats ts;
    transport_get_stats(n->tr, &ts);
    const algo_counters *ac = n->algo->counters(n->state);
    double now = train_clock(n);
    row.round = ac->rounds;
    row.bytes_sent = ts.bytes_sent;
    row.bytes_received = ts.bytes_received;
    row.msgs_sent = ts.msgs_sent;
    row.msgs_dropped = ts.msgs_dropped_stale;
    row.msgs_received = ts.msgs_received;
    row.applied = ac->applied;
    row.staleness = ac->applied ? ac->staleness_sum / (double)ac->applied : 0.0;
    row.idle = now - n->busy;
    row.unreachable = ts.msgs_unreachable;
    row.invalid = ts.msgs_invalid;
    row.foreign = ts.msgs_foreign;
    row.clock = now;
    if ((n->evals == 0 && node_csv_header(&n->rows, regress)) || node_csv_append(&n->rows, &row)) {
        transport_pause(n->tr, 0);
        return ds_fail(n->err, "node %d: out of memory for its results", n->id);
    }
    n->evals++;
    if (log) {
        fprintf(log, "node %d: t=%6.1fs round %4llu", n->id, t_nominal, (unsigned long long)ac->rounds);
        if (evaluated)
            fprintf(log, "  %s %.2f%s", regress ? "rmse" : "acc", (regress ? 1 : 100) * n->last_metric,
                    regress ? "" : "%");
        fprintf(log, "  %.1f MB sent, %.1f MB received\n", (double)ts.bytes_sent / 1e6,
                (double)ts.bytes_received / 1e6);
        fflush(log);
    }
    int rc = write_rows(n, dir);
    n->eval_time += clock_now() - w0;
    transport_pause(n->tr, 0);
    return rc;
}

/* node-K.json: the node's totals, written at its end; failure: NULL, or
 * why the node stopped early (then it is not complete). */
static int write_node_json(node_rt *n, const char *dir, int interrupted, double wall, const char *failure) {
    transport_stats ts = {0};
    if (n->tr) transport_get_stats(n->tr, &ts);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "node", n->id);
    cJSON_AddStringToObject(j, "algorithm", n->algo->name);
    cJSON_AddBoolToObject(j, "complete", !interrupted && !failure);
    cJSON_AddBoolToObject(j, "interrupted", interrupted);
    if (failure) cJSON_AddStringToObject(j, "failed", failure);
    cJSON_AddNumberToObject(j, "clock_s", n->t0 > 0 ? train_clock(n) : 0);
    cJSON_AddNumberToObject(j, "wall_time_s", wall);
    cJSON_AddNumberToObject(j, "evaluation_s", n->eval_time);
    cJSON_AddNumberToObject(j, "rounds", n->state ? (double)n->algo->counters(n->state)->rounds : 0);
    cJSON_AddNumberToObject(j, "steps", (double)n->steps);
    cJSON_AddNumberToObject(j, "messages_dropped_offline", (double)n->msgs_offline);
    cJSON_AddNumberToObject(j, "sgd_s", n->busy);
    cJSON_AddNumberToObject(j, "bytes_sent", (double)ts.bytes_sent);
    cJSON_AddNumberToObject(j, "bytes_received", (double)ts.bytes_received);
    cJSON_AddNumberToObject(j, "messages_sent", (double)ts.msgs_sent);
    cJSON_AddNumberToObject(j, "messages_dropped_stale", (double)ts.msgs_dropped_stale);
    cJSON_AddNumberToObject(j, "messages_unreachable", (double)ts.msgs_unreachable);
    cJSON_AddNumberToObject(j, "messages_received", (double)ts.msgs_received);
    cJSON_AddNumberToObject(j, "messages_invalid", (double)ts.msgs_invalid);
    cJSON_AddNumberToObject(j, "messages_foreign", (double)ts.msgs_foreign);
    cJSON_AddNumberToObject(j, "messages_forged", (double)ts.msgs_forged);
    cJSON_AddNumberToObject(j, "messages_dropped_backlog", (double)ts.msgs_dropped_backlog);
    cJSON_AddNumberToObject(j, "messages_unsent_at_end", (double)ts.msgs_unsent_at_end);
    cJSON_AddStringToObject(j, "last_invalid_reason", ts.last_invalid);
    char *txt = cJSON_Print(j);
    cJSON_Delete(j);
    if (!txt) return ds_fail(n->err, "out of memory");
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/node-%d.json", dir, n->id);
    int rc = atomic_write_string(path, txt, n->err);
    free(txt);
    return rc;
}

/* The node's secret key file: o->key_path, else node-<id>.key beside the
 * hosts file (where launch and keygen write it). */
static void node_key_path(const node_options *o, int id, char *buf, size_t cap) {
    if (o->key_path) {
        snprintf(buf, cap, "%s", o->key_path);
        return;
    }
    char dir[4096];
    path_dir(dir, sizeof dir, o->hosts_path);
    snprintf(buf, cap, "%s/node-%d.key", dir, id);
}

/* Is node id in the simulator's seeded sample of evaluated nodes? */
static int in_eval_sample(const config *c, int N, int id) {
    int *ids = malloc(sizeof(int) * (size_t)N);
    int n = ids ? sim_eval_sample((uint64_t)c->v.experiment.seed, N,
                                  (int)c->v.eval.nodes, ids) : -1;
    int in = n < 0; /* out of memory: evaluate */
    for (int i = 0; i < n; i++) in |= ids[i] == id;
    free(ids);
    return in;
}

int node_id_from_env(int explicit_id, ds_err *err) {
    if (explicit_id >= 0) return explicit_id;
    static const char *vars[] = {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v) continue;
        char *end;
        long id = strtol(v, &end, 10);
        if (*end || id < 0 || id > 1000000)
            return ds_fail(err, "%s = '%s' is not a node id", vars[i], v);
        return (int)id;
    }
    return ds_fail(err, "no node id: give --id K, or start under mpirun (OMPI_COMM_WORLD_RANK) or srun "
                        "(SLURM_PROCID)");
}

int node_run(const config *c, const node_options *o, int *bad_input, ds_err *err) {
    *bad_input = 1;
    const int N = (int)c->v.partition.nodes;
    const int id = o->id;
    if (id < 0 || id >= N) return ds_fail(err, "node id %d outside [0, %d]", id, N - 1);
    const char *name = c->v.algorithm.name;
    const algo_ops *algo = algo_lookup(name, err);
    if (!algo) return ds_fail_prefix(err, "[algorithm]");
    if (run_check_for(c, 1, err)) return -1;
    exp_inputs in = {0};
    if (!o->make_learner && exp_inputs_load(c, &in, err)) return -1;
    node_spec *spec = malloc(sizeof *spec * (size_t)N);
    hosts h = {0};
    node_rt n = {0};
    topology topo = {0};
    churn_point *churn = NULL;
    int n_churn = 0, next_churn = 0;
    int dir_ok = 0, rc = -1;
    size_t P = 0;
    n.id = id;
    n.algo = algo;
    n.err = err;
    if (!spec) {
        ds_fail(err, "out of memory");
        goto done;
    }
    if (make_dirs(o->out_dir, err)) goto done;
    dir_ok = 1;
    if (exp_node_specs(c, N, spec, err) || hosts_load(&h, o->hosts_path, N, err)) goto done;
    *bad_input = 0;
    uint64_t seed = (uint64_t)c->v.experiment.seed;
    /* The same initial model and batch order as the simulator's node id. */
    if (o->make_learner ? o->make_learner(o->learner_ctx, c, name, 1, &n.learn, err)
                        : exp_learner_new(c, &in, &id, 1, 1, 1, &n.learn, err)) {
        *bad_input = 1;
        goto done;
    }
    P = n.learn.n_params;
    if (exp_topology(c, &topo, err) ||
        (*c->v.churn.file && run_read_churn(c->v.churn.file, N, &churn, &n_churn, err))) {
        *bad_input = 1;
        goto done;
    }
    algo_config ac = run_algo_config(c, P, &topo);
    if (algo_config_check(name, &ac, err)) {
        *bad_input = 1;
        goto done;
    }
    n.params = malloc(sizeof(float) * P);
    n.next = malloc(sizeof(float) * P);
    if (!n.params || !n.next) {
        ds_fail(err, "out of memory");
        goto done;
    }
    n.lr = c->v.train.lr;
    n.learn.ops->init_params(n.learn.self, n.params, rng_derive(seed, SEED_INIT_MODEL, 0));
    int evaluated = in_eval_sample(c, N, id);
    n.slowdown = spec[id].slowdown;
    if (algo->shared_new(&n.shared, &ac, err)) goto done;
    if (algo->node_new(&n.state, &ac, n.shared, id, err)) goto done;
    /* Bandwidth shaped by the kernel: the receiver's downlink model must
     * not delay anything (rates unlimited); latency too with `none`. */
    for (int i = 0; i < N && o->shaping != NODE_SHAPING_ALL; i++) {
        spec[i].up = spec[i].down = INFINITY;
        if (o->shaping == NODE_SHAPING_NONE) spec[i].latency = 0;
    }
    char pub[AUTH_KEY_CHARS + 1], sec[AUTH_KEY_CHARS + 1];
    int curve = !strcmp(c->v.network.auth, "curve");
    if (curve) {
        char key_path[4096 + 32];
        node_key_path(o, id, key_path, sizeof key_path);
        if (auth_read_secret(key_path, sec, pub, err)) {
            *bad_input = 1;
            goto done;
        }
        if (strcmp(pub, h.e[id].key)) {
            *bad_input = 1;
            ds_fail(err, "%s: this secret key is not node %d's: its public key is not the one in %s "
                         "([network] auth = none to run without keys)", key_path, id, o->hosts_path);
            goto done;
        }
    }
    transport_config tc = {.self = id,
                           .nodes = N,
                           .hosts = &h,
                           .spec = spec,
                           .expect = {N, id, P, algo, n.shared},
                           .kernel_bandwidth = o->shaping != NODE_SHAPING_ALL,
                           .public_key = curve ? pub : NULL,
                           .secret_key = curve ? sec : NULL};
    if (!(n.tr = transport_start(&tc, err))) goto done;

    if (o->go) {
        char ready[4096 + 32];
        snprintf(ready, sizeof ready, "%s/node-%d.ready", o->out_dir, id);
        if (atomic_write_string(ready, "", err)) goto done;
        while (!*o->go && !(o->stop && *o->stop)) clock_sleep(0.005);
        remove(ready);
    }
    algo_runtime rt = {.ctx = &n,
                       .now = rt_now,
                       .train = rt_train,
                       .send = rt_send,
                       .cancel_unsent = rt_cancel_unsent,
                       .params = rt_params,
                       .fail = rt_fail};
    const double duration = c->v.experiment.duration;
    const double interval = c->v.eval.interval;
    double wall0 = clock_now();
    n.t0 = wall0;
    double next_eval = 0;
    int interrupted = 0;
    algo->on_start(n.state, &rt);
    rc = 0;
    while (rc == 0) {
        if (o->stop && *o->stop) {
            interrupted = 1;
            break;
        }
        double now = train_clock(&n);
        if (now >= next_eval || now >= duration) {
            double t_nominal = next_eval < duration ? next_eval : duration;
            rc = evaluate_row(&n, evaluated, t_nominal, o->out_dir, o->log);
            if (now >= duration) break;
            while (next_eval <= now) next_eval += interval;
            continue;
        }
        /* [churn] file: this node leaves and joins on its training clock. */
        for (; next_churn < n_churn && churn[next_churn].time <= now; next_churn++) {
            if (churn[next_churn].node != id) continue;
            if (!churn[next_churn].online && !n.offline) {
                n.offline = 1;
                n.msgs_offline += (uint64_t)transport_cancel_unsent(n.tr);
            } else if (churn[next_churn].online) {
                n.offline = 0;
            }
        }
        algo_msg *m;
        while ((m = transport_next(n.tr))) {
            if (n.offline) n.msgs_offline++;
            else algo->on_message(n.state, &rt, m);
            algo_msg_free(m);
        }
        if (n.offline) { /* down: neither train nor send until the next line of the trace */
            transport_wait(n.tr, clock_now() + 0.02);
            continue;
        }
        if (n.training && n.steps_left > 0) {
            if (train_step(&n)) {
                rc = -1;
                break;
            }
            if (--n.steps_left == 0) {
                float *t = n.params;
                n.params = n.next;
                n.next = t;
                n.training = 0;
                algo->on_train_done(n.state, &rt);
            }
        } else {
            /* Waiting for peers (synchronous algorithms): sleep until a
             * message is due, the next evaluation, or 20 ms. */
            double until = clock_now() + 0.02;
            transport_wait(n.tr, until);
        }
        if (n.failed) rc = ds_fail(err, "node %d: %s", id, n.failed_why);
        if (!isfinite(n.train.step_loss_sum)) {
            rc = ds_fail(err, "node %d: training diverged (loss is not finite; lower [train] lr, now %g)", id,
                         (double)(float)n.lr);
        }
    }
    /* Stop sending, then keep receiving until the network is quiet, so
     * that what peers sent before they finished is counted (received =
     * sent, unless a peer died or sent to this node after it left). */
    transport_stop_sending(n.tr);
    double quiet_since = clock_now(), linger0 = clock_now();
    uint64_t seen = 0;
    /* Kernel-shaped links hold more in their queues: listen longer. */
    double quiet_s = NODE_LINGER_QUIET_S * (o->shaping == NODE_SHAPING_ALL ? 1 : 2);
    while (!interrupted && clock_now() - quiet_since < quiet_s &&
           clock_now() - linger0 < NODE_LINGER_MAX_S && !(o->stop && *o->stop)) {
        algo_msg *m;
        while ((m = transport_next(n.tr))) algo_msg_free(m);
        transport_stats ts;
        transport_get_stats(n.tr, &ts);
        if (ts.msgs_received + ts.msgs_invalid != seen) {
            seen = ts.msgs_received + ts.msgs_invalid;
            quiet_since = clock_now();
        }
        transport_wait(n.tr, clock_now() + 0.05);
    }
    if (rc == 0) rc = write_node_json(&n, o->out_dir, interrupted, clock_now() - wall0, NULL);
done:
    if (rc != 0 && dir_ok) { /* a node that fails still says why, in node-K.json */
        ds_err ignore;
        node_rt failed = n;
        failed.err = &ignore;
        write_node_json(&failed, o->out_dir, 0, n.t0 > 0 ? clock_now() - n.t0 : 0, err->msg);
    }
    transport_stop(n.tr);
    if (n.state) algo->node_free(n.state);
    if (n.shared) algo->shared_free(n.shared);
    topology_free(&topo);
    free(churn);
    learner_free(&n.learn);
    free(n.params);
    free(n.next);
    strbuf_free(&n.rows);
    hosts_free(&h);
    free(spec);
    exp_inputs_free(&in);
    return rc;
}
