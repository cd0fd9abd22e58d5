/* activation.c: ReLU forward/backward. */
#include "nn/activation.h"

#include "util/dispatch.h"

DS_HOT void relu_forward(size_t n, const float *in, float *out) {
    for (size_t i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

DS_HOT void relu_backward(size_t n, const float *out, const float *dout, float *din) {
    for (size_t i = 0; i < n; i++) din[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}
