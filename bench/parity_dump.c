/* parity_dump: writes what bench/parity_torch.py needs to replay divshare's
 * training in PyTorch: the initial flat parameters, SGD batches, our loss
 * at every step and our final parameters (raw little-endian float32/int32).
 *
 * usage: parity_dump OUTDIR [steps] [batch] [lr] [c h w classes]
 * Inputs are N(0,1) pixels with random labels: parity is about the math,
 * not the data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/model.h"
#include "nn/models.h"
#include "util/fileio.h"
#include "util/rng.h"

static int write_raw(const char *dir, const char *name, const void *p, size_t bytes) {
    char path[4096];
    ds_err err;
    if (path_join(path, sizeof path, dir, name) || atomic_write_bytes(path, p, bytes, &err)) {
        fprintf(stderr, "parity_dump: %s/%s: %s\n", dir, name, err.msg);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: parity_dump OUTDIR [steps] [batch] [lr] [c h w classes]\n");
        return 2;
    }
    const char *dir = argv[1];
    int steps = argc > 2 ? atoi(argv[2]) : 20, B = argc > 3 ? atoi(argv[3]) : 8;
    float lr = argc > 4 ? (float)atof(argv[4]) : 0.05f;
    nn_model_spec spec = {.name = "gnlenet", .in_c = 3, .in_h = 32, .in_w = 32, .classes = 10};
    if (argc > 8) {
        spec.in_c = atoi(argv[5]);
        spec.in_h = atoi(argv[6]);
        spec.in_w = atoi(argv[7]);
        spec.classes = atoi(argv[8]);
    }
    ds_err err;
    nn_arch a;
    if (nn_model_build(&spec, &a, &err) || make_dirs(dir, &err)) {
        fprintf(stderr, "parity_dump: %s\n", err.msg);
        return 1;
    }
    sgd_config sgd = {lr, 0, 0};
    nn_model m;
    nn_work *w = nn_work_new(&a, B, &err);
    if (!w || nn_model_init(&m, &a, &sgd, 1234, &err)) {
        fprintf(stderr, "parity_dump: %s\n", err.msg);
        return 1;
    }
    size_t in = nn_arch_input_size(&a);
    float *x = malloc(sizeof(float) * in * B * steps);
    int32_t *y = malloc(sizeof(int32_t) * B * steps);
    float *loss = malloc(sizeof(float) * steps);
    rng r;
    rng_seed(&r, 99);
    for (size_t i = 0; i < in * B * steps; i++) x[i] = (float)rng_normal(&r);
    for (int i = 0; i < B * steps; i++) y[i] = (int32_t)rng_below(&r, spec.classes);
    if (write_raw(dir, "params0.f32", m.params, sizeof(float) * a.n_params)) return 1;
    for (int s = 0; s < steps; s++) {
        nn_batch bt = {.n = B, .x = x + in * B * s, .label = y + B * s};
        loss[s] = nn_model_train_step(&m, w, &bt, NULL);
    }
    char meta[256];
    snprintf(meta, sizeof meta,
             "{\"steps\": %d, \"batch\": %d, \"lr\": %g, \"c\": %d, \"h\": %d, \"w\": %d, "
             "\"classes\": %d, \"params\": %zu}\n",
             steps, B, lr, spec.in_c, spec.in_h, spec.in_w, spec.classes, a.n_params);
    if (write_raw(dir, "x.f32", x, sizeof(float) * in * B * steps) ||
        write_raw(dir, "y.i32", y, sizeof(int32_t) * B * steps) ||
        write_raw(dir, "loss.f32", loss, sizeof(float) * steps) ||
        write_raw(dir, "params_final.f32", m.params, sizeof(float) * a.n_params) ||
        write_raw(dir, "meta.json", meta, strlen(meta)))
        return 1;
    printf("parity_dump: wrote %d steps of gnlenet (%zu params) to %s\n", steps, a.n_params, dir);
    free(x); free(y); free(loss);
    nn_model_free(&m);
    nn_work_free(w);
    return 0;
}
