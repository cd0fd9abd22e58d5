/* learner_quadratic.c: the synthetic learner (see learner.h). Node k's
 * coefficients are drawn afresh from (seed, k) at every call, so a node
 * costs no memory: 10,000 nodes need only the consensus sums. */
#include <math.h>
#include <stdlib.h>

#include "core/learner.h"
#include "core/seeds.h"
#include "util/rng.h"

typedef struct quad_learner {
    int nodes;
    size_t dim;
    double lr;
    uint64_t seed;
    double *opt;    /* [dim] x* */
    double *a_sum;  /* [dim] sum_k a_ki */
} quad_learner;

/* Node k's coefficient stream: (a_ki, b_ki) for i = 0, 1, ... */
static void coeffs_begin(const quad_learner *Q, int node, rng *r) {
    rng_seed(r, rng_derive(Q->seed, SEED_QUADRATIC, (uint64_t)node));
}

static void coeffs_next(rng *r, double *a, double *b) {
    *a = 0.5 + rng_uniform(r);
    *b = 2 * rng_uniform(r) - 1;
}

static void quad_init_params(void *self, float *params, uint64_t seed) {
    quad_learner *Q = self;
    rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < Q->dim; i++) params[i] = (float)(4 * rng_uniform(&r) - 2);
}

static int quad_train(void *self, int worker, int node, float *params, int steps, learner_train_stats *st,
                      ds_err *err) {
    quad_learner *Q = self;
    (void)worker;
    if (node < 0 || node >= Q->nodes) return ds_fail(err, "node %d is outside the %d nodes", node, Q->nodes);
    for (int k = 0; k < steps; k++) {
        rng r;
        coeffs_begin(Q, node, &r);
        double f = 0;
        for (size_t i = 0; i < Q->dim; i++) {
            double a, b;
            coeffs_next(&r, &a, &b);
            double e = params[i] - b;
            f += 0.5 * a * e * e;
            params[i] = (float)(params[i] - Q->lr * a * e);
        }
        st->step_loss_sum += f;
        st->loss_sum += f;
        st->samples++;
        st->steps++;
    }
    return 0;
}

static int quad_evaluate(void *self, int worker, int node, const float *params, learner_eval *out, ds_err *err) {
    quad_learner *Q = self;
    (void)worker;
    (void)node;
    (void)err;
    double sq = 0, gap = 0;
    for (size_t i = 0; i < Q->dim; i++) {
        double e = params[i] - Q->opt[i];
        sq += e * e;
        gap += 0.5 * Q->a_sum[i] * e * e;
    }
    out->metric = sqrt(sq / (double)Q->dim);
    out->loss = gap / Q->nodes;
    return 0;
}

static void quad_destroy(void *self) {
    quad_learner *Q = self;
    if (!Q) return;
    free(Q->opt);
    free(Q->a_sum);
    free(Q);
}

static const learner_ops QUAD_OPS = {
    .name = "quadratic",
    .init_params = quad_init_params,
    .train = quad_train,
    .evaluate = quad_evaluate,
    .destroy = quad_destroy,
};

int learner_quadratic_new(const learner_quadratic_spec *s, learner *out, ds_err *err) {
    *out = (learner){0};
    if (s->nodes < 1) return ds_fail(err, "quadratic learner: %d nodes (at least 1)", s->nodes);
    if (s->dim < 1) return ds_fail(err, "quadratic learner: dimension 0 (at least 1)");
    if (!(s->lr > 0 && s->lr <= 1)) return ds_fail(err, "quadratic learner: lr = %g outside (0, 1]", s->lr);
    quad_learner *Q = calloc(1, sizeof *Q);
    if (!Q) return ds_fail(err, "out of memory");
    *Q = (quad_learner){.nodes = s->nodes, .dim = s->dim, .lr = s->lr, .seed = s->seed};
    Q->opt = calloc(s->dim, sizeof(double));
    Q->a_sum = calloc(s->dim, sizeof(double));
    if (!Q->opt || !Q->a_sum) {
        quad_destroy(Q);
        return ds_fail(err, "out of memory for a %zu-dimensional quadratic", s->dim);
    }
    /* x*_i = sum_k a_ki b_ki / sum_k a_ki (opt holds the numerator first). */
    for (int k = 0; k < s->nodes; k++) {
        rng r;
        coeffs_begin(Q, k, &r);
        for (size_t i = 0; i < s->dim; i++) {
            double a, b;
            coeffs_next(&r, &a, &b);
            Q->a_sum[i] += a;
            Q->opt[i] += a * b;
        }
    }
    for (size_t i = 0; i < s->dim; i++) Q->opt[i] /= Q->a_sum[i];
    *out = (learner){
        .ops = &QUAD_OPS,
        .self = Q,
        .n_params = s->dim,
        .lower_is_better = 1,
        .model = "quadratic",
    };
    return 0;
}
