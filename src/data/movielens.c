/* movielens.c: MovieLens ratings (ml-latest ratings.csv, ml-100k u.data,
 * ml-1m ratings.dat, or the official zip), dense re-indexing and the
 * per-user train/test split of decentralizepy. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/readers.h"
#include "util/fileio.h"
#include "util/rng.h"
#include "util/zipread.h"

static const char *const RATING_FILES[] = {"ratings.csv", "u.data", "ratings.dat"};

typedef struct raw_rating {
    long user, item; /* ids as in the file */
    float rating;
    uint32_t line;   /* for stable ordering */
} raw_rating;

/* A numeric field starts right here: strto* would skip white space,
 * newlines included, and read a broken row's field from the next line. */
static int field_starts(const char *p) {
    return isdigit((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.';
}

/* Parses one integer field ending at a separator; advances *p. */
static int parse_long(const char **p, long *out) {
    char *end;
    if (!field_starts(*p)) return -1;
    errno = 0;
    long v = strtol(*p, &end, 10);
    if (end == *p || errno) return -1;
    *p = end;
    *out = v;
    return 0;
}

static int skip_sep(const char **p, char sep) {
    if (sep == ':') {
        if ((*p)[0] != ':' || (*p)[1] != ':') return -1;
        *p += 2;
        return 0;
    }
    if (**p != sep) return -1;
    (*p)++;
    return 0;
}

static int has_double_colon(const char *s, size_t n) {
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == ':' && s[i + 1] == ':') return 1;
    return 0;
}

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Sorted unique ids -> dense index by binary search. */
static long *unique_sorted(const raw_rating *r, size_t n, int user, size_t *count) {
    long *ids = malloc(sizeof(long) * (n ? n : 1));
    if (!ids) return NULL;
    for (size_t i = 0; i < n; i++) ids[i] = user ? r[i].user : r[i].item;
    qsort(ids, n, sizeof(long), cmp_long);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || ids[u - 1] != ids[i]) ids[u++] = ids[i];
    *count = u;
    return ids;
}

static int32_t dense(const long *ids, size_t n, long id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return (int32_t)lo;
}

static int cmp_by_user(const void *a, const void *b) {
    const raw_rating *x = a, *y = b;
    if (x->user != y->user) return (x->user > y->user) - (x->user < y->user);
    return (x->line > y->line) - (x->line < y->line);
}

