/* test_nn.c: every layer and loss against a naive double-precision
 * reference (forward), and its backward against central finite differences
 * of that reference. Shapes are random (fixed seed). Tolerance: normwise
 * relative error < 1e-3 (float32 accumulation over a few thousand terms
 * stays around 1e-6; a wrong index shows up as O(1)). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/embedding.h"
#include "nn/gemm.h"
#include "nn/groupnorm.h"
#include "nn/layout.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/model.h"
#include "nn/models.h"
#include "nn/net.h"
#include "nn/pool.h"
#include "nn/sgd.h"
#include "nn/trainer.h"
#include "util/rng.h"

#define TOL 1e-3
#define FD_EPS 1e-5

static rng R;

static float *rand_floats(size_t n, float scale) {
    float *v = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) v[i] = rng_uniform_f(&R, -scale, scale);
    return v;
}
static double *to_double(const float *v, size_t n) {
    double *d = malloc(sizeof(double) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) d[i] = v[i];
    return d;
}
static int rand_int(int lo, int hi) { return lo + (int)rng_below(&R, (uint64_t)(hi - lo + 1)); }

/* A reference forward computes out (double) from inputs (double arrays). */
typedef void (*ref_fn)(void *ctx, double *out);

/* Central finite differences of L = sum(out * r) w.r.t. every element of
 * x (which the reference reads through ctx). */
static void fd_grad(ref_fn f, void *ctx, double *x, size_t nx, const double *r, size_t nout,
                    double *g) {
    double *out = malloc(sizeof(double) * nout);
    for (size_t i = 0; i < nx; i++) {
        double keep = x[i];
        x[i] = keep + FD_EPS;
        f(ctx, out);
        double lp = 0;
        for (size_t j = 0; j < nout; j++) lp += out[j] * r[j];
        x[i] = keep - FD_EPS;
        f(ctx, out);
        double lm = 0;
        for (size_t j = 0; j < nout; j++) lm += out[j] * r[j];
        x[i] = keep;
        g[i] = (lp - lm) / (2 * FD_EPS);
    }
    free(out);
}

/* ---- conv2d ---------------------------------------------------------- */
typedef struct {
    conv2d_shape s;
    double *x, *w, *b;
} conv_ctx;

static void conv_ref(void *vctx, double *out) {
    conv_ctx *c = vctx;
    const conv2d_shape *s = &c->s;
    for (int oc = 0; oc < s->OC; oc++)
        for (int b = 0; b < s->B; b++)
            for (int oh = 0; oh < s->OH; oh++)
                for (int ow = 0; ow < s->OW; ow++) {
                    double acc = c->b[oc];
                    for (int ci = 0; ci < s->C; ci++)
                        for (int ki = 0; ki < s->K; ki++)
                            for (int kj = 0; kj < s->K; kj++) {
                                int ih = oh * s->stride - s->pad + ki, iw = ow * s->stride - s->pad + kj;
                                if (ih < 0 || ih >= s->H || iw < 0 || iw >= s->W) continue;
                                acc += c->w[((oc * s->C + ci) * s->K + ki) * s->K + kj] *
                                       c->x[((ci * s->B + b) * s->H + ih) * s->W + iw];
                            }
                    out[((oc * s->B + b) * s->OH + oh) * s->OW + ow] = acc;
                }
}

static void test_conv2d(int trial) {
    conv2d_shape s = {rand_int(1, 4), rand_int(1, 4), rand_int(3, 8), rand_int(3, 8),
                      rand_int(1, 5), rand_int(1, 5), rand_int(1, 2), rand_int(0, 2), 0, 0, 0};
    if (s.K > s.H + 2 * s.pad) s.K = 1;
    if (s.K > s.W + 2 * s.pad) s.K = 1;
    if (trial == 0) { /* GN-LeNet's case: 5x5, same padding */
        s.K = 5;
        s.pad = 2;
        s.stride = 1;
    }
    conv2d_shape_finish(&s);
    s.chunk = rand_int(1, s.B); /* exercise chunked im2col/GEMM */
    size_t nx = (size_t)s.C * s.B * s.H * s.W, nw = (size_t)s.OC * s.C * s.K * s.K,
           nout = (size_t)s.OC * s.B * s.OH * s.OW, ncol = conv2d_col_floats(&s);
    float *x = rand_floats(nx, 1), *w = rand_floats(nw, 1), *b = rand_floats(s.OC, 1);
    /* Odd trials use the padded stride-1 path where it applies. */
    float *out = malloc(sizeof(float) * nout), *col = malloc(sizeof(float) * ncol);
    float *pad = trial % 2 ? malloc(sizeof(float) * conv2d_pad_floats(&s)) : NULL;
    conv2d_forward(&s, x, w, b, col, pad, out);
    conv_ctx c = {s, to_double(x, nx), to_double(w, nw), to_double(b, s.OC)};
    double *ref = malloc(sizeof(double) * nout);
    conv_ref(&c, ref);
    CHECK(rel_err_fd(out, ref, nout, 1e-6) < 1e-5, "conv2d forward trial %d", trial);

    float *r = rand_floats(nout, 1);
    double *rd = to_double(r, nout);
    float *dx = malloc(sizeof(float) * nx), *dw = calloc(nw, sizeof(float)), *db = calloc(s.OC, sizeof(float));
    /* Chunked runs rebuild im2col; a single chunk may reuse forward's. */
    float *gs = malloc(sizeof(float) * conv2d_gemm_floats(&s));
    conv2d_backward(&s, x, r, w, col, pad, gs, s.chunk == s.B && trial % 3 == 0, dw, db, dx);
    free(gs);
    double *gx = malloc(sizeof(double) * nx), *gw = malloc(sizeof(double) * nw), *gb = malloc(sizeof(double) * s.OC);
    fd_grad(conv_ref, &c, c.x, nx, rd, nout, gx);
    fd_grad(conv_ref, &c, c.w, nw, rd, nout, gw);
    fd_grad(conv_ref, &c, c.b, s.OC, rd, nout, gb);
    CHECK(rel_err_fd(dx, gx, nx, 1e-6) < TOL, "conv2d dx trial %d (B%d C%d %dx%d OC%d K%d s%d p%d): %g",
          trial, s.B, s.C, s.H, s.W, s.OC, s.K, s.stride, s.pad, rel_err_fd(dx, gx, nx, 1e-6));
    CHECK(rel_err_fd(dw, gw, nw, 1e-6) < TOL, "conv2d dw trial %d", trial);
    CHECK(rel_err_fd(db, gb, s.OC, 1e-6) < TOL, "conv2d db trial %d", trial);
    free(pad);
    free(x); free(w); free(b); free(out); free(col); free(c.x); free(c.w); free(c.b); free(ref);
    free(r); free(rd); free(dx); free(dw); free(db); free(gx); free(gw); free(gb);
}

