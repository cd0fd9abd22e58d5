/* divshare.c: the public C API (include/divshare.h) over the experiment
 * layer. Everything here is a thin adapter: handles wrap internal types,
 * callers' learners and algorithms are wrapped in the internal ops
 * tables, and ds_err messages become ds_error codes. */
#define _GNU_SOURCE /* open_memstream */
#include "divshare.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo/algo.h"
#include "core/metrics_csv.h"
#include "exp/compare.h"
#include "exp/config.h"
#include "exp/node.h"
#include "exp/run.h"
#include "exp/setup.h"
#include "util/fileio.h"

#define DS_STR2(x) #x
#define DS_STR(x) DS_STR2(x)

const char *ds_version(void) {
    return DS_STR(DS_VERSION_MAJOR) "." DS_STR(DS_VERSION_MINOR) "." DS_STR(DS_VERSION_PATCH);
}

int ds_error_set(ds_error *e, int code, const char *fmt, ...) {
    if (!e) return code;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return code;
}

/* An internal error as a ds_error. */
static int from_err(ds_error *e, int code, const ds_err *err) { return ds_error_set(e, code, "%s", err->msg); }

static void clear(ds_error *e) {
    if (!e) return;
    e->code = DS_OK;
    e->message[0] = 0;
}

/* ---- configuration ---------------------------------------------------------- */

struct ds_config {
    config cfg;
};

ds_config *ds_config_new(ds_error *e) {
    clear(e);
    ds_err err;
    ds_config *c = calloc(1, sizeof *c);
    if (!c) {
        ds_error_set(e, DS_ENOMEM, "out of memory");
        return NULL;
    }
    if (config_init(&c->cfg, &err)) {
        from_err(e, DS_ENOMEM, &err);
        free(c);
        return NULL;
    }
    return c;
}

ds_config *ds_config_load(const char *path, ds_error *e) {
    ds_config *c = ds_config_new(e);
    ds_err err;
    if (!c) return NULL;
    if (!path || config_load(&c->cfg, path, &err)) {
        if (path) from_err(e, DS_EINVAL, &err);
        else ds_error_set(e, DS_EINVAL, "ds_config_load: no path");
        ds_config_free(c);
        return NULL;
    }
    return c;
}

void ds_config_free(ds_config *c) {
    if (!c) return;
    config_free(&c->cfg);
    free(c);
}

/* "section.name" into its two parts. */
static int split_key(const char *key, char *section, char *name, size_t n, ds_error *e) {
    const char *dot = key ? strchr(key, '.') : NULL;
    if (!dot || dot == key || !dot[1] || (size_t)(dot - key) >= n || strlen(dot + 1) >= n)
        return ds_error_set(e, DS_EINVAL, "key '%s': expected section.name, e.g. train.lr", key ? key : "(null)");
    snprintf(section, n, "%.*s", (int)(dot - key), key);
    snprintf(name, n, "%s", dot + 1);
    return DS_OK;
}

int ds_config_set(ds_config *c, const char *key, const char *value, ds_error *e) {
    clear(e);
    char section[128], name[128];
    ds_err err;
    if (split_key(key, section, name, sizeof section, e)) return e ? e->code : DS_EINVAL;
    if (!value) return ds_error_set(e, DS_EINVAL, "%s: no value", key);
    if (config_put(&c->cfg, section, name, value, "ds_config_set", &err)) return from_err(e, DS_EINVAL, &err);
    return DS_OK;
}

int ds_config_get(const ds_config *c, const char *key, char *buf, size_t n, ds_error *e) {
    clear(e);
    char section[128], name[128];
    if (split_key(key, section, name, sizeof section, e)) return e ? e->code : DS_EINVAL;
    const cfg_key *k = config_keys();
    for (int i = 0; i < config_key_count(); i++)
        if (!strcmp(k[i].section, section) && !strcmp(k[i].name, name)) {
            const char *v = config_text(&c->cfg, (config_key_id)i);
            if (strlen(v) >= n) return ds_error_set(e, DS_EINVAL, "%s: the value needs %zu bytes", key, strlen(v) + 1);
            snprintf(buf, n, "%s", v);
            return DS_OK;
        }
    return ds_error_set(e, DS_EINVAL, "unknown key '%s'", key);
}

