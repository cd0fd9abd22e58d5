/* partition.c: iid, k-shard, Dirichlet and by-user partitioners. */
#include "data/partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rng.h"
#include "util/strbuf.h"

static const char *const NAMES[] = {
#define PARTITION_NAME(id, name) #name,
    PARTITION_REGISTRY(PARTITION_NAME)
#undef PARTITION_NAME
};

int partition_kind_parse(const char *s, partition_kind *out) {
    for (int i = 0; i < PARTITION_KINDS; i++)
        if (!strcmp(s, NAMES[i])) {
            *out = (partition_kind)i;
            return 0;
        }
    return -1;
}

const char *partition_kind_name(partition_kind k) { return NAMES[k]; }

void partition_names(char *buf, size_t n, const char *sep) {
    buf[0] = 0;
    for (size_t i = 0; i < (size_t)PARTITION_KINDS; i++) str_append(buf, n, sep, NAMES[i]);
}

void partition_free(partition *p) {
    if (!p) return;
    for (int k = 0; p->idx && k < p->nodes; k++) free(p->idx[k]);
    free(p->idx);
    free(p->count);
    memset(p, 0, sizeof *p);
}

static int alloc_parts(partition *p, int nodes, ds_err *err) {
    p->nodes = nodes;
    p->idx = calloc((size_t)nodes, sizeof *p->idx);
    p->count = calloc((size_t)nodes, sizeof *p->count);
    if (!p->idx || !p->count) {
        partition_free(p);
        return ds_fail(err, "out of memory for a %d-node partition", nodes);
    }
    return 0;
}

static int set_part(partition *p, int k, const uint32_t *src, size_t n, ds_err *err) {
    p->idx[k] = malloc(sizeof(uint32_t) * (n ? n : 1));
    if (!p->idx[k]) return ds_fail(err, "out of memory");
    memcpy(p->idx[k], src, sizeof(uint32_t) * n);
    p->count[k] = n;
    return 0;
}

static int make_iid(const dataset *d, const partition_spec *s, partition *p, ds_err *err) {
    uint32_t *all = malloc(sizeof(uint32_t) * d->n);
    if (!all) return ds_fail(err, "out of memory");
    for (size_t i = 0; i < d->n; i++) all[i] = (uint32_t)i;
    rng r;
    rng_seed(&r, s->seed);
    rng_shuffle_u32(&r, all, d->n);
    size_t each = d->n / (size_t)s->nodes;
    int rc = 0;
    for (int k = 0; k < s->nodes && !rc; k++) rc = set_part(p, k, all + each * k, each, err);
    free(all);
    return rc;
}

/* Stable counting sort of sample indices by label. */
static uint32_t *sorted_by_label(const dataset *d) {
    uint32_t *out = malloc(sizeof(uint32_t) * (d->n ? d->n : 1));
    size_t *start = calloc((size_t)d->classes + 1, sizeof(size_t));
    if (!out || !start) {
        free(out);
        free(start);
        return NULL;
    }
    for (size_t i = 0; i < d->n; i++) start[d->labels[i] + 1]++;
    for (int c = 0; c < d->classes; c++) start[c + 1] += start[c];
    for (size_t i = 0; i < d->n; i++) out[start[d->labels[i]]++] = (uint32_t)i;
    free(start);
    return out;
}

