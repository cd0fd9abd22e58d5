/* setup.c: datasets, models and partitions from a configuration. */
#include "exp/setup.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/readers.h"
#include "nn/models.h"
#include "util/fileio.h"
#include "util/rng.h"
#include "util/strbuf.h"

uint64_t exp_seed(const config *c, int use, uint64_t index) {
    return rng_derive((uint64_t)c->v.experiment.seed, (uint64_t)use, index);
}

void exp_data_free(exp_data *d) {
    if (!d) return;
    dataset_free(&d->train);
    dataset_free(&d->test);
}

/* ---- the dataset registry ------------------------------------------------ *
 * A dataset: a loader from the configuration and the path, and whether it
 * needs a path. To add one: a loader here (its reader in data/) and a line
 * in DATASETS. */

static int load_mnist(const config *c, const char *path, exp_data *d, ds_err *err) {
    return mnist_load(path, c->v.dataset.name, &d->train, &d->test, err);
}

static int load_cifar10(const config *c, const char *path, exp_data *d, ds_err *err) {
    (void)c;
    return cifar10_load(path, &d->train, &d->test, err);
}

static int load_movielens(const config *c, const char *path, exp_data *d, ds_err *err) {
    return movielens_load(path, c->v.dataset.train_fraction, exp_seed(c, SEED_SPLIT, 0), &d->train, &d->test, err);
}

static int load_synthetic(const config *c, const char *path, exp_data *d, ds_err *err) {
    (void)path;
    int sz = (int)c->v.dataset.synthetic_size;
    return synthetic_images((size_t)c->v.dataset.synthetic_train, (size_t)c->v.dataset.synthetic_test,
                            (int)c->v.dataset.synthetic_channels, sz, sz, (int)c->v.dataset.synthetic_classes, 40.0f,
                            exp_seed(c, SEED_DATA, 0), &d->train, &d->test, err);
}

static int load_synthetic_ratings(const config *c, const char *path, exp_data *d, ds_err *err) {
    (void)path;
    return synthetic_ratings((int)c->v.dataset.synthetic_train, 200, 40, 4, c->v.dataset.train_fraction,
                             exp_seed(c, SEED_DATA, 0), &d->train, &d->test, err);
}

/* [dataset] shape "CxHxW" (empty: 0x0x0, a flat vector). */
int exp_parse_shape(const config *c, int *ch, int *h, int *w, ds_err *err) {
    const char *s = c->v.dataset.shape;
    *ch = *h = *w = 0;
    if (!*s) return 0;
    char tail;
    if (sscanf(s, "%dx%dx%d%c", ch, h, w, &tail) != 3 || *ch < 1 || *ch > 4 || *h < 1 || *w < 1 ||
        (long)*h * *w > 1 << 24)
        return ds_fail(err, "%s: [dataset] shape = '%s': expected CxHxW, e.g. 1x28x28 (1 to 4 channels)",
                       config_origin_of(c, CK_dataset_shape), s);
    return 0;
}

static int load_csv(const config *c, const char *path, exp_data *d, ds_err *err) {
    int ch, h, w;
    if (exp_parse_shape(c, &ch, &h, &w, err)) return -1;
    return csv_images_load(path, ch, h, w, &d->train, &d->test, err);
}

static const exp_dataset_def DATASETS[] = {
    {.name = "fashion-mnist", .load = load_mnist, .default_path = FASHION_MNIST_DEFAULT_PATH},
    {.name = "mnist", .load = load_mnist},
    {.name = "cifar10", .load = load_cifar10},
    {.name = "movielens", .load = load_movielens},
    {.name = "synthetic", .load = load_synthetic, .no_path = 1},
    {.name = "synthetic-ratings", .load = load_synthetic_ratings, .no_path = 1},
    {.name = "csv", .load = load_csv},
};

const exp_dataset_def *exp_dataset_find(const char *name) {
    for (size_t i = 0; i < sizeof DATASETS / sizeof DATASETS[0]; i++)
        if (!strcmp(DATASETS[i].name, name)) return &DATASETS[i];
    return NULL;
}

