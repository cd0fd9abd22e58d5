/* dataset.h: an in-memory dataset: labelled images or (user, item, rating)
 * triples, and the gathering of samples into a normalised training batch.
 *
 * Images are kept as raw bytes (CIFAR-10's 50k images take 150 MiB, not
 * 600) and normalised while a batch is gathered: x = (p/255 - mean) / std
 * per channel, mean = std = 0.5 by default as decentralizepy. */
#ifndef DS_DATASET_H
#define DS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define DATASET_MAX_CHANNELS 4

typedef enum dataset_kind { DATASET_IMAGES, DATASET_RATINGS } dataset_kind;

typedef struct dataset {
    dataset_kind kind;
    char name[32];
    size_t n;                 /* samples */
    /* images */
    int c, h, w;              /* per-sample shape */
    int classes;
    uint8_t *pixels;          /* [n][c*h*w] raw 0..255, owned */
    uint8_t *labels;          /* [n] in [0, classes), owned */
    float lut[DATASET_MAX_CHANNELS][256]; /* byte -> normalised value per channel */
    /* ratings */
    int n_users, n_items;     /* dense index ranges, shared by train and test */
    int32_t *user, *item;     /* [n], owned */
    float *rating;            /* [n], owned */
} dataset;

void dataset_free(dataset *d);

/* Allocates an image dataset of n samples (pixels/labels uninitialised) and
 * sets the default normalisation (mean 0.5, std 0.5 per channel). */
int dataset_alloc_images(dataset *d, const char *name, size_t n, int c, int h, int w,
                         int classes, ds_err *err);
/* Allocates a ratings dataset of n triples. */
int dataset_alloc_ratings(dataset *d, const char *name, size_t n, int n_users, int n_items,
                          ds_err *err);
/* Sets the per-channel normalisation. */
void dataset_set_normalisation(dataset *d, const float *mean, const float *std);

/* Per-sample input size (c*h*w); 0 for ratings. */
size_t dataset_sample_size(const dataset *d);

/* Gathers samples idx[0..n) into batch arrays (the ones the kind needs;
 * others may be NULL): x [n][c*h*w], label [n]; or user, item, target [n]. */
void dataset_gather(const dataset *d, const uint32_t *idx, int n, float *x, int32_t *label,
                    int32_t *user, int32_t *item, float *target);

/* Class of sample i (images) — used by partitioners. */
static inline int dataset_label(const dataset *d, size_t i) { return d->labels[i]; }

#endif
