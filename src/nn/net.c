/* net.c: the forward/backward driver over an architecture's layers. */
#include "nn/net.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/embedding.h"
#include "nn/groupnorm.h"
#include "nn/layout.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/pool.h"
#include "util/clock.h"

struct nn_work {
    int max_batch;
    float *x;                       /* input in the first layer's layout */
    float *act[NN_MAX_LAYERS];      /* layer outputs */
    float *dact[NN_MAX_LAYERS];     /* d loss / d output */
    float *col;                     /* conv2d im2col scratch, shared by chunked layers */
    float *pad;                     /* conv2d zero-padded image scratch, shared */
    float *gemm;                    /* conv2d weight-gradient GEMM scratch, shared */
    float *col_keep[NN_MAX_LAYERS]; /* conv2d: whole-batch im2col kept for backward */
    int chunk[NN_MAX_LAYERS];       /* conv2d: images per GEMM */
    float *mean[NN_MAX_LAYERS];     /* groupnorm: per (sample, group) */
    float *rstd[NN_MAX_LAYERS];
    int32_t *argmax[NN_MAX_LAYERS]; /* maxpool */
    float *code[NN_MAX_LAYERS];     /* maxpool fused backward into groupnorm: winners */
    float *plane;                   /* groupnorm with a fused pool: one plane's gradient */
    /* matrix factorisation */
    float *u, *v, *du, *dv, *pred, *dpred;
    nn_profile *prof; /* borrowed; NULL unless a benchmark profiles */
};

double nn_stats_loss(const nn_stats *s) { return s->count ? s->loss_sum / s->count : 0; }
double nn_stats_accuracy(const nn_stats *s) {
    return s->count ? (double)s->correct / s->count : 0;
}
double nn_stats_rmse(const nn_stats *s) { return s->count ? sqrt(s->loss_sum / s->count) : 0; }

static size_t out_size(const nn_layer *l) { return (size_t)l->out_c * l->out_h * l->out_w; }

/* A conv layer whose whole-batch im2col fits in CONV_KEEP_BYTES keeps it
 * from forward to backward (no rebuild); larger ones (big batches) run in
 * chunks of CONV_CHUNK_BYTES so the matrix stays in cache, and rebuild. */
#define CONV_KEEP_BYTES (8u << 20)
#define CONV_CHUNK_BYTES (4u << 20)

static conv2d_shape conv_shape(const nn_layer *l, int B) {
    conv2d_shape s = {B, l->in_c, l->in_h, l->in_w, l->out_c, l->k, l->stride, l->pad, 0, 0, 0};
    conv2d_shape_finish(&s);
    return s;
}

/* A GroupNorm directly followed by a ReLU runs as one fused kernel: the
 * GroupNorm writes the ReLU's output buffer and the ReLU layer is skipped. */
static int fused_relu(const nn_arch *a, int i) {
    return a->layers[i].kind == NN_LAYER_GROUPNORM && i + 1 < a->n_layers &&
           a->layers[i + 1].kind == NN_LAYER_RELU;
}
static int fused_away(const nn_arch *a, int i) { return i > 0 && fused_relu(a, i - 1); }

/* A 2x2, stride-2 max pool right after a fused GroupNorm + ReLU (GN-LeNet's
 * blocks) keeps its winners in forward, and the GroupNorm's backward
 * routes the pool's gradient itself: the pool has no backward pass and its
 * full-size gradient is never written. */
static int pool_fused(const nn_arch *a, int i) {
    const nn_layer *l = &a->layers[i];
    return l->kind == NN_LAYER_MAXPOOL && l->k == 2 && l->stride == 2 && l->in_h % 2 == 0 &&
           l->in_w % 2 == 0 && i >= 2 && fused_away(a, i - 1);
}

void nn_work_free(nn_work *w) {
    if (!w) return;
    free(w->x);
    free(w->col);
    free(w->pad);
    free(w->gemm);
    free(w->plane);
    for (int i = 0; i < NN_MAX_LAYERS; i++) {
        free(w->code[i]);
        free(w->col_keep[i]);
        free(w->act[i]);
        free(w->dact[i]);
        free(w->mean[i]);
        free(w->rstd[i]);
        free(w->argmax[i]);
    }
    free(w->u);
    free(w->v);
    free(w->du);
    free(w->dv);
    free(w->pred);
    free(w->dpred);
    free(w);
}