/* ---- groupnorm ------------------------------------------------------- */
typedef struct {
    groupnorm_shape s;
    double *x, *g, *b;
    int relu; /* reference of the fused GroupNorm + ReLU */
} gn_ctx;

static void gn_ref(void *vctx, double *out) {
    gn_ctx *c = vctx;
    const groupnorm_shape *s = &c->s;
    int Cg = s->C / s->G;
    for (int b = 0; b < s->B; b++)
        for (int g = 0; g < s->G; g++) {
            double m = 0, v = 0, M = (double)Cg * s->HW;
            for (int ch = g * Cg; ch < (g + 1) * Cg; ch++)
                for (int i = 0; i < s->HW; i++) m += c->x[(ch * s->B + b) * s->HW + i];
            m /= M;
            for (int ch = g * Cg; ch < (g + 1) * Cg; ch++)
                for (int i = 0; i < s->HW; i++) {
                    double d = c->x[(ch * s->B + b) * s->HW + i] - m;
                    v += d * d;
                }
            v /= M;
            for (int ch = g * Cg; ch < (g + 1) * Cg; ch++)
                for (int i = 0; i < s->HW; i++) {
                    size_t k = ((size_t)ch * s->B + b) * s->HW + i;
                    out[k] = (c->x[k] - m) / sqrt(v + 1e-5) * c->g[ch] + c->b[ch];
                    if (c->relu && out[k] < 0) out[k] = 0;
                }
        }
}

static void test_groupnorm(int trial) {
    const int relu = trial % 2; /* odd trials: fused GroupNorm + ReLU */
    int G = rand_int(1, 3);
    groupnorm_shape s = {rand_int(1, 3), G * rand_int(1, 3), rand_int(1, 12), G};
    size_t n = (size_t)s.C * s.B * s.HW;
    float *x = rand_floats(n, 2), *g = rand_floats(s.C, 1.5f), *b = rand_floats(s.C, 1);
    float *out = malloc(sizeof(float) * n), *mean = malloc(sizeof(float) * s.B * G),
          *rstd = malloc(sizeof(float) * s.B * G);
    gn_ctx c = {s, to_double(x, n), to_double(g, s.C), to_double(b, s.C), 0};
    double *ref = malloc(sizeof(double) * n);
    /* Finite differences across the ReLU kink are meaningless: shift beta
     * until no pre-activation lies within 1e-2 of 0. */
    for (int moved = 1; relu && moved;) {
        moved = 0;
        gn_ref(&c, ref);
        for (size_t k = 0; k < n && !moved; k++)
            if (fabs(ref[k]) < 1e-2) {
                int ch = (int)(k / ((size_t)s.B * s.HW));
                b[ch] += 0.0173f;
                c.b[ch] = b[ch];
                moved = 1;
            }
    }
    c.relu = relu;
    groupnorm_forward(&s, x, g, b, out, mean, rstd, relu);
    gn_ref(&c, ref);
    CHECK(rel_err_fd(out, ref, n, 1e-6) < 1e-5, "groupnorm forward trial %d (B%d C%d HW%d G%d): %g", trial, s.B, s.C, s.HW, s.G, rel_err_fd(out, ref, n, 1e-6));
    float *r = rand_floats(n, 1);
    double *rd = to_double(r, n);
    float *dx = malloc(sizeof(float) * n), *dg = calloc(s.C, sizeof(float)), *dbb = calloc(s.C, sizeof(float));
    groupnorm_backward(&s, x, r, relu ? out : NULL, NULL, g, mean, rstd, dx, dg, dbb);
    double *gx = malloc(sizeof(double) * n), *gg = malloc(sizeof(double) * s.C), *gb = malloc(sizeof(double) * s.C);
    fd_grad(gn_ref, &c, c.x, n, rd, n, gx);
    fd_grad(gn_ref, &c, c.g, s.C, rd, n, gg);
    fd_grad(gn_ref, &c, c.b, s.C, rd, n, gb);
    /* Floor 1e-2: in degenerate groups (2 values) the output does not
     * depend on x and the true gradient is 0; against O(1) gradients a
     * 1e-5 absolute error there is float noise, not a bug. */
    CHECK(rel_err_fd(dx, gx, n, 1e-2) < TOL, "groupnorm%s dx trial %d (B%d C%d HW%d G%d): %g", relu ? "+relu" : "", trial, s.B, s.C, s.HW, s.G, rel_err_fd(dx, gx, n, 1e-2));
    CHECK(rel_err_fd(dg, gg, s.C, 1e-6) < TOL, "groupnorm dgamma trial %d", trial);
    CHECK(rel_err_fd(dbb, gb, s.C, 1e-6) < TOL, "groupnorm dbeta trial %d", trial);
    free(x); free(g); free(b); free(out); free(mean); free(rstd); free(c.x); free(c.g); free(c.b);
    free(ref); free(r); free(rd); free(dx); free(dg); free(dbb); free(gx); free(gg); free(gb);
}

