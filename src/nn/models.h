/* models.h: the named models divshare ships, built from a spec.
 *
 *  gnlenet  decentralizepy's LeNet: 3 x [conv 5x5 same -> GroupNorm(2) ->
 *           ReLU -> maxpool 2x2], channels 32, 32, 64, then Linear to the
 *           classes. 89,834 parameters on CIFAR-10 (3x32x32).
 *  mlp      flatten -> Linear(hidden) -> ReLU -> Linear(classes).
 *  logreg   flatten -> Linear(classes).
 *  mf       matrix factorisation (user and item embeddings, dot product). */
#ifndef DS_MODELS_H
#define DS_MODELS_H

#include "nn/arch.h"

typedef struct nn_model_spec {
    const char *name;     /* gnlenet | mlp | logreg | mf */
    int in_c, in_h, in_w; /* input shape (classifiers) */
    int classes;          /* classifiers */
    int hidden;           /* mlp hidden units */
    int users, items;     /* mf */
    int factors;          /* mf embedding size */
    int bias;             /* mf: add user and item biases */
} nn_model_spec;

/* Builds the architecture named by spec->name into *a. */
int nn_model_build(const nn_model_spec *spec, nn_arch *a, ds_err *err);

/* A comma-separated list of the model names, for error messages. */
const char *nn_model_names(void);

#endif