static void *alloc_floats(size_t n, int *bad) {
    void *p = malloc((n ? n : 1) * sizeof(float));
    if (!p) *bad = 1;
    return p;
}

nn_work *nn_work_new(const nn_arch *a, int max_batch, ds_err *err) {
    if (max_batch <= 0) {
        ds_fail(err, "batch size must be > 0 (got %d)", max_batch);
        return NULL;
    }
    nn_work *w = calloc(1, sizeof *w);
    if (!w) {
        ds_fail(err, "out of memory");
        return NULL;
    }
    w->max_batch = max_batch;
    const size_t B = (size_t)max_batch;
    int bad = 0;
    if (a->kind == NN_ARCH_MF) {
        size_t D = (size_t)a->mf_factors;
        w->u = alloc_floats(B * D, &bad);
        w->v = alloc_floats(B * D, &bad);
        w->du = alloc_floats(B * D, &bad);
        w->dv = alloc_floats(B * D, &bad);
        w->pred = alloc_floats(B, &bad);
        w->dpred = alloc_floats(B, &bad);
    } else {
        w->x = alloc_floats(B * nn_arch_input_size(a), &bad);
        size_t col = 0, pad = 0, gemm = 0;
        for (int i = 0; i < a->n_layers; i++) {
            const nn_layer *l = &a->layers[i];
            if (l->kind != NN_LAYER_CONV2D) continue;
            conv2d_shape s = conv_shape(l, max_batch);
            if (conv2d_pad_floats(&s) > pad) pad = conv2d_pad_floats(&s);
            if (conv2d_col_floats(&s) * sizeof(float) <= CONV_KEEP_BYTES) {
                w->chunk[i] = max_batch;
                w->col_keep[i] = alloc_floats(conv2d_col_floats(&s), &bad);
            } else {
                s.chunk = w->chunk[i] = conv2d_chunk_for(&s, CONV_CHUNK_BYTES);
                if (conv2d_col_floats(&s) > col) col = conv2d_col_floats(&s);
            }
            if (conv2d_gemm_floats(&s) > gemm) gemm = conv2d_gemm_floats(&s);
        }
        w->col = alloc_floats(col, &bad);
        w->pad = alloc_floats(pad, &bad);
        w->gemm = alloc_floats(gemm, &bad);
        size_t plane = 0;
        for (int i = 0; i < a->n_layers && !bad; i++) {
            const nn_layer *l = &a->layers[i];
            w->act[i] = alloc_floats(B * out_size(l), &bad);
            w->dact[i] = alloc_floats(B * out_size(l), &bad);
            if (l->kind == NN_LAYER_GROUPNORM) {
                w->mean[i] = alloc_floats(B * l->groups, &bad);
                w->rstd[i] = alloc_floats(B * l->groups, &bad);
            }
            if (pool_fused(a, i)) {
                w->code[i] = alloc_floats(B * out_size(l), &bad);
                if ((size_t)l->in_h * l->in_w > plane) plane = (size_t)l->in_h * l->in_w;
            } else if (l->kind == NN_LAYER_MAXPOOL) {
                w->argmax[i] = alloc_floats(B * out_size(l), &bad); /* int32 = float size */
            }
        }
        w->plane = alloc_floats(plane, &bad);
    }
    if (bad) {
        nn_work_free(w);
        ds_fail(err, "out of memory for activations of %s at batch %d", a->name, max_batch);
        return NULL;
    }
    return w;
}

void nn_work_profile(nn_work *w, nn_profile *p) { w->prof = p; }

const float *nn_work_output(const nn_work *w) {
    if (w->pred) return w->pred;
    for (int i = NN_MAX_LAYERS - 1; i >= 0; i--)
        if (w->act[i]) return w->act[i];
    return NULL;
}

