/* export_data: writes what a configured run trains on, for replay in
 * another framework: the train/test split (MovieLens: dense user, item,
 * rating triples) and the initial flat parameters divshare's `train` uses.
 *
 * usage: export_data CONFIG.ini OUTDIR [--set SEC.KEY=VAL]...
 * Files: train_user.i32 train_item.i32 train_rating.f32, test_*, params0.f32,
 * meta.json. Ratings datasets only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp/setup.h"
#include "util/fileio.h"

static int dump(const char *dir, const char *name, const void *p, size_t bytes, ds_err *err) {
    char path[4096];
    if (path_join(path, sizeof path, dir, name)) return ds_fail(err, "path too long");
    return atomic_write_bytes(path, p, bytes, err);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: export_data CONFIG.ini OUTDIR [--set SEC.KEY=VAL]...\n");
        return 2;
    }
    ds_err err;
    config c;
    exp_data d;
    nn_arch a;
    if (config_init(&c, &err) || config_load(&c, argv[1], &err)) goto fail;
    for (int i = 3; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "--set") && config_set(&c, argv[i + 1], &err)) goto fail;
    if (exp_load_data(&c, &d, &err) || exp_build_arch(&c, &d, &a, &err)) goto fail;
    if (d.train.kind != DATASET_RATINGS) {
        fprintf(stderr, "export_data: only ratings datasets are exported\n");
        return 2;
    }
    float *p = malloc(sizeof(float) * a.n_params);
    nn_arch_init_params(&a, p, exp_seed(&c, SEED_INIT, 0));
    const char *dir = argv[2];
    char meta[512];
    snprintf(meta, sizeof meta,
             "{\"users\": %d, \"items\": %d, \"factors\": %d, \"bias\": %d, \"train\": %zu, "
             "\"test\": %zu, \"batch\": %ld, \"lr\": %g, \"epochs\": %ld}\n",
             a.mf_users, a.mf_items, a.mf_factors, a.mf_bias, d.train.n, d.test.n,
             c.v.train.batch_size, c.v.train.lr,
             c.v.train.epochs);
    if (make_dirs(dir, &err) ||
        dump(dir, "train_user.i32", d.train.user, 4 * d.train.n, &err) ||
        dump(dir, "train_item.i32", d.train.item, 4 * d.train.n, &err) ||
        dump(dir, "train_rating.f32", d.train.rating, 4 * d.train.n, &err) ||
        dump(dir, "test_user.i32", d.test.user, 4 * d.test.n, &err) ||
        dump(dir, "test_item.i32", d.test.item, 4 * d.test.n, &err) ||
        dump(dir, "test_rating.f32", d.test.rating, 4 * d.test.n, &err) ||
        dump(dir, "params0.f32", p, sizeof(float) * a.n_params, &err) ||
        dump(dir, "meta.json", meta, strlen(meta), &err))
        goto fail;
    printf("export_data: %zu train / %zu test ratings, %d users, %d items -> %s\n", d.train.n,
           d.test.n, a.mf_users, a.mf_items, dir);
    free(p);
    exp_data_free(&d);
    config_free(&c);
    return 0;
fail:
    fprintf(stderr, "export_data: %s\n", err.msg);
    return 2;
}
