/* fuzz_zip.c: the zip member extractor, looking for ratings.csv. */
#include "fuzz.h"
#include "util/zipread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[] = {"ratings.csv", "u.data"};
    unsigned char *out;
    size_t len;
    char found[256];
    ds_err err;
    if (zip_extract(fuzz_file(0, data, size), names, 2, &out, &len, found, sizeof found, &err) == 0) free(out);
    return 0;
}