void exp_dataset_names(char *buf, size_t n, const char *sep) {
    buf[0] = 0;
    for (size_t i = 0; i < sizeof DATASETS / sizeof DATASETS[0]; i++) str_append(buf, n, sep, DATASETS[i].name);
}

/* The dataset's path: [dataset] path, else its default; NULL with a
 * message when it needs one and has none. */
static const char *data_path(const config *c, const exp_dataset_def *def, ds_err *err) {
    const char *p = c->v.dataset.path;
    if (def->no_path) return "";
    if (!*p && def->default_path) return def->default_path;
    if (!*p) ds_fail(err, "[dataset] name = %s needs [dataset] path (where the files are)", def->name);
    return *p ? p : NULL;
}

int exp_check_data_path(const config *c, ds_err *err) {
    const exp_dataset_def *def = exp_dataset_find(c->v.dataset.name);
    if (!def) return ds_fail(err, "unknown dataset '%s'", c->v.dataset.name);
    if (def->no_path || exp_is_synthetic(c)) return 0;
    const char *path = data_path(c, def, err);
    if (!path) return -1;
    if (!path_exists(path))
        return ds_fail(err, "%s: [dataset] path = %s: not found (the %s data must be there; see the README's Data section)",
                       config_origin_of(c, CK_dataset_path), path, def->name);
    return 0;
}

int exp_load_data(const config *c, exp_data *d, ds_err *err) {
    memset(d, 0, sizeof *d);
    const exp_dataset_def *def = exp_dataset_find(c->v.dataset.name);
    if (!def) return ds_fail(err, "unknown dataset '%s'", c->v.dataset.name);
    const char *path = data_path(c, def, err);
    if (!path) return -1;
    int rc = def->load(c, path, d, err);
    if (rc) return -1;
    size_t tr = (size_t)c->v.dataset.train_subset;
    size_t te = (size_t)c->v.dataset.test_subset;
    if (tr && tr < d->train.n) d->train.n = tr;
    if (te && te < d->test.n) d->test.n = te;
    return 0;
}

int exp_build_arch(const config *c, const exp_data *d, nn_arch *a, ds_err *err) {
    const char *model = c->v.model.name;
    const nn_model_def *def = nn_model_find(model);
    int is_mf = def && def->ratings;
    if (is_mf != (d->train.kind == DATASET_RATINGS))
        return ds_fail(err, "[model] name = %s does not fit [dataset] name = %s (%s)", model,
                       c->v.dataset.name,
                       is_mf ? "mf needs ratings: movielens or synthetic-ratings"
                             : "ratings datasets need model mf");
    nn_model_spec s = {
        .name = model,
        .in_c = d->train.c,
        .in_h = d->train.h,
        .in_w = d->train.w,
        .classes = d->train.classes,
        .hidden = (int)c->v.model.hidden,
        .users = d->train.n_users,
        .items = d->train.n_items,
        .factors = (int)c->v.model.factors,
        .bias = c->v.model.bias,
    };
    return nn_model_build(&s, a, err);
}

int exp_partition(const config *c, const exp_data *d, partition *p, ds_err *err) {
    partition_spec s;
    partition_kind_parse(c->v.partition.name, &s.kind);
    s.nodes = (int)c->v.partition.nodes;
    s.shards = (int)c->v.partition.shards;
    s.alpha = c->v.partition.alpha;
    s.seed = exp_seed(c, SEED_PARTITION, 0);
    return partition_make(&d->train, &s, p, err);
}

