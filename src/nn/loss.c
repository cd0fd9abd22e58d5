/* loss.c: softmax cross-entropy (log-sum-exp stable) and MSE. */
#include "nn/loss.h"

#include <math.h>
#include <stddef.h>

#include "util/dispatch.h"

DS_HOT float softmax_xent(int B, int K, const float *logits, const int32_t *labels, float *dlogits,
                   double *loss_sum, long *correct) {
    double total = 0;
    long hits = 0;
    for (int b = 0; b < B; b++) {
        const float *z = logits + (size_t)b * K;
        int arg = 0;
        float mx = z[0];
        for (int k = 1; k < K; k++)
            if (z[k] > mx) {
                mx = z[k];
                arg = k;
            }
        double sum = 0;
        for (int k = 0; k < K; k++) sum += exp((double)(z[k] - mx));
        double lse = mx + log(sum);
        total += lse - z[labels[b]];
        hits += arg == labels[b];
        if (dlogits) {
            float *g = dlogits + (size_t)b * K;
            for (int k = 0; k < K; k++)
                g[k] = (float)(exp((double)z[k] - lse) / B) - (k == labels[b] ? 1.0f / B : 0.0f);
        }
    }
    if (loss_sum) *loss_sum += total;
    if (correct) *correct += hits;
    return (float)(total / B);
}

DS_HOT float mse_loss(int B, const float *pred, const float *target, float *dpred, double *sq_sum) {
    double total = 0;
    for (int b = 0; b < B; b++) {
        float d = pred[b] - target[b];
        total += (double)d * d;
        if (dpred) dpred[b] = 2.0f * d / (float)B;
    }
    if (sq_sum) *sq_sum += total;
    return (float)(total / B);
}
