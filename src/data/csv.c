/* csv.c: labelled images in CSV text (the format of the widespread
 * mnist_train.csv / fashion-mnist_train.csv files): one sample per line,
 * the label then the c*h*w pixel values, integers in 0..255. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/readers.h"
#include "util/fileio.h"

#define CSV_MAX_FILE ((size_t)4 << 30)
#define CSV_MAX_FIELDS 65536

/* Reads one file into d (allocated here): K values per row after the label. */
static int load_file(const char *path, const char *name, int c, int h, int w, dataset *d, int *max_label,
                     ds_err *err) {
    text_file t;
    if (text_open(&t, path, CSV_MAX_FILE, err)) return -1;
    char **f = malloc(sizeof(char *) * (CSV_MAX_FIELDS + 2));
    int rc = -1, header = 0;
    size_t rows = 0, k = (size_t)c * h * w;
    if (!f) {
        ds_fail(err, "out of memory");
        goto done;
    }
    /* Pass 1, over the raw text (text_next cuts lines in place): count
     * rows, check their width, note a header. */
    int line = 0;
    for (const char *p = t.data, *end = t.data + t.len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        line++;
        if (eol > p && eol[-1] == '\r') eol--;
        if (eol > p) {
            if (line == 1 && !(*p >= '0' && *p <= '9')) {
                header = 1;
            } else {
                size_t n = 1;
                for (const char *q = p; q < eol; q++) n += *q == ',';
                if (n > CSV_MAX_FIELDS) {
                    ds_fail(err, "%s:%d: more than %d values", path, line, CSV_MAX_FIELDS);
                    goto done;
                }
                if (k == 0) k = n - 1;
                if (n != k + 1 || k == 0) {
                    ds_fail(err, "%s:%d: %zu fields, expected the label and %zu values%s", path, line, n, k,
                            c ? " ([dataset] shape)" : " (as on the first row)");
                    goto done;
                }
                rows++;
            }
        }
        p = nl ? nl + 1 : end;
    }
    if (rows == 0) {
        ds_fail(err, "%s: no samples", path);
        goto done;
    }
    if (c == 0) { /* no shape given: a flat vector */
        c = h = 1;
        w = (int)k;
    }
    if (dataset_alloc_images(d, name, rows, c, h, w, 2, err)) goto done;
    /* Pass 2: the values. */
    size_t i = 0;
    for (char *s; (s = text_next(&t));) {
        if (!*s || (header && t.line == 1)) continue;
        text_split(s, ',', f, CSV_MAX_FIELDS);
        for (size_t j = 0; j <= k; j++) {
            long long v;
            if (text_int(f[j], &v) || v < 0 || v > 255) {
                ds_fail(err, "%s:%d: field %zu = '%.20s': expected an integer in [0, 255]", path, t.line, j + 1, f[j]);
                dataset_free(d);
                goto done;
            }
            if (j == 0) {
                d->labels[i] = (uint8_t)v;
                if (v > *max_label) *max_label = (int)v;
            } else {
                d->pixels[i * k + j - 1] = (uint8_t)v;
            }
        }
        i++;
    }
    rc = 0;
done:
    free(f);
    text_close(&t);
    return rc;
}

int csv_images_load(const char *dir, int c, int h, int w, dataset *train, dataset *test, ds_err *err) {
    char path[4096 + 32];
    int max_label = 0;
    snprintf(path, sizeof path, "%s/train.csv", dir);
    if (load_file(path, "csv", c, h, w, train, &max_label, err)) return -1;
    snprintf(path, sizeof path, "%s/test.csv", dir);
    if (load_file(path, "csv", c, h, w, test, &max_label, err)) {
        dataset_free(train);
        return -1;
    }
    if (dataset_sample_size(train) != dataset_sample_size(test)) {
        ds_fail(err, "%s: %zu values per sample, train.csv %zu", path, dataset_sample_size(test),
                dataset_sample_size(train));
        dataset_free(train);
        dataset_free(test);
        return -1;
    }
    train->classes = test->classes = max_label + 1 < 2 ? 2 : max_label + 1;
    return 0;
}
