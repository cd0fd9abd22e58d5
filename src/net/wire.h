/* wire.h: the on-the-wire message format of the real runtime.
 *
 * A message is a 48-byte little-endian header followed by count float32
 * values (little-endian IEEE 754):
 *
 *   off size field
 *     0  4   magic        "DVSH" (0x48535644)
 *     4  2   version      1
 *     6  2   type         1 fragment, 2 model, 3 ping, 4 pong, 5 notice
 *     8  4   sender       node id, < nodes
 *    12  4   receiver     node id; must be the receiving node
 *    16  4   round        sender's round when it queued the message
 *    20  4   fragment     DivShare fragment id (0 for whole models)
 *    24  4   offset       first element carried (0: messages are never split)
 *    28  4   count        float32 values in the payload
 *    32  4   payload_len  bytes of payload = 4 * count
 *    36  4   payload_crc  CRC-32C of the payload bytes
 *    40  4   n_params     sender's model size (must equal the receiver's)
 *    44  4   header_crc   CRC-32C of bytes 0..43
 *
 * The decoder checks every field before using any (lengths, ranges,
 * checksums, fragment sizes, finite values); a message that fails is
 * rejected with the reason, never half-applied. */
#ifndef DS_WIRE_H
#define DS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "algo/algo.h"

#define WIRE_MAGIC 0x48535644u
#define WIRE_VERSION 1
#define WIRE_HEADER_BYTES 48

_Static_assert(WIRE_HEADER_BYTES == ALGO_HEADER_BYTES, "the simulator charges the real header size");

/* Encodes m (whose sender model has n_params values) into a new buffer
 * (caller frees) of *len bytes. NULL if out of memory. */
unsigned char *wire_encode(const algo_msg *m, size_t n_params, size_t *len);

/* What a receiver accepts. */
typedef struct wire_expect {
    int nodes, self;
    size_t n_params;
    const algo_ops *algo;  /* for fragment_index */
    const void *shared;    /* the algorithm's shared data */
} wire_expect;

/* Decodes buf[0..len) into a new message (packed values for fragments; the
 * caller frees it with algo_msg_free). On rejection returns NULL and
 * writes the reason into why (size cap); *oom is set when the only problem
 * was memory. */
algo_msg *wire_decode(const unsigned char *buf, size_t len, const wire_expect *ex, char *why,
                      size_t cap, int *oom);

#endif
