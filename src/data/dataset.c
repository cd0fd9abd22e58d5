/* dataset.c: dataset allocation, normalisation and batch gathering. */
#include "data/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dataset_free(dataset *d) {
    if (!d) return;
    free(d->pixels);
    free(d->labels);
    free(d->user);
    free(d->item);
    free(d->rating);
    memset(d, 0, sizeof *d);
}

void dataset_set_normalisation(dataset *d, const float *mean, const float *std) {
    for (int c = 0; c < DATASET_MAX_CHANNELS; c++) {
        float m = mean[c < d->c ? c : 0], s = std[c < d->c ? c : 0];
        for (int v = 0; v < 256; v++) d->lut[c][v] = ((float)v / 255.0f - m) / s;
    }
}

int dataset_alloc_images(dataset *d, const char *name, size_t n, int c, int h, int w,
                         int classes, ds_err *err) {
    memset(d, 0, sizeof *d);
    if (c < 1 || c > DATASET_MAX_CHANNELS)
        return ds_fail(err, "%s: %d channels (allowed 1..%d)", name, c, DATASET_MAX_CHANNELS);
    d->kind = DATASET_IMAGES;
    snprintf(d->name, sizeof d->name, "%s", name);
    d->n = n;
    d->c = c;
    d->h = h;
    d->w = w;
    d->classes = classes;
    d->pixels = malloc(n * (size_t)c * h * w + 1);
    d->labels = malloc(n + 1);
    if (!d->pixels || !d->labels) {
        dataset_free(d);
        return ds_fail(err, "%s: out of memory for %zu images", name, n);
    }
    const float half[DATASET_MAX_CHANNELS] = {0.5f, 0.5f, 0.5f, 0.5f};
    dataset_set_normalisation(d, half, half);
    return 0;
}

int dataset_alloc_ratings(dataset *d, const char *name, size_t n, int n_users, int n_items,
                          ds_err *err) {
    memset(d, 0, sizeof *d);
    d->kind = DATASET_RATINGS;
    snprintf(d->name, sizeof d->name, "%s", name);
    d->n = n;
    d->n_users = n_users;
    d->n_items = n_items;
    d->user = malloc(sizeof(int32_t) * (n + 1));
    d->item = malloc(sizeof(int32_t) * (n + 1));
    d->rating = malloc(sizeof(float) * (n + 1));
    if (!d->user || !d->item || !d->rating) {
        dataset_free(d);
        return ds_fail(err, "%s: out of memory for %zu ratings", name, n);
    }
    return 0;
}

size_t dataset_sample_size(const dataset *d) {
    return d->kind == DATASET_IMAGES ? (size_t)d->c * d->h * d->w : 0;
}

void dataset_gather(const dataset *d, const uint32_t *idx, int n, float *x, int32_t *label,
                    int32_t *user, int32_t *item, float *target) {
    if (d->kind == DATASET_RATINGS) {
        for (int b = 0; b < n; b++) {
            uint32_t i = idx[b];
            if (user) user[b] = d->user[i];
            if (item) item[b] = d->item[i];
            if (target) target[b] = d->rating[i];
        }
        return;
    }
    const size_t plane = (size_t)d->h * d->w, sz = plane * d->c;
    for (int b = 0; b < n; b++) {
        uint32_t i = idx[b];
        if (label) label[b] = d->labels[i];
        if (!x) continue;
        const uint8_t *p = d->pixels + (size_t)i * sz;
        float *out = x + (size_t)b * sz;
        for (int c = 0; c < d->c; c++) {
            const float *lut = d->lut[c];
            for (size_t j = 0; j < plane; j++) out[c * plane + j] = lut[p[c * plane + j]];
        }
    }
}