int ds_config_validate(const ds_config *c, ds_error *e) {
    clear(e);
    ds_err err;
    return run_check(&c->cfg, &err) ? from_err(e, DS_EINVAL, &err) : DS_OK;
}

int ds_config_write(const ds_config *c, const char *path, ds_error *e) {
    clear(e);
    ds_err err;
    atomic_file af;
    if (atomic_open(&af, path, &err)) return from_err(e, DS_EINVAL, &err);
    config_write(&c->cfg, af.f);
    return atomic_commit(&af, &err) ? from_err(e, DS_ERUN, &err) : DS_OK;
}

/* ---- a caller's learner ------------------------------------------------------- */

typedef struct api_learner {
    const ds_learner *u;
} api_learner;

static void api_init(void *self, float *params, uint64_t seed) {
    const ds_learner *u = ((api_learner *)self)->u;
    if (u->init) u->init(u->ctx, params, seed);
    else memset(params, 0, sizeof(float) * u->n_params);
}

static int api_train(void *self, int worker, int node, float *params, int steps, learner_train_stats *st,
                     ds_err *err) {
    const ds_learner *u = ((api_learner *)self)->u;
    ds_error e = {0};
    double loss = 0;
    if (u->train(u->ctx, worker, node, params, steps, &loss, &e))
        return ds_fail(err, "learner %s, node %d: %s", u->name ? u->name : "", node,
                       e.message[0] ? e.message : "train failed");
    st->step_loss_sum += loss;
    st->steps += steps;
    return 0;
}

static int api_evaluate(void *self, int worker, int node, const float *params, learner_eval *out, ds_err *err) {
    const ds_learner *u = ((api_learner *)self)->u;
    ds_error e = {0};
    if (u->evaluate(u->ctx, worker, node, params, &out->metric, &out->loss, &e))
        return ds_fail(err, "learner %s, node %d: %s", u->name ? u->name : "", node,
                       e.message[0] ? e.message : "evaluate failed");
    return 0;
}

static void api_destroy(void *self) {
    api_learner *L = self;
    if (L && L->u->end) L->u->end(L->u->ctx);
    free(L);
}

static const learner_ops API_LEARNER = {
    .name = "api",
    .init_params = api_init,
    .train = api_train,
    .evaluate = api_evaluate,
    .destroy = api_destroy,
};

static int make_learner(void *ctx, const config *c, const char *algorithm, int workers, learner *out, ds_err *err) {
    const ds_learner *u = ctx;
    (void)workers;
    if (!u->train || !u->evaluate || u->n_params == 0)
        return ds_fail(err, "learner %s: train, evaluate and n_params are required", u->name ? u->name : "");
    api_learner *L = malloc(sizeof *L);
    if (!L) return ds_fail(err, "out of memory");
    L->u = u;
    if (u->begin) {
        ds_error e = {0};
        if (u->begin(u->ctx, algorithm, (int)c->v.partition.nodes, &e)) {
            free(L);
            return ds_fail(err, "learner %s: %s", u->name ? u->name : "", e.message[0] ? e.message : "begin failed");
        }
    }
    *out = (learner){
        .ops = &API_LEARNER,
        .self = L,
        .n_params = u->n_params,
        .lower_is_better = u->lower_is_better,
        .max_workers = u->max_workers > 0 ? u->max_workers : 1,
        .model = u->name ? u->name : "learner",
    };
    return 0;
}

/* ---- a caller's algorithm ------------------------------------------------------ */

/* What the caller's callbacks see: the internal runtime and the model size. */
struct ds_rt {
    const algo_runtime *rt;
    size_t n_params;
};

typedef struct api_node {
    const ds_algorithm *u;
    void *state;
    algo_counters cnt;
    size_t n_params;
} api_node;

static const algo_msg *MSG(const ds_msg *m) { return (const algo_msg *)m; }

double ds_rt_now(const ds_rt *rt) { return rt->rt->now(rt->rt->ctx); }
void ds_rt_train(const ds_rt *rt, int node, int steps) { rt->rt->train(rt->rt->ctx, node, steps); }
float *ds_rt_params(const ds_rt *rt, int node) { return rt->rt->params(rt->rt->ctx, node); }
size_t ds_rt_n_params(const ds_rt *rt) { return rt->n_params; }
int ds_rt_cancel_unsent(const ds_rt *rt, int node) { return rt->rt->cancel_unsent(rt->rt->ctx, node); }
void ds_rt_fail(const ds_rt *rt, const char *why) { algo_fail(rt->rt, why); }

