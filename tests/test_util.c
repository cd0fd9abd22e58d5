/* test_util.c: RNG streams and distributions, atomic writes, gzip reads. */
#include <stdlib.h>
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
    /* A corrupt deflate stream after a valid gzip header: a clear error
     * naming the file (the message used to be formatted from zlib's text
     * after gzclose had freed it). */
    snprintf(path, sizeof path, "%s/corrupt.gz", dir);
    static const unsigned char corrupt[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK(atomic_write_bytes(path, corrupt, sizeof corrupt, &err) == 0, "write corrupt.gz");
    CHECK(file_read_all(path, &data, &len, &err) != 0 && strstr(err.msg, "corrupt.gz: corrupt gzip data: invalid"),
          "corrupt gzip: %s", err.msg);
    /* Truncated: the first half of a valid file. */
    snprintf(sub, sizeof sub, "%s/z.gz", dir);
    unsigned char *whole;
    size_t wlen;
    FILE *zf = fopen(sub, "rb");
    whole = malloc(4096);
    wlen = fread(whole, 1, 4096, zf);
    fclose(zf);
    snprintf(path, sizeof path, "%s/trunc.gz", dir);
    atomic_write_bytes(path, whole, wlen / 2, &err);
    CHECK(file_read_all(path, &data, &len, &err) != 0 && strstr(err.msg, "trunc.gz: truncated gzip file"),
          "truncated gzip: %s", err.msg);
    /* Two members (as `cat a.gz b.gz`) read as one text; trailing garbage does not. */
    unsigned char *two = malloc(2 * wlen + 3);
    memcpy(two, whole, wlen);
    memcpy(two + wlen, whole, wlen);
    snprintf(path, sizeof path, "%s/two.gz", dir);
    atomic_write_bytes(path, two, 2 * wlen, &err);
    CHECK(file_read_all(path, &data, &len, &err) == 0 && len == 30 && !memcmp(data + 15, "compressed text", 15),
          "two gzip members: %s", err.msg);
    free(data);
    memcpy(two + wlen, "xyz", 3);
    atomic_write_bytes(path, two, wlen + 3, &err);
    CHECK(file_read_all(path, &data, &len, &err) != 0 && strstr(err.msg, "3 bytes of trailing data"),
          "trailing garbage: %s", err.msg);
    free(two);
    free(whole);
    /* A gzip bomb stops at the cap: 1 MB of zeros read with a 64 KiB limit. */
    snprintf(path, sizeof path, "%s/bomb.gz", dir);
    g = gzopen(path, "wb9");
    static char zeros[1 << 20];
    gzwrite(g, zeros, sizeof zeros);
    gzclose(g);
    CHECK(file_read_max(path, 1 << 16, &data, &len, &err) != 0 && strstr(err.msg, "decompresses to more than the limit of 65536"),
          "gzip bomb: %s", err.msg);
    CHECK(file_read_max(path, 1 << 20, &data, &len, &err) == 0 && len == 1 << 20, "exactly at the limit: %s", err.msg);
    free(data);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    CHECK(file_read_max(path, 5, &data, &len, &err) != 0 && strstr(err.msg, "larger than the limit of 5 bytes"),
          "plain file over the limit: %s", err.msg);
    /* Not files: a directory, a device. */
    CHECK(file_read_all(dir, &data, &len, &err) != 0 && strstr(err.msg, "is a directory"), "directory: %s", err.msg);
    CHECK(file_read_max("/dev/zero", 1 << 20, &data, &len, &err) != 0 && strstr(err.msg, "/dev/zero: larger than the limit"),
          "device: %s", err.msg);
    /* Text files: lines without newline or \r, numbered; a NUL byte is an error with its line. */
    snprintf(path, sizeof path, "%s/lines.txt", dir);
    atomic_write_string(path, "a\r\n\nlast", &err);
    text_file t;
    CHECK(text_open(&t, path, 1 << 20, &err) == 0, "text_open: %s", err.msg);
    char *l1 = text_next(&t), *l2 = text_next(&t), *l3 = text_next(&t), *l4 = text_next(&t);
    CHECK(l1 && !strcmp(l1, "a") && l2 && !*l2 && l3 && !strcmp(l3, "last") && !l4 && t.line == 3, "text lines");
    text_close(&t);
    atomic_write_bytes(path, "ok\nbad\0byte\n", 12, &err);
    CHECK(text_open(&t, path, 1 << 20, &err) != 0 && strstr(err.msg, "lines.txt:2: NUL byte"), "NUL byte: %s", err.msg);
    CHECK(text_open(&t, "/dev/zero", 1 << 20, &err) != 0 && strstr(err.msg, "larger than the limit of 1048576"), "text /dev/zero: %s", err.msg);
    CHECK(text_open(&t, "/dev/null", 1 << 20, &err) == 0 && !text_next(&t), "/dev/null is empty: %s", err.msg);
    text_close(&t);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) printf("cannot remove %s\n", dir);
    return check_done("test_util");
}
