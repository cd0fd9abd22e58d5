/* test_data.c: dataset readers on tiny generated files (every format, and
 * the bad-input paths), partitioners and the batcher. */
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "data/batcher.h"
#include "data/partition.h"
#include "data/readers.h"
#include "util/fileio.h"

static char dir[200];

static void write_file(const char *name, const void *data, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}
static void write_gz(const char *name, const void *data, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gzFile g = gzopen(path, "wb");
    gzwrite(g, data, (unsigned)n);
    gzclose(g);
}
static const char *at(const char *name) {
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}
static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = (unsigned char)v;
}

/* IDX: n images of 8x9 with pixel = (i + j) % 256, label i % 10. */
static size_t make_idx(unsigned char *img, unsigned char *lab, uint32_t n) {
    put_be32(img, 0x803); put_be32(img + 4, n); put_be32(img + 8, 8); put_be32(img + 12, 9);
    for (uint32_t i = 0; i < n; i++)
        for (int j = 0; j < 72; j++) img[16 + i * 72 + j] = (unsigned char)(i + j);
    put_be32(lab, 0x801); put_be32(lab + 4, n);
    for (uint32_t i = 0; i < n; i++) lab[8 + i] = (unsigned char)(i % 10);
    return 16 + (size_t)n * 72;
}

static void test_idx(void) {
    unsigned char img[16 + 30 * 72], lab[8 + 30];
    size_t isz = make_idx(img, lab, 30);
    write_file("train-images-idx3-ubyte", img, isz);
    write_file("train-labels-idx1-ubyte", lab, 38);
    write_gz("t10k-images-idx3-ubyte.gz", img, 16 + 12 * 72); /* header says 30: fixed below */
    unsigned char img2[16 + 12 * 72], lab2[8 + 12];
    size_t isz2 = make_idx(img2, lab2, 12);
    write_gz("t10k-images-idx3-ubyte.gz", img2, isz2);
    write_gz("t10k-labels-idx1-ubyte.gz", lab2, 20);
    dataset tr, te;
    ds_err err;
    int rc = mnist_load(dir, "mnist", &tr, &te, &err);
    CHECK(rc == 0, "mnist_load: %s", err.msg);
    if (rc) return;
    CHECK(tr.n == 30 && te.n == 12 && tr.h == 8 && tr.w == 9 && tr.c == 1 && tr.classes == 10, "idx shapes");
    CHECK(tr.pixels[5 * 72 + 7] == 12 && tr.labels[13] == 3 && te.labels[11] == 1, "idx values");
    /* Normalisation (p/255 - 0.5) / 0.5: 0 -> -1, 255 -> 1. */
    uint32_t one = 0;
    float x[72];
    int32_t y;
    dataset_gather(&tr, &one, 1, x, &y, NULL, NULL, NULL);
    CHECK(x[0] == -1.0f && fabsf(x[1] - (1.0f / 127.5f - 1.0f)) < 1e-6f && y == 0, "normalisation");
    dataset_free(&tr);
    dataset_free(&te);

    /* Bad inputs: wrong magic, truncated, label count mismatch, bad gzip, missing. */
    unsigned char bad[16 + 30 * 72];
    memcpy(bad, img, isz);
    put_be32(bad, 0x804);
    write_file("bad-magic", bad, isz);
    CHECK(idx_load(at("bad-magic"), at("train-labels-idx1-ubyte"), "x", &tr, &err) != 0 &&
          strstr(err.msg, "bad-magic") && strstr(err.msg, "0x00000803"), "wrong magic: %s", err.msg);
    write_file("truncated", img, isz - 5);
    CHECK(idx_load(at("truncated"), at("train-labels-idx1-ubyte"), "x", &tr, &err) != 0 &&
          strstr(err.msg, "truncated"), "truncated images: %s", err.msg);
    CHECK(idx_load(at("train-images-idx3-ubyte"), at("t10k-labels-idx1-ubyte.gz"), "x", &tr, &err) != 0 &&
          strstr(err.msg, "12 labels for 30 images"), "label mismatch: %s", err.msg);
    /* A gzip file cut in half. */
    FILE *f = fopen(at("t10k-images-idx3-ubyte.gz"), "rb");
    unsigned char gzbuf[4096];
    size_t gl = fread(gzbuf, 1, sizeof gzbuf, f);
    fclose(f);
    write_file("cut.gz", gzbuf, gl / 2);
    unsigned char *data;
    size_t len;
    CHECK(file_read_all(at("cut.gz"), &data, &len, &err) != 0 && strstr(err.msg, "cut.gz"),
          "truncated gzip: %s", err.msg);
    CHECK(mnist_load("/nonexistent/fmnist", "fmnist", &tr, &te, &err) != 0 &&
          strstr(err.msg, "/nonexistent/fmnist") && strstr(err.msg, "train-images-idx3-ubyte"),
          "missing dir: %s", err.msg);
}

