/* fuzz_trace.c: the bandwidth-trace reader, 16 nodes. */
#include "exp/run.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    trace_point *t;
    int n;
    ds_err err;
    if (run_read_trace(fuzz_file(0, data, size), 16, &t, &n, &err) == 0) free(t);
    return 0;
}
