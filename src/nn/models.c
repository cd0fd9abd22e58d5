/* models.c: constructors of the shipped architectures. */
#include "nn/models.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <string.h>

static int build_gnlenet(const nn_model_spec *s, nn_arch *a, ds_err *err) {
    static const int channels[3] = {32, 32, 64};
    nn_arch_begin(a, "gnlenet", s->in_c, s->in_h, s->in_w);
    for (int i = 0; i < 3; i++) {
        if (nn_arch_conv2d(a, channels[i], 5, 1, 2, err) || nn_arch_groupnorm(a, 2, err) ||
            nn_arch_relu(a, err) || nn_arch_maxpool(a, 2, 2, err))
            return ds_fail_prefix(err, "gnlenet needs an input of at least 8x8 (got %dx%d)",
                                  s->in_h, s->in_w);
    }
    if (nn_arch_flatten(a, err) || nn_arch_linear(a, s->classes, err)) return -1;
    return nn_arch_done(a, err);
}

static int build_mlp(const nn_model_spec *s, nn_arch *a, ds_err *err) {
    nn_arch_begin(a, "mlp", s->in_c, s->in_h, s->in_w);
    if (nn_arch_flatten(a, err) || nn_arch_linear(a, s->hidden, err) || nn_arch_relu(a, err) ||
        nn_arch_linear(a, s->classes, err))
        return -1;
    return nn_arch_done(a, err);
}

static int build_logreg(const nn_model_spec *s, nn_arch *a, ds_err *err) {
    nn_arch_begin(a, "logreg", s->in_c, s->in_h, s->in_w);
    if (nn_arch_flatten(a, err) || nn_arch_linear(a, s->classes, err)) return -1;
    return nn_arch_done(a, err);
}

static int build_cnn(const nn_model_spec *s, nn_arch *a, ds_err *err) {
    nn_arch_begin(a, "cnn", s->in_c, s->in_h, s->in_w);
    if (nn_arch_conv2d(a, 16, 3, 1, 1, err) || nn_arch_relu(a, err) || nn_arch_maxpool(a, 2, 2, err) ||
        nn_arch_conv2d(a, 32, 3, 1, 1, err) || nn_arch_relu(a, err) || nn_arch_maxpool(a, 2, 2, err))
        return ds_fail_prefix(err, "cnn needs an input of at least 4x4 (got %dx%d)", s->in_h, s->in_w);
    if (nn_arch_flatten(a, err) || nn_arch_linear(a, s->classes, err)) return -1;
    return nn_arch_done(a, err);
}

static int build_mf(const nn_model_spec *s, nn_arch *a, ds_err *err) {
    return nn_arch_mf(a, s->users, s->items, s->factors, s->bias, err);
}

/* The registry: the one place that lists the models. */
static const nn_model_def MODELS[] = {
    {.name = "gnlenet", .build = build_gnlenet, .help = "decentralizepy's LeNet with GroupNorm"},
    {.name = "mlp", .build = build_mlp, .help = "one hidden layer of [model] hidden units"},
    {.name = "logreg", .build = build_logreg, .help = "logistic regression"},
    {.name = "mf", .build = build_mf, .ratings = 1, .help = "matrix factorisation ([model] factors, bias)"},
    {.name = "cnn", .build = build_cnn, .help = "2 x [conv 3x3 -> ReLU -> maxpool 2x2], 16 and 32 channels"},
};

const nn_model_def *nn_model_find(const char *name) {
    for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++)
        if (!strcmp(MODELS[i].name, name)) return &MODELS[i];
    return NULL;
}

void nn_model_names(char *buf, size_t n, const char *sep) {
    buf[0] = 0;
    for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++) str_append(buf, n, sep, MODELS[i].name);
}

int nn_model_build(const nn_model_spec *s, nn_arch *a, ds_err *err) {
    const nn_model_def *m = nn_model_find(s->name);
    if (!m) {
        char names[256];
        nn_model_names(names, sizeof names, ", ");
        return ds_fail(err, "unknown model '%s' (allowed: %s)", s->name, names);
    }
    if (!m->ratings && (s->in_c <= 0 || s->in_h <= 0 || s->in_w <= 0 || s->classes <= 1))
        return ds_fail(err, "model %s needs an image dataset with at least 2 classes", s->name);
    if (!strcmp(s->name, "mlp") && s->hidden <= 0) return ds_fail(err, "mlp needs hidden > 0 (got %d)", s->hidden);
    return m->build(s, a, err);
}
