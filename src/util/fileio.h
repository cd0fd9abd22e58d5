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

/* The largest file (or decompressed gzip content) read whole: 2 GiB. */
#define FILE_READ_MAX ((size_t)2 << 30)

/* Reads the whole file at path into a new buffer (caller frees). Files
 * whose content starts with the gzip magic are inflated transparently. A
 * terminating NUL is appended (not counted in *len) so text parsers can
 * use it as a string. A directory or a block device is an error, and so is content larger than
 * max bytes (before or after decompression), so no input can make it
 * allocate more than about 2 * max: /dev/zero ends with "larger than the
 * limit", /dev/null reads as empty. */
int file_read_max(const char *path, size_t max, unsigned char **data, size_t *len, ds_err *err);
/* file_read_max with FILE_READ_MAX. */
int file_read_all(const char *path, unsigned char **data, size_t *len, ds_err *err);

/* A text file read whole (at most max bytes, no NUL byte) and
 * handed out line by line:
 *   text_file t;
 *   if (text_open(&t, path, max, err)) return -1;
 *   for (char *s; (s = text_next(&t));) ... t.line is s's line number ...
 *   text_close(&t);
 * A line is NUL-terminated, without its newline or a trailing '\r', and
 * points into t's buffer: valid until text_close. */
typedef struct text_file {
    char *data;       /* owned; data[len] == 0 */
    size_t len, pos;  /* bytes */
    int line;         /* number of the line text_next returned last */
    const char *path; /* borrowed */
} text_file;

int text_open(text_file *t, const char *path, size_t max, ds_err *err);
char *text_next(text_file *t);
void text_close(text_file *t);

/* Splits line in place at blanks and tabs into at most max fields; a
 * field that starts with '#' starts a comment, which is not a field (so
 * '#' may appear inside a field, as in a Z85 key). Returns the number of
 * fields, or max + 1 if there are more. */
int text_fields(char *line, char **field, int max);
/* Splits line in place at every sep (CSV without quoting) into at most
 * max fields, empty ones included. Returns the number of fields, or
 * max + 1 if there are more. */
int text_split(char *line, char sep, char **field, int max);
/* A whole field as a decimal integer (no overflow, nothing after it):
 * 0, or -1 if it is not one. */
int text_int(const char *s, long long *out);
/* A whole field as a finite number: 0, or -1 if it is not one. */
int text_double(const char *s, double *out);

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
/* The directory part of path into out (size n): "." when path has no
 * '/', "/" for a file at the root. */
void path_dir(char *out, size_t n, const char *path);
/* Joins dir and name into out (size n). Returns -1 if it does not fit. */
int path_join(char *out, size_t n, const char *dir, const char *name);

#endif
