/* embedding.c: gather forward, scatter-add backward. */
#include "nn/embedding.h"

#include <string.h>

#include "util/dispatch.h"

DS_HOT void embedding_forward(int B, int D, const float *table, const int32_t *ids, float *out) {
    for (int b = 0; b < B; b++)
        memcpy(out + (size_t)b * D, table + (size_t)ids[b] * D, sizeof(float) * D);
}

DS_HOT void embedding_backward(int B, int D, const int32_t *ids, const float *dout, float *dtable) {
    for (int b = 0; b < B; b++) {
        float *row = dtable + (size_t)ids[b] * D;
        const float *g = dout + (size_t)b * D;
        for (int d = 0; d < D; d++) row[d] += g[d];
    }
}
