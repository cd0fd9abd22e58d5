/* wire_seeds.c: writes the wire fuzzer's seed corpus (valid messages of
 * every kind for node 2 of the fuzz_wire setup) into DIR.
 * usage: fuzz_wire_seeds DIR */
#include "net/wire.h"

#include <stdio.h>
#include <stdlib.h>

static void put(const char *dir, const char *name, algo_msg *m) {
    size_t len;
    unsigned char *b = wire_encode(m, 1000, &len);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, len, f) != len) exit(1);
    fclose(f);
    free(b);
    algo_msg_free(m);
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    const algo_ops *ops = algo_find("divshare");
    algo_config c = {.nodes = 8, .n_params = 1000, .degree = 2, .local_steps = 4, .chunk_fraction = 0.1,
                     .flush_stale = 1, .seed = 7};
    void *shared;
    ds_err err;
    if (ops->shared_new(&shared, &c, &err)) return 1;
    float v[1000];
    for (int i = 0; i < 1000; i++) v[i] = (float)i * 0.01f - 5.0f;
    model_snapshot *s = snapshot_new(v, 1000);
    algo_msg *m = algo_msg_new(MSG_FRAGMENT, 0, 2, 9, s);
    m->fragment = 3;
    m->index = ops->fragment_index(shared, 3, &m->count);
    put(argv[1], "fragment", m);
    put(argv[1], "model", algo_msg_new(MSG_MODEL, 5, 2, 1, s));
    put(argv[1], "notice", algo_msg_new(MSG_NOTICE, 7, 2, 4, NULL));
    snapshot_unref(s);
    ops->shared_free(shared);
    return 0;
}
