/* fuzz_cifar.c: the CIFAR-10 batch parser, into room for 4 records. */
#include "data/readers.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dataset d;
    ds_err err;
    if (dataset_alloc_images(&d, "cifar10", 4, 3, 32, 32, 10, &err)) return 0;
    size_t pos = 0;
    cifar10_parse_batch("fuzz.bin", data, size, &d, &pos, &err);
    dataset_free(&d);
    return 0;
}
