/* fileio.h: reading whole files (plain or gzip) and writing results
 * atomically.
 *
 * Results are written to "<path>.tmp.<pid>" and renamed over <path>, so a
 * reader (or a Ctrl-C) never sees a half-written file. */
#ifndef DS_FILEIO_H
#define DS_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

/* Reads the whole file at path into a new buffer (caller frees). Files
 * whose content starts with the gzip magic are inflated transparently. A
 * terminating NUL is appended (not counted in *len) so text parsers can
 * use it as a string. */
int file_read_all(const char *path, unsigned char **data, size_t *len, ds_err *err);

/* Atomic writer: open a temp file beside path; commit renames it into
 * place, abort removes it. */
typedef struct atomic_file {
    FILE *f;
    char path[4096];
    char tmp[4096 + 32];
} atomic_file;

int atomic_open(atomic_file *af, const char *path, ds_err *err);
int atomic_commit(atomic_file *af, ds_err *err);
void atomic_abort(atomic_file *af);
/* Writes a whole string to path atomically. */
int atomic_write_string(const char *path, const char *text, ds_err *err);
/* Writes n bytes to path atomically. */
int atomic_write_bytes(const char *path, const void *data, size_t n, ds_err *err);

/* mkdir -p. */
int make_dirs(const char *path, ds_err *err);
int path_exists(const char *path);
/* Joins dir and name into out (size n). Returns -1 if it does not fit. */
int path_join(char *out, size_t n, const char *dir, const char *name);

#endif
