/* models.c: constructors of the shipped architectures. */
#include "nn/models.h"

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

const char *nn_model_names(void) { return "gnlenet, mlp, logreg, mf"; }

int nn_model_build(const nn_model_spec *s, nn_arch *a, ds_err *err) {
    if (!strcmp(s->name, "mf")) return nn_arch_mf(a, s->users, s->items, s->factors, s->bias, err);
    if (s->in_c <= 0 || s->in_h <= 0 || s->in_w <= 0 || s->classes <= 1)
        return ds_fail(err, "model %s needs an image dataset with at least 2 classes", s->name);
    if (!strcmp(s->name, "gnlenet")) return build_gnlenet(s, a, err);
    if (!strcmp(s->name, "mlp")) {
        if (s->hidden <= 0) return ds_fail(err, "mlp needs hidden > 0 (got %d)", s->hidden);
        return build_mlp(s, a, err);
    }
    if (!strcmp(s->name, "logreg")) return build_logreg(s, a, err);
    return ds_fail(err, "unknown model '%s' (allowed: %s)", s->name, nn_model_names());
}