/* ---- maxpool --------------------------------------------------------- */
typedef struct {
    maxpool_shape s;
    double *x;
} pool_ctx;

static void pool_ref(void *vctx, double *out) {
    pool_ctx *c = vctx;
    const maxpool_shape *s = &c->s;
    for (int p = 0; p < s->planes; p++)
        for (int oh = 0; oh < s->OH; oh++)
            for (int ow = 0; ow < s->OW; ow++) {
                double m = -1e300;
                for (int ki = 0; ki < s->K; ki++)
                    for (int kj = 0; kj < s->K; kj++) {
                        double v = c->x[(p * s->H + oh * s->stride + ki) * s->W + ow * s->stride + kj];
                        if (v > m) m = v;
                    }
                out[(p * s->OH + oh) * s->OW + ow] = m;
            }
}

static void test_maxpool(int trial) {
    maxpool_shape s = {rand_int(1, 6), rand_int(2, 9), rand_int(2, 9), 2, 2, 0, 0};
    if (trial % 2) { s.K = 3; s.stride = rand_int(1, 3); if (s.H < 3) s.H = 3; if (s.W < 3) s.W = 3; }
    maxpool_shape_finish(&s);
    size_t n = (size_t)s.planes * s.H * s.W, no = (size_t)s.planes * s.OH * s.OW;
    float *x = rand_floats(n, 1), *out = malloc(sizeof(float) * no);
    int32_t *am = malloc(sizeof(int32_t) * no);
    maxpool_forward(&s, x, out, am);
    pool_ctx c = {s, to_double(x, n)};
    double *ref = malloc(sizeof(double) * no);
    pool_ref(&c, ref);
    CHECK(rel_err_fd(out, ref, no, 1e-6) < 1e-7, "maxpool forward trial %d", trial);
    float *r = rand_floats(no, 1), *dx = malloc(sizeof(float) * n);
    double *rd = to_double(r, no), *gx = malloc(sizeof(double) * n);
    maxpool_backward(&s, x, out, r, am, dx);
    fd_grad(pool_ref, &c, c.x, n, rd, no, gx);
    CHECK(rel_err_fd(dx, gx, n, 1e-6) < TOL, "maxpool dx trial %d", trial);
    /* Ties: PyTorch routes the gradient to the first maximum in scan order. */
    if (s.K == 2 && s.stride == 2) {
        for (size_t k = 0; k < n; k++) x[k] = 1.0f;
        maxpool_forward(&s, x, out, am);
        maxpool_backward(&s, x, out, r, am, dx);
        int first = 1;
        for (int p = 0; p < s.planes; p++)
            for (int oh = 0; oh < s.OH; oh++)
                for (int ow = 0; ow < s.OW; ow++) {
                    size_t a = (size_t)p * s.H * s.W + (size_t)2 * oh * s.W + 2 * ow;
                    first &= dx[a] == r[((size_t)p * s.OH + oh) * s.OW + ow] && dx[a + 1] == 0 && dx[a + s.W] == 0;
                }
        CHECK(first, "maxpool ties go to the first element");
    }
    free(x); free(out); free(am); free(c.x); free(ref); free(r); free(dx); free(rd); free(gx);
}

/* ---- linear ---------------------------------------------------------- */
typedef struct {
    int B, F, O;
    double *x, *w, *b;
} lin_ctx;

static void lin_ref(void *vctx, double *out) {
    lin_ctx *c = vctx;
    for (int b = 0; b < c->B; b++)
        for (int o = 0; o < c->O; o++) {
            double acc = c->b[o];
            for (int f = 0; f < c->F; f++) acc += c->x[b * c->F + f] * c->w[o * c->F + f];
            out[b * c->O + o] = acc;
        }
}

static void test_linear(int trial) {
    int B = rand_int(1, 5), F = rand_int(1, 20), O = rand_int(1, 8);
    float *x = rand_floats((size_t)B * F, 1), *w = rand_floats((size_t)O * F, 1), *b = rand_floats(O, 1);
    float *y = malloc(sizeof(float) * B * O);
    linear_forward(B, F, O, x, w, b, y);
    lin_ctx c = {B, F, O, to_double(x, (size_t)B * F), to_double(w, (size_t)O * F), to_double(b, O)};
    double *ref = malloc(sizeof(double) * B * O);
    lin_ref(&c, ref);
    CHECK(rel_err_fd(y, ref, (size_t)B * O, 1e-6) < 1e-5, "linear forward trial %d", trial);
    float *r = rand_floats((size_t)B * O, 1);
    double *rd = to_double(r, (size_t)B * O);
    float *dx = malloc(sizeof(float) * B * F), *dw = calloc((size_t)O * F, sizeof(float)), *db = calloc(O, sizeof(float));
    linear_backward(B, F, O, x, r, w, dw, db, dx);
    double *gx = malloc(sizeof(double) * B * F), *gw = malloc(sizeof(double) * O * F), *gb = malloc(sizeof(double) * O);
    fd_grad(lin_ref, &c, c.x, (size_t)B * F, rd, (size_t)B * O, gx);
    fd_grad(lin_ref, &c, c.w, (size_t)O * F, rd, (size_t)B * O, gw);
    fd_grad(lin_ref, &c, c.b, O, rd, (size_t)B * O, gb);
    CHECK(rel_err_fd(dx, gx, (size_t)B * F, 1e-6) < TOL, "linear dx trial %d", trial);
    CHECK(rel_err_fd(dw, gw, (size_t)O * F, 1e-6) < TOL, "linear dw trial %d", trial);
    CHECK(rel_err_fd(db, gb, O, 1e-6) < TOL, "linear db trial %d", trial);
    free(x); free(w); free(b); free(y); free(c.x); free(c.w); free(c.b); free(ref); free(r); free(rd);
    free(dx); free(dw); free(db); free(gx); free(gw); free(gb);
}

