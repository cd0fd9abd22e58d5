/* check.h: a minimal test harness: CHECK prints OK / NOT OK per check and
 * check_done() prints "N passed, N failed" and returns the exit code. */
#ifndef DS_CHECK_H
#define DS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                        \
    do {                                                        \
        if (cond) {                                             \
            check_passed++;                                     \
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
