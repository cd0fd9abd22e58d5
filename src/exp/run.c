/* run.c: experiment setup for the simulator, result files, comparison. */
#include "exp/run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"
#include "core/learner.h"
#include "exp/results.h"
#include "exp/setup.h"
#include "nn/models.h"
#include "sim/sim.h"
#include "util/clock.h"
#include "util/fileio.h"

#define TRACE_MAX_FILE ((size_t)256 << 20) /* bytes of a bandwidth trace */

/* A run in progress: its result files and, optionally, its message trace. */
typedef struct run_ctx {
    results *res;
    atomic_file trace; /* messages.csv when tracing */
    int tracing;
    const run_options *o;
    const char *algorithm;
    ds_err *err;
} run_ctx;

static int on_eval(void *ctx, const run_report *r) {
    run_ctx *x = ctx;
    if (results_add(x->res, r)) return -1;
    return x->o->on_eval ? x->o->on_eval(x->o->eval_ctx, x->algorithm, r, x->err) : 0;
}

static const char *msg_kind_name(algo_msg_kind k) {
    switch (k) {
    case MSG_FRAGMENT: return "fragment";
    case MSG_MODEL: return "model";
    case MSG_PING: return "ping";
    case MSG_PONG: return "pong";
    case MSG_NOTICE: return "notice";
    }
    return "?";
}

static const char *outcome_name(sim_msg_outcome o) {
    switch (o) {
    case SIM_MSG_DELIVERED: return "delivered";
    case SIM_MSG_DROPPED_STALE: return "dropped_stale";
    case SIM_MSG_QUEUED: return "queued";
    case SIM_MSG_IN_FLIGHT: return "in_flight";
    case SIM_MSG_PROPAGATING: return "propagating";
    case SIM_MSG_DROPPED_OFFLINE: return "dropped_offline";
    }
    return "?";
}

/* A time at full precision (%.17g round-trips a double), or empty. */
static void put_time(FILE *f, double t) {
    if (t >= 0) fprintf(f, "%.17g", t);
}

static void on_message_trace(void *ctx, const algo_msg *m, sim_msg_outcome outcome, double when) {
    FILE *f = ((run_ctx *)ctx)->trace.f;
    fprintf(f, "%llu,", (unsigned long long)m->id);
    put_time(f, m->queued_at);
    fputc(',', f);
    put_time(f, m->started_at);
    fputc(',', f);
    put_time(f, m->sent_at);
    fputc(',', f);
    put_time(f, when);
    fprintf(f, ",%s,%d,%d,%s,%u,%u,%llu\n", outcome_name(outcome), m->src, m->dst, msg_kind_name(m->kind),
            m->fragment, m->round, (unsigned long long)algo_msg_bytes(m));
}

/* Trace points in time order; equal times keep their file order. */
static int cmp_trace_point(const void *a, const void *b) {
    const trace_point *x = a, *y = b;
    if (x->time != y->time) return (x->time > y->time) - (x->time < y->time);
    return (x->line > y->line) - (x->line < y->line);
}

int run_read_trace(const char *path, int N, trace_point **out, int *n_out, ds_err *err) {
    *out = NULL;
    *n_out = 0;
    text_file tf;
    if (text_open(&tf, path, TRACE_MAX_FILE, err)) return ds_fail_prefix(err, "[network] trace");
    int n = 0, cap = 0;
    trace_point *t = NULL;
    for (char *line; (line = text_next(&tf));) {
        char *f[4];
        int nf = text_fields(line, f, 4);
        if (nf == 0) continue;
        trace_point tp = {.line = tf.line};
        long long node;
        if (nf != 4 || text_double(f[0], &tp.time) || text_int(f[1], &node) || text_double(f[2], &tp.up) ||
            text_double(f[3], &tp.down) || tp.time < 0 || node < 0 || node >= N || !(tp.up > 0) ||
            !(tp.down > 0)) {
            free(t);
            text_close(&tf);
            return ds_fail(err, "%s:%d: expected 'time node up down' with time >= 0, node in [0, %d], "
                                "up and down > 0 (bit/s)", path, tf.line, N - 1);
        }
        tp.node = (int)node;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            trace_point *nt = realloc(t, sizeof *t * (size_t)cap);
            if (!nt) {
                free(t);
                text_close(&tf);
                return ds_fail(err, "out of memory");
            }
            t = nt;
        }
        t[n++] = tp;
    }
    text_close(&tf);
    if (n > 1) qsort(t, (size_t)n, sizeof *t, cmp_trace_point);
    *out = t;
    *n_out = n;
    return 0;
}

