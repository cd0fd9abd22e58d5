/* sgd.h: stochastic gradient descent on a flat parameter vector, as
 * torch.optim.SGD: g = grad + wd * p; v = momentum * v + g (v = g on the
 * first step); p -= lr * v (or lr * g without momentum). */
#ifndef DS_SGD_H
#define DS_SGD_H

#include <stddef.h>

typedef struct sgd_config {
    float lr;           /* learning rate */
    float momentum;     /* 0 = plain SGD (the artifact's default) */
    float weight_decay; /* L2 coefficient, 0 = off */
} sgd_config;

/* velocity: [n] buffer, required iff momentum != 0; *started tracks the
 * first step (torch initialises the buffer with the first gradient). */
void sgd_step(const sgd_config *c, size_t n, float *params, const float *grads, float *velocity,
              int *started);

#endif