static int make_kshard(const dataset *d, const partition_spec *s, partition *p, ds_err *err) {
    size_t part_len = d->n / (size_t)s->nodes / (size_t)s->shards;
    if (part_len == 0)
        return ds_fail(err, "kshard: %zu samples are too few for %d nodes x %d shards", d->n,
                       s->nodes, s->shards);
    uint32_t *pool = sorted_by_label(d);
    uint32_t *mine = malloc(sizeof(uint32_t) * part_len * s->shards);
    uint32_t *tmp = malloc(sizeof(uint32_t) * (d->n ? d->n : 1));
    if (!pool || !mine || !tmp) {
        free(pool); free(mine); free(tmp);
        return ds_fail(err, "out of memory");
    }
    size_t len = d->n;
    rng r;
    rng_seed(&r, s->seed);
    int rc = 0;
    for (int k = 0; k < s->nodes && !rc; k++) {
        size_t got = 0;
        for (int sh = 0; sh < s->shards; sh++) {
            size_t start = (size_t)rng_below(&r, len);
            if (start + part_len > len) { /* wrap: tail plus head */
                size_t tail = len - start, head = part_len - tail;
                memcpy(mine + got, pool + start, sizeof(uint32_t) * tail);
                memcpy(mine + got + tail, pool, sizeof(uint32_t) * head);
                memmove(tmp, pool + head, sizeof(uint32_t) * (start - head));
                memcpy(pool, tmp, sizeof(uint32_t) * (start - head));
                len = start - head;
            } else {
                memcpy(mine + got, pool + start, sizeof(uint32_t) * part_len);
                memmove(pool + start, pool + start + part_len,
                        sizeof(uint32_t) * (len - start - part_len));
                len -= part_len;
            }
            got += part_len;
        }
        rc = set_part(p, k, mine, got, err);
    }
    free(pool); free(mine); free(tmp);
    return rc;
}