int movielens_parse(const char *name, const char *text, size_t len, double train_fraction,
                    uint64_t seed, dataset *train, dataset *test, ds_err *err) {
    if (!(train_fraction > 0 && train_fraction < 1))
        return ds_fail(err, "train fraction %g outside (0, 1)", train_fraction);
    /* Format from the first line: '::' (ml-1m), tab (ml-100k), else CSV. */
    const char *eol = memchr(text, '\n', len);
    size_t first_len = eol ? (size_t)(eol - text) : len;
    char sep = ',';
    if (has_double_colon(text, first_len)) sep = ':';
    else if (memchr(text, '\t', first_len)) sep = '\t';
    const char *expect = sep == ':' ? "UserID::MovieID::Rating::Timestamp"
                         : sep == '\t' ? "user<TAB>item<TAB>rating<TAB>timestamp"
                                       : "userId,movieId,rating,timestamp";
    size_t cap = 1024, n = 0;
    raw_rating *r = malloc(sizeof *r * cap);
    if (!r) return ds_fail(err, "%s: out of memory", name);
    const char *p = text, *end = text + len;
    uint32_t line = 0;
    while (p < end) {
        line++;
        const char *le = memchr(p, '\n', (size_t)(end - p));
        if (!le) le = end;
        const char *q = p;
        while (q < le && (*q == ' ' || *q == '\r')) q++;
        if (q == le) { /* blank line */
            p = le + 1;
            continue;
        }
        if (line == 1 && sep == ',' && !isdigit((unsigned char)*q)) { /* header */
            p = le + 1;
            continue;
        }
        raw_rating rr = {0, 0, 0, line};
        char *fend;
        int bad = parse_long(&q, &rr.user) || skip_sep(&q, sep) || parse_long(&q, &rr.item) ||
                  skip_sep(&q, sep);
        if (!bad) {
            errno = 0;
            double v = 0;
            fend = (char *)q;
            if (field_starts(q)) v = strtod(q, &fend);
            bad = fend == q || errno || (fend < le && *fend != sep && *fend != '\r');
            rr.rating = (float)v;
        }
        if (bad) {
            free(r);
            int shown = (int)(le - p) > 60 ? 60 : (int)(le - p);
            return ds_fail(err, "%s:%u: malformed row '%.*s' (expected %s)", name, line, shown, p,
                           expect);
        }
        if (rr.user <= 0 || rr.item <= 0 || rr.user > 2000000000L || rr.item > 2000000000L) {
            free(r);
            return ds_fail(err, "%s:%u: user id %ld or item id %ld out of range (1..2e9)", name,
                           line, rr.user, rr.item);
        }
        if (!(rr.rating >= 0.5f && rr.rating <= 5.0f)) {
            free(r);
            return ds_fail(err, "%s:%u: rating %g out of range [0.5, 5]", name, line, rr.rating);
        }
        if (n == cap) {
            cap *= 2;
            raw_rating *nr = realloc(r, sizeof *r * cap);
            if (!nr) {
                free(r);
                return ds_fail(err, "%s: out of memory", name);
            }
            r = nr;
        }
        r[n++] = rr;
        p = le + 1;
    }
    if (n == 0) {
        free(r);
        return ds_fail(err, "%s: no ratings found (expected rows of %s)", name, expect);
    }
    size_t n_users, n_items;
    long *uids = unique_sorted(r, n, 1, &n_users), *iids = unique_sorted(r, n, 0, &n_items);
    if (!uids || !iids) {
        free(r);
        free(uids);
        free(iids);
        return ds_fail(err, "%s: out of memory", name);
    }
    qsort(r, n, sizeof *r, cmp_by_user);
    /* Count train ratings: round(fraction * per-user count). */
    size_t n_train = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && r[j].user == r[i].user) j++;
        n_train += (size_t)floor(train_fraction * (double)(j - i) + 0.5);
        i = j;
    }
    int rc = -1;
    uint32_t *order = malloc(sizeof(uint32_t) * n);
    if (!order) {
        ds_fail(err, "%s: out of memory", name);
        goto done;
    }
    if (dataset_alloc_ratings(train, "movielens", n_train, (int)n_users, (int)n_items, err))
        goto done;
    if (dataset_alloc_ratings(test, "movielens", n - n_train, (int)n_users, (int)n_items, err)) {
        dataset_free(train);
        goto done;
    }
    rng g;
    rng_seed(&g, seed);
    size_t tr = 0, te = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && r[j].user == r[i].user) j++;
        size_t cnt = j - i, k = (size_t)floor(train_fraction * (double)cnt + 0.5);
        for (size_t t = 0; t < cnt; t++) order[t] = (uint32_t)t;
        rng_shuffle_u32(&g, order, cnt);
        /* Train: the first k of the shuffle; test: the rest, in file order. */
        for (size_t t = 0; t < k; t++) {
            const raw_rating *x = &r[i + order[t]];
            train->user[tr] = dense(uids, n_users, x->user);
            train->item[tr] = dense(iids, n_items, x->item);
            train->rating[tr++] = x->rating;
        }
        unsigned char *in_train = calloc(cnt, 1);
        if (!in_train) {
            dataset_free(train);
            dataset_free(test);
            ds_fail(err, "%s: out of memory", name);
            goto done;
        }
        for (size_t t = 0; t < k; t++) in_train[order[t]] = 1;
        for (size_t t = 0; t < cnt; t++) {
            if (in_train[t]) continue;
            const raw_rating *x = &r[i + t];
            test->user[te] = dense(uids, n_users, x->user);
            test->item[te] = dense(iids, n_items, x->item);
            test->rating[te++] = x->rating;
        }
        free(in_train);
        i = j;
    }
    rc = 0;
done:
    free(order);
    free(r);
    free(uids);
    free(iids);
    return rc;
}

int movielens_load(const char *path, double train_fraction, uint64_t seed, dataset *train,
                   dataset *test, ds_err *err) {
    unsigned char *text = NULL;
    size_t len = 0;
    char label[4096 + 256];
    struct stat st;
    if (stat(path, &st) != 0)
        return ds_fail(err, "%s: MovieLens path not found (expected ratings.csv, u.data, "
                            "ratings.dat, a directory holding one, or the official .zip)",
                       path);
    if (S_ISDIR(st.st_mode)) {
        char file[4096];
        int found = 0;
        for (int i = 0; i < 3 && !found; i++) {
            if (path_join(file, sizeof file, path, RATING_FILES[i]) == 0 && path_exists(file))
                found = 1;
        }
        if (!found)
            return ds_fail(err, "%s: no ratings.csv, u.data or ratings.dat in this directory", path);
        if (file_read_all(file, &text, &len, err)) return -1;
        snprintf(label, sizeof label, "%s", file);
    } else if (zip_is_zip(path)) {
        char member[512];
        if (zip_extract(path, RATING_FILES, 3, &text, &len, member, sizeof member, err)) return -1;
        snprintf(label, sizeof label, "%s:%s", path, member);
    } else {
        if (file_read_all(path, &text, &len, err)) return -1;
        snprintf(label, sizeof label, "%s", path);
    }
    int rc = movielens_parse(label, (const char *)text, len, train_fraction, seed, train, test, err);
    free(text);
    return rc;
}
