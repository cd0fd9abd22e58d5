/* test_realdata.c: the readers on the real datasets, where present:
 * Fashion-MNIST (Debian's dataset-fashion-mnist), MovieLens ml-latest-small
 * (the official zip in ../shared/data/movielens) and CIFAR-10 (binary
 * release built from ../shared by make-bin.sh). Each absent dataset is
 * skipped with a message; exit 77 (skip) if none is present.
 *
 * usage: test_realdata FASHION_DIR MOVIELENS_ZIP CIFAR_DIR */
#include <string.h>

#include "check.h"
#include "data/partition.h"
#include "data/readers.h"
#include "util/fileio.h"

static int present;

static void fashion(const char *dir) {
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/train-images-idx3-ubyte.gz", dir);
    if (!path_exists(probe)) {
        printf("SKIP fashion-mnist: %s absent (apt-get install dataset-fashion-mnist)\n", probe);
        return;
    }
    present++;
    dataset tr, te;
    ds_err err;
    int rc = mnist_load(dir, "fashion-mnist", &tr, &te, &err);
    CHECK(rc == 0, "fashion-mnist: %s", err.msg);
    if (rc) return;
    CHECK(tr.n == 60000 && te.n == 10000 && tr.h == 28 && tr.w == 28 && tr.classes == 10, "fashion-mnist shapes");
    long hist[10] = {0};
    for (size_t i = 0; i < tr.n; i++) hist[tr.labels[i]]++;
    int balanced = 1;
    for (int c = 0; c < 10; c++) balanced &= hist[c] == 6000;
    CHECK(balanced, "fashion-mnist: 6000 training images per class");
    /* k-shard(2) over 16 nodes: 3750 each, few classes per node. */
    partition p;
    partition_spec s = {PARTITION_KSHARD, 16, 2, 0, 1};
    CHECK(partition_make(&tr, &s, &p, &err) == 0 && p.count[0] == 3750, "kshard on fashion-mnist");
    partition_free(&p);
    dataset_free(&tr);
    dataset_free(&te);
}

static void movielens(const char *zip) {
    if (!path_exists(zip)) {
        printf("SKIP movielens: %s absent\n", zip);
        return;
    }
    present++;
    dataset tr, te;
    ds_err err;
    int rc = movielens_load(zip, 0.7, 1, &tr, &te, &err);
    CHECK(rc == 0, "movielens: %s", err.msg);
    if (rc) return;
    CHECK(tr.n + te.n == 100836 && tr.n_users == 610 && tr.n_items == 9724,
          "ml-latest-small: %zu ratings, %d users, %d items", tr.n + te.n, tr.n_users, tr.n_items);
    CHECK(tr.n == 70614, "per-user 70%% split: %zu train ratings", tr.n);
    partition p;
    partition_spec s = {PARTITION_USER, 60, 0, 0, 1};
    CHECK(partition_make(&tr, &s, &p, &err) == 0, "user partition over 60 nodes");
    size_t total = 0;
    for (int k = 0; k < 60; k++) total += p.count[k];
    CHECK(total == tr.n, "user partition covers the training set");
    partition_free(&p);
    dataset_free(&tr);
    dataset_free(&te);
}

static void cifar(const char *dir) {
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/test_batch.bin", dir);
    if (!path_exists(probe)) {
        printf("SKIP cifar10: %s absent (../shared/data/cifar10/make-bin.sh builds it)\n", probe);
        return;
    }
    present++;
    dataset tr, te;
    ds_err err;
    int rc = cifar10_load(dir, &tr, &te, &err);
    CHECK(rc == 0, "cifar10: %s", err.msg);
    if (rc) return;
    CHECK(tr.n == 50000 && te.n == 10000 && tr.c == 3 && tr.h == 32, "cifar10 shapes");
    long hist[10] = {0};
    for (size_t i = 0; i < te.n; i++) hist[te.labels[i]]++;
    int balanced = 1;
    for (int c = 0; c < 10; c++) balanced &= hist[c] == 1000;
    CHECK(balanced, "cifar10: 1000 test images per class");
    dataset_free(&tr);
    dataset_free(&te);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: test_realdata FASHION_DIR MOVIELENS_ZIP CIFAR_DIR\n");
        return 2;
    }
    fashion(argv[1]);
    movielens(argv[2]);
    cifar(argv[3]);
    if (!present) {
        printf("test_realdata: no real dataset present, skipped\n");
        return 77;
    }
    return check_done("test_realdata");
}
