/* activation.h: element-wise ReLU. */
#ifndef DS_ACTIVATION_H
#define DS_ACTIVATION_H

#include <stddef.h>

void relu_forward(size_t n, const float *in, float *out);
/* din = dout where the forward output was positive, else 0. */
void relu_backward(size_t n, const float *out, const float *dout, float *din);

#endif
