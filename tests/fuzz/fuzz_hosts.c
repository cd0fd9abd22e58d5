/* fuzz_hosts.c: the hosts-file reader (without resolving names), 4 nodes. */
#include "fuzz.h"
#include "net/hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hosts h;
    ds_err err;
    if (hosts_parse(&h, fuzz_file(0, data, size), 4, &err) == 0) hosts_free(&h);
    return 0;
}
