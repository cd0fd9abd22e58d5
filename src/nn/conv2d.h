/* conv2d.h: 2-D convolution by im2col + one GEMM (nn/gemm.h) over the whole batch.
 *
 * Activations inside the network are stored channel-major, [C][B][H][W]
 * ("CBHW"), so the im2col matrix of the whole batch is [C*K*K][B*OH*OW]
 * and one GEMM computes every output: out[OC][B*OH*OW] = W[OC][C*K*K] x col.
 * Weights use PyTorch's layout [OC][C][K][K]; bias [OC].
 *
 * The batch may be processed in chunks of `chunk` images so the im2col
 * matrix of a chunk stays in cache (a whole batch of 128 would need 100+
 * MiB); with chunks the backward pass rebuilds each chunk's im2col. With a
 * single chunk the caller may keep col from forward to backward.
 * Cost: 2*OC*C*K*K*B*OH*OW flops forward, twice that backward. */
#ifndef DS_CONV2D_H
#define DS_CONV2D_H

#include <stddef.h>

typedef struct conv2d_shape {
    int B, C, H, W;    /* batch, input channels, input height/width */
    int OC, K;         /* output channels, square kernel size */
    int stride, pad;   /* stride and zero padding on every side */
    int OH, OW;        /* output size: (H + 2*pad - K) / stride + 1 */
    int chunk;         /* images per GEMM; conv2d_shape_finish sets B */
} conv2d_shape;

/* Fills OH/OW (and chunk = B) from the other fields. Returns -1 if the
 * output is empty. */
int conv2d_shape_finish(conv2d_shape *s);

/* Largest chunk whose im2col matrix fits in `bytes` (at least 1). */
int conv2d_chunk_for(const conv2d_shape *s, size_t bytes);

/* Floats of scratch (col) needed for shape s. */
size_t conv2d_col_floats(const conv2d_shape *s);
/* Floats of the weight-gradient GEMM's scratch (gemm_scratch) for shape s. */
size_t conv2d_gemm_floats(const conv2d_shape *s);
/* Floats of the zero-padded image scratch (pad) for shape s: with it,
 * stride-1 convolutions build im2col rows by plain contiguous copies. */
size_t conv2d_pad_floats(const conv2d_shape *s);

/* col: scratch of conv2d_col_floats(s); pad: scratch of
 * conv2d_pad_floats(s), or NULL for the generic path. */
void conv2d_forward(const conv2d_shape *s, const float *in, const float *w, const float *bias,
                    float *col, float *pad, float *out);

/* Accumulates dw and dbias; writes din (if not NULL). in is the forward's
 * input; col and pad are scratch as above, gemm_scratch of
 * conv2d_gemm_floats(s). col_valid != 0 promises that
 * col still holds the forward's im2col (possible only when chunk >= B),
 * saving its rebuild. */
void conv2d_backward(const conv2d_shape *s, const float *in, const float *dout, const float *w,
                     float *col, float *pad, float *gemm_scratch, int col_valid, float *dw, float *dbias,
                     float *din);

#endif
