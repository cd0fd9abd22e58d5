/* check.h: a minimal test harness: CHECK prints one line per check, "ok
 * file:line label" or "NOT OK file:line" with the formatted message, so a
 * log shows what ran;
 * check_done() prints "N passed, N failed" and returns the exit code. */
#ifndef DS_CHECK_H
#define DS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

/* The format string of a check: its label is the text before the first
 * ':' or '%' (what is formatted after it may describe a failure only). */
#define CHECK_FIRST(fmt, ...) fmt

static inline void check_ok(const char *file, int line, const char *fmt) {
    const char *base = strrchr(file, '/');
    size_t n = strcspn(fmt, ":%");
    while (n > 0 && fmt[n - 1] == ' ') n--;
    printf("ok     %s:%d %.*s\n", base ? base + 1 : file, line, (int)n, fmt);
}

#define CHECK(cond, ...)                                        \
    do {                                                        \
        if (cond) {                                             \
            check_passed++;                                     \
            check_ok(__FILE__, __LINE__, CHECK_FIRST(__VA_ARGS__, "")); \
        } else {                                                \
            check_failed++;                                     \
            printf("NOT OK %s:%d: ", __FILE__, __LINE__);       \
            printf(__VA_ARGS__);                                \
            printf("\n");                                       \
        }                                                       \
    } while (0)

/* Normwise relative error max|a-b| / max(max|b|, floor). */
static inline double rel_err_fd(const float *a, const double *b, size_t n, double floor_) {
    double num = 0, den = floor_;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (d > num) num = d;
        if (fabs(b[i]) > den) den = fabs(b[i]);
    }
    return num / den;
}

static inline int check_done(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
