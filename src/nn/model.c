/* model.c: allocation and the SGD step of a model instance. */
#include "nn/model.h"

#include <stdlib.h>
#include <string.h>

int nn_model_init(nn_model *m, const nn_arch *a, const sgd_config *sgd, uint64_t seed, ds_err *err) {
    memset(m, 0, sizeof *m);
    m->arch = a;
    m->sgd = *sgd;
    m->params = malloc(sizeof(float) * a->n_params);
    m->grads = calloc(a->n_params, sizeof(float));
    if (sgd->momentum != 0.0f) m->velocity = calloc(a->n_params, sizeof(float));
    if (!m->params || !m->grads || (sgd->momentum != 0.0f && !m->velocity)) {
        nn_model_free(m);
        return ds_fail(err, "out of memory for %zu parameters", a->n_params);
    }
    nn_arch_init_params(a, m->params, seed);
    return 0;
}

void nn_model_free(nn_model *m) {
    if (!m) return;
    free(m->params);
    free(m->grads);
    free(m->velocity);
    m->params = m->grads = m->velocity = NULL;
}

float nn_model_train_step(nn_model *m, nn_work *w, const nn_batch *b, nn_stats *stats) {
    float loss = nn_forward_backward(m->arch, w, m->params, m->grads, b, stats);
    sgd_step(&m->sgd, m->arch->n_params, m->params, m->grads, m->velocity, &m->sgd_started);
    return loss;
}