int exp_threads(const config *c) {
    long t = c->v.train.threads;
    if (t > 0) return (int)t;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Node link and compute specs: defaults, then seeded stragglers. */
/* How many stragglers `v` asks for among N nodes (a count >= 1, or a
 * fraction < 1) into *k; key names the setting in errors. */
static int straggler_count(double v, int N, const char *key, int *k, ds_err *err) {
    *k = v >= 1 ? (int)v : (int)lround(v * N);
    if (v >= 1 && v != floor(v)) return ds_fail(err, "%s = %g: a count must be an integer (fractions are < 1)", key, v);
    if (*k > N) return ds_fail(err, "%s = %d is more than the %d nodes", key, *k, N);
    return 0;
}

/* A seeded permutation of the N node ids (the stragglers are its first
 * ones); r is left to draw their settings. NULL when out of memory. */
static uint32_t *seeded_perm(const config *c, uint64_t label, int N, rng *r) {
    uint32_t *perm = malloc(sizeof(uint32_t) * (size_t)N);
    if (!perm) return NULL;
    for (int i = 0; i < N; i++) perm[i] = (uint32_t)i;
    rng_seed(r, exp_seed(c, SEED_PARTITION, label));
    rng_shuffle_u32(r, perm, (size_t)N);
    return perm;
}

/* exp_node_specs, also listing the stragglers' ids (when not NULL). */
static int node_specs(const config *c, int N, node_spec *spec, int *stragglers, int *n_stragglers,
                      ds_err *err) {
    int k;
    if (straggler_count(c->v.network.stragglers, N, "[network] stragglers", &k, err)) return -1;
    for (int i = 0; i < N; i++)
        spec[i] = (node_spec){c->v.network.up, c->v.network.down,
                                  c->v.network.latency, 1.0};
    rng r;
    uint32_t *perm = seeded_perm(c, 77, N, &r);
    if (!perm) return ds_fail(err, "out of memory");
    double lo = c->v.network.straggler_up, hi = c->v.network.straggler_up_max;
    double down = c->v.network.straggler_down;
    if (n_stragglers) *n_stragglers = k;
    for (int j = 0; j < k; j++) {
        if (stragglers) stragglers[j] = (int)perm[j];
        node_spec *s = &spec[perm[j]];
        if (hi > lo) {
            s->up = s->down = lo + (hi - lo) * rng_uniform(&r);
        } else {
            s->up = lo;
            s->down = down;
        }
        s->latency = c->v.network.straggler_latency;
        s->slowdown = c->v.network.straggler_slowdown;
    }
    free(perm);
    return 0;
}

/* [compute]: stragglers drawn independently of the link stragglers (their
 * own seeded permutation), then the file's per-node multipliers. slow[N]
 * marks the compute stragglers (may be NULL). */
static int compute_specs(const config *c, int N, node_spec *spec, char *slow, ds_err *err) {
    char key[4200];
    snprintf(key, sizeof key, "%s: [compute] stragglers", config_origin_of(c, CK_compute_stragglers));
    int k;
    if (straggler_count(c->v.compute.stragglers, N, key, &k, err)) return -1;
    if (slow) memset(slow, 0, (size_t)N);
    if (k > 0) {
        rng r;
        uint32_t *perm = seeded_perm(c, 79, N, &r);
        if (!perm) return ds_fail(err, "out of memory");
        double lo = c->v.compute.slowdown, hi = c->v.compute.slowdown_max;
        for (int j = 0; j < k; j++) {
            spec[perm[j]].slowdown *= hi > lo ? lo + (hi - lo) * rng_uniform(&r) : lo;
            if (slow) slow[perm[j]] = 1;
        }
        free(perm);
    }
    const char *path = c->v.compute.file;
    if (!*path) return 0;
    text_file tf;
    if (text_open(&tf, path, (size_t)64 << 20, err)) return ds_fail_prefix(err, "[compute] file");
    int rc = 0;
    for (char *line; rc == 0 && (line = text_next(&tf));) {
        char *f[3];
        int nf = text_fields(line, f, 3);
        if (nf == 0) continue;
        long long id;
        double s;
        if (nf != 2 || text_int(f[0], &id) || text_double(f[1], &s))
            rc = ds_fail(err, "%s:%d: expected 'node slowdown'", path, tf.line);
        else if (id < 0 || id >= N)
            rc = ds_fail(err, "%s:%d: node %lld is outside [0, %d]", path, tf.line, id, N - 1);
        else if (!(s >= 1 && s <= 1e6))
            rc = ds_fail(err, "%s:%d: slowdown %s is outside [1, 1e6]", path, tf.line, f[1]);
        else {
            spec[id].slowdown = s;
            if (slow) slow[id] = s > 1;
        }
    }
    text_close(&tf);
    return rc;
}

int exp_node_specs(const config *c, int N, node_spec *spec, ds_err *err) {
    if (node_specs(c, N, spec, NULL, NULL, err)) return -1;
    return compute_specs(c, N, spec, NULL, err);
}

int exp_node_specs_named(const config *c, int N, node_spec *spec, int *link_ids, int *n_link, int *compute_ids,
                         int *n_compute, ds_err *err) {
    char *slow = malloc((size_t)N);
    if (!slow) return ds_fail(err, "out of memory");
    int rc = node_specs(c, N, spec, link_ids, n_link, err) || compute_specs(c, N, spec, slow, err) ? -1 : 0;
    *n_compute = 0;
    for (int i = 0; rc == 0 && i < N; i++)
        if (slow[i]) compute_ids[(*n_compute)++] = i;
    free(slow);
    return rc;
}

/* ---- a run's learner ------------------------------------------------------ */

int exp_is_synthetic(const config *c) { return !strcmp(c->v.model.name, "quadratic"); }

const char *exp_dataset_name(const config *c) {
    return exp_is_synthetic(c) ? "none" : c->v.dataset.name;
}

int exp_inputs_load(const config *c, exp_inputs *in, ds_err *err) {
    memset(in, 0, sizeof *in);
    in->synthetic = exp_is_synthetic(c);
    if (in->synthetic) return 0;
    if (exp_load_data(c, &in->d, err)) return -1;
    if (exp_build_arch(c, &in->d, &in->a, err) || exp_partition(c, &in->d, &in->p, err)) {
        exp_data_free(&in->d);
        return -1;
    }
    in->loaded = 1;
    return 0;
}

void exp_inputs_free(exp_inputs *in) {
    if (!in || !in->loaded) return;
    partition_free(&in->p);
    exp_data_free(&in->d);
    in->loaded = 0;
}

int exp_learner_new(const config *c, const exp_inputs *in, const int *nodes, int n_nodes, int workers, int threads,
                    learner *out, ds_err *err) {
    if (in->synthetic) {
        learner_quadratic_spec qs = {
            .nodes = (int)c->v.partition.nodes,
            .dim = (size_t)c->v.model.dim,
            .lr = c->v.train.lr,
            .seed = (uint64_t)c->v.experiment.seed,
        };
        return learner_quadratic_new(&qs, out, err);
    }
    sgd_config sgd = {(float)c->v.train.lr, (float)c->v.train.momentum,
                      (float)c->v.train.weight_decay};
    learner_nn_spec ls = {
        .arch = &in->a,
        .train = &in->d.train,
        .test = &in->d.test,
        .part = &in->p,
        .nodes = nodes,
        .n_nodes = n_nodes,
        .batch_size = (int)c->v.train.batch_size,
        .sgd = &sgd,
        .batch_seed = (uint64_t)c->v.experiment.seed,
        .workers = workers,
        .threads = threads,
        .eval_samples = (size_t)c->v.eval.test_samples,
        .eval_batch = (int)c->v.eval.batch_size,
        .own_users = !strcmp(c->v.eval.scope, "own_users"),
    };
    return learner_nn_new(&ls, out, err);
}

int exp_topology(const config *c, topology *t, ds_err *err) {
    const topology_spec s = {
        .kind = (topo_kind)topology_kind(c->v.topology.name),
        .degree = (int)(c->v.topology.degree ? c->v.topology.degree : c->v.algorithm.degree),
        .beta = c->v.topology.beta,
        .rows = (int)c->v.topology.rows,
        .redraw = (int)c->v.topology.redraw,
        .file = c->v.topology.file,
    };
    if (s.kind == TOPO_FILE && !*s.file)
        return ds_fail(err, "%s: [topology] name = file needs [topology] file", config_origin_of(c, CK_topology_name));
    if (topology_new(&s, (int)c->v.partition.nodes, (uint64_t)c->v.experiment.seed, t, err))
        return ds_fail_prefix(err, "%s", config_origin_of(c, CK_topology_name));
    return 0;
}