int ds_rt_send_model(const ds_rt *rt, int src, int dst, uint32_t round) {
    model_snapshot *snap = snapshot_new(rt->rt->params(rt->rt->ctx, src), rt->n_params);
    algo_msg *m = snap ? algo_msg_new(MSG_MODEL, src, dst, round, snap) : NULL;
    snapshot_unref(snap);
    if (!m) {
        algo_fail(rt->rt, "out of memory for a message");
        return DS_ENOMEM;
    }
    rt->rt->send(rt->rt->ctx, m);
    return DS_OK;
}

int ds_msg_src(const ds_msg *m) { return MSG(m)->src; }
uint32_t ds_msg_round(const ds_msg *m) { return MSG(m)->round; }
size_t ds_msg_count(const ds_msg *m) { return MSG(m)->count; }
float ds_msg_value(const ds_msg *m, size_t k) { return k < MSG(m)->count ? algo_msg_value(MSG(m), k) : 0.0f; }

void ds_msg_copy(const ds_msg *m, float *out) {
    for (size_t k = 0; k < MSG(m)->count; k++) out[k] = algo_msg_value(MSG(m), k);
}

static int api_node_new(void **out, const algo_config *c, const void *shared, int id, ds_err *err) {
    (void)shared;
    const ds_algorithm *u = c->ext;
    api_node *n = calloc(1, sizeof *n);
    if (!n) return ds_fail(err, "out of memory");
    n->u = u;
    n->n_params = c->n_params;
    ds_error e = {0};
    if (u->node_new && u->node_new(u->ctx, id, c->nodes, &n->state, &e)) {
        free(n);
        return ds_fail(err, "algorithm %s, node %d: %s", u->name, id, e.message[0] ? e.message : "node_new failed");
    }
    *out = n;
    return 0;
}

static void api_node_free(void *p) {
    api_node *n = p;
    if (n && n->u->node_free) n->u->node_free(n->u->ctx, n->state);
    free(n);
}

static void api_on_start(void *p, const algo_runtime *rt) {
    api_node *n = p;
    ds_rt r = {rt, n->n_params};
    if (n->u->on_start) n->u->on_start(n->state, &r);
}

static void api_on_train_done(void *p, const algo_runtime *rt) {
    api_node *n = p;
    ds_rt r = {rt, n->n_params};
    n->cnt.rounds++;
    if (n->u->on_train_done) n->u->on_train_done(n->state, &r);
}

static void api_on_message(void *p, const algo_runtime *rt, const algo_msg *m) {
    api_node *n = p;
    ds_rt r = {rt, n->n_params};
    n->cnt.applied++;
    if (n->u->on_message) n->u->on_message(n->state, &r, (const ds_msg *)m);
}

static const algo_counters *api_counters(const void *p) { return &((const api_node *)p)->cnt; }

static const algo_ops API_ALGO = {
    .name = "api",
    .shared_new = algo_no_shared,
    .shared_free = algo_no_shared_free,
    .node_new = api_node_new,
    .node_free = api_node_free,
    .on_start = api_on_start,
    .on_train_done = api_on_train_done,
    .on_message = api_on_message,
    .counters = api_counters,
};

/* ---- runs ---------------------------------------------------------------------- */

static ds_report public_report(const run_report *r) {
    return (ds_report){
        .time = r->time,
        .wall = r->wall,
        .lower_is_better = r->regress,
        .metric_mean = r->metric_mean,
        .metric_min = r->metric_min,
        .metric_max = r->metric_max,
        .test_loss = r->test_loss,
        .train_loss = r->train_loss,
        .consensus = r->consensus,
        .mean_round = r->mean_round,
        .bytes_sent = r->bytes_sent,
        .msgs_sent = r->msgs_sent,
        .msgs_dropped = r->msgs_dropped,
        .msgs_received = r->msgs_received,
        .events = r->events,
        .nodes = r->nodes,
    };
}

