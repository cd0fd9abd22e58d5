/* arch.c: building architectures and initialising their parameters. */
#include "nn/arch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/rng.h"

void nn_arch_begin(nn_arch *a, const char *name, int c, int h, int w) {
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->kind = NN_ARCH_SEQUENTIAL;
    a->task = NN_TASK_CLASSIFY;
    a->in_c = c;
    a->in_h = h;
    a->in_w = w;
}

/* Appends a layer whose input is the previous layer's output. */
static nn_layer *push(nn_arch *a, nn_layer_kind kind, ds_err *err) {
    if (a->n_layers >= NN_MAX_LAYERS) {
        ds_fail(err, "%s: more than %d layers", a->name, NN_MAX_LAYERS);
        return NULL;
    }
    nn_layer *l = &a->layers[a->n_layers++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    if (a->n_layers == 1) {
        l->in_c = a->in_c;
        l->in_h = a->in_h;
        l->in_w = a->in_w;
    } else {
        const nn_layer *p = l - 1;
        l->in_c = p->out_c;
        l->in_h = p->out_h;
        l->in_w = p->out_w;
    }
    l->out_c = l->in_c;
    l->out_h = l->in_h;
    l->out_w = l->in_w;
    l->w_off = l->b_off = NN_NO_PARAM;
    return l;
}

static void add_params(nn_arch *a, nn_layer *l, size_t w_len, size_t b_len) {
    l->w_off = a->n_params;
    l->w_len = w_len;
    a->n_params += w_len;
    if (b_len) {
        l->b_off = a->n_params;
        l->b_len = b_len;
        a->n_params += b_len;
    }
}

int nn_arch_conv2d(nn_arch *a, int out_c, int k, int stride, int pad, ds_err *err) {
    nn_layer *l = push(a, NN_LAYER_CONV2D, err);
    if (!l) return -1;
    if (out_c <= 0 || k <= 0 || stride <= 0 || pad < 0)
        return ds_fail(err, "%s: conv2d needs out_c, k, stride > 0 and pad >= 0", a->name);
    l->k = k;
    l->stride = stride;
    l->pad = pad;
    l->out_c = out_c;
    l->out_h = (l->in_h + 2 * pad - k) / stride + 1;
    l->out_w = (l->in_w + 2 * pad - k) / stride + 1;
    if (l->in_h + 2 * pad < k || l->in_w + 2 * pad < k)
        return ds_fail(err, "%s: conv2d kernel %d larger than padded input %dx%d", a->name, k,
                       l->in_h, l->in_w);
    l->fan_in = l->in_c * k * k;
    add_params(a, l, (size_t)out_c * l->fan_in, (size_t)out_c);
    return 0;
}

int nn_arch_groupnorm(nn_arch *a, int groups, ds_err *err) {
    nn_layer *l = push(a, NN_LAYER_GROUPNORM, err);
    if (!l) return -1;
    if (groups <= 0 || l->in_c % groups != 0)
        return ds_fail(err, "%s: groupnorm groups=%d must divide channels=%d", a->name, groups,
                       l->in_c);
    l->groups = groups;
    add_params(a, l, (size_t)l->in_c, (size_t)l->in_c);
    return 0;
}

int nn_arch_relu(nn_arch *a, ds_err *err) { return push(a, NN_LAYER_RELU, err) ? 0 : -1; }

int nn_arch_maxpool(nn_arch *a, int k, int stride, ds_err *err) {
    nn_layer *l = push(a, NN_LAYER_MAXPOOL, err);
    if (!l) return -1;
    if (k <= 0 || stride <= 0 || l->in_h < k || l->in_w < k)
        return ds_fail(err, "%s: maxpool %d on input %dx%d (input too small)", a->name, k,
                       l->in_h, l->in_w);
    l->k = k;
    l->stride = stride;
    l->out_h = (l->in_h - k) / stride + 1;
    l->out_w = (l->in_w - k) / stride + 1;
    return 0;
}

int nn_arch_flatten(nn_arch *a, ds_err *err) {
    nn_layer *l = push(a, NN_LAYER_FLATTEN, err);
    if (!l) return -1;
    l->out_c = l->in_c * l->in_h * l->in_w;
    l->out_h = l->out_w = 1;
    return 0;
}

int nn_arch_linear(nn_arch *a, int out_features, ds_err *err) {
    nn_layer *l = push(a, NN_LAYER_LINEAR, err);
    if (!l) return -1;
    if (l->in_h != 1 || l->in_w != 1)
        return ds_fail(err, "%s: linear layer needs a flat input (add flatten)", a->name);
    if (out_features <= 0) return ds_fail(err, "%s: linear needs out_features > 0", a->name);
    l->fan_in = l->in_c;
    l->out_c = out_features;
    add_params(a, l, (size_t)out_features * l->in_c, (size_t)out_features);
    return 0;
}

int nn_arch_done(nn_arch *a, ds_err *err) {
    if (a->n_layers == 0) return ds_fail(err, "%s: no layers", a->name);
    const nn_layer *last = &a->layers[a->n_layers - 1];
    if (last->out_h != 1 || last->out_w != 1)
        return ds_fail(err, "%s: last layer must output a flat vector", a->name);
    a->n_out = last->out_c;
    return 0;
}

int nn_arch_mf(nn_arch *a, int users, int items, int factors, int bias, ds_err *err) {
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "mf");
    if (users <= 0 || items <= 0 || factors <= 0)
        return ds_fail(err, "mf: users (%d), items (%d) and factors (%d) must be > 0", users, items,
                       factors);
    a->kind = NN_ARCH_MF;
    a->task = NN_TASK_REGRESS;
    a->n_out = 1;
    a->mf_users = users;
    a->mf_items = items;
    a->mf_factors = factors;
    a->mf_bias = bias ? 1 : 0;
    a->n_params = (size_t)(users + items) * factors + (bias ? (size_t)(users + items) : 0);
    return 0;
}

