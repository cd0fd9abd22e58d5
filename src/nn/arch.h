/* arch.h: a network architecture: an ordered list of layers whose
 * parameters are views (offsets) into one flat float vector.
 *
 * The architecture is immutable once built and shared by every node that
 * trains the same model. Parameters and gradients live in the caller's flat
 * vectors (see model.h); activations live in an nn_work, one per thread, so
 * many models can train in one process without each holding activations.
 *
 * Flat-vector order is PyTorch's named_parameters() order (each layer's
 * weight then bias), so a state_dict flattened in order is our vector. */
#ifndef DS_ARCH_H
#define DS_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define NN_MAX_LAYERS 32
#define NN_NO_PARAM ((size_t)-1)

typedef enum nn_task { NN_TASK_CLASSIFY, NN_TASK_REGRESS } nn_task;

typedef enum nn_layer_kind {
    NN_LAYER_CONV2D,
    NN_LAYER_GROUPNORM,
    NN_LAYER_RELU,
    NN_LAYER_MAXPOOL,
    NN_LAYER_FLATTEN,
    NN_LAYER_LINEAR,
} nn_layer_kind;

typedef struct nn_layer {
    nn_layer_kind kind;
    int in_c, in_h, in_w;    /* per-sample input shape; flat vectors are (F,1,1) */
    int out_c, out_h, out_w; /* per-sample output shape */
    int k, stride, pad;      /* conv2d / maxpool */
    int groups;              /* groupnorm */
    size_t w_off, w_len;     /* weight view in the flat vector (NN_NO_PARAM if none) */
    size_t b_off, b_len;     /* bias view (NN_NO_PARAM if none) */
    int fan_in;              /* for PyTorch's default init */
} nn_layer;

typedef enum nn_arch_kind { NN_ARCH_SEQUENTIAL, NN_ARCH_MF } nn_arch_kind;

typedef struct nn_arch {
    char name[32];
    nn_arch_kind kind;
    nn_task task;
    int in_c, in_h, in_w; /* sequential: per-sample input shape */
    int n_out;            /* classes (classify) or 1 (regress) */
    int n_layers;
    nn_layer layers[NN_MAX_LAYERS];
    int mf_users, mf_items, mf_factors, mf_bias; /* matrix factorisation */
    size_t n_params;
} nn_arch;

/* Builder: begin, append layers (each checks the shapes fit), done. */
void nn_arch_begin(nn_arch *a, const char *name, int c, int h, int w);
int nn_arch_conv2d(nn_arch *a, int out_c, int k, int stride, int pad, ds_err *err);
int nn_arch_groupnorm(nn_arch *a, int groups, ds_err *err);
int nn_arch_relu(nn_arch *a, ds_err *err);
int nn_arch_maxpool(nn_arch *a, int k, int stride, ds_err *err);
int nn_arch_flatten(nn_arch *a, ds_err *err);
int nn_arch_linear(nn_arch *a, int out_features, ds_err *err);
/* Ends a classifier whose last layer outputs the class scores. */
int nn_arch_done(nn_arch *a, ds_err *err);

/* Matrix factorisation: prediction = <U[user], V[item]> (+ bu + bi). */
int nn_arch_mf(nn_arch *a, int users, int items, int factors, int bias, ds_err *err);

/* PyTorch's default initialisation: conv/linear weights and biases
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5)),
 * GroupNorm gamma = 1, beta = 0; MF embeddings U(-0.05, 0.05), biases 0.
 * Deterministic from seed. */
void nn_arch_init_params(const nn_arch *a, float *params, uint64_t seed);

/* Per-sample size of the input (C*H*W). */
size_t nn_arch_input_size(const nn_arch *a);

/* Human-readable one-line-per-layer summary into buf. */
void nn_arch_describe(const nn_arch *a, char *buf, size_t n);

#endif
