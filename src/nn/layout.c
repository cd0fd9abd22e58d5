/* layout.c: NCHW <-> CBHW transposes (plane copies). */
#include "nn/layout.h"

#include <string.h>

void layout_nchw_to_cbhw(int B, int C, int HW, const float *in, float *out) {
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            memcpy(out + ((size_t)c * B + b) * HW, in + ((size_t)b * C + c) * HW,
                   sizeof(float) * HW);
}

void layout_cbhw_to_nchw(int B, int C, int HW, const float *in, float *out) {
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            memcpy(out + ((size_t)b * C + c) * HW, in + ((size_t)c * B + b) * HW,
                   sizeof(float) * HW);
}
