/* fuzz_idx.c: the IDX reader (plain or gzip): the first byte says where
 * the input splits into the image file and the label file. */
#include "data/readers.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    size_t cut = 1 + (size - 1) * data[0] / 255;
    const char *img = fuzz_file(0, data + 1, cut - 1), *lab = fuzz_file(1, data + cut, size - cut);
    dataset d;
    ds_err err;
    if (idx_load(img, lab, "fuzz", &d, &err) == 0) dataset_free(&d);
    return 0;
}