static void test_cifar(void) {
    char sub[300];
    snprintf(sub, sizeof sub, "%s/cifar-10-batches-bin", dir);
    mkdir(sub, 0777);
    unsigned char rec[3 * 3073];
    for (int r = 0; r < 3; r++) {
        rec[r * 3073] = (unsigned char)(r + 4);
        for (int j = 0; j < 3072; j++) rec[r * 3073 + 1 + j] = (unsigned char)(j * 7 + r);
    }
    char name[300];
    for (int b = 1; b <= 5; b++) {
        snprintf(name, sizeof name, "cifar-10-batches-bin/data_batch_%d.bin", b);
        write_file(name, rec, sizeof rec);
    }
    write_file("cifar-10-batches-bin/test_batch.bin", rec, 2 * 3073);
    dataset tr, te;
    ds_err err;
    int rc = cifar10_load(dir, &tr, &te, &err); /* finds the subfolder */
    CHECK(rc == 0, "cifar10_load: %s", err.msg);
    if (rc) return;
    CHECK(tr.n == 15 && te.n == 2 && tr.c == 3 && tr.h == 32 && tr.classes == 10, "cifar shapes");
    CHECK(tr.labels[4] == 5 && tr.pixels[4 * 3072 + 1024] == (unsigned char)(1024 * 7 + 1), "cifar values (R/G planes)");
    dataset_free(&tr);
    dataset_free(&te);
    write_file("cifar-10-batches-bin/test_batch.bin", rec, 3073 + 100);
    CHECK(cifar10_load(sub, &tr, &te, &err) != 0 && strstr(err.msg, "test_batch.bin") &&
          strstr(err.msg, "multiple of 3073"), "cifar truncated: %s", err.msg);
    rec[3073] = 42;
    write_file("cifar-10-batches-bin/test_batch.bin", rec, 2 * 3073);
    CHECK(cifar10_load(sub, &tr, &te, &err) != 0 && strstr(err.msg, "label 42"), "cifar bad label: %s", err.msg);
    CHECK(cifar10_load("/nonexistent", &tr, &te, &err) != 0 && strstr(err.msg, "/nonexistent"),
          "cifar missing: %s", err.msg);
}

/* A zip with one stored or deflated member. */
static void write_zip(const char *zipname, const char *member, const char *text, int deflated) {
    size_t n = strlen(text), nl = strlen(member);
    unsigned char comp[8192];
    size_t clen = n;
    if (deflated) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        zs.next_in = (unsigned char *)text;
        zs.avail_in = (uInt)n;
        zs.next_out = comp;
        zs.avail_out = sizeof comp;
        deflate(&zs, Z_FINISH);
        clen = zs.total_out;
        deflateEnd(&zs);
    } else {
        memcpy(comp, text, n);
    }
    uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)text, (uInt)n);
    unsigned char buf[16384];
    size_t p = 0;
