/* test_util.c: RNG streams and distributions, atomic writes, gzip reads. */
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "util/fileio.h"
#include "util/rng.h"

int main(void) {
    rng a, b;
    rng_seed(&a, 5);
    rng_seed(&b, 5);
    int same = 1;
    for (int i = 0; i < 100; i++) same &= rng_u64(&a) == rng_u64(&b);
    CHECK(same, "same seed, same stream");
    CHECK(rng_derive(1, 2, 3) != rng_derive(1, 3, 2) && rng_derive(1, 2, 3) == rng_derive(1, 2, 3), "derive");
    /* Moments: uniform mean 1/2 (sd of mean 0.0009 at 1e5), normal mean 0
     * var 1, gamma(k) mean k; tolerances are ~5 standard errors. */
    double su = 0, sn = 0, sn2 = 0, sg = 0, sg2 = 0;
    int below_ok = 1;
    const int N = 100000;
    for (int i = 0; i < N; i++) {
        su += rng_uniform(&a);
        double z = rng_normal(&a);
        sn += z;
        sn2 += z * z;
        sg += rng_gamma(&a, 2.5);
        sg2 += rng_gamma(&a, 0.3);
        below_ok &= rng_below(&a, 7) < 7;
    }
    CHECK(fabs(su / N - 0.5) < 0.005, "uniform mean %g", su / N);
    CHECK(fabs(sn / N) < 0.02 && fabs(sn2 / N - 1) < 0.03, "normal moments %g %g", sn / N, sn2 / N);
    CHECK(fabs(sg / N - 2.5) < 0.05 && fabs(sg2 / N - 0.3) < 0.01, "gamma means %g %g", sg / N, sg2 / N);
    CHECK(below_ok, "rng_below range");
    uint32_t v[50];
    for (int i = 0; i < 50; i++) v[i] = (uint32_t)i;
    rng_shuffle_u32(&a, v, 50);
    int seen[50] = {0}, perm = 1;
    for (int i = 0; i < 50; i++) perm &= !seen[v[i]]++;
    CHECK(perm, "shuffle is a permutation");

    char dir[] = "/tmp/divshare-test-util-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char path[128], sub[128];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    ds_err err;
    CHECK(atomic_write_string(path, "hello\n", &err) == 0, "atomic write: %s", err.msg);
    unsigned char *data;
    size_t len;
    CHECK(file_read_all(path, &data, &len, &err) == 0 && len == 6 && !memcmp(data, "hello\n", 6), "read back");
    free(data);
    atomic_file af;
    atomic_open(&af, path, &err);
    fputs("partial", af.f);
    atomic_abort(&af);
    CHECK(file_read_all(path, &data, &len, &err) == 0 && len == 6, "abort leaves the old file");
    free(data);
    CHECK(access(af.tmp, F_OK) != 0, "abort removes the temp file");
    snprintf(sub, sizeof sub, "%s/a/b/c", dir);
    CHECK(make_dirs(sub, &err) == 0 && path_exists(sub), "make_dirs");
    CHECK(make_dirs(path, &err) != 0 && strstr(err.msg, "not a directory"), "make_dirs on a file: %s", err.msg);
    snprintf(path, sizeof path, "%s/z.gz", dir);
    gzFile g = gzopen(path, "wb");
    gzputs(g, "compressed text");
    gzclose(g);
    CHECK(file_read_all(path, &data, &len, &err) == 0 && len == 15 && !strcmp((char *)data, "compressed text"), "gzip read");
    free(data);
    CHECK(file_read_all("/nonexistent/file", &data, &len, &err) != 0 && strstr(err.msg, "/nonexistent/file"), "missing: %s", err.msg);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) printf("cannot remove %s\n", dir);
    return check_done("test_util");
}
