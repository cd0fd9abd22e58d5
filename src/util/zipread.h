/* zipread.h: extract one member of a .zip archive into memory (stored or
 * deflated entries, via zlib's raw inflate). Enough to read datasets that
 * are distributed as zips (MovieLens) without unpacking them first. Every
 * offset and length read from the archive is bounds-checked. */
#ifndef DS_ZIPREAD_H
#define DS_ZIPREAD_H

#include <stddef.h>

#include "util/err.h"

/* Finds the first member whose name equals one of names[] or ends with
 * "/" + one of them (checked in the order of names), and inflates it into
 * a new NUL-terminated buffer (caller frees). found (size n) receives the
 * member name. */
int zip_extract(const char *zip_path, const char *const *names, int n_names, unsigned char **data,
                size_t *len, char *found, size_t found_n, ds_err *err);

/* 1 if the file at path starts with a zip local-file signature. */
int zip_is_zip(const char *path);

#endif