static int cmp_churn_point(const void *a, const void *b) {
    const churn_point *x = a, *y = b;
    if (x->time != y->time) return (x->time > y->time) - (x->time < y->time);
    return (x->line > y->line) - (x->line < y->line);
}

int run_read_churn(const char *path, int N, churn_point **out, int *n_out, ds_err *err) {
    *out = NULL;
    *n_out = 0;
    text_file tf;
    if (text_open(&tf, path, TRACE_MAX_FILE, err)) return ds_fail_prefix(err, "[churn] file");
    int n = 0, cap = 0, rc = 0;
    churn_point *t = NULL;
    char *state = NULL;
    for (char *line; rc == 0 && (line = text_next(&tf));) {
        char *f[4];
        int nf = text_fields(line, f, 4);
        if (nf == 0) continue;
        churn_point cp = {.line = tf.line};
        long long node;
        if (nf != 3 || text_double(f[0], &cp.time) || text_int(f[1], &node) || cp.time < 0 || node < 0 ||
            node >= N || (strcmp(f[2], "down") && strcmp(f[2], "up"))) {
            rc = ds_fail(err, "%s:%d: expected 'time node down|up' with time >= 0 (s) and node in [0, %d]", path,
                         tf.line, N - 1);
            break;
        }
        cp.node = (int)node;
        cp.online = !strcmp(f[2], "up");
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            churn_point *nt = realloc(t, sizeof *t * (size_t)cap);
            if (!nt) {
                rc = ds_fail(err, "out of memory");
                break;
            }
            t = nt;
        }
        t[n++] = cp;
    }
    text_close(&tf);
    if (rc == 0 && n > 1) qsort(t, (size_t)n, sizeof *t, cmp_churn_point);
    /* Every node starts up; each line must change its state. */
    if (rc == 0 && n > 0 && !(state = calloc((size_t)N, 1))) rc = ds_fail(err, "out of memory");
    for (int i = 0; rc == 0 && i < n; i++) {
        if (state[t[i].node] == !t[i].online)
            rc = ds_fail(err, "%s:%d: node %d is already %s at %g s (every node starts up; lines must alternate)",
                         path, t[i].line, t[i].node, t[i].online ? "up" : "down", t[i].time);
        state[t[i].node] = (char)!t[i].online;
    }
    free(state);
    if (rc) {
        free(t);
        return -1;
    }
    *out = t;
    *n_out = n;
    return 0;
}

/* [train] step_time in seconds into *out; 1 for "calibrate", -1 on error. */
static int parse_step_time(const config *c, double *out, ds_err *err) {
    const char *v = c->v.train.step_time;
    if (!strcmp(v, "calibrate")) return 1;
    char *end;
    double t = strtod(v, &end);
    if (end == v || *end || !(t > 0 && t <= 1e6))
        return ds_fail(err, "%s: [train] step_time = '%s': expected seconds in (0, 1e6] or 'calibrate'",
                       config_origin_of(c, CK_train_step_time), v);
    *out = t;
    return 0;
}

/* [train] step_time: seconds, or "calibrate": the median of 5 timings of
 * 10 SGD steps of this model at this batch size on one thread. */