/* ---- relu ------------------------------------------------------------ */
typedef struct { size_t n; double *x; } relu_ctx;
static void relu_ref(void *vctx, double *out) {
    relu_ctx *c = vctx;
    for (size_t i = 0; i < c->n; i++) out[i] = c->x[i] > 0 ? c->x[i] : 0;
}
static void test_relu(void) {
    size_t n = 257;
    float *x = rand_floats(n, 1);
    for (size_t i = 0; i < n; i++) if (fabsf(x[i]) < 1e-3f) x[i] = 0.5f; /* keep off the kink */
    float *y = malloc(sizeof(float) * n), *dx = malloc(sizeof(float) * n), *r = rand_floats(n, 1);
    relu_forward(n, x, y);
    relu_ctx c = {n, to_double(x, n)};
    double *ref = malloc(sizeof(double) * n), *rd = to_double(r, n), *gx = malloc(sizeof(double) * n);
    relu_ref(&c, ref);
    CHECK(rel_err_fd(y, ref, n, 1e-6) == 0, "relu forward");
    relu_backward(n, y, r, dx);
    fd_grad(relu_ref, &c, c.x, n, rd, n, gx);
    CHECK(rel_err_fd(dx, gx, n, 1e-6) < TOL, "relu dx");
    free(x); free(y); free(dx); free(r); free(c.x); free(ref); free(rd); free(gx);
}

/* ---- embedding ------------------------------------------------------- */
typedef struct { int B, D; const int32_t *ids; double *t; } emb_ctx;
static void emb_ref(void *vctx, double *out) {
    emb_ctx *c = vctx;
    for (int b = 0; b < c->B; b++)
        for (int d = 0; d < c->D; d++) out[b * c->D + d] = c->t[c->ids[b] * c->D + d];
}
static void test_embedding(void) {
    int V = 7, D = 5, B = 9; /* B > V: rows repeat and must accumulate */
    int32_t ids[9];
    for (int b = 0; b < B; b++) ids[b] = (int32_t)rng_below(&R, V);
    float *t = rand_floats((size_t)V * D, 1), *out = malloc(sizeof(float) * B * D);
    embedding_forward(B, D, t, ids, out);
    emb_ctx c = {B, D, ids, to_double(t, (size_t)V * D)};
    double *ref = malloc(sizeof(double) * B * D);
    emb_ref(&c, ref);
    CHECK(rel_err_fd(out, ref, (size_t)B * D, 1e-6) == 0, "embedding forward");
    float *r = rand_floats((size_t)B * D, 1), *dt = calloc((size_t)V * D, sizeof(float));
    double *rd = to_double(r, (size_t)B * D), *gt = malloc(sizeof(double) * V * D);
    embedding_backward(B, D, ids, r, dt);
    fd_grad(emb_ref, &c, c.t, (size_t)V * D, rd, (size_t)B * D, gt);
    CHECK(rel_err_fd(dt, gt, (size_t)V * D, 1e-6) < TOL, "embedding dtable");
    free(t); free(out); free(c.t); free(ref); free(r); free(dt); free(rd); free(gt);
}

/* ---- losses ---------------------------------------------------------- */
typedef struct { int B, K; const int32_t *y; double *z; } xent_ctx;
static void xent_ref(void *vctx, double *out) {
    xent_ctx *c = vctx;
    double total = 0;
    for (int b = 0; b < c->B; b++) {
        double s = 0;
        for (int k = 0; k < c->K; k++) s += exp(c->z[b * c->K + k]);
        total += log(s) - c->z[b * c->K + c->y[b]];
    }
    out[0] = total / c->B;
}
static void test_losses(void) {
    int B = 6, K = 10;
    int32_t y[6];
    for (int b = 0; b < B; b++) y[b] = (int32_t)rng_below(&R, K);
    float *z = rand_floats((size_t)B * K, 4), *dz = malloc(sizeof(float) * B * K);
    double ls = 0;
    long correct = 0;
    float loss = softmax_xent(B, K, z, y, dz, &ls, &correct);
    xent_ctx c = {B, K, y, to_double(z, (size_t)B * K)};
    double ref, one = 1.0, *g = malloc(sizeof(double) * B * K);
    xent_ref(&c, &ref);
    CHECK(fabs(loss - ref) < 1e-5 * fabs(ref), "softmax_xent value %g vs %g", loss, ref);
    CHECK(fabs(ls / B - ref) < 1e-5 * fabs(ref), "softmax_xent loss_sum");
    fd_grad(xent_ref, &c, c.z, (size_t)B * K, &one, 1, g);
    CHECK(rel_err_fd(dz, g, (size_t)B * K, 1e-6) < TOL, "softmax_xent dlogits");
    long hits = 0;
    for (int b = 0; b < B; b++) {
        int arg = 0;
        for (int k = 1; k < K; k++) if (z[b * K + k] > z[b * K + arg]) arg = k;
        hits += arg == y[b];
    }
    CHECK(hits == correct, "softmax_xent correct count");
    /* Large logits must not overflow. */
    float big[3] = {1000.0f, -1000.0f, 0.0f};
    int32_t lab = 1;
    float l2 = softmax_xent(1, 3, big, &lab, NULL, NULL, NULL);
    CHECK(isfinite(l2) && fabsf(l2 - 2000.0f) < 1e-2f, "softmax_xent stable for large logits: %g", l2);

    float p[4] = {1, 2, 3, 4}, t[4] = {1.5f, 2, 2, 5}, dp[4];
    double sq = 0;
    float mse = mse_loss(4, p, t, dp, &sq);
    CHECK(fabsf(mse - (0.25f + 0 + 1 + 1) / 4) < 1e-6f, "mse value");
    CHECK(fabs(sq - 2.25) < 1e-9, "mse sum");
    CHECK(fabsf(dp[0] - 2 * (-0.5f) / 4) < 1e-7f && fabsf(dp[3] - 2 * (-1.0f) / 4) < 1e-7f, "mse grad");
    free(z); free(dz); free(c.z); free(g);
}

