/* models.h: the named models divshare ships, built from a spec.
 *
 *  gnlenet  decentralizepy's LeNet: 3 x [conv 5x5 same -> GroupNorm(2) ->
 *           ReLU -> maxpool 2x2], channels 32, 32, 64, then Linear to the
 *           classes. 89,834 parameters on CIFAR-10 (3x32x32).
 *  mlp      flatten -> Linear(hidden) -> ReLU -> Linear(classes).
 *  logreg   flatten -> Linear(classes).
 *  mf       matrix factorisation (user and item embeddings, dot product).
 *  cnn      2 x [conv 3x3 same -> ReLU -> maxpool 2x2], channels 16 and
 *           32, then Linear to the classes (20,490 parameters on 28x28).
 * To add a model: a build function and a line in MODELS (models.c). */
#ifndef DS_MODELS_H
#define DS_MODELS_H

#include "nn/arch.h"

typedef struct nn_model_spec {
    const char *name;     /* a name of the registry (models.c) */
    int in_c, in_h, in_w; /* input shape (classifiers) */
    int classes;          /* classifiers */
    int hidden;           /* mlp hidden units */
    int users, items;     /* mf */
    int factors;          /* mf embedding size */
    int bias;             /* mf: add user and item biases */
} nn_model_spec;

/* A model of the registry. */
typedef struct nn_model_def {
    const char *name;
    int (*build)(const nn_model_spec *spec, nn_arch *a, ds_err *err);
    int ratings;      /* 1: for ratings datasets (users x items), else images */
    const char *help; /* one line */
} nn_model_def;

const nn_model_def *nn_model_find(const char *name); /* NULL if unknown */
/* Builds the architecture named by spec->name into *a. */
int nn_model_build(const nn_model_spec *spec, nn_arch *a, ds_err *err);
/* The model names joined by sep into buf (size n). */
void nn_model_names(char *buf, size_t n, const char *sep);

#endif