size_t nn_arch_input_size(const nn_arch *a) { return (size_t)a->in_c * a->in_h * a->in_w; }

void nn_arch_init_params(const nn_arch *a, float *params, uint64_t seed) {
    rng r;
    rng_seed(&r, seed);
    if (a->kind == NN_ARCH_MF) {
        size_t emb = (size_t)(a->mf_users + a->mf_items) * a->mf_factors;
        for (size_t i = 0; i < emb; i++) params[i] = rng_uniform_f(&r, -0.05f, 0.05f);
        for (size_t i = emb; i < a->n_params; i++) params[i] = 0.0f;
        return;
    }
    for (int i = 0; i < a->n_layers; i++) {
        const nn_layer *l = &a->layers[i];
        if (l->kind == NN_LAYER_GROUPNORM) {
            for (size_t j = 0; j < l->w_len; j++) params[l->w_off + j] = 1.0f;
            for (size_t j = 0; j < l->b_len; j++) params[l->b_off + j] = 0.0f;
        } else if (l->kind == NN_LAYER_CONV2D || l->kind == NN_LAYER_LINEAR) {
            float bound = 1.0f / sqrtf((float)l->fan_in);
            for (size_t j = 0; j < l->w_len; j++) params[l->w_off + j] = rng_uniform_f(&r, -bound, bound);
            for (size_t j = 0; j < l->b_len; j++) params[l->b_off + j] = rng_uniform_f(&r, -bound, bound);
        }
    }
}

void nn_arch_describe(const nn_arch *a, char *buf, size_t n) {
    size_t used = 0;
#define OUT(...)                                                              \
    do {                                                                      \
        int w_ = snprintf(buf + used, used < n ? n - used : 0, __VA_ARGS__); \
        if (w_ > 0) used += (size_t)w_;                                       \
    } while (0)
    if (a->kind == NN_ARCH_MF) {
        OUT("mf: %d users x %d items x %d factors%s, %zu parameters\n", a->mf_users, a->mf_items,
            a->mf_factors, a->mf_bias ? " + biases" : "", a->n_params);
        return;
    }
    static const char *names[] = {"conv2d", "groupnorm", "relu", "maxpool", "flatten", "linear"};
    OUT("%s: input %dx%dx%d, %zu parameters\n", a->name, a->in_c, a->in_h, a->in_w, a->n_params);
    for (int i = 0; i < a->n_layers; i++) {
        const nn_layer *l = &a->layers[i];
        OUT("  %-9s %3dx%2dx%2d -> %4dx%2dx%2d  params %zu\n", names[l->kind], l->in_c, l->in_h,
            l->in_w, l->out_c, l->out_h, l->out_w,
            (l->w_off != NN_NO_PARAM ? l->w_len : 0) + (l->b_off != NN_NO_PARAM ? l->b_len : 0));
    }
#undef OUT
}