/* ---- layout and sgd -------------------------------------------------- */
static void test_layout_sgd(void) {
    int B = 3, C = 4, HW = 5;
    float *x = rand_floats((size_t)B * C * HW, 1), *y = malloc(sizeof(float) * B * C * HW),
          *z = malloc(sizeof(float) * B * C * HW);
    layout_nchw_to_cbhw(B, C, HW, x, y);
    CHECK(y[(2 * B + 1) * HW + 3] == x[(1 * C + 2) * HW + 3], "nchw->cbhw element");
    layout_cbhw_to_nchw(B, C, HW, y, z);
    CHECK(memcmp(x, z, sizeof(float) * B * C * HW) == 0, "layout round trip");
    free(x); free(y); free(z);

    /* torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.01), two steps
     * by hand: p0=1, g=0.5 -> d=0.51, v=0.51, p=0.949;
     * d=0.5+0.00949=0.50949, v=0.9*0.51+0.50949=0.96849, p=0.949-0.096849. */
    sgd_config c = {0.1f, 0.9f, 0.01f};
    float p = 1, g = 0.5f, v = 0;
    int started = 0;
    sgd_step(&c, 1, &p, &g, &v, &started);
    CHECK(fabsf(p - 0.949f) < 1e-6f, "sgd momentum step 1: %g", p);
    sgd_step(&c, 1, &p, &g, &v, &started);
    CHECK(fabsf(p - (0.949f - 0.096849f)) < 1e-6f, "sgd momentum step 2: %g", p);
    sgd_config plain = {0.05f, 0, 0};
    float q = 2;
    sgd_step(&plain, 1, &q, &g, NULL, &started);
    CHECK(fabsf(q - 1.975f) < 1e-7f, "plain sgd");
}

/* ---- whole models ---------------------------------------------------- */
static void test_param_counts(void) {
    ds_err err;
    nn_arch a;
    nn_model_spec cifar = {.name = "gnlenet", .in_c = 3, .in_h = 32, .in_w = 32, .classes = 10};
    CHECK(nn_model_build(&cifar, &a, &err) == 0 && a.n_params == 89834,
          "gnlenet cifar params %zu (want 89834)", a.n_params);
    CHECK(a.layers[a.n_layers - 1].in_c == 1024, "gnlenet flatten size 1024");
    nn_model_spec fm = {.name = "gnlenet", .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10};
    CHECK(nn_model_build(&fm, &a, &err) == 0 && a.n_params == 83754,
          "gnlenet fmnist params %zu (want 83754)", a.n_params);
    nn_model_spec mf = {.name = "mf", .users = 610, .items = 9724, .factors = 20};
    CHECK(nn_model_build(&mf, &a, &err) == 0 && a.n_params == (610 + 9724) * 20, "mf params");
    mf.bias = 1;
    CHECK(nn_model_build(&mf, &a, &err) == 0 && a.n_params == (610 + 9724) * 21, "mf+bias params");
    nn_model_spec cnn28 = {.name = "cnn", .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10};
    CHECK(nn_model_build(&cnn28, &a, &err) == 0 && a.n_params == 160 + 4640 + 7 * 7 * 32 * 10 + 10, "cnn params");
    nn_model_spec lr = {.name = "logreg", .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10};
    CHECK(nn_model_build(&lr, &a, &err) == 0 && a.n_params == 7850, "logreg params");
    nn_model_spec mlp = {.name = "mlp", .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10, .hidden = 64};
    CHECK(nn_model_build(&mlp, &a, &err) == 0 && a.n_params == 784 * 64 + 64 + 64 * 10 + 10, "mlp params");
    nn_model_spec tiny = {.name = "gnlenet", .in_c = 1, .in_h = 4, .in_w = 4, .classes = 10};
    CHECK(nn_model_build(&tiny, &a, &err) != 0 && strstr(err.msg, "at least 8x8"), "gnlenet rejects 4x4: %s", err.msg);
    nn_model_spec bad = {.name = "resnet", .in_c = 1, .in_h = 8, .in_w = 8, .classes = 10};
    CHECK(nn_model_build(&bad, &a, &err) != 0 && strstr(err.msg, "unknown model 'resnet'"), "unknown model: %s", err.msg);
}

