/* crc32c.h: CRC-32C (Castagnoli), as used by iSCSI, ext4 and SCTP, for the
 * wire format's payload and header checksums. Uses the SSE4.2 crc32
 * instruction when the CPU has it, else a table (same results). */
#ifndef DS_CRC32C_H
#define DS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) over n bytes. crc32c("123456789") = 0xE3069283. */
uint32_t crc32c(uint32_t crc, const void *data, size_t n);

#endif
