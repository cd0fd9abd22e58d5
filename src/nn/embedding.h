/* embedding.h: table lookup rows -> vectors (PyTorch nn.Embedding).
 * table: [V][D]; ids: [B] in [0, V) (checked by the caller). */
#ifndef DS_EMBEDDING_H
#define DS_EMBEDDING_H

#include <stdint.h>

void embedding_forward(int B, int D, const float *table, const int32_t *ids, float *out);
/* dtable[ids[b]] += dout[b] (rows repeated in a batch accumulate). */
void embedding_backward(int B, int D, const int32_t *ids, const float *dout, float *dtable);

#endif
