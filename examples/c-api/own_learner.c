/* own_learner.c: the demo's network, stragglers and algorithms, with a
 * learner of our own, through libdivshare's public API.
 *
 * Node k estimates the mean of its private samples x ~ mean_k + noise by
 * SGD; the nodes' means differ, and the target is their average, which no
 * node can reach alone. The metric is the RMSE to that average (and the
 * loss its square).
 *
 *   cc own_learner.c $(pkg-config --cflags --libs divshare) -lm -o own_learner
 *   ./own_learner examples/fmnist-stragglers.ini OUT_DIR */
#include <divshare.h>
#include <math.h>
#include <stdio.h>

#define DIM 1000

static double node_mean(int node, int i) { return ((node * 7919 + i * 104729) % 2001) / 1000.0 - 1; }

static int train(void *ctx, int worker, int node, float *x, int steps, double *loss, ds_error *e) {
    unsigned *noise = ctx; /* one call at a time (max_workers 0): no race */
    for (int s = 0; s < steps; s++)
        for (int i = 0; i < DIM; i++) {
            *noise = *noise * 1664525u + 1013904223u;
            double sample = node_mean(node, i) + ((*noise >> 8) / 16777216.0 - 0.5);
            *loss += 0.5 * (x[i] - sample) * (x[i] - sample) / DIM;
            x[i] -= 0.02f * (float)(x[i] - sample);
        }
    return 0;
}

static int evaluate(void *ctx, int worker, int node, const float *x, double *metric, double *loss, ds_error *e) {
    double sq = 0;
    for (int i = 0; i < DIM; i++) {
        double target = 0; /* the average of the 16 demo nodes' means */
        for (int k = 0; k < 16; k++) target += node_mean(k, i) / 16;
        sq += (x[i] - target) * (x[i] - target);
    }
    *loss = sq / DIM;
    *metric = sqrt(*loss);
    return 0;
}

static int on_eval(void *ctx, const char *algorithm, const ds_report *r) {
    printf("%-9s t=%5.1fs  rmse %.4f  %.1f MB sent\n", algorithm, r->time, r->metric_mean, r->bytes_sent / 1e6);
    return 0;
}

int main(int argc, char **argv) {
    ds_error e;
    unsigned noise = 1;
    ds_learner mean = {.name = "mean", .n_params = DIM, .lower_is_better = 1, .ctx = &noise,
                       .train = train, .evaluate = evaluate};
    ds_config *c = argc == 3 ? ds_config_load(argv[1], &e) : NULL;
    if (!c || ds_config_set(c, "experiment.duration", "10", &e) || ds_config_set(c, "eval.interval", "5", &e)) {
        fprintf(stderr, "%s\n", argc == 3 ? e.message : "usage: own_learner EXPERIMENT.ini OUT_DIR");
        return 2;
    }
    ds_run_options o = {.out_dir = argv[2], .learner = &mean, .on_eval = on_eval};
    int rc = ds_run(c, &o, &e);
    ds_config_free(c);
    if (rc) fprintf(stderr, "ds_run: %s\n", e.message);
    return rc ? 1 : 0;
}
