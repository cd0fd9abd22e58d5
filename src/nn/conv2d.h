/* conv2d.h: 2-D convolution by im2col + one SGEMM over the whole batch.
 *
 * Activations inside the network are stored channel-major, [C][B][H][W]
 * ("CBHW"), so the im2col matrix of the whole batch is [C*K*K][B*OH*OW]
 * and one GEMM computes every output: out[OC][B*OH*OW] = W[OC][C*K*K] x col.
 * Weights use PyTorch's layout [OC][C][K][K]; bias [OC].
 * Cost: 2*OC*C*K*K*B*OH*OW flops forward, twice that backward. */
#ifndef DS_CONV2D_H
#define DS_CONV2D_H

typedef struct conv2d_shape {
    int B, C, H, W;    /* batch, input channels, input height/width */
    int OC, K;         /* output channels, square kernel size */
    int stride, pad;   /* stride and zero padding on every side */
    int OH, OW;        /* output size: (H + 2*pad - K) / stride + 1 */
} conv2d_shape;

/* Fills OH/OW from the other fields. Returns -1 if the output is empty. */
int conv2d_shape_finish(conv2d_shape *s);

/* col: [C*K*K][B*OH*OW] scratch, kept for the backward pass. */
void conv2d_forward(const conv2d_shape *s, const float *in, const float *w, const float *bias,
                    float *col, float *out);

/* Accumulates dw and dbias; writes din (if not NULL). col must hold the
 * forward's im2col matrix; it is overwritten (reused as dcol). */
void conv2d_backward(const conv2d_shape *s, const float *dout, const float *w, float *col,
                     float *dw, float *dbias, float *din);

#endif