static int make_dirichlet(const dataset *d, const partition_spec *s, partition *p, ds_err *err) {
    const int N = s->nodes, K = d->classes;
    uint32_t *sorted = sorted_by_label(d);
    size_t *cls_start = calloc((size_t)K + 1, sizeof(size_t));
    uint32_t **lists = calloc((size_t)N, sizeof *lists);
    size_t *len = calloc((size_t)N, sizeof(size_t));
    double *prop = malloc(sizeof(double) * N);
    uint32_t *cls = malloc(sizeof(uint32_t) * (d->n ? d->n : 1));
    int rc = -1;
    if (!sorted || !cls_start || !lists || !len || !prop || !cls) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (int k = 0; k < N; k++) {
        lists[k] = malloc(sizeof(uint32_t) * (d->n ? d->n : 1));
        if (!lists[k]) {
            ds_fail(err, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0; i < d->n; i++) cls_start[d->labels[i] + 1]++;
    for (int c = 0; c < K; c++) cls_start[c + 1] += cls_start[c];
    rng r;
    rng_seed(&r, s->seed);
    const double cap = (double)d->n / N;
    for (int attempt = 0;; attempt++) {
        if (attempt == 1000) {
            ds_fail(err, "dirichlet: alpha=%g leaves some of %d nodes with fewer than %d samples "
                         "after 1000 draws; raise alpha or use fewer nodes",
                    s->alpha, N, K);
            goto done;
        }
        memset(len, 0, sizeof(size_t) * N);
        for (int c = 0; c < K; c++) {
            size_t n_c = cls_start[c + 1] - cls_start[c];
            memcpy(cls, sorted + cls_start[c], sizeof(uint32_t) * n_c);
            rng_shuffle_u32(&r, cls, n_c);
            double sum = 0;
            for (int k = 0; k < N; k++) {
                prop[k] = rng_gamma(&r, s->alpha);
                if ((double)len[k] >= cap) prop[k] = 0; /* balance, as decentralizepy */
                sum += prop[k];
            }
            if (sum <= 0) continue;
            double acc = 0;
            size_t from = 0;
            for (int k = 0; k < N; k++) {
                acc += prop[k] / sum;
                size_t to = k == N - 1 ? n_c : (size_t)(acc * (double)n_c);
                if (to > n_c) to = n_c;
                if (to < from) to = from;
                memcpy(lists[k] + len[k], cls + from, sizeof(uint32_t) * (to - from));
                len[k] += to - from;
                from = to;
            }
        }
        size_t min = len[0];
        for (int k = 1; k < N; k++) if (len[k] < min) min = len[k];
        if (min >= (size_t)K) break;
    }
    for (int k = 0; k < N; k++) {
        rng_shuffle_u32(&r, lists[k], len[k]);
        if (set_part(p, k, lists[k], len[k], err)) goto done;
    }
    rc = 0;
done:
    for (int k = 0; lists && k < N; k++) free(lists[k]);
    free(sorted); free(cls_start); free(lists); free(len); free(prop); free(cls);
    return rc;
}

static int make_user(const dataset *d, const partition_spec *s, partition *p, ds_err *err) {
    const int N = s->nodes;
    if (d->n_users < N)
        return ds_fail(err, "user partition: %d users cannot be split over %d nodes", d->n_users, N);
    int base = d->n_users / N, mod = d->n_users % N;
    uint32_t *buf = malloc(sizeof(uint32_t) * (d->n ? d->n : 1));
    if (!buf) return ds_fail(err, "out of memory");
    int rc = 0;
    for (int k = 0; k < N && !rc; k++) {
        int count = base + (k < mod), first = k < mod ? count * k : count * k + mod;
        size_t m = 0;
        for (size_t i = 0; i < d->n; i++)
            if (d->user[i] >= first && d->user[i] < first + count) buf[m++] = (uint32_t)i;
        rc = set_part(p, k, buf, m, err);
    }
    free(buf);
    return rc;
}

int partition_make(const dataset *d, const partition_spec *s, partition *out, ds_err *err) {
    memset(out, 0, sizeof *out);
    if (s->nodes < 1) return ds_fail(err, "partition: nodes = %d (must be >= 1)", s->nodes);
    if ((size_t)s->nodes > d->n)
        return ds_fail(err, "partition: %d nodes for only %zu samples", s->nodes, d->n);
    if (s->kind == PARTITION_KSHARD && s->shards < 1)
        return ds_fail(err, "kshard: shards = %d (must be >= 1)", s->shards);
    if (s->kind == PARTITION_DIRICHLET && !(s->alpha > 0))
        return ds_fail(err, "dirichlet: alpha = %g (must be > 0)", s->alpha);
    if ((s->kind == PARTITION_KSHARD || s->kind == PARTITION_DIRICHLET) && d->kind != DATASET_IMAGES)
        return ds_fail(err, "%s partition needs a labelled dataset (use iid or user for ratings)",
                       NAMES[s->kind]);
    if (s->kind == PARTITION_USER && d->kind != DATASET_RATINGS)
        return ds_fail(err, "user partition needs a ratings dataset (MovieLens)");
    if (alloc_parts(out, s->nodes, err)) return -1;
    typedef int (*make_fn)(const dataset *, const partition_spec *, partition *, ds_err *);
    static const make_fn MAKE[] = {
#define PARTITION_MAKE(id, name) make_##name,
        PARTITION_REGISTRY(PARTITION_MAKE)
#undef PARTITION_MAKE
    };
    if ((int)s->kind < 0 || s->kind >= PARTITION_KINDS) {
        partition_free(out);
        return ds_fail(err, "partition: unknown kind %d", (int)s->kind);
    }
    int rc = MAKE[s->kind](d, s, out, err);
    if (rc) partition_free(out);
    return rc;
}

void partition_print_summary(const dataset *d, const partition *p, FILE *out) {
    for (int k = 0; k < p->nodes; k++) {
        fprintf(out, "node %3d: %7zu samples", k, p->count[k]);
        if (d->kind == DATASET_IMAGES) {
            long hist[256] = {0};
            for (size_t i = 0; i < p->count[k]; i++) hist[d->labels[p->idx[k][i]]]++;
            fprintf(out, "  labels");
            for (int c = 0; c < d->classes; c++) fprintf(out, " %ld", hist[c]);
        } else {
            int lo = d->n_users, hi = -1;
            for (size_t i = 0; i < p->count[k]; i++) {
                int u = d->user[p->idx[k][i]];
                if (u < lo) lo = u;
                if (u > hi) hi = u;
            }
            if (hi >= 0) fprintf(out, "  users %d..%d", lo, hi);
        }
        fprintf(out, "\n");
    }
}
