/* readers.h: loaders of the supported dataset files into train/test
 * datasets. Each validates sizes, magic numbers and value ranges, and on
 * failure names the file (and line) and what was expected. */
#ifndef DS_READERS_H
#define DS_READERS_H

#include <stdint.h>

#include "data/dataset.h"

/* CIFAR-10 binary release: dir holds data_batch_1..5.bin and test_batch.bin
 * (or a cifar-10-batches-bin/ subfolder that does). Records are 1 label
 * byte + 3072 pixel bytes (R, G, B planes of 32x32). */
int cifar10_load(const char *dir, dataset *train, dataset *test, ds_err *err);
/* Appends the records of one batch file's content (buf[0..len), read from
 * path) to d from *pos on; d must have room (d->n records). */
int cifar10_parse_batch(const char *path, const unsigned char *buf, size_t len, dataset *d, size_t *pos,
                        ds_err *err);

/* One IDX image file (magic 0x803, n x rows x cols) and its label file
 * (magic 0x801); plain or gzip. */
int idx_load(const char *images_path, const char *labels_path, const char *name, dataset *out,
             ds_err *err);
/* MNIST or Fashion-MNIST: dir holds train-images-idx3-ubyte[.gz],
 * train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz],
 * t10k-labels-idx1-ubyte[.gz]. */
int mnist_load(const char *dir, const char *name, dataset *train, dataset *test, ds_err *err);

/* MovieLens ratings: path is a ratings.csv (ml-latest*, header
 * userId,movieId,rating,timestamp), u.data (ml-100k, tab separated) or
 * ratings.dat (ml-1m, '::' separated) file, a directory holding one, or
 * the official .zip. User and item ids are mapped to dense indices in
 * increasing id order. Each user's ratings are split train/test with
 * round(train_fraction * count) train ratings drawn at random (seeded). */
int movielens_load(const char *path, double train_fraction, uint64_t seed, dataset *train,
                   dataset *test, ds_err *err);
/* Parses ratings text already in memory (name is used in messages). */
int movielens_parse(const char *name, const char *text, size_t len, double train_fraction,
                    uint64_t seed, dataset *train, dataset *test, ds_err *err);

/* Labelled images as CSV: dir holds train.csv and test.csv, one sample
 * per line: the label (0..255), then c*h*w pixel values 0..255 (channel
 * planes, rows); a header line is skipped. c = 0: each row is a flat
 * 1x1xK vector, K from the first row. Classes: 1 + the largest label. */
int csv_images_load(const char *dir, int c, int h, int w, dataset *train, dataset *test, ds_err *err);

/* Synthetic images: each class is a fixed random pattern plus Gaussian
 * noise (sd `noise`, in pixel units of 0..255), learnable by every model. */
int synthetic_images(size_t n_train, size_t n_test, int c, int h, int w, int classes, float noise,
                     uint64_t seed, dataset *train, dataset *test, ds_err *err);
/* Synthetic ratings from a random low-rank model, clipped to [0.5, 5]. */
int synthetic_ratings(int users, int items, int per_user, int rank, double train_fraction,
                      uint64_t seed, dataset *train, dataset *test, ds_err *err);

#endif
