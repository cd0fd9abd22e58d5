/* fuzz_graph.c: the edges-file reader; the node count it expects is the
 * file's own first number when that is small, so edges get parsed. */
#include "algo/graph.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int nodes = 0;
    for (size_t i = 0; i < size && i < 4 && data[i] >= '0' && data[i] <= '9'; i++) nodes = nodes * 10 + data[i] - '0';
    if (nodes < 1) nodes = 4;
    graph g;
    ds_err err;
    if (graph_read_edges(fuzz_file(0, data, size), nodes, &g, &err) == 0) graph_free(&g);
    return 0;
}