static float mf_forward_backward(const nn_arch *a, nn_work *w, const float *params, float *grads,
                                 const nn_batch *bt, nn_stats *stats) {
    const int B = bt->n, D = a->mf_factors;
    const float *U = params, *V = params + (size_t)a->mf_users * D;
    const float *bu = a->mf_bias ? V + (size_t)a->mf_items * D : NULL;
    const float *bi = bu ? bu + a->mf_users : NULL;
    embedding_forward(B, D, U, bt->user, w->u);
    embedding_forward(B, D, V, bt->item, w->v);
    for (int b = 0; b < B; b++) {
        const float *u = w->u + (size_t)b * D, *v = w->v + (size_t)b * D;
        float dot = 0;
        for (int d = 0; d < D; d++) dot += u[d] * v[d];
        if (bu) dot += bu[bt->user[b]] + bi[bt->item[b]];
        w->pred[b] = dot;
    }
    double sq = 0;
    float loss = mse_loss(B, w->pred, bt->target, grads ? w->dpred : NULL, &sq);
    if (stats) {
        stats->loss_sum += sq;
        stats->count += B;
    }
    if (!grads) return loss;
    memset(grads, 0, sizeof(float) * a->n_params);
    float *dU = grads, *dV = grads + (size_t)a->mf_users * D;
    for (int b = 0; b < B; b++) {
        const float g = w->dpred[b];
        const float *u = w->u + (size_t)b * D, *v = w->v + (size_t)b * D;
        float *du = w->du + (size_t)b * D, *dv = w->dv + (size_t)b * D;
        for (int d = 0; d < D; d++) {
            du[d] = g * v[d];
            dv[d] = g * u[d];
        }
    }
    embedding_backward(B, D, bt->user, w->du, dU);
    embedding_backward(B, D, bt->item, w->dv, dV);
    if (bu) {
        float *dbu = dV + (size_t)a->mf_items * D, *dbi = dbu + a->mf_users;
        for (int b = 0; b < B; b++) {
            dbu[bt->user[b]] += w->dpred[b];
            dbi[bt->item[b]] += w->dpred[b];
        }
    }
    return loss;
}

/* Layers before the first flatten/linear work on CBHW planes; the input is
 * transposed once on entry. */
static int is_spatial_input(const nn_arch *a) {
    nn_layer_kind k = a->layers[0].kind;
    return k == NN_LAYER_CONV2D || k == NN_LAYER_GROUPNORM || k == NN_LAYER_MAXPOOL ||
           (k == NN_LAYER_RELU && a->in_h * a->in_w > 1) || k == NN_LAYER_FLATTEN;
}

static void layer_forward(const nn_arch *a, int B, const float *in, const float *params,
                          nn_work *w, int i) {
    const nn_layer *l = &a->layers[i];
    float *out = w->act[i];
    const float *wt = l->w_off != NN_NO_PARAM ? params + l->w_off : NULL;
    const float *bs = l->b_off != NN_NO_PARAM ? params + l->b_off : NULL;
    switch (l->kind) {
    case NN_LAYER_CONV2D: {
        conv2d_shape s = conv_shape(l, B);
        if (w->chunk[i] < s.chunk) s.chunk = w->chunk[i];
        conv2d_forward(&s, in, wt, bs, w->col_keep[i] ? w->col_keep[i] : w->col, w->pad, out);
        break;
    }
    case NN_LAYER_GROUPNORM: {
        groupnorm_shape s = {B, l->in_c, l->in_h * l->in_w, l->groups};
        int relu = fused_relu(a, i);
        groupnorm_forward(&s, in, wt, bs, relu ? w->act[i + 1] : out, w->mean[i], w->rstd[i], relu);
        break;
    }
    case NN_LAYER_RELU:
        relu_forward((size_t)B * out_size(l), in, out);
        break;
    case NN_LAYER_MAXPOOL: {
        maxpool_shape s = {l->in_c * B, l->in_h, l->in_w, l->k, l->stride, 0, 0};
        maxpool_shape_finish(&s);
        if (pool_fused(a, i)) maxpool2x2_relu_forward(&s, in, out, w->code[i]);
        else maxpool_forward(&s, in, out, w->argmax[i]);
        break;
    }
    case NN_LAYER_FLATTEN:
        layout_cbhw_to_nchw(B, l->in_c, l->in_h * l->in_w, in, out);
        break;
    case NN_LAYER_LINEAR:
        linear_forward(B, l->in_c, l->out_c, in, wt, bs, out);
        break;
    }
}