static int step_time_of(const config *c, const exp_inputs *in, const run_options *o, const char *algorithm,
                        double *out, ds_err *err) {
    int fixed = parse_step_time(c, out, err);
    if (fixed <= 0) return fixed;
    learner l;
    /* A learner of its own (a caller's, or the synthetic one): a copy made
     * for the purpose, so that the run's starts afresh. */
    if (o->make_learner || in->synthetic) {
        if (o->make_learner ? o->make_learner(o->learner_ctx, c, algorithm, 1, &l, err)
                            : exp_learner_new(c, in, NULL, 0, 1, 1, &l, err))
            return -1;
        int rc = learner_step_time(&l, out, err);
        learner_free(&l);
        return rc;
    }
    /* Plain SGD on the whole training set: the cost of a step, whoever takes it. */
    sgd_config sgd = {(float)c->v.train.lr, 0, 0};
    learner_nn_spec spec = {
        .arch = &in->a,
        .train = &in->d.train,
        .test = &in->d.test,
        .batch_size = (int)c->v.train.batch_size,
        .sgd = &sgd,
        .batch_seed = 1,
        .workers = 1,
        .threads = 1,
        .eval_samples = 1,
    };
    if (learner_nn_new(&spec, &l, err)) return -1;
    int rc = learner_step_time(&l, out, err);
    learner_free(&l);
    return rc;
}

algo_config run_algo_config(const config *c, size_t n_params, const topology *topo) {
    return (algo_config){
        .nodes = (int)c->v.partition.nodes,
        .n_params = n_params,
        .degree = (int)c->v.algorithm.degree,
        .local_steps = (int)c->v.algorithm.local_steps,
        .chunk_fraction = c->v.algorithm.chunk_fraction,
        .flush_stale = c->v.algorithm.flush_stale,
        .redraw = c->v.algorithm.redraw,
        .seed = (uint64_t)c->v.experiment.seed,
        .graph_file = c->v.algorithm.graph,
        .topo = topo,
    };
}

int run_algorithm_list(const config *c, char *buf, size_t cap, char **algs, int max, ds_err *err) {
    const char *list = c->v.algorithm.algorithms;
    snprintf(buf, cap, "%s", *list ? list : c->v.algorithm.name);
    int count = 0;
    for (char *save, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        if (!algo_lookup(tok, err))
            return ds_fail_prefix(err, "%s: [algorithm]", config_origin_of(c, *list ? CK_algorithm_algorithms : CK_algorithm_name));
        if (count == max) return ds_fail(err, "[algorithm] algorithms: at most %d", max);
        algs[count++] = tok;
    }
    if (count == 0) return ds_fail(err, "[algorithm] algorithms: no algorithm given");
    return count;
}

int run_parse_seeds(const config *c, uint64_t *seeds, int *n, ds_err *err) {
    const char *text = c->v.experiment.seeds;
    const char *origin = config_origin_of(c, CK_experiment_seeds);
    *n = 0;
    char buf[CONFIG_MAX_VALUE];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *save, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        char *dash = strchr(tok + 1, '-');
        long long lo, hi;
        if (dash) *dash = 0;
        if (text_int(tok, &lo) || (dash && text_int(dash + 1, &hi)) || lo < 0)
            return ds_fail(err, "%s: [experiment] seeds = '%s': expected seeds or ranges like 1-5 or 1,2,7", origin, text);
        if (!dash) hi = lo;
        if (hi < lo) return ds_fail(err, "%s: [experiment] seeds = '%s': range %lld-%lld is empty", origin, text, lo, hi);
        for (long long s = lo; s <= hi; s++) {
            if (*n == RUN_MAX_SEEDS)
                return ds_fail(err, "%s: [experiment] seeds = '%s': more than %d seeds", origin, text, RUN_MAX_SEEDS);
            for (int k = 0; k < *n; k++)
                if (seeds[k] == (uint64_t)s)
                    return ds_fail(err, "%s: [experiment] seeds = '%s': seed %lld given twice", origin, text, s);
            seeds[(*n)++] = (uint64_t)s;
        }
    }
    return 0;
}

void run_base_dir(const config *c, const char *out_dir, char *buf, size_t cap) {
    if (out_dir) snprintf(buf, cap, "%s", out_dir);
    else snprintf(buf, cap, "%s/%s", c->v.experiment.output, c->v.experiment.name);
}

