/* lanes.h: reductions written as 16 independent partial sums, so the
 * compiler can vectorise them (a plain `acc += v[i]` loop is one serial
 * dependency chain: C forbids reassociating float additions). Partial
 * sums are combined in double. */
#ifndef DS_LANES_H
#define DS_LANES_H

#include <stddef.h>

#define LANES 16

/* sum of v[0..n) */
static inline double lanes_sum(const float *v, size_t n) {
    float lane[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int k = 0; k < LANES; k++) lane[k] += v[i + k];
    double acc = 0;
    for (int k = 0; k < LANES; k++) acc += lane[k];
    for (; i < n; i++) acc += v[i];
    return acc;
}

/* sum of (v[i] - mean)^2 */
static inline double lanes_sqdev(const float *v, size_t n, float mean) {
    float lane[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int k = 0; k < LANES; k++) {
            float d = v[i + k] - mean;
            lane[k] += d * d;
        }
    double acc = 0;
    for (int k = 0; k < LANES; k++) acc += lane[k];
    for (; i < n; i++) {
        double d = v[i] - mean;
        acc += d * d;
    }
    return acc;
}

#endif
