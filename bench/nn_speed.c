/* nn_speed: GN-LeNet training and evaluation throughput on CIFAR-shaped
 * input (3x32x32, 10 classes), divshare vs PyTorch in the same run.
 *
 * usage: nn_speed [seconds-per-round] [path/to/torch_speed.py]
 * For each batch size (8, 32, 128) and thread count (1, 2) it measures
 * training images/s (forward + backward + SGD step) of both (divshare:
 * data-parallel batch slices with single-threaded OpenBLAS, as `train`
 * runs; PyTorch: torch.set_num_threads), then
 * evaluation images/s at batch 500 (divshare evaluates in chunks of 128),
 * and prints a table with the ratio divshare / PyTorch. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/model.h"
#include "nn/models.h"
#include "nn/trainer.h"
#include "core/evaluate.h"
#include "util/clock.h"
#include "util/rng.h"

/* threads: data-parallel trainer threads (what `divshare train` uses),
 * with single-threaded OpenBLAS. */
static double measure_train(const nn_arch *a, int batch, int threads, double seconds) {
    ds_err err;
    sgd_config sgd = {0.05f, 0, 0};
    nn_model m;
    nn_trainer t;
    if (nn_trainer_init(&t, a, threads, batch, &err)) {
        fprintf(stderr, "nn_speed: %s\n", err.msg);
        exit(1);
    }
    nn_model_init(&m, a, &sgd, 1, &err);
    size_t in = nn_arch_input_size(a);
    float *x = malloc(sizeof(float) * in * batch);
    int32_t *y = malloc(sizeof(int32_t) * batch);
    rng r;
    rng_seed(&r, 3);
    for (size_t i = 0; i < in * batch; i++) x[i] = (float)rng_normal(&r);
    for (int i = 0; i < batch; i++) y[i] = (int32_t)rng_below(&r, 10);
    nn_batch bt = {.n = batch, .x = x, .label = y};
    nn_trainer_step(&t, &sgd, m.params, m.velocity, &m.sgd_started, &bt, NULL); /* warm-up */
    long n = 0;
    double t0 = clock_now(), el;
    do {
        nn_trainer_step(&t, &sgd, m.params, m.velocity, &m.sgd_started, &bt, NULL);
        n++;
    } while ((el = clock_now() - t0) < seconds);
    free(x);
    free(y);
    nn_model_free(&m);
    nn_trainer_free(&t);
    return (double)n * batch / el;
}

/* Evaluation as `train` runs it: the parallel evaluator (one workspace per
 * thread, batches of 128) over 512 synthetic CIFAR-shaped images. */
static double measure_eval(const nn_arch *a, int threads, double seconds) {
    ds_err err;
    dataset d;
    if (dataset_alloc_images(&d, "bench", 512, 3, 32, 32, 10, &err)) exit(1);
    rng r;
    rng_seed(&r, 4);
    for (size_t i = 0; i < d.n * 3072; i++) d.pixels[i] = (uint8_t)rng_below(&r, 256);
    for (size_t i = 0; i < d.n; i++) d.labels[i] = (uint8_t)rng_below(&r, 10);
    evaluator ev;
    if (evaluator_init(&ev, a, &d, NULL, 0, 128, threads, &err)) {
        fprintf(stderr, "nn_speed: %s\n", err.msg);
        exit(1);
    }
    float *p = malloc(sizeof(float) * a->n_params);
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
    return (double)n * 512 / t;
}

static int torch_rates(const char *script, int batch, int threads, double seconds, double *train,
                       double *eval) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %d %d %g 2>/dev/null", script, batch, threads, seconds);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    int ok = fscanf(p, "%lf %lf", train, eval) == 2;
    int rc = pclose(p);
    return ok && rc == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    const char *script = argc > 2 ? argv[2] : "bench/torch_speed.py";
    const int rounds = 3;
    nn_model_spec spec = {.name = "gnlenet", .in_c = 3, .in_h = 32, .in_w = 32, .classes = 10};
    nn_arch a;
    ds_err err;
    if (nn_model_build(&spec, &a, &err)) {
        fprintf(stderr, "nn_speed: %s\n", err.msg);
        return 1;
    }
    openblas_set_num_threads(1);
    printf("GN-LeNet (%zu params), CIFAR-shaped input, plain SGD. divshare and PyTorch are\n"
           "measured alternately, %d rounds of %.0f s each; best round reported (this machine's\n"
           "throughput varies by +-15%% over minutes).\n\n",
           a.n_params, rounds, seconds);
    printf("%-5s %-7s %14s %14s %7s\n", "batch", "threads", "divshare img/s", "pytorch img/s", "ratio");
    const int batches[3] = {8, 32, 128};
    double eval_ds[3] = {0}, eval_pt[3] = {0};
    for (int th = 1; th <= 2; th++) {
        for (int i = 0; i < 3; i++) {
            double ours = 0, pt = 0;
            int have_pt = 1;
            for (int r = 0; r < rounds; r++) {
                double o = measure_train(&a, batches[i], th, seconds), pt_train = 0, pt_eval = 0;
                if (o > ours) ours = o;
                if (have_pt && torch_rates(script, batches[i], th, seconds, &pt_train, &pt_eval) == 0) {
                    if (pt_train > pt) pt = pt_train;
                    if (i == 0 && pt_eval > eval_pt[th]) eval_pt[th] = pt_eval;
                } else {
                    have_pt = 0;
                }
                if (i == 0) {
                    double e = measure_eval(&a, th, seconds);
                    if (e > eval_ds[th]) eval_ds[th] = e;
                }
            }
            if (have_pt)
                printf("%-5d %-7d %14.0f %14.0f %6.2fx\n", batches[i], th, ours, pt, ours / pt);
            else
                printf("%-5d %-7d %14.0f %14s %7s\n", batches[i], th, ours, "n/a", "");
            fflush(stdout);
        }
    }
    printf("\nevaluation (divshare: batches of 128 per thread; PyTorch: batch 500):\n");
    for (int th = 1; th <= 2; th++) {
        if (eval_pt[th] > 0)
            printf("threads %d: divshare %.0f img/s, pytorch %.0f img/s, ratio %.2fx\n", th,
                   eval_ds[th], eval_pt[th], eval_ds[th] / eval_pt[th]);
        else
            printf("threads %d: divshare %.0f img/s (pytorch not available)\n", th, eval_ds[th]);
    }
    return 0;
}