int run_clear_dirs(const char *base, char **algs, int count, ds_err *err) {
    char dir[4096 + 80];
    for (int i = 0; i < count; i++) {
        snprintf(dir, sizeof dir, "%s/%s", base, algs[i]);
        if (results_clear_dir(dir, err)) return -1;
    }
    snprintf(dir, sizeof dir, "%s/plots", base);
    return results_clear_dir(dir, err);
}

/* run_check_for, handing over the bandwidth trace it loaded (caller
 * frees); algo: a caller's algorithm to check instead of the configured
 * ones. Every rule that involves more than one key is here. */
static int check_experiment(const config *c, int real, const algo_ops *algo, trace_point **trace, int *n_trace,
                            ds_err *err) {
    *trace = NULL;
    *n_trace = 0;
    if (real && c->v.algorithm.redraw)
        return ds_fail(err, "%s: [algorithm] redraw = true is simulator-only (receivers could not know the "
                            "fragments)", config_origin_of(c, CK_algorithm_redraw));
    int quadratic = exp_is_synthetic(c);
    if (quadratic && !(c->v.train.lr > 0 && c->v.train.lr <= 1))
        return ds_fail(err, "%s: [train] lr = %g: the quadratic model's step must be in (0, 1]",
                       config_origin_of(c, CK_train_lr), c->v.train.lr);
    const nn_model_def *model = nn_model_find(c->v.model.name);
    int is_mf = model && model->ratings;
    int ratings = !strcmp(c->v.dataset.name, "movielens") || !strcmp(c->v.dataset.name, "synthetic-ratings");
    if (!quadratic && is_mf != ratings)
        return ds_fail(err, "[model] name = %s does not fit [dataset] name = %s (%s)", c->v.model.name,
                       c->v.dataset.name,
                       is_mf ? "mf needs ratings: movielens or synthetic-ratings" : "ratings datasets need model mf");
    if (!ratings && !strcmp(c->v.eval.scope, "own_users"))
        return ds_fail(err, "%s: [eval] scope = own_users needs a ratings dataset (movielens, synthetic-ratings)",
                       config_origin_of(c, CK_eval_scope));
    uint64_t seeds[RUN_MAX_SEEDS];
    int n_seeds;
    if (run_parse_seeds(c, seeds, &n_seeds, err)) return -1;
    char names[CONFIG_MAX_VALUE];
    char *algs[RUN_MAX_ALGORITHMS];
    int count = algo ? 0 : run_algorithm_list(c, names, sizeof names, algs, RUN_MAX_ALGORITHMS, err);
    if (count < 0) return -1;
    const int N = (int)c->v.partition.nodes;
    if (N < 2) return ds_fail(err, "[partition] nodes = %d: divshare run needs at least 2 nodes", N);
    topology topo;
    if (exp_topology(c, &topo, err)) return -1;
    algo_config ac = run_algo_config(c, 1, &topo);
    int bad = algo && algo_config_check_ops(algo, &ac, err) ? ds_fail_prefix(err, "%s", algo->name) : 0;
    for (int i = 0; i < count && !bad; i++) bad = algo_config_check(algs[i], &ac, err);
    topology_free(&topo);
    if (bad) return -1;
    double targets[RESULTS_MAX_TARGETS];
    int nt;
    if (results_parse_targets(c->v.eval.targets, targets, &nt, err)) return -1;
    double step_time;
    if (parse_step_time(c, &step_time, err) < 0) return -1;
    node_spec *spec = malloc(sizeof *spec * (size_t)N);
    if (!spec) return ds_fail(err, "out of memory");
    int rc = exp_node_specs(c, N, spec, err);
    free(spec);
    if (rc) return -1;
    if (*c->v.churn.file) {
        churn_point *churn;
        int n_churn;
        if (run_read_churn(c->v.churn.file, N, &churn, &n_churn, err)) return -1;
        free(churn);
    }
    const char *path = c->v.network.trace;
    if (!*path) return 0;
    return run_read_trace(path, N, trace, n_trace, err);
}

int run_check(const config *c, ds_err *err) { return run_check_for(c, 0, err); }

