/* pool.h: max pooling over planes (no padding, floor mode, as PyTorch's
 * MaxPool2d(k, stride)). Works on any layout where each (channel, sample)
 * plane of H*W values is contiguous, e.g. CBHW. */
#ifndef DS_POOL_H
#define DS_POOL_H

#include <stdint.h>

typedef struct maxpool_shape {
    int planes, H, W; /* planes = C*B */
    int K, stride;
    int OH, OW;       /* (H - K) / stride + 1 */
} maxpool_shape;

int maxpool_shape_finish(maxpool_shape *s);
/* argmax: [planes*OH*OW] index inside the input plane, kept for backward.
 * The 2x2/stride-2 case writes no argmax (it vectorises without one):
 * backward finds the winner again from in and out. */
void maxpool_forward(const maxpool_shape *s, const float *in, float *out, int32_t *argmax);
/* Writes din (zeroing it first). in/out are the forward's input and output.
 * The gradient goes to the first maximum in scan order, as PyTorch. */
void maxpool_backward(const maxpool_shape *s, const float *in, const float *out,
                      const float *dout, const int32_t *argmax, float *din);

/* 2x2, stride 2 pooling of a ReLU's output (every input >= 0), with H and
 * W even: writes out and, per output, the code of its window's winner:
 * 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right (PyTorch's first
 * maximum), or 4 when the maximum is 0, where the ReLU passes no gradient
 * back. Codes are floats so both passes vectorise. */
void maxpool2x2_relu_forward(const maxpool_shape *s, const float *in, float *out, float *code);

/* The gradient that reaches the ReLU's input from one pooled plane: dy
 * [2*OH][2*OW] gets dout (one plane, [OH][OW]) at each window's winner and
 * 0 elsewhere. Equal, value for value, to maxpool_backward followed by
 * ReLU's backward. */
void maxpool2x2_relu_route(int OH, int OW, const float *code, const float *dout, float *dy);

#endif
