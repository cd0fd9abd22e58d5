#define _DEFAULT_SOURCE /* getloadavg */
/* nn_speed: GN-LeNet training and evaluation throughput on CIFAR-shaped
 * input (3x32x32, 10 classes), divshare against PyTorch in the same run.
 *
 * usage: nn_speed [--seconds S] [--rounds R] [--torch SCRIPT] [--layers] [--force]
 *
 * Rows: training (forward + backward + SGD step) at batch 8, 32 and 128,
 * then evaluation at batch 500, on 1 and then 2 threads. divshare trains
 * as `train` and `run` do (data-parallel batch slices, single-threaded
 * OpenBLAS); PyTorch runs in a child with torch.set_num_threads and
 * OMP_NUM_THREADS both equal to the row's thread count. Each row runs R
 * rounds, divshare and PyTorch alternately (the order flips every round),
 * and reports medians with min-max.
 *
 * Honesty rules. The OpenBLAS kernel and the environment variables that
 * change it are printed first. The benchmark refuses to start when the
 * 1-minute load average is above the largest thread count measured, and
 * withholds a row's ratio when other processes used more than
 * BUSY_CORES of a core while the row ran (from /proc/stat, minus this
 * process and its children); --force reports anyway, marked.
 *
 * --layers prints only where one training step's time goes, per layer,
 * forward and backward (batch 8, 1 thread). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/evaluate.h"
#include "nn/gemm.h"
#include "nn/model.h"
#include "nn/models.h"
#include "nn/trainer.h"
#include "util/clock.h"
#include "util/rng.h"

#ifndef NN_SPEED_TORCH
#define NN_SPEED_TORCH "bench/torch_speed.py"
#endif

#define MAX_ROUNDS 25
#define MAX_THREADS 2
#define EVAL_BATCH 500
#define BUSY_CORES 0.2 /* others' mean CPU use above which a row is "busy" */

typedef struct options {
    double seconds;
    int rounds;
    const char *torch;
    int layers;
    int force;
} options;

static void die(const char *what, const ds_err *err) {
    fprintf(stderr, "nn_speed: %s: %s\n", what, err->msg);
    exit(1);
}

/* A synthetic batch: normal pixels, uniform labels. */
typedef struct bench_batch {
    float *x;
    int32_t *y;
    nn_batch b;
} bench_batch;

static void batch_make(bench_batch *bb, const nn_arch *a, int n) {
    size_t in = nn_arch_input_size(a);
    bb->x = malloc(sizeof(float) * in * (size_t)n);
    bb->y = malloc(sizeof(int32_t) * (size_t)n);
    if (!bb->x || !bb->y) {
        fprintf(stderr, "nn_speed: out of memory\n");
        exit(1);
    }
    rng r;
    rng_seed(&r, 3);
    for (size_t i = 0; i < in * (size_t)n; i++) bb->x[i] = (float)rng_normal(&r);
    for (int i = 0; i < n; i++) bb->y[i] = (int32_t)rng_below(&r, 10);
    bb->b = (nn_batch){.n = n, .x = bb->x, .label = bb->y};
}

static void batch_free(bench_batch *bb) {
    free(bb->x);
    free(bb->y);
}

/* Training images/s of `threads` data-parallel trainer threads. With prof,
 * one thread's layers are profiled (and the rate is not meaningful). */
static double measure_train(const nn_arch *a, int batch, int threads, double seconds, nn_profile *prof,
                            double *sgd_s) {
    ds_err err;
    sgd_config sgd = {0.05f, 0, 0};
    nn_model m;
    nn_trainer t;
    if (nn_trainer_init(&t, a, threads, batch, &err)) die("trainer", &err);
    if (nn_model_init(&m, a, &sgd, 1, &err)) die("model", &err);
    bench_batch bb;
    batch_make(&bb, a, batch);
    nn_trainer_step(&t, &sgd, m.params, m.velocity, &m.sgd_started, &bb.b, NULL); /* warm-up */
    if (prof) nn_work_profile(t.work[0], prof);
    long n = 0;
    double t0 = clock_now(), el;
    do {
        nn_trainer_step(&t, &sgd, m.params, m.velocity, &m.sgd_started, &bb.b, NULL);
        n++;
    } while ((el = clock_now() - t0) < seconds);
    if (sgd_s) { /* the SGD update alone, timed apart */
        double s0 = clock_now();
        for (long i = 0; i < n; i++) sgd_step(&sgd, a->n_params, m.params, t.grads[0], m.velocity, &m.sgd_started);
        *sgd_s = (clock_now() - s0) / (double)n;
    }
    batch_free(&bb);
    nn_model_free(&m);
    nn_trainer_free(&t);
    return (double)n * batch / el;
}