#define LE16(v) do { buf[p++] = (unsigned char)(v); buf[p++] = (unsigned char)((v) >> 8); } while (0)
#define LE32(v) do { LE16((v) & 0xffff); LE16(((uint32_t)(v)) >> 16); } while (0)
    LE32(0x04034b50); LE16(20); LE16(0); LE16(deflated ? 8 : 0); LE16(0); LE16(0);
    LE32(crc); LE32(clen); LE32(n); LE16(nl); LE16(0);
    memcpy(buf + p, member, nl); p += nl;
    memcpy(buf + p, comp, clen); p += clen;
    size_t cd = p;
    LE32(0x02014b50); LE16(20); LE16(20); LE16(0); LE16(deflated ? 8 : 0); LE16(0); LE16(0);
    LE32(crc); LE32(clen); LE32(n); LE16(nl); LE16(0); LE16(0); LE16(0); LE16(0); LE32(0); LE32(0);
    memcpy(buf + p, member, nl); p += nl;
    size_t cdlen = p - cd;
    LE32(0x06054b50); LE16(0); LE16(0); LE16(1); LE16(1); LE32(cdlen); LE32(cd); LE16(0);
    write_file(zipname, buf, p);
}

static void test_movielens(void) {
    /* user 10: 10 ratings, user 3: 3 ratings, user 7: 1 rating. */
    char csv[4096] = "userId,movieId,rating,timestamp\n";
    for (int i = 0; i < 10; i++) sprintf(csv + strlen(csv), "10,%d,%.1f,964982703\n", 100 + i, 0.5 + 0.5 * (i % 10));
    strcat(csv, "3,100,4.0,1\n3,5,3.5,1\n3,200,2.0,1\n7,5,5.0,1\n");
    write_file("ratings.csv", csv, strlen(csv));
    dataset tr, te;
    ds_err err;
    int rc = movielens_load(at("ratings.csv"), 0.7, 1, &tr, &te, &err);
    CHECK(rc == 0, "movielens csv: %s", err.msg);
    if (rc) return;
    /* round(0.7*10)=7, round(0.7*3)=2, round(0.7*1)=1 */
    CHECK(tr.n == 10 && te.n == 4, "per-user 70/30 split: %zu/%zu", tr.n, te.n);
    CHECK(tr.n_users == 3 && tr.n_items == 12, "dense ids: %d users %d items", tr.n_users, tr.n_items);
    /* users sorted by id: 3 -> 0, 7 -> 1, 10 -> 2; item 5 -> 0. */
    int u7 = 0;
    for (size_t i = 0; i < tr.n; i++) if (tr.user[i] == 1) { u7++; CHECK(tr.item[i] == 0 && tr.rating[i] == 5.0f, "user 7 rating"); }
    CHECK(u7 == 1, "user 7 in train");
    dataset tr2, te2;
    movielens_load(at("ratings.csv"), 0.7, 1, &tr2, &te2, &err);
    CHECK(tr2.n == tr.n && memcmp(tr.item, tr2.item, sizeof(int32_t) * tr.n) == 0, "split deterministic");
    dataset_free(&tr2); dataset_free(&te2);
    dataset_free(&tr); dataset_free(&te);

    /* ml-100k u.data and ml-1m ratings.dat. */
    const char *udata = "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n";
    write_file("u.data", udata, strlen(udata));
    CHECK(movielens_load(dir, 0.7, 1, &tr, &te, &err) == 0, "dir finds ratings.csv first: %s", err.msg);
    dataset_free(&tr); dataset_free(&te);
    CHECK(movielens_load(at("u.data"), 0.5, 1, &tr, &te, &err) == 0 && tr.n_users == 3 && tr.n + te.n == 3,
          "u.data: %s", err.msg);
    dataset_free(&tr); dataset_free(&te);
    const char *dat = "1::1193::5::978300760\n1::661::3::978302109\n2::1357::5::978298709\n";
    write_file("ratings.dat", dat, strlen(dat));
    CHECK(movielens_load(at("ratings.dat"), 0.5, 1, &tr, &te, &err) == 0 && tr.n_users == 2 && tr.n_items == 3,
          "ratings.dat: %s", err.msg);
    dataset_free(&tr); dataset_free(&te);

    /* The official zip layout, stored and deflated. */
    write_zip("ml-stored.zip", "ml-latest-small/ratings.csv", csv, 0);
    write_zip("ml-deflated.zip", "ml-latest-small/ratings.csv", csv, 1);
    CHECK(movielens_load(at("ml-stored.zip"), 0.7, 1, &tr, &te, &err) == 0 && tr.n == 10, "stored zip: %s", err.msg);
    dataset_free(&tr); dataset_free(&te);
    CHECK(movielens_load(at("ml-deflated.zip"), 0.7, 1, &tr, &te, &err) == 0 && tr.n == 10, "deflated zip: %s", err.msg);
    dataset_free(&tr); dataset_free(&te);
    write_zip("ml-other.zip", "ml-latest-small/movies.csv", csv, 1);
    CHECK(movielens_load(at("ml-other.zip"), 0.7, 1, &tr, &te, &err) != 0 && strstr(err.msg, "no member named ratings.csv"),
          "zip without ratings: %s", err.msg);

    /* Malformed rows name the line. */
    const char *bad = "userId,movieId,rating,timestamp\n1,2,3.0,4\n1,x,3.0,4\n";
    write_file("bad.csv", bad, strlen(bad));
    CHECK(movielens_load(at("bad.csv"), 0.7, 1, &tr, &te, &err) != 0 && strstr(err.msg, "bad.csv:3:") &&
          strstr(err.msg, "malformed row"), "malformed row: %s", err.msg);
    const char *range = "1,2,3.0,4\n1,3,7.5,4\n";
    write_file("range.csv", range, strlen(range));
    CHECK(movielens_load(at("range.csv"), 0.7, 1, &tr, &te, &err) != 0 && strstr(err.msg, "range.csv:2:") &&
          strstr(err.msg, "[0.5, 5]"), "rating range: %s", err.msg);
    /* A broken row is an error at its own line, never filled from the next. */
    const char *cut = "1,2,3.0,4\n1,\n2,3,4.0,5\n";
    write_file("cut.csv", cut, strlen(cut));
    CHECK(movielens_load(at("cut.csv"), 0.7, 1, &tr, &te, &err) != 0 && strstr(err.msg, "cut.csv:2: malformed row '1,'"),
          "broken row: %s", err.msg);
    const char *cut2 = "1,2,3.0,4\n1,2,\n 2,3,4.0,5\n";
    write_file("cut2.csv", cut2, strlen(cut2));
    CHECK(movielens_load(at("cut2.csv"), 0.7, 1, &tr, &te, &err) != 0 && strstr(err.msg, "cut2.csv:2: malformed row"),
          "row without rating: %s", err.msg);
    /* A directory where the ratings file should be. */
    char rdir[600];
    snprintf(rdir, sizeof rdir, "%s/mldir", dir);
    mkdir(rdir, 0777);
    snprintf(rdir, sizeof rdir, "%s/mldir/ratings.csv", dir);
    mkdir(rdir, 0777);
    snprintf(rdir, sizeof rdir, "%s/mldir", dir);
    CHECK(movielens_load(rdir, 0.7, 1, &tr, &te, &err) != 0 && strstr(err.msg, "ratings.csv: is a directory"),
          "ratings directory: %s", err.msg);
    /* A zip that declares a 4 GiB member is refused before allocating it. */
    write_zip("bomb.zip", "ratings.csv", csv, 1);
    {
        FILE *zf = fopen(at("bomb.zip"), "r+b");
        unsigned char zb[16384];
        size_t zn = fread(zb, 1, sizeof zb, zf);
        for (size_t i = 0; i + 4 <= zn; i++)
            if (zb[i] == 0x50 && zb[i + 1] == 0x4b && zb[i + 2] == 1 && zb[i + 3] == 2) {
                zb[i + 24] = 0xf0;
                zb[i + 25] = zb[i + 26] = zb[i + 27] = 0xff;
            }
        rewind(zf);
        fwrite(zb, 1, zn, zf);
        fclose(zf);
    }
    CHECK(movielens_load(at("bomb.zip"), 0.7, 1, &tr, &te, &err) != 0 && strstr(err.msg, "declares 4294967280 bytes") &&
          strstr(err.msg, "corrupt archive"), "zip bomb: %s", err.msg);
    CHECK(movielens_load("/nonexistent/ratings.csv", 0.7, 1, &tr, &te, &err) != 0 &&
          strstr(err.msg, "/nonexistent/ratings.csv"), "missing ratings: %s", err.msg);
}