static void test_determinism(void) {
    ds_err err;
    nn_arch a;
    nn_model_spec s = {.name = "gnlenet", .in_c = 3, .in_h = 32, .in_w = 32, .classes = 10};
    nn_model_build(&s, &a, &err);
    float *p1 = malloc(sizeof(float) * a.n_params), *p2 = malloc(sizeof(float) * a.n_params);
    nn_arch_init_params(&a, p1, 42);
    nn_arch_init_params(&a, p2, 42);
    CHECK(memcmp(p1, p2, sizeof(float) * a.n_params) == 0, "same seed, same weights");
    nn_arch_init_params(&a, p2, 43);
    CHECK(memcmp(p1, p2, sizeof(float) * a.n_params) != 0, "other seed, other weights");
    /* Kaiming-uniform bound of conv1 is 1/sqrt(75); gn gamma 1, beta 0. */
    float mx = 0;
    for (size_t i = 0; i < a.layers[0].w_len; i++) mx = fmaxf(mx, fabsf(p1[i]));
    CHECK(mx <= 1 / sqrtf(75.f) && mx > 0.9f / sqrtf(75.f), "conv1 init bound %g", mx);
    CHECK(p1[a.layers[1].w_off] == 1.0f && p1[a.layers[1].b_off] == 0.0f, "groupnorm init");
    free(p1); free(p2);
}

/* Whole-network gradient against float finite differences of the loss, on
 * a random subset of parameters. A step can cross a ReLU or max-pool kink,
 * where finite differences are meaningless; such coordinates are detected
 * (differences at h and h/2 disagree) and skipped, and at most a quarter
 * may be. Float forward passes limit accuracy to about eps * loss / h ~
 * 1e-4 of the largest gradient, so the tolerance is 1e-2 of max |g|. */
static double fd_at(const nn_arch *a, nn_work *w, float *p, size_t i, float h, const nn_batch *bt) {
    float keep = p[i];
    p[i] = keep + h;
    double lp = nn_forward_backward(a, w, p, NULL, bt, NULL);
    p[i] = keep - h;
    double lm = nn_forward_backward(a, w, p, NULL, bt, NULL);
    p[i] = keep;
    return (lp - lm) / (2 * h);
}

static void check_model_grad(const char *what, const nn_arch *a, const nn_batch *bt) {
    ds_err err;
    nn_work *w = nn_work_new(a, bt->n, &err);
    float *p = malloc(sizeof(float) * a->n_params), *g = malloc(sizeof(float) * a->n_params);
    nn_arch_init_params(a, p, 7);
    if (a->kind == NN_ARCH_MF) /* move off the tiny init so gradients are sizable */
        for (size_t i = 0; i < a->n_params; i++) p[i] *= 20;
    nn_forward_backward(a, w, p, g, bt, NULL);
    float gmax = 0;
    for (size_t i = 0; i < a->n_params; i++) gmax = fmaxf(gmax, fabsf(g[i]));
    double worst = 0;
    int checked = 0, skipped = 0;
    const float h = 2e-3f;
    for (int t = 0; t < 80; t++) {
        size_t i = (size_t)rng_below(&R, a->n_params);
        double f1 = fd_at(a, w, p, i, h, bt), f2 = fd_at(a, w, p, i, h / 2, bt);
        if (fabs(f1 - f2) > 5e-3 * gmax) {
            skipped++;
            continue;
        }
        checked++;
        double e = fabs(f2 - g[i]) / gmax;
        if (e > worst) worst = e;
    }
    CHECK(worst < 1e-2 && gmax > 0 && skipped * 4 <= checked + skipped,
          "%s whole-model gradient: worst error %g of max |g| %g (%d checked, %d skipped at kinks)",
          what, worst, gmax, checked, skipped);
    free(p); free(g);
    nn_work_free(w);
}

static void test_model_grads(void) {
    ds_err err;
    nn_arch a;
    nn_model_spec s = {.name = "gnlenet", .in_c = 3, .in_h = 9, .in_w = 10, .classes = 4};
    CHECK(nn_model_build(&s, &a, &err) == 0, "build small gnlenet: %s", err.msg);
    int B = 3;
    float *x = rand_floats((size_t)B * 3 * 9 * 10, 1);
    int32_t y[3] = {0, 3, 1};
    nn_batch bt = {.n = B, .x = x, .label = y};
    check_model_grad("gnlenet", &a, &bt);
    nn_model_spec m = {.name = "mlp", .in_c = 2, .in_h = 3, .in_w = 3, .classes = 4, .hidden = 5};
    nn_model_build(&m, &a, &err);
    check_model_grad("mlp", &a, &bt); /* labels 0, 3, 1 < 4 classes */
    nn_model_spec cnn = {.name = "cnn", .in_c = 3, .in_h = 9, .in_w = 10, .classes = 4};
    CHECK(nn_model_build(&cnn, &a, &err) == 0, "build small cnn: %s", err.msg);
    check_model_grad("cnn", &a, &bt);
    free(x);

    nn_model_spec mf = {.name = "mf", .users = 5, .items = 6, .factors = 4, .bias = 1};
    nn_model_build(&mf, &a, &err);
    int32_t u[4] = {0, 4, 4, 2}, it[4] = {5, 1, 5, 0};
    float t[4] = {3.5f, 1, 4, 2.5f};
    nn_batch mb = {.n = 4, .user = u, .item = it, .target = t};
    check_model_grad("mf", &a, &mb);
}

