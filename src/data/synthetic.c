/* synthetic.c: generated datasets for tests and demos without files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/readers.h"
#include "util/rng.h"

static void fill_images(dataset *d, const float *patterns, float noise, rng *r) {
    size_t sz = dataset_sample_size(d);
    for (size_t i = 0; i < d->n; i++) {
        int y = (int)rng_below(r, (uint64_t)d->classes);
        d->labels[i] = (uint8_t)y;
        for (size_t j = 0; j < sz; j++) {
            double v = patterns[(size_t)y * sz + j] + noise * rng_normal(r);
            d->pixels[i * sz + j] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
        }
    }
}

int synthetic_images(size_t n_train, size_t n_test, int c, int h, int w, int classes, float noise,
                     uint64_t seed, dataset *train, dataset *test, ds_err *err) {
    if (classes < 2 || classes > 256) return ds_fail(err, "synthetic: classes %d (allowed 2..256)", classes);
    if (dataset_alloc_images(train, "synthetic", n_train, c, h, w, classes, err)) return -1;
    if (dataset_alloc_images(test, "synthetic", n_test, c, h, w, classes, err)) {
        dataset_free(train);
        return -1;
    }
    size_t sz = (size_t)c * h * w;
    float *patterns = malloc(sizeof(float) * sz * classes);
    if (!patterns) {
        dataset_free(train);
        dataset_free(test);
        return ds_fail(err, "synthetic: out of memory");
    }
    rng r;
    rng_seed(&r, seed);
    for (size_t j = 0; j < sz * classes; j++) patterns[j] = (float)(rng_uniform(&r) * 255);
    fill_images(train, patterns, noise, &r);
    fill_images(test, patterns, noise, &r);
    free(patterns);
    return 0;
}

int synthetic_ratings(int users, int items, int per_user, int rank, double train_fraction,
                      uint64_t seed, dataset *train, dataset *test, ds_err *err) {
    if (users <= 0 || items <= 0 || per_user <= 0 || per_user > items || rank <= 0)
        return ds_fail(err, "synthetic ratings: need users, items, rank > 0 and 0 < per_user <= items");
    rng r;
    rng_seed(&r, seed);
    float *U = malloc(sizeof(float) * users * rank), *V = malloc(sizeof(float) * items * rank);
    size_t n = (size_t)users * per_user;
    char *text = malloc(n * 40 + 1);
    uint32_t *perm = malloc(sizeof(uint32_t) * items);
    if (!U || !V || !text || !perm) {
        free(U); free(V); free(text); free(perm);
        return ds_fail(err, "synthetic ratings: out of memory");
    }
    for (int i = 0; i < users * rank; i++) U[i] = (float)rng_normal(&r) / sqrtf((float)rank);
    for (int i = 0; i < items * rank; i++) V[i] = (float)rng_normal(&r) / sqrtf((float)rank);
    /* Render as a ratings.csv so the one parser and split are exercised. */
    size_t len = 0;
    for (int u = 0; u < users; u++) {
        for (int i = 0; i < items; i++) perm[i] = (uint32_t)i;
        rng_shuffle_u32(&r, perm, (size_t)items);
        for (int k = 0; k < per_user; k++) {
            int it = (int)perm[k];
            double dot = 0;
            for (int f = 0; f < rank; f++) dot += U[u * rank + f] * V[it * rank + f];
            double v = 3.0 + 1.2 * dot + 0.1 * rng_normal(&r);
            v = floor(v * 2 + 0.5) / 2;
            v = v < 0.5 ? 0.5 : v > 5 ? 5 : v;
            len += (size_t)sprintf(text + len, "%d,%d,%.1f,0\n", u + 1, it + 1, v);
        }
    }
    int rc = movielens_parse("synthetic-ratings", text, len, train_fraction, seed, train, test, err);
    free(U); free(V); free(text); free(perm);
    return rc;
}
