/* trainer.c: batch-sliced data parallelism over a thread pool. */
#include "nn/trainer.h"

#include <stdlib.h>
#include <string.h>

int nn_trainer_init(nn_trainer *t, const nn_arch *a, int threads, int max_batch, ds_err *err) {
    memset(t, 0, sizeof *t);
    if (threads < 1) threads = 1;
    if (threads > NN_TRAINER_MAX_THREADS) threads = NN_TRAINER_MAX_THREADS;
    if (threads > max_batch) threads = max_batch;
    /* Matrix factorisation steps are a few microseconds of sparse work on a
     * dense gradient: splitting them only multiplies the memsets. */
    if (a->kind == NN_ARCH_MF) threads = 1;
    t->arch = a;
    t->threads = threads;
    int slice = (max_batch + threads - 1) / threads;
    for (int i = 0; i < threads; i++) {
        t->work[i] = nn_work_new(a, slice, err);
        if (!t->work[i]) goto fail;
        if (!(t->grads[i] = malloc(sizeof(float) * a->n_params))) {
            ds_fail(err, "out of memory");
            goto fail;
        }
    }
    if (!(t->pool = pool_new(threads, err))) goto fail;
    return 0;
fail:
    nn_trainer_free(t);
    return -1;
}

void nn_trainer_free(nn_trainer *t) {
    if (!t) return;
    pool_destroy(t->pool);
    for (int i = 0; i < NN_TRAINER_MAX_THREADS; i++) {
        nn_work_free(t->work[i]);
        free(t->grads[i]);
    }
    memset(t, 0, sizeof *t);
}

typedef struct step_job {
    nn_trainer *t;
    const float *params;
    const nn_batch *b;
    nn_stats stats[NN_TRAINER_MAX_THREADS];
    int first[NN_TRAINER_MAX_THREADS + 1]; /* slice boundaries */
} step_job;

static void slice_batch(const nn_arch *a, const nn_batch *b, int from, int to, nn_batch *out) {
    memset(out, 0, sizeof *out);
    out->n = to - from;
    out->x = b->x ? b->x + (size_t)from * nn_arch_input_size(a) : NULL;
    out->label = b->label ? b->label + from : NULL;
    out->user = b->user ? b->user + from : NULL;
    out->item = b->item ? b->item + from : NULL;
    out->target = b->target ? b->target + from : NULL;
}

static void step_worker(void *ctx, int w) {
    step_job *j = ctx;
    int from = j->first[w], to = j->first[w + 1];
    if (to <= from) return;
    nn_batch part;
    slice_batch(j->t->arch, j->b, from, to, &part);
    nn_forward_backward(j->t->arch, j->t->work[w], j->params, j->t->grads[w], &part, &j->stats[w]);
}

float nn_trainer_step(nn_trainer *t, const sgd_config *sgd, float *params, float *velocity, int *sgd_started,
                      const nn_batch *b, nn_stats *stats) {
    const size_t P = t->arch->n_params;
    if (t->threads == 1) {
        float loss = nn_forward_backward(t->arch, t->work[0], params, t->grads[0], b, stats);
        sgd_step(sgd, P, params, t->grads[0], velocity, sgd_started);
        return loss;
    }
    step_job j;
    j.t = t;
    j.params = params;
    j.b = b;
    memset(j.stats, 0, sizeof j.stats);
    for (int w = 0; w <= t->threads; w++) j.first[w] = (int)((long)b->n * w / t->threads);
    pool_run(t->pool, step_worker, &j);
    /* grads = sum_w (n_w / n) * grads_w: each slice's gradient is of its
     * own mean loss. Slices that were empty contribute nothing. */
    float *g0 = t->grads[0];
    float w0 = (float)(j.first[1] - j.first[0]) / (float)b->n;
    for (size_t i = 0; i < P; i++) g0[i] *= w0;
    for (int w = 1; w < t->threads; w++) {
        int n_w = j.first[w + 1] - j.first[w];
        if (n_w <= 0) continue;
        float f = (float)n_w / (float)b->n;
        const float *gw = t->grads[w];
        for (size_t i = 0; i < P; i++) g0[i] += f * gw[i];
    }
    sgd_step(sgd, P, params, g0, velocity, sgd_started);
    double loss = 0;
    for (int w = 0; w < t->threads; w++) {
        loss += j.stats[w].loss_sum;
        if (stats) {
            stats->loss_sum += j.stats[w].loss_sum;
            stats->correct += j.stats[w].correct;
            stats->count += j.stats[w].count;
        }
    }
    return (float)(loss / b->n);
}
