/* linear.h: fully connected layer y[B][O] = x[B][F] W^T + b, with
 * PyTorch's weight layout W[O][F]. Cost: 2*B*F*O flops forward. */
#ifndef DS_LINEAR_H
#define DS_LINEAR_H

void linear_forward(int B, int F, int O, const float *x, const float *w, const float *bias,
                    float *y);
/* Accumulates dw, dbias; writes dx if not NULL. */
void linear_backward(int B, int F, int O, const float *x, const float *dy, const float *w,
                     float *dw, float *dbias, float *dx);

#endif