/* Evaluation images/s as `run` and `train` evaluate: the parallel
 * evaluator (one workspace per thread) over 2 batches per thread of
 * EVAL_BATCH synthetic CIFAR-shaped images. */
static double measure_eval(const nn_arch *a, int threads, double seconds) {
    ds_err err;
    dataset d;
    size_t n_img = (size_t)2 * threads * EVAL_BATCH;
    if (dataset_alloc_images(&d, "bench", n_img, 3, 32, 32, 10, &err)) die("dataset", &err);
    rng r;
    rng_seed(&r, 4);
    for (size_t i = 0; i < d.n * 3072; i++) d.pixels[i] = (uint8_t)rng_below(&r, 256);
    for (size_t i = 0; i < d.n; i++) d.labels[i] = (uint8_t)rng_below(&r, 10);
    evaluator ev;
    if (evaluator_init(&ev, a, &d, NULL, 0, EVAL_BATCH, threads, &err)) die("evaluator", &err);
    float *p = malloc(sizeof(float) * a->n_params);
    if (!p) {
        fprintf(stderr, "nn_speed: out of memory\n");
        exit(1);
    }
    nn_arch_init_params(a, p, 1);
    evaluator_run(&ev, p); /* warm-up */
    long n = 0;
    double t0 = clock_now(), t;
    do {
        evaluator_run(&ev, p);
        n++;
    } while ((t = clock_now() - t0) < seconds);
    free(p);
    evaluator_free(&ev);
    dataset_free(&d);
    return (double)n * (double)n_img / t;
}

/* PyTorch's images/s in a child process; < 0 when torch is unavailable. */
static double torch_rate(const options *o, const char *mode, int batch, int threads) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=%d /usr/bin/python3 %s %s %d %d %g 2>/dev/null", threads, o->torch,
             mode, batch, threads, o->seconds);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    double v = -1;
    int ok = fscanf(p, "%lf", &v) == 1;
    int rc = pclose(p);
    return ok && rc == 0 ? v : -1;
}

/* CPU seconds of every process on the machine (/proc/stat's busy
 * jiffies), and of this process with its waited-for children. */
static double machine_cpu_s(void) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    unsigned long long v[8] = {0};
    int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                     &v[6], &v[7]);
    fclose(f);
    if (got < 8) return -1;
    /* user nice system (idle iowait) irq softirq steal */
    unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    return (double)busy / (double)sysconf(_SC_CLK_TCK);
}