/* A few SGD steps on a fixed batch must drive the loss down. */
static void test_training_reduces_loss(void) {
    ds_err err;
    nn_arch a;
    nn_model_spec s = {.name = "gnlenet", .in_c = 1, .in_h = 12, .in_w = 12, .classes = 3};
    nn_model_build(&s, &a, &err);
    /* Each class is a fixed random pattern plus noise: learnable. */
    int B = 8;
    float *pattern = rand_floats(3 * 144, 1), *x = rand_floats((size_t)B * 144, 0.3f);
    int32_t y[8] = {0, 1, 2, 0, 1, 2, 0, 1};
    for (int b = 0; b < B; b++)
        for (int i = 0; i < 144; i++) x[b * 144 + i] += pattern[y[b] * 144 + i];
    nn_batch bt = {.n = B, .x = x, .label = y};
    sgd_config c = {0.05f, 0, 0};
    nn_model m;
    nn_model_init(&m, &a, &c, 1, &err);
    nn_work *w = nn_work_new(&a, B, &err);
    float first = nn_model_train_step(&m, w, &bt, NULL), last = first;
    for (int i = 0; i < 30; i++) last = nn_model_train_step(&m, w, &bt, NULL);
    CHECK(last < 0.5f * first, "training lowers loss: %g -> %g", first, last);
    nn_work_free(w);
    nn_model_free(&m);
    free(x);
    free(pattern);
}

/* A data-parallel step over 3 threads equals the single-thread step up to
 * float rounding (the gradient is a weighted sum of slice gradients). */
static void test_trainer(void) {
    ds_err err;
    nn_arch a;
    nn_model_spec s = {.name = "gnlenet", .in_c = 2, .in_h = 10, .in_w = 10, .classes = 5};
    nn_model_build(&s, &a, &err);
    int B = 7;
    float *x = rand_floats((size_t)B * 200, 1);
    int32_t y[7] = {0, 1, 2, 3, 4, 0, 1};
    nn_batch bt = {.n = B, .x = x, .label = y};
    sgd_config c = {0.1f, 0.9f, 0.001f};
    nn_model m1, m3;
    nn_model_init(&m1, &a, &c, 5, &err);
    nn_model_init(&m3, &a, &c, 5, &err);
    nn_trainer t1, t3;
    CHECK(nn_trainer_init(&t1, &a, 1, B, &err) == 0 && nn_trainer_init(&t3, &a, 3, B, &err) == 0, "trainers: %s", err.msg);
    nn_stats s1 = {0}, s3 = {0};
    float l1 = 0, l3 = 0;
    for (int step = 0; step < 3; step++) {
        l1 = nn_trainer_step(&t1, &c, m1.params, m1.velocity, &m1.sgd_started, &bt, &s1);
        l3 = nn_trainer_step(&t3, &c, m3.params, m3.velocity, &m3.sgd_started, &bt, &s3);
    }
    double worst = 0, mx = 0;
    for (size_t i = 0; i < a.n_params; i++) {
        worst = fmax(worst, fabs(m1.params[i] - m3.params[i]));
        mx = fmax(mx, fabs(m1.params[i]));
    }
    CHECK(worst / mx < 1e-5 && fabsf(l1 - l3) < 1e-5f * fabsf(l1) && s1.count == s3.count && s1.correct == s3.correct,
          "3-thread step equals 1-thread step: param diff %g, loss %g vs %g", worst / mx, l1, l3);
    nn_trainer_free(&t1);
    nn_trainer_free(&t3);
    nn_model_free(&m1);
    nn_model_free(&m3);
    free(x);
}

/* gemm_bcast against a double reference: odd shapes (row and column
 * tails), both ways of reading A, padded leading dimensions, = and +=. */
static void test_gemm(int trial, int blas) {
    int M = rand_int(1, trial < 12 ? 19 : 60), N = rand_int(1, 100), K = rand_int(1, trial < 12 ? 40 : 300), transposed = trial % 2, acc = (trial / 2) % 2;
    if (trial < 4) M = 1; /* a stride that never moves */
    else if (trial < 8) K = 1;
    size_t ldb = (size_t)N + (size_t)rand_int(0, 3), ldc = (size_t)N + (size_t)rand_int(0, 3);
    float *a = rand_floats((size_t)M * K, 1), *b = rand_floats((size_t)K * ldb, 1), *c = rand_floats((size_t)M * ldc, 1);
    double worst = 0;
    double *ref = malloc(sizeof(double) * (size_t)M * N);
    gemm_a A = transposed ? (gemm_a){a, 1, (size_t)M} : (gemm_a){a, (size_t)K, 1};
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) {
            double v = acc ? c[m * ldc + n] : 0;
            for (int k = 0; k < K; k++) v += (double)A.a[m * A.row + k * A.col] * b[k * ldb + n];
            ref[m * N + n] = v;
        }
    float pad_before = c[ldc - 1];
    if (blas) gemm_bcast_blas(M, N, K, A, b, ldb, c, ldc, acc);
    else gemm_bcast(M, N, K, A, b, ldb, c, ldc, acc);
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) worst = fmax(worst, fabs(c[m * ldc + n] - ref[m * N + n]) / (1 + fabs(ref[m * N + n])));
    CHECK(worst < 1e-5 && (ldc == (size_t)N || c[ldc - 1] == pad_before),
          "gemm_bcast %dx%dx%d%s%s (%s): error %g", M, N, K, transposed ? " A^T" : "", acc ? " +=" : "",
          blas || !gemm_bcast_native() ? "openblas" : "avx512", worst);
    free(a); free(b); free(c); free(ref);
    /* C[M][N] += A[M][K] x B[N][K]^T, the weight-gradient form */
    size_t lda = (size_t)K + (size_t)rand_int(0, 2);
    ldb = (size_t)K + (size_t)rand_int(0, 2);
    a = rand_floats((size_t)M * lda, 1);
    b = rand_floats((size_t)N * ldb, 1);
    c = rand_floats((size_t)M * ldc, 1);
    ref = malloc(sizeof(double) * (size_t)M * N);
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) {
            double v = c[m * ldc + n];
            for (int k = 0; k < K; k++) v += (double)a[m * lda + k] * b[n * ldb + k];
            ref[m * N + n] = v;
        }
    float *scratch = malloc(sizeof(float) * gemm_abt_floats(M, N, K));
    if (blas) gemm_abt_blas(M, N, K, a, lda, b, ldb, c, ldc);
    else gemm_abt(M, N, K, a, lda, b, ldb, c, ldc, scratch);
    worst = 0;
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) worst = fmax(worst, fabs(c[m * ldc + n] - ref[m * N + n]) / (1 + fabs(ref[m * N + n])));
    CHECK(worst < 1e-5, "gemm_abt %dx%dx%d (%s): error %g", M, N, K,
          blas || !gemm_bcast_native() ? "openblas" : "avx512", worst);
    free(a); free(b); free(c); free(ref); free(scratch);
}