int run_check_for(const config *c, int real, ds_err *err) {
    trace_point *trace;
    int n_trace;
    if (check_experiment(c, real, NULL, &trace, &n_trace, err)) return -1;
    free(trace);
    return 0;
}

static int run_one(const config *c, const char *algorithm, const char *dir, const exp_inputs *in,
                   const node_spec *spec,
                   const trace_point *trace, int n_trace,
                   const run_options *o, int *interrupted, int *bad_input, ds_err *err) {
    const int N = (int)c->v.partition.nodes;
    sim_config sc = {0};
    sc.nodes = N;
    sc.duration = c->v.experiment.duration;
    if (step_time_of(c, in, o, algorithm, &sc.step_time, err)) {
        *bad_input = 1;
        return -1;
    }
    sc.lr = c->v.train.lr;
    sc.max_inflight = (int)c->v.network.max_inflight;
    sc.rtt_weighted = !strcmp(c->v.network.sharing, "rtt");
    sc.component_solver = !strcmp(c->v.network.solver, "component");
    sc.resolve_per_instant = !strcmp(c->v.network.resolve, "instant");
    sc.eval_interval = c->v.eval.interval;
    sc.eval_nodes = (int)c->v.eval.nodes;
    sc.threads = exp_threads(c);
    sc.seed = (uint64_t)c->v.experiment.seed;
    sc.node = spec;
    sc.trace = trace;
    sc.n_trace = n_trace;
    churn_point *churn = NULL;
    if (*c->v.churn.file && run_read_churn(c->v.churn.file, N, &churn, &sc.n_churn, err)) {
        *bad_input = 1;
        return -1;
    }
    sc.churn = churn;
    learner l;
    if (o->make_learner ? o->make_learner(o->learner_ctx, c, algorithm, sc.threads, &l, err)
                        : exp_learner_new(c, in, NULL, 0, sc.threads, 1, &l, err)) {
        free(churn);
        return -1;
    }
    if (l.max_workers > 0 && sc.threads > l.max_workers) sc.threads = l.max_workers;
    sc.algo = o->algo ? o->algo : algo_find(algorithm);
    topology topo;
    if (exp_topology(c, &topo, err)) {
        learner_free(&l);
        free(churn);
        return -1;
    }
    sc.algo_cfg = run_algo_config(c, l.n_params, &topo);
    sc.algo_cfg.ext = o->algo_ext;
    char note[256];
    snprintf(note, sizeof note, "resolved configuration of this run (divshare run, algorithm %s)", algorithm);
    run_ctx x = {.o = o, .algorithm = algorithm, .err = err};
    if (results_write_config(c, dir, note, err) ||
        !(x.res = results_open(c, dir, algorithm, "sim", l.lower_is_better, o->log, err))) {
        topology_free(&topo);
        learner_free(&l);
        free(churn);
        return -1;
    }
    double wall0 = clock_now();
    if (o->log) {
        fprintf(o->log, "%s: %d nodes, %s, %zu-parameter %s, %g simulated s, step time %.4g s%s -> %s\n",
                algorithm, N, o->make_learner ? "the learner's own data" : exp_dataset_name(c), l.n_params, l.model, sc.duration,
                sc.step_time, strcmp(c->v.train.step_time, "calibrate") ? "" : " (calibrated)", dir);
        int n_eval = sim_eval_count(N, sc.eval_nodes);
        if (n_eval < N)
            fprintf(o->log, "%s: evaluates a seeded sample of %d of the %d nodes ([eval] nodes)\n", algorithm, n_eval, N);
        if (!topology_is_complete(&topo)) {
            char what[512];
            topology_describe(&topo, what, sizeof what);
            fprintf(o->log, "%s: topology %s\n", algorithm, what);
        }
        fflush(o->log);
    }
    char path[4096 + 128];
    sim_hooks h = {&x, NULL, on_eval, o->progress, o->stop};
    if (c->v.eval.trace_messages) {
        snprintf(path, sizeof path, "%s/messages.csv", dir);
        if (atomic_open(&x.trace, path, err)) {
            results_free(x.res);
            topology_free(&topo);
            learner_free(&l);
            free(churn);
            return -1;
        }
        fprintf(x.trace.f, "id,queued_s,started_s,sent_s,outcome_s,outcome,src,dst,kind,fragment,round,bytes\n");
        x.tracing = 1;
        h.on_message = on_message_trace;
    }
    int rc = sim_run(&sc, &l, &h, interrupted, err);
    topology_free(&topo);
    learner_free(&l);
    free(churn);
    if (x.tracing) {
        if (rc == 0) rc = atomic_commit(&x.trace, err);
        else atomic_abort(&x.trace);
    }
    if (rc == 0) rc = results_finish(x.res, *interrupted);
    if (rc == 0 && o->log) {
        fprintf(o->log, "%s: done in %.1f s wall", algorithm, clock_now() - wall0);
        results_print_targets(x.res, o->log);
        fprintf(o->log, "\n");
    }
    results_free(x.res);
    return rc;
}