static double own_cpu_s(void) {
    double s = 0;
    struct rusage ru;
    int who[2] = {RUSAGE_SELF, RUSAGE_CHILDREN};
    for (int i = 0; i < 2; i++)
        if (getrusage(who[i], &ru) == 0)
            s += (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec * 1e-6;
    return s;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median_of(const double *sorted, int n) {
    return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

/* "median (min-max)" of v[0..n), sorted in place; "n/a" when n == 0. */
static void fmt_stats(char *buf, size_t len, double *v, int n) {
    if (n == 0) {
        snprintf(buf, len, "n/a");
        return;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    snprintf(buf, len, "%.0f (%.0f-%.0f)", median_of(v, n), v[0], v[n - 1]);
}

/* One row: R interleaved rounds of divshare and PyTorch. batch 0 means
 * evaluation at EVAL_BATCH. */
static void row(const options *o, const nn_arch *a, int batch, int threads) {
    double ours[MAX_ROUNDS], theirs[MAX_ROUNDS];
    int n_theirs = 0, have_torch = 1;
    const char *mode = batch ? "train" : "eval";
    double m0 = machine_cpu_s(), c0 = own_cpu_s(), w0 = clock_now();
    for (int r = 0; r < o->rounds; r++) {
        for (int k = 0; k < 2; k++) {
            if ((k + r) % 2 == 0) {
                ours[r] = batch ? measure_train(a, batch, threads, o->seconds, NULL, NULL)
                                : measure_eval(a, threads, o->seconds);
            } else if (have_torch) {
                double v = torch_rate(o, mode, batch ? batch : EVAL_BATCH, threads);
                if (v > 0) theirs[n_theirs++] = v;
                else have_torch = 0;
            }
        }
    }
    double others = (machine_cpu_s() - m0 - (own_cpu_s() - c0)) / (clock_now() - w0);
    char s_ours[64], s_theirs[64], ratio[64];
    fmt_stats(s_ours, sizeof s_ours, ours, o->rounds);
    fmt_stats(s_theirs, sizeof s_theirs, theirs, n_theirs);
    int busy = others > BUSY_CORES || m0 < 0;
    if (!n_theirs) snprintf(ratio, sizeof ratio, "-");
    else if (busy && !o->force) snprintf(ratio, sizeof ratio, "busy");
    else
        snprintf(ratio, sizeof ratio, "%.2fx%s", median_of(ours, o->rounds) / median_of(theirs, n_theirs),
                 busy ? " (busy)" : "");
    printf("%-6s %5d %7d %20s %20s %9s %7.2f\n", mode, batch ? batch : EVAL_BATCH, threads, s_ours, s_theirs, ratio,
           others);
    fflush(stdout);
}

static double conv_flops(const nn_layer *l, int batch) {
    return 2.0 * l->out_c * (double)l->fan_in * l->out_h * l->out_w * batch;
}

/* Where a batch-8 training step on 1 thread spends its time. */
static void layers_table(const options *o, const nn_arch *a) {
    static const char *names[] = {"conv2d", "groupnorm", "relu", "maxpool", "flatten", "linear"};
    const int batch = 8;
    nn_profile p;
    memset(&p, 0, sizeof p);
    double sgd_s = 0;
    double rate = measure_train(a, batch, 1, o->seconds, NULL, NULL);
    double step = batch / measure_train(a, batch, 1, o->seconds, &p, &sgd_s); /* profiled */
    double per = 1.0 / (double)p.passes, total = 0;
    printf("\nwhere a training step goes (batch 8, 1 thread; %.0f img/s unprofiled; shares of the profiled step,\n"
           "%.3f ms):\n", rate, step * 1e3);
    printf("%-3s %-12s %-13s %10s %10s %7s %11s\n", "#", "layer", "output", "fwd ms", "bwd ms", "share", "conv GFLOP/s");
    for (int i = 0; i < a->n_layers; i++) {
        const nn_layer *l = &a->layers[i];
        double f = p.forward_s[i] * per, b = p.backward_s[i] * per;
        total += f + b;
        char shape[32], gf[32] = "";
        snprintf(shape, sizeof shape, "%dx%dx%d", l->out_c, l->out_h, l->out_w);
        if (l->kind == NN_LAYER_CONV2D) {
            double flops = conv_flops(l, batch) * (i == 0 ? 2 : 3); /* forward, dW, and dX but for layer 0 */
            snprintf(gf, sizeof gf, "%.1f", flops / (f + b) * 1e-9);
        }
        const char *name = names[l->kind];
        if (l->kind == NN_LAYER_RELU && f + b == 0) name = "relu, fused";
        printf("%-3d %-12s %-13s %10.4f %10.4f %6.1f%% %11s\n", i, name, shape, f * 1e3, b * 1e3,
               100 * (f + b) / step, gf);
    }
    double loss = p.loss_s * per;
    printf("    %-26s %10.4f %10s %6.1f%%\n", "softmax cross-entropy", loss * 1e3, "", 100 * loss / step);
    printf("    %-26s %10.4f %10s %6.1f%%\n", "SGD update", sgd_s * 1e3, "", 100 * sgd_s / step);
    double rest = step - total - loss - sgd_s;
    printf("    %-26s %10.4f %10s %6.1f%%\n", "rest (gradient zeroing, clock)", rest * 1e3, "", 100 * rest / step);
    double flops = 0;
    for (int i = 0; i < a->n_layers; i++)
        if (a->layers[i].kind == NN_LAYER_CONV2D) flops += conv_flops(&a->layers[i], 1) * (i == 0 ? 2 : 3);
    printf("convolutions: %.1f MFLOP per training image; the step as a whole runs at %.1f GFLOP/s\n", flops * 1e-6,
           flops * rate * 1e-9);
}

static void print_environment(void) {
    printf("convolution GEMMs: %s\n", gemm_bcast_native() ? "divshare's AVX-512 kernel (OpenBLAS for the linear layer)"
                                                            : "OpenBLAS (no AVX-512 on this CPU)");
    printf("OpenBLAS %s; kernel %s\n", openblas_get_config(), openblas_get_corename());
    static const char *vars[] = {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                                 "GOTO_NUM_THREADS", "OMP_NUM_THREADS"};
    printf("environment:");
    int any = 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v) {
            printf(" %s=%s", vars[i], v);
            any = 1;
        }
    }
    printf("%s\n", any ? "" : " none of OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, *_NUM_THREADS set");
    if (getenv("OPENBLAS_CORETYPE") || getenv("OPENBLAS_L2_SIZE"))
        printf("  (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE override OpenBLAS's own choice of kernel and blocking;\n"
               "   a default install has neither, and its figures can differ by 20%% or more)\n");
}

static int usage(void) {
    fprintf(stderr, "usage: nn_speed [--seconds S] [--rounds R] [--torch SCRIPT] [--layers] [--force]\n");
    return 2;
}

int main(int argc, char **argv) {
    options o = {.seconds = 2.0, .rounds = 5, .torch = NN_SPEED_TORCH};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc) o.seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) o.rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--torch") && i + 1 < argc) o.torch = argv[++i];
        else if (!strcmp(argv[i], "--layers")) o.layers = 1;
        else if (!strcmp(argv[i], "--force")) o.force = 1;
        else return usage();
    }
    if (o.seconds < 0.1 || o.seconds > 60 || o.rounds < 1 || o.rounds > MAX_ROUNDS) {
        fprintf(stderr, "nn_speed: --seconds must be in [0.1, 60] (got %g) and --rounds in [1, %d] (got %d)\n",
                o.seconds, MAX_ROUNDS, o.rounds);
        return 2;
    }
    nn_model_spec spec = {.name = "gnlenet", .in_c = 3, .in_h = 32, .in_w = 32, .classes = 10};
    nn_arch a;
    ds_err err;
    if (nn_model_build(&spec, &a, &err)) die("model", &err);
    openblas_set_num_threads(1);
    print_environment();
    if (o.layers) {
        layers_table(&o, &a);
        return 0;
    }
    double load[1];
    if (getloadavg(load, 1) == 1 && load[0] > MAX_THREADS) {
        fprintf(stderr, "nn_speed: the machine is busy (1-minute load average %.2f, above the %d threads measured)%s\n",
                load[0], MAX_THREADS, o.force ? "; reporting anyway (--force)" : "; not reporting (--force)");
        if (!o.force) return 3;
    }
    if (access(o.torch, R_OK) != 0)
        printf("PyTorch side %s not found: divshare only (--torch SCRIPT)\n", o.torch);
    printf("GN-LeNet (%zu params), CIFAR-shaped input, plain SGD. Medians (min-max) of %d rounds of %.1f s;\n"
           "divshare and PyTorch alternate. `others` is the CPU (in cores) that other processes used\n"
           "during the row; above %.1f the ratio is withheld.\n\n",
           a.n_params, o.rounds, o.seconds, BUSY_CORES);
    printf("%-6s %5s %7s %20s %20s %9s %7s\n", "", "batch", "threads", "divshare img/s", "pytorch img/s", "ratio",
           "others");
    const int batches[3] = {8, 32, 128};
    for (int th = 1; th <= MAX_THREADS; th++) {
        for (int i = 0; i < 3; i++) row(&o, &a, batches[i], th);
        row(&o, &a, 0, th);
    }
    layers_table(&o, &a);
    return 0;
}