/* din is NULL for the first layer (nobody needs d loss / d input). */
static void layer_backward(const nn_arch *a, int B, const float *in, const float *params,
                           float *grads, nn_work *w, int i, float *din) {
    const nn_layer *l = &a->layers[i];
    const float *dout = w->dact[i];
    const float *wt = l->w_off != NN_NO_PARAM ? params + l->w_off : NULL;
    float *dw = l->w_off != NN_NO_PARAM ? grads + l->w_off : NULL;
    float *db = l->b_off != NN_NO_PARAM ? grads + l->b_off : NULL;
    switch (l->kind) {
    case NN_LAYER_CONV2D: {
        conv2d_shape s = conv_shape(l, B);
        if (w->chunk[i] < s.chunk) s.chunk = w->chunk[i];
        if (w->col_keep[i])
            conv2d_backward(&s, in, dout, wt, w->col_keep[i], w->pad, w->gemm, 1, dw, db, din);
        else
            conv2d_backward(&s, in, dout, wt, w->col, w->pad, w->gemm, 0, dw, db, din);
        break;
    }
    case NN_LAYER_GROUPNORM: {
        groupnorm_shape s = {B, l->in_c, l->in_h * l->in_w, l->groups};
        if (i + 2 < a->n_layers && pool_fused(a, i + 2)) {
            /* gradient and winners come from the pool after the fused ReLU */
            groupnorm_pool gp = {.H = l->in_h, .W = l->in_w, .code = w->code[i + 2],
                                 .dout = w->dact[i + 2], .plane = w->plane};
            groupnorm_backward(&s, in, NULL, NULL, &gp, wt, w->mean[i], w->rstd[i], din, dw, db);
        } else if (fused_relu(a, i)) { /* gradient and mask come from the fused ReLU */
            groupnorm_backward(&s, in, w->dact[i + 1], w->act[i + 1], NULL, wt, w->mean[i],
                               w->rstd[i], din, dw, db);
        } else {
            groupnorm_backward(&s, in, dout, NULL, NULL, wt, w->mean[i], w->rstd[i], din, dw, db);
        }
        break;
    }
    case NN_LAYER_RELU:
        if (din) relu_backward((size_t)B * out_size(l), w->act[i], dout, din);
        break;
    case NN_LAYER_MAXPOOL: {
        maxpool_shape s = {l->in_c * B, l->in_h, l->in_w, l->k, l->stride, 0, 0};
        maxpool_shape_finish(&s);
        if (din && !pool_fused(a, i)) maxpool_backward(&s, in, w->act[i], dout, w->argmax[i], din);
        break;
    }
    case NN_LAYER_FLATTEN:
        if (din) layout_nchw_to_cbhw(B, l->in_c, l->in_h * l->in_w, dout, din);
        break;
    case NN_LAYER_LINEAR:
        linear_backward(B, l->in_c, l->out_c, in, dout, wt, dw, db, din);
        break;
    }
}

float nn_forward_backward(const nn_arch *a, nn_work *w, const float *params, float *grads,
                          const nn_batch *bt, nn_stats *stats) {
    assert(bt->n >= 1 && bt->n <= w->max_batch);
    if (a->kind == NN_ARCH_MF) return mf_forward_backward(a, w, params, grads, bt, stats);

    const int B = bt->n;
    const float *in0 = bt->x;
    /* With a profile, t0 is when the current layer began. */
    nn_profile *prof = w->prof;
    double t0 = prof ? clock_now() : 0, t1;
    if (is_spatial_input(a)) {
        layout_nchw_to_cbhw(B, a->in_c, a->in_h * a->in_w, bt->x, w->x);
        in0 = w->x;
    }
    for (int i = 0; i < a->n_layers; i++) {
        if (fused_away(a, i)) continue;
        layer_forward(a, B, i ? w->act[i - 1] : in0, params, w, i);
        if (prof) {
            t1 = clock_now();
            prof->forward_s[i] += t1 - t0;
            t0 = t1;
        }
    }

    const int last = a->n_layers - 1;
    long correct = 0;
    double loss_sum = 0;
    float loss = softmax_xent(B, a->n_out, w->act[last], bt->label, grads ? w->dact[last] : NULL,
                              &loss_sum, &correct);
    if (prof) {
        t1 = clock_now();
        prof->loss_s += t1 - t0;
        prof->passes++;
        t0 = t1;
    }
    if (stats) {
        stats->loss_sum += loss_sum;
        stats->correct += correct;
        stats->count += B;
    }
    if (!grads) return loss;
    memset(grads, 0, sizeof(float) * a->n_params);
    for (int i = last; i >= 0; i--) {
        if (fused_away(a, i)) continue;
        layer_backward(a, B, i ? w->act[i - 1] : in0, params, grads, w, i, i ? w->dact[i - 1] : NULL);
        if (prof) {
            t1 = clock_now();
            prof->backward_s[i] += t1 - t0;
            t0 = t1;
        }
    }
    return loss;
}
