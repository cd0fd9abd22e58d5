/* err.h: the one way library code reports a failure.
 *
 * Functions that can fail return 0 on success and -1 on error, and write a
 * human-readable message (naming the file, line, value and allowed range
 * where there is one) into a caller-provided ds_err. Library code never
 * prints or exits: only main() decides what to do with the message. */
#ifndef DS_ERR_H
#define DS_ERR_H

#include <stddef.h>

typedef struct ds_err {
    char msg[1024];
} ds_err;

/* Formats a message into err (if err is not NULL) and returns -1, so a
 * failing function can `return ds_fail(err, "...", ...);`. */
int ds_fail(ds_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to an existing message (used to add context as an
 * error travels up, e.g. the config file name). Returns -1. */
int ds_fail_prefix(ds_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
