/* cifar10.c: reader of the CIFAR-10 binary release. */
#include <stdlib.h>
#include <string.h>

#include "data/readers.h"
#include "util/fileio.h"

#define CIFAR_RECORD 3073
#define CIFAR_PER_BATCH 10000

int cifar10_parse_batch(const char *path, const unsigned char *buf, size_t len, dataset *d, size_t *pos,
                        ds_err *err) {
    if (len == 0 || len % CIFAR_RECORD != 0) {
        return ds_fail(err,
                       "%s: size %zu bytes is not a multiple of %d (1 label + 3072 pixel bytes): "
                       "truncated, or not a CIFAR-10 binary batch",
                       path, len, CIFAR_RECORD);
    }
    size_t n = len / CIFAR_RECORD;
    if (*pos + n > d->n) return ds_fail(err, "%s: more records than expected (%zu)", path, d->n);
    for (size_t r = 0; r < n; r++) {
        const unsigned char *rec = buf + r * CIFAR_RECORD;
        if (rec[0] > 9) {
            int label = rec[0];
            return ds_fail(err,
                           "%s: record %zu has label %d, expected 0..9 (CIFAR-100 or not a "
                           "CIFAR-10 binary file?)",
                           path, r, label);
        }
        d->labels[*pos] = rec[0];
        memcpy(d->pixels + *pos * 3072, rec + 1, 3072);
        (*pos)++;
    }
    return 0;
}

/* Appends every record of one batch file to d starting at *pos. */
static int read_batch(const char *path, dataset *d, size_t *pos, ds_err *err) {
    unsigned char *buf;
    size_t len;
    if (file_read_all(path, &buf, &len, err)) return -1;
    int rc = cifar10_parse_batch(path, buf, len, d, pos, err);
    free(buf);
    return rc;
}

static int load_split(const char *dir, const char *const *files, int nfiles, dataset *d,
                      ds_err *err) {
    if (dataset_alloc_images(d, "cifar10", (size_t)nfiles * CIFAR_PER_BATCH, 3, 32, 32, 10, err))
        return -1;
    size_t pos = 0;
    for (int i = 0; i < nfiles; i++) {
        char path[4096];
        if (path_join(path, sizeof path, dir, files[i]) || read_batch(path, d, &pos, err)) {
            dataset_free(d);
            return -1;
        }
    }
    d->n = pos;
    return 0;
}

int cifar10_load(const char *dir, dataset *train, dataset *test, ds_err *err) {
    static const char *const train_files[] = {"data_batch_1.bin", "data_batch_2.bin",
                                              "data_batch_3.bin", "data_batch_4.bin",
                                              "data_batch_5.bin"};
    static const char *const test_files[] = {"test_batch.bin"};
    char sub[4096], probe[4096];
    const char *root = dir;
    if (path_join(probe, sizeof probe, dir, "test_batch.bin") == 0 && !path_exists(probe) &&
        path_join(sub, sizeof sub, dir, "cifar-10-batches-bin") == 0 && path_exists(sub))
        root = sub;
    if (!path_exists(root))
        return ds_fail(err,
                       "%s: CIFAR-10 directory not found (expected data_batch_1..5.bin and "
                       "test_batch.bin: the official binary release, see docs/reproduction.md)",
                       dir);
    if (load_split(root, train_files, 5, train, err)) return -1;
    if (load_split(root, test_files, 1, test, err)) {
        dataset_free(train);
        return -1;
    }
    return 0;
}
