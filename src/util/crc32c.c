/* crc32c.c: table-driven CRC-32C with an SSE4.2 fast path. */
#include "util/crc32c.h"

#include <string.h>

#define POLY 0x82F63B78u /* Castagnoli, reflected */

static uint32_t crc_table(uint32_t i) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
    return c;
}

static uint32_t crc_sw(uint32_t crc, const unsigned char *p, size_t n) {
    /* Byte-at-a-time with a table on the stack: the hardware path is the
     * one used on x86-64; this keeps the fallback free of global state. */
    uint32_t t[256];
    for (uint32_t i = 0; i < 256; i++) t[i] = crc_table(i);
    while (n--) crc = t[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const unsigned char *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

uint32_t crc32c(uint32_t crc, const void *data, size_t n) {
    const unsigned char *p = data;
    crc = ~crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (__builtin_cpu_supports("sse4.2")) return ~crc_hw(crc, p, n);
#endif
    return ~crc_sw(crc, p, n);
}
