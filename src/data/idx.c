/* idx.c: reader of the IDX format (MNIST, Fashion-MNIST), plain or gzip. */
#include <stdlib.h>
#include <string.h>

#include "data/readers.h"
#include "util/fileio.h"

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int idx_load(const char *images_path, const char *labels_path, const char *name, dataset *out,
             ds_err *err) {
    unsigned char *img = NULL, *lab = NULL;
    size_t ilen, llen;
    if (file_read_all(images_path, &img, &ilen, err)) return -1;
    if (file_read_all(labels_path, &lab, &llen, err)) {
        free(img);
        return -1;
    }
    int rc = -1;
    if (ilen < 16 || be32(img) != 0x803) {
        ds_fail(err, "%s: not an IDX image file (expected magic 0x00000803 and 3 dimensions)",
                images_path);
        goto done;
    }
    if (llen < 8 || be32(lab) != 0x801) {
        ds_fail(err, "%s: not an IDX label file (expected magic 0x00000801)", labels_path);
        goto done;
    }
    uint32_t n = be32(img + 4), rows = be32(img + 8), cols = be32(img + 12);
    if (n == 0) {
        ds_fail(err, "%s: holds no images (the IDX header counts 0)", images_path);
        goto done;
    }
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096) {
        ds_fail(err, "%s: implausible image size %ux%u", images_path, rows, cols);
        goto done;
    }
    if ((ilen - 16) / ((size_t)rows * cols) < n || ilen - 16 != (size_t)n * rows * cols) {
        ds_fail(err, "%s: header says %u images of %ux%u (%zu bytes) but the file has %zu: truncated?",
                images_path, n, rows, cols, (size_t)n * rows * cols + 16, ilen);
        goto done;
    }
    if (be32(lab + 4) != n || llen - 8 != n) {
        ds_fail(err, "%s: %u labels for %u images in %s (or truncated file of %zu bytes)",
                labels_path, be32(lab + 4), n, images_path, llen);
        goto done;
    }
    int classes = 0;
    for (uint32_t i = 0; i < n; i++)
        if (lab[8 + i] + 1 > classes) classes = lab[8 + i] + 1;
    if (classes > 100) {
        ds_fail(err, "%s: label %d out of range (at most 100 classes)", labels_path, classes - 1);
        goto done;
    }
    if (dataset_alloc_images(out, name, n, 1, (int)rows, (int)cols, classes < 10 ? 10 : classes, err))
        goto done;
    memcpy(out->pixels, img + 16, (size_t)n * rows * cols);
    memcpy(out->labels, lab + 8, n);
    rc = 0;
done:
    free(img);
    free(lab);
    return rc;
}

/* Finds dir/base or dir/base.gz. */
static int find_file(const char *dir, const char *base, char *out, size_t n, ds_err *err) {
    char gz[512];
    snprintf(gz, sizeof gz, "%s.gz", base);
    if (path_join(out, n, dir, base) == 0 && path_exists(out)) return 0;
    if (path_join(out, n, dir, gz) == 0 && path_exists(out)) return 0;
    return ds_fail(err, "%s: neither %s nor %s found (expected an MNIST-style IDX dataset; "
                        "Fashion-MNIST: apt-get install dataset-fashion-mnist)",
                   dir, base, gz);
}

int mnist_load(const char *dir, const char *name, dataset *train, dataset *test, ds_err *err) {
    char ti[4096], tl[4096], si[4096], sl[4096];
    if (find_file(dir, "train-images-idx3-ubyte", ti, sizeof ti, err) ||
        find_file(dir, "train-labels-idx1-ubyte", tl, sizeof tl, err) ||
        find_file(dir, "t10k-images-idx3-ubyte", si, sizeof si, err) ||
        find_file(dir, "t10k-labels-idx1-ubyte", sl, sizeof sl, err))
        return -1;
    if (idx_load(ti, tl, name, train, err)) return -1;
    if (idx_load(si, sl, name, test, err)) {
        dataset_free(train);
        return -1;
    }
    if (train->h != test->h || train->w != test->w) {
        dataset_free(train);
        dataset_free(test);
        return ds_fail(err, "%s: train and test images differ in size", dir);
    }
    int classes = train->classes > test->classes ? train->classes : test->classes;
    train->classes = test->classes = classes;
    return 0;
}