static void test_partitions(void) {
    dataset tr, te;
    ds_err err;
    CHECK(synthetic_images(1000, 100, 1, 8, 8, 10, 20, 5, &tr, &te, &err) == 0, "synthetic: %s", err.msg);
    partition p;
    unsigned char *seen = calloc(tr.n, 1);
    /* iid: equal parts, disjoint */
    partition_spec s = {PARTITION_IID, 7, 0, 0, 1};
    CHECK(partition_make(&tr, &s, &p, &err) == 0, "iid: %s", err.msg);
    int ok = 1;
    for (int k = 0; k < 7; k++) {
        ok &= p.count[k] == 1000 / 7;
        for (size_t i = 0; i < p.count[k]; i++) ok &= !seen[p.idx[k][i]]++;
    }
    CHECK(ok, "iid equal and disjoint");
    partition_free(&p);

    /* kshard: shards*part_len each, disjoint, few labels per node */
    memset(seen, 0, tr.n);
    partition_spec ks = {PARTITION_KSHARD, 10, 2, 0, 3};
    CHECK(partition_make(&tr, &ks, &p, &err) == 0, "kshard: %s", err.msg);
    ok = 1;
    int sum_labels = 0;
    for (int k = 0; k < 10; k++) {
        ok &= p.count[k] == 100;
        int hist[10] = {0}, labels = 0;
        for (size_t i = 0; i < p.count[k]; i++) {
            ok &= !seen[p.idx[k][i]]++;
            if (!hist[tr.labels[p.idx[k][i]]]++) labels++;
        }
        sum_labels += labels;
    }
    CHECK(ok, "kshard sizes and disjointness");
    /* Two contiguous segments of 50 from the label-sorted pool: 2-4 labels
     * typically (segments can straddle gaps left by earlier removals); an
     * iid split of 100 samples would show all 10. */
    CHECK(sum_labels <= 45, "kshard is non-iid: %.1f labels per node on average", sum_labels / 10.0);
    partition q;
    partition_make(&tr, &ks, &q, &err);
    CHECK(memcmp(p.idx[9], q.idx[9], sizeof(uint32_t) * 100) == 0, "kshard deterministic");
    partition_free(&q);
    partition_free(&p);

    /* dirichlet: disjoint, covers everything, every node >= classes samples */
    memset(seen, 0, tr.n);
    partition_spec ds = {PARTITION_DIRICHLET, 8, 0, 0.5, 4};
    CHECK(partition_make(&tr, &ds, &p, &err) == 0, "dirichlet: %s", err.msg);
    size_t total = 0;
    ok = 1;
    for (int k = 0; k < 8; k++) {
        ok &= p.count[k] >= 10;
        total += p.count[k];
        for (size_t i = 0; i < p.count[k]; i++) ok &= !seen[p.idx[k][i]]++;
    }
    CHECK(ok && total == tr.n, "dirichlet disjoint cover (%zu)", total);
    partition_free(&p);
    partition_spec bad = {PARTITION_USER, 4, 0, 0, 1};
    CHECK(partition_make(&tr, &bad, &p, &err) != 0 && strstr(err.msg, "ratings"), "user on images: %s", err.msg);
    partition_spec many = {PARTITION_IID, 5000, 0, 0, 1};
    CHECK(partition_make(&tr, &many, &p, &err) != 0 && strstr(err.msg, "5000 nodes"), "too many nodes: %s", err.msg);
    free(seen);
    dataset_free(&tr);
    dataset_free(&te);

    /* user: 10 users over 4 nodes -> 3,3,2,2 users in blocks */
    CHECK(synthetic_ratings(10, 30, 10, 3, 0.7, 9, &tr, &te, &err) == 0, "synthetic ratings: %s", err.msg);
    partition_spec us = {PARTITION_USER, 4, 0, 0, 1};
    CHECK(partition_make(&tr, &us, &p, &err) == 0, "user partition: %s", err.msg);
    int lo[4] = {0, 3, 6, 8}, hi[4] = {2, 5, 7, 9};
    ok = 1;
    for (int k = 0; k < 4; k++) {
        ok &= p.count[k] == (size_t)(hi[k] - lo[k] + 1) * 7;
        for (size_t i = 0; i < p.count[k]; i++) ok &= tr.user[p.idx[k][i]] >= lo[k] && tr.user[p.idx[k][i]] <= hi[k];
    }
    CHECK(ok, "user blocks 3,3,2,2");
    partition_free(&p);
    dataset_free(&tr);
    dataset_free(&te);
}