typedef struct api_run {
    const ds_run_options *o;
    algo_ops algo;     /* API_ALGO under the caller's algorithm's name */
    int stopped;       /* on_eval asked to stop */
} api_run;

static int api_on_eval(void *ctx, const char *algorithm, const run_report *r, ds_err *err) {
    api_run *x = ctx;
    ds_report pr = public_report(r);
    if (!x->o->on_eval(x->o->ctx, algorithm, &pr)) return 0;
    x->stopped = 1;
    return ds_fail(err, "stopped by the on_eval callback at t = %g s; the results evaluated so far are written",
                   r->time);
}

static int api_one(void *ctx, config *c, const char *out, int *interrupted, int *bad_input, ds_err *err) {
    api_run *x = ctx;
    const ds_run_options *o = x->o;
    run_options ro = {
        .out_dir = out,
        .log = o->verbose ? stdout : NULL,
        .progress = o->verbose ? stderr : NULL,
        .stop = o->stop,
        .make_learner = o->learner ? make_learner : NULL,
        .learner_ctx = (void *)o->learner,
        .algo = o->algorithm ? &x->algo : NULL,
        .algo_ext = o->algorithm,
        .on_eval = o->on_eval ? api_on_eval : NULL,
        .eval_ctx = x,
    };
    return run_experiment(c, &ro, interrupted, bad_input, err);
}

int ds_run(const ds_config *c, const ds_run_options *o, ds_error *e) {
    clear(e);
    ds_run_options none = {0};
    if (!o) o = &none;
    if (o->algorithm && (!o->algorithm->name || !*o->algorithm->name || strchr(o->algorithm->name, '/')))
        return ds_error_set(e, DS_EINVAL, "the algorithm needs a name (a folder name: no '/')");
    api_run x = {.o = o, .algo = API_ALGO};
    if (o->algorithm) x.algo.name = o->algorithm->name;
    /* The seeds loop sets [experiment] seed: on a copy of the caller's config. */
    ds_err err;
    config copy;
    if (config_copy(&copy, &c->cfg, &err)) return from_err(e, DS_ENOMEM, &err);
    uint64_t seeds[RUN_MAX_SEEDS];
    int n_seeds, interrupted = 0, bad = 0;
    int rc = run_over_seeds(&copy, o->out_dir, o->verbose ? stdout : NULL, api_one, &x, seeds, &n_seeds,
                            &interrupted, &bad, &err);
    config_free(&copy);
    if (rc) return from_err(e, x.stopped ? DS_EINTR : bad ? DS_EINVAL : DS_ERUN, &err);
    if (interrupted) return ds_error_set(e, DS_EINTR, "stopped; the results evaluated so far are written");
    return DS_OK;
}

/* ---- one node of a real run --------------------------------------------------------- */

int ds_node_run(const ds_config *c, const ds_node_options *o, ds_error *e) {
    clear(e);
    ds_err err;
    if (!o || !o->hosts) return ds_error_set(e, DS_EINVAL, "ds_node_run: no hosts file");
    int id = node_id_from_env(o->id, &err);
    if (id < 0) return from_err(e, DS_EINVAL, &err);
    char out[4096];
    if (o->out_dir) snprintf(out, sizeof out, "%s", o->out_dir);
    else snprintf(out, sizeof out, "%s/%s/%s", c->cfg.v.experiment.output, c->cfg.v.experiment.name,
                  c->cfg.v.algorithm.name);
    node_options no = {
        .id = id,
        .hosts_path = o->hosts,
        .key_path = o->key,
        .out_dir = out,
        .log = o->verbose ? stdout : NULL,
        .stop = o->stop,
        .go = o->go,
        .shaping = o->shaping == 1 ? NODE_SHAPING_LATENCY : o->shaping == 2 ? NODE_SHAPING_NONE : NODE_SHAPING_ALL,
        .make_learner = o->learner ? make_learner : NULL,
        .learner_ctx = (void *)o->learner,
    };
    int bad = 0;
    if (node_run(&c->cfg, &no, &bad, &err)) return from_err(e, bad ? DS_EINVAL : DS_ERUN, &err);
    return DS_OK;
}

/* ---- partitions ------------------------------------------------------------------ */

struct ds_partition {
    partition p;
};

