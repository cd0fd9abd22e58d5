/* fuzz_movielens.c: the MovieLens ratings parser (CSV, u.data, ratings.dat). */
#include "data/readers.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1); /* readers hand parsers NUL-terminated text */
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    dataset tr, te;
    ds_err err;
    if (movielens_parse("fuzz.csv", text, size, 0.7, 1, &tr, &te, &err) == 0) {
        dataset_free(&tr);
        dataset_free(&te);
    }
    free(text);
    return 0;
}