static void test_batcher(void) {
    dataset tr, te;
    ds_err err;
    synthetic_images(23, 5, 1, 4, 4, 3, 10, 1, &tr, &te, &err);
    batcher b;
    CHECK(batcher_init(&b, &tr, NULL, 0, 8, 1, 7, &err) == 0, "batcher: %s", err.msg);
    int sizes[5], nb = 0, m;
    while ((m = batcher_next(&b)) > 0 && nb < 5) sizes[nb++] = m;
    CHECK(nb == 3 && sizes[0] == 8 && sizes[2] == 7 && m == 0, "epoch of 23 in batches 8,8,7");
    CHECK(batcher_next(&b) == 8 && b.epoch == 2, "next epoch starts");
    batcher_free(&b);
    CHECK(batcher_init(&b, &tr, NULL, 0, 0, 1, 7, &err) != 0, "batch 0 rejected");
    dataset_free(&tr);
    dataset_free(&te);
}

/* CSV images: header or not, CRLF, a shape, classes from the labels, and
 * the errors a user makes (file:line, the field, the allowed range). */
static void test_csv(void) {
    ds_err err;
    dataset tr, te;
    char path[300];
    const char *train = "label,a,b,c,d\r\n3,0,255,1,2\r\n\r\n1,4,5,6,7\r\n";
    snprintf(path, sizeof path, "%s/csv", dir);
    mkdir(path, 0755);
    write_file("csv/train.csv", train, strlen(train));
    write_file("csv/test.csv", "0,9,9,9,9\n", 10);
    snprintf(path, sizeof path, "%s/csv", dir);
    CHECK(csv_images_load(path, 0, 0, 0, &tr, &te, &err) == 0, "csv, loads: %s", err.msg);
    CHECK(tr.n == 2 && te.n == 1 && tr.classes == 4 && te.classes == 4 && tr.w == 4 && tr.h == 1 &&
          tr.labels[0] == 3 && tr.labels[1] == 1 && tr.pixels[1] == 255 && tr.pixels[7] == 7 && te.pixels[3] == 9,
          "csv, header and blank line skipped, CRLF, classes = 1 + the largest label");
    dataset_free(&tr);
    dataset_free(&te);
    CHECK(csv_images_load(path, 1, 2, 2, &tr, &te, &err) == 0 && tr.c == 1 && tr.h == 2 && tr.w == 2, "csv, a 1x2x2 shape");
    dataset_free(&tr);
    dataset_free(&te);
    CHECK(csv_images_load(path, 1, 3, 3, &tr, &te, &err) != 0 && strstr(err.msg, "train.csv:2: 5 fields, expected the label and 9"),
          "csv, a shape that does not fit: %s", err.msg);
    write_file("csv/test.csv", "0,9,9,9\n", 8);
    CHECK(csv_images_load(path, 0, 0, 0, &tr, &te, &err) != 0 && strstr(err.msg, "test.csv: 3 values per sample, train.csv 4"),
          "csv, test rows of another width: %s", err.msg);
    write_file("csv/test.csv", "0,9,-1,9,9\n", 11);
    CHECK(csv_images_load(path, 0, 0, 0, &tr, &te, &err) != 0 && strstr(err.msg, "test.csv:1: field 3 = '-1'") &&
          strstr(err.msg, "[0, 255]"), "csv, a value out of range: %s", err.msg);
    write_file("csv/test.csv", "", 0);
    CHECK(csv_images_load(path, 0, 0, 0, &tr, &te, &err) != 0 && strstr(err.msg, "no samples"), "csv, empty: %s", err.msg);
    snprintf(path, sizeof path, "%s/nocsv", dir);
    CHECK(csv_images_load(path, 0, 0, 0, &tr, &te, &err) != 0 && strstr(err.msg, "train.csv"), "csv, missing: %s", err.msg);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/divshare-test-data-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_idx();
    test_cifar();
    test_movielens();
    test_partitions();
    test_batcher();
    test_csv();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    return check_done("test_data");
}
