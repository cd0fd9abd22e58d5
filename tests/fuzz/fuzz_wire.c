/* fuzz_wire.c: the real runtime's message decoder, on any bytes, as node 2
 * of 8 running DivShare on a 1,000-parameter model. */
#include "fuzz.h"
#include "net/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const algo_ops *ops;
    static void *shared;
    if (!ops) {
        ops = algo_find("divshare");
        algo_config c = {.nodes = 8, .n_params = 1000, .degree = 2, .local_steps = 4, .chunk_fraction = 0.1,
                         .flush_stale = 1, .seed = 7};
        ds_err err;
        if (ops->shared_new(&shared, &c, &err)) abort();
    }
    wire_expect ex = {8, 2, 1000, ops, shared};
    char why[200];
    int oom;
    algo_msg *m = wire_decode(data, size, &ex, why, sizeof why, &oom);
    algo_msg_free(m);
    return 0;
}
