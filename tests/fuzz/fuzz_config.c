/* fuzz_config.c: the experiment-file reader and validator. */
#include "exp/config.h"
#include "exp/run.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_file(0, data, size);
    config c;
    ds_err err;
    if (config_init(&c, &err)) return 0;
    if (config_load(&c, path, &err) == 0 && c.v.partition.nodes <= 64 &&
        !*c.v.network.trace && !*c.v.algorithm.graph)
        run_check(&c, &err); /* cross-key rules too, on small experiments without files */
    config_free(&c);
    return 0;
}