/* GN-LeNet's block, GroupNorm + ReLU + 2x2 max pool, with the pool's
 * backward fused into the GroupNorm's: the pool's output, and every
 * gradient, bit for bit equal to the three layers run apart. Inputs on a
 * coarse grid, so windows tie and whole windows are 0 after the ReLU. */
static void test_gn_pool_fused(int trial) {
    int G = rand_int(1, 2);
    groupnorm_shape s = {rand_int(1, 3), G * rand_int(1, 3), 0, G};
    const int H = 2 * rand_int(1, 4), W = 2 * rand_int(1, 4);
    s.HW = H * W;
    maxpool_shape ps = {s.C * s.B, H, W, 2, 2, 0, 0};
    maxpool_shape_finish(&ps);
    size_t n = (size_t)s.C * s.B * s.HW, no = n / 4;
    float *x = malloc(sizeof(float) * n);
    for (size_t k = 0; k < n; k++) x[k] = 0.5f * (float)rand_int(-3, 3);
    float *g = rand_floats(s.C, 1.5f), *b = rand_floats(s.C, 1), *r = rand_floats(no, 1);
    float *act = malloc(sizeof(float) * n), *mean = malloc(sizeof(float) * s.B * G), *rstd = malloc(sizeof(float) * s.B * G);
    float *out1 = malloc(sizeof(float) * no), *out2 = malloc(sizeof(float) * no), *code = malloc(sizeof(float) * no);
    int32_t *am = malloc(sizeof(int32_t) * no);
    float *dy = malloc(sizeof(float) * n), *plane = malloc(sizeof(float) * s.HW);
    float *dx1 = malloc(sizeof(float) * n), *dx2 = malloc(sizeof(float) * n);
    float *dg1 = calloc(s.C, sizeof(float)), *dg2 = calloc(s.C, sizeof(float));
    float *db1 = calloc(s.C, sizeof(float)), *db2 = calloc(s.C, sizeof(float));
    groupnorm_forward(&s, x, g, b, act, mean, rstd, 1);
    maxpool_forward(&ps, act, out1, am);
    maxpool2x2_relu_forward(&ps, act, out2, code);
    maxpool_backward(&ps, act, out1, r, am, dy);
    groupnorm_backward(&s, x, dy, act, NULL, g, mean, rstd, dx1, dg1, db1);
    groupnorm_pool gp = {.H = H, .W = W, .code = code, .dout = r, .plane = plane};
    groupnorm_backward(&s, x, NULL, NULL, &gp, g, mean, rstd, dx2, dg2, db2);
    int zero_windows = 0;
    for (size_t k = 0; k < no; k++) zero_windows += code[k] == 4.0f;
    CHECK(!memcmp(out1, out2, sizeof(float) * no) && !memcmp(dx1, dx2, sizeof(float) * n) &&
              !memcmp(dg1, dg2, sizeof(float) * s.C) && !memcmp(db1, db2, sizeof(float) * s.C),
          "groupnorm + relu + maxpool fused backward equals the layers apart, trial %d (B%d C%d %dx%d, %d zero windows)",
          trial, s.B, s.C, H, W, zero_windows);
    free(x); free(g); free(b); free(r); free(act); free(mean); free(rstd); free(out1); free(out2); free(code);
    free(am); free(dy); free(plane); free(dx1); free(dx2); free(dg1); free(dg2); free(db1); free(db2);
}

int main(void) {
    rng_seed(&R, 2024);
    for (int t = 0; t < 16; t++) test_conv2d(t);
    for (int t = 0; t < 8; t++) test_groupnorm(t);
    for (int t = 0; t < 6; t++) test_maxpool(t);
    for (int t = 0; t < 5; t++) test_linear(t);
    test_relu();
    test_embedding();
    test_losses();
    test_layout_sgd();
    test_param_counts();
    test_determinism();
    test_model_grads();
    test_training_reduces_loss();
    test_trainer();
    for (int t = 0; t < 8; t++) test_gn_pool_fused(t);
    for (int t = 0; t < 24; t++) test_gemm(t, 0);
    for (int t = 0; t < 24; t++) test_gemm(t, 1);
    return check_done("test_nn");
}