int run_experiment(const config *c, const run_options *o, int *interrupted, int *bad_input, ds_err *err) {
    *interrupted = 0;
    *bad_input = 0;
    /* Validate everything cheap before any long work. */
    trace_point *trace;
    int n_trace;
    if (check_experiment(c, 0, o->algo, &trace, &n_trace, err)) {
        *bad_input = 1;
        return -1;
    }
    char names[CONFIG_MAX_VALUE];
    char *algs[RUN_MAX_ALGORITHMS];
    int count = 1;
    if (o->algo) {
        snprintf(names, sizeof names, "%s", o->algo->name);
        algs[0] = names;
    } else {
        count = run_algorithm_list(c, names, sizeof names, algs, RUN_MAX_ALGORITHMS, err);
    }
    const int N = (int)c->v.partition.nodes;
    node_spec *spec = malloc(sizeof *spec * (size_t)N);
    if (!spec) {
        free(trace);
        return ds_fail(err, "out of memory");
    }
    if (exp_node_specs(c, N, spec, err)) {
        free(spec);
        free(trace);
        *bad_input = 1;
        return -1;
    }
    /* The output folders before the data: a refused folder costs nothing. */
    char base[4096];
    run_base_dir(c, o->out_dir, base, sizeof base);
    exp_inputs in = {0};
    int rc = -1;
    if (run_clear_dirs(base, algs, count, err) || (!o->make_learner && exp_inputs_load(c, &in, err))) {
        *bad_input = 1;
        goto done;
    }
    rc = 0;
    for (int i = 0; i < count && rc == 0 && !*interrupted; i++) {
        char dir[4096 + 64];
        snprintf(dir, sizeof dir, "%s/%s", base, algs[i]);
        rc = run_one(c, algs[i], dir, &in, spec, trace, n_trace, o, interrupted, bad_input, err);
    }
done:
    exp_inputs_free(&in);
    free(spec);
    free(trace);
    return rc;
}

int run_over_seeds(config *c, const char *out_dir, FILE *log, run_seed_fn one, void *ctx, uint64_t *seeds,
                   int *n_seeds, int *interrupted, int *bad_input, ds_err *err) {
    *interrupted = 0;
    *bad_input = 0;
    if (run_parse_seeds(c, seeds, n_seeds, err)) {
        *bad_input = 1;
        return -1;
    }
    if (*n_seeds == 0) return one(ctx, c, out_dir, interrupted, bad_input, err);
    char base[4096];
    run_base_dir(c, out_dir, base, sizeof base);
    for (int k = 0; k < *n_seeds && !*interrupted; k++) {
        char seed_out[4096 + 64], seed_text[32];
        snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)seeds[k]);
        snprintf(seed_out, sizeof seed_out, "%s/seed-%s", base, seed_text);
        if (config_put(c, "experiment", "seed", seed_text, "[experiment] seeds", err)) {
            *bad_input = 1;
            return -1;
        }
        if (log) {
            fprintf(log, "seed %s (%d of %d)\n", seed_text, k + 1, *n_seeds);
            fflush(log);
        }
        if (one(ctx, c, seed_out, interrupted, bad_input, err)) return -1;
    }
    return 0;
}
