/* algo.c: messages, snapshots, the registry and shared helpers. */
#include "algo/algo.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


model_snapshot *snapshot_alloc(size_t n) {
    model_snapshot *s = malloc(sizeof *s + sizeof(float) * n);
    if (!s) return NULL;
    s->refs = 1;
    s->n = n;
    return s;
}

model_snapshot *snapshot_new(const float *params, size_t n) {
    model_snapshot *s = snapshot_alloc(n);
    if (s) memcpy(s->values, params, sizeof(float) * n);
    return s;
}

model_snapshot *snapshot_new_extra(const float *params, size_t n) {
    model_snapshot *s = malloc(sizeof *s + sizeof(float) * n + sizeof(uint32_t) * n);
    if (!s) return NULL;
    s->refs = 1;
    s->n = n;
    memcpy(s->values, params, sizeof(float) * n);
    return s;
}

model_snapshot *snapshot_ref(model_snapshot *s) {
    s->refs++;
    return s;
}

void snapshot_unref(model_snapshot *s) {
    if (s && --s->refs == 0) free(s);
}

algo_msg *algo_msg_new(algo_msg_kind kind, int src, int dst, uint32_t round, model_snapshot *snap) {
    algo_msg *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->kind = kind;
    m->src = src;
    m->dst = dst;
    m->round = round;
    m->snap = snap ? snapshot_ref(snap) : NULL;
    m->count = snap ? snap->n : 0;
    m->started_at = -1;
    m->sent_at = -1;
    return m;
}

void algo_msg_free(algo_msg *m) {
    if (!m) return;
    snapshot_unref(m->snap);
    free(m);
}

/* The registry: the one place that lists the algorithms. Names, choices
 * and messages are made from it. */
#define ALGO_REGISTRY(X) X(divshare) X(adpsgd) X(swift) X(dpsgd) X(el) X(gossip)

#define ALGO_DECLARE(name) extern const algo_ops algo_##name;
#define ALGO_ENTRY(name) &algo_##name,
ALGO_REGISTRY(ALGO_DECLARE)
static const algo_ops *const ALL[] = {ALGO_REGISTRY(ALGO_ENTRY)};

const algo_ops *algo_find(const char *name) {
    for (size_t i = 0; i < sizeof ALL / sizeof ALL[0]; i++)
        if (!strcmp(ALL[i]->name, name)) return ALL[i];
    return NULL;
}

const algo_ops *algo_lookup(const char *name, ds_err *err) {
    const algo_ops *a = algo_find(name);
    if (!a) {
        char names[256];
        algo_names(names, sizeof names, ", ");
        ds_fail(err, "unknown algorithm '%s' (allowed: %s)", name, names);
    }
    return a;
}

void algo_names(char *buf, size_t n, const char *sep) {
    buf[0] = 0;
    for (size_t i = 0; i < sizeof ALL / sizeof ALL[0]; i++) str_append(buf, n, sep, ALL[i]->name);
}

int algo_config_check(const char *name, const algo_config *c, ds_err *err) {
    const algo_ops *ops = algo_lookup(name, err);
    return ops ? algo_config_check_ops(ops, c, err) : -1;
}

int algo_config_check_ops(const algo_ops *ops, const algo_config *c, ds_err *err) {
    if (c->nodes < 2) return ds_fail(err, "%s needs at least 2 nodes (got %d)", ops->name, c->nodes);
    if (!(c->chunk_fraction > 0 && c->chunk_fraction <= 1))
        return ds_fail(err, "[algorithm] chunk_fraction = %g must be in (0, 1]", c->chunk_fraction);
    if (c->local_steps < 1) return ds_fail(err, "[algorithm] local_steps must be >= 1");
    if (ops->check) return ops->check(c, err); /* its own rules (D-PSGD: the degree of its graph) */
    if (c->degree < 1 || c->degree >= c->nodes)
        return ds_fail(err, "[algorithm] degree = %d must be in [1, nodes - 1] = [1, %d]", c->degree,
                       c->nodes - 1);
    return 0;
}

void algo_help(char *buf, size_t n) {
    buf[0] = 0;
    for (size_t i = 0; i < sizeof ALL / sizeof ALL[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, "%-9s %s", ALL[i]->name, ALL[i]->help ? ALL[i]->help : "");
        str_append(buf, n, "\n", line);
    }
}

int algo_no_shared(void **shared, const algo_config *c, ds_err *err) {
    (void)c;
    (void)err;
    *shared = NULL;
    return 0;
}

void algo_no_shared_free(void *shared) { (void)shared; }

void algo_fail(const algo_runtime *rt, const char *why) {
    if (rt->fail) rt->fail(rt->ctx, why);
}

int algo_pick_peers(rng *r, int n, int self, int k, int *out) {
    /* Partial Fisher-Yates over the n - 1 others, O(n). */
    int others = n - 1;
    int *pool = malloc(sizeof(int) * (size_t)others);
    if (!pool) return -1;
    for (int i = 0, j = 0; i < n; i++)
        if (i != self) pool[j++] = i;
    for (int i = 0; i < k; i++) {
        int j = i + (int)rng_below(r, (uint64_t)(others - i));
        int t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        out[i] = pool[i];
    }
    free(pool);
    return 0;
}
