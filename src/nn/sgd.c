/* sgd.c: one fused loop per variant. */
#include "nn/sgd.h"

#include "util/dispatch.h"

DS_HOT void sgd_step(const sgd_config *c, size_t n, float *params, const float *grads, float *velocity,
              int *started) {
    const float lr = c->lr, wd = c->weight_decay, mu = c->momentum;
    if (mu == 0.0f) {
        if (wd == 0.0f)
            for (size_t i = 0; i < n; i++) params[i] -= lr * grads[i];
        else
            for (size_t i = 0; i < n; i++) params[i] -= lr * (grads[i] + wd * params[i]);
        return;
    }
    int first = !*started;
    for (size_t i = 0; i < n; i++) {
        float g = grads[i] + wd * params[i];
        velocity[i] = first ? g : mu * velocity[i] + g;
        params[i] -= lr * velocity[i];
    }
    *started = 1;
}