ds_partition *ds_partition_new(const ds_config *c, const int32_t *labels, size_t n, ds_error *e) {
    clear(e);
    ds_err err;
    if (!labels || n == 0 || n > ((size_t)1 << 32)) {
        ds_error_set(e, DS_EINVAL, "ds_partition_new: %zu samples (1 to 2^32, with labels)", n);
        return NULL;
    }
    int classes = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0 || labels[i] > 255) {
            ds_error_set(e, DS_EINVAL, "ds_partition_new: label %d of sample %zu outside [0, 255]", labels[i], i);
            return NULL;
        }
        if (labels[i] + 1 > classes) classes = labels[i] + 1;
    }
    /* A dataset of labels only: the partitioners read nothing else. */
    exp_data d = {0};
    ds_partition *out = calloc(1, sizeof *out);
    if (!out || !(d.train.labels = malloc(n))) {
        free(out);
        ds_error_set(e, DS_ENOMEM, "out of memory");
        return NULL;
    }
    d.train.kind = DATASET_IMAGES;
    d.train.n = n;
    d.train.classes = classes < 2 ? 2 : classes;
    for (size_t i = 0; i < n; i++) d.train.labels[i] = (uint8_t)labels[i];
    int rc = exp_partition(&c->cfg, &d, &out->p, &err);
    free(d.train.labels);
    if (rc) {
        from_err(e, DS_EINVAL, &err);
        free(out);
        return NULL;
    }
    return out;
}

int ds_partition_nodes(const ds_partition *p) { return p ? p->p.nodes : 0; }

size_t ds_partition_count(const ds_partition *p, int node) {
    return p && node >= 0 && node < p->p.nodes ? p->p.count[node] : 0;
}

const uint32_t *ds_partition_indices(const ds_partition *p, int node) {
    return p && node >= 0 && node < p->p.nodes ? p->p.idx[node] : NULL;
}

void ds_partition_free(ds_partition *p) {
    if (!p) return;
    partition_free(&p->p);
    free(p);
}

/* ---- results --------------------------------------------------------------------- */

struct ds_results {
    ds_report *rows;
    int n;
};

ds_results *ds_results_open(const char *run_dir, ds_error *e) {
    clear(e);
    ds_err err;
    char path[4096 + 32];
    snprintf(path, sizeof path, "%s/metrics.csv", run_dir);
    run_report *rows;
    int n, regress;
    if (metrics_csv_load(path, &rows, &n, &regress, &err)) {
        from_err(e, DS_EINVAL, &err);
        return NULL;
    }
    ds_results *r = calloc(1, sizeof *r);
    if (r && n) r->rows = malloc(sizeof *r->rows * (size_t)n);
    if (!r || (n && !r->rows)) {
        free(rows);
        free(r);
        ds_error_set(e, DS_ENOMEM, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++) r->rows[i] = public_report(&rows[i]);
    r->n = n;
    free(rows);
    return r;
}

int ds_results_count(const ds_results *r) { return r ? r->n : 0; }

const ds_report *ds_results_row(const ds_results *r, int i) { return r && i >= 0 && i < r->n ? &r->rows[i] : NULL; }

void ds_results_free(ds_results *r) {
    if (!r) return;
    free(r->rows);
    free(r);
}

char *ds_compare(const char *const *run_dirs, int n, const char *baseline, int format, ds_error *e) {
    clear(e);
    if (n < 1 || n > COMPARE_MAX_RUNS || format < 0 || format > 2) {
        ds_error_set(e, DS_EINVAL, "ds_compare: %d runs (1 to %d), format %d (0 to 2)", n, COMPARE_MAX_RUNS, format);
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        ds_error_set(e, DS_ENOMEM, "out of memory");
        return NULL;
    }
    static const compare_format FORMATS[] = {COMPARE_TEXT, COMPARE_MARKDOWN, COMPARE_CSV};
    compare_options opt = {.format = FORMATS[format], .baseline = baseline};
    ds_err err;
    int rc = run_compare((char **)run_dirs, n, &opt, f, &err);
    fclose(f);
    if (rc) {
        from_err(e, DS_EINVAL, &err);
        free(buf);
        return NULL;
    }
    return buf;
}

void ds_free(void *p) { free(p); }
