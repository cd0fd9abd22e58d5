/* wire.c: encoding and validating decoding of runtime messages. */
#include "net/wire.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc32c.h"

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
static void put16(unsigned char *p, uint16_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static uint32_t get32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

static void put_float(unsigned char *p, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    put32(p, u);
}
static float get_float(const unsigned char *p) {
    uint32_t u = get32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

unsigned char *wire_encode(const algo_msg *m, size_t n_params, size_t *len) {
    size_t payload = 4 * m->count;
    unsigned char *b = malloc(WIRE_HEADER_BYTES + payload);
    if (!b) return NULL;
    unsigned char *v = b + WIRE_HEADER_BYTES;
    for (size_t k = 0; k < m->count; k++) put_float(v + 4 * k, algo_msg_value(m, k));
    put32(b + 0, WIRE_MAGIC);
    put16(b + 4, WIRE_VERSION);
    put16(b + 6, (uint16_t)m->kind);
    put32(b + 8, (uint32_t)m->src);
    put32(b + 12, (uint32_t)m->dst);
    put32(b + 16, m->round);
    put32(b + 20, m->fragment);
    put32(b + 24, 0);
    put32(b + 28, (uint32_t)m->count);
    put32(b + 32, (uint32_t)payload);
    put32(b + 36, crc32c(0, v, payload));
    put32(b + 40, (uint32_t)n_params);
    put32(b + 44, crc32c(0, b, 44));
    *len = WIRE_HEADER_BYTES + payload;
    return b;
}

#define REJECT(...)                          \
    do {                                     \
        snprintf(why, cap, __VA_ARGS__);     \
        return NULL;                         \
    } while (0)

algo_msg *wire_decode(const unsigned char *buf, size_t len, const wire_expect *ex, char *why,
                      size_t cap, int *oom) {
    *oom = 0;
    if (len < WIRE_HEADER_BYTES) REJECT("truncated header: %zu of %d bytes", len, WIRE_HEADER_BYTES);
    uint32_t magic = get32(buf);
    if (magic != WIRE_MAGIC) REJECT("bad magic 0x%08x (not a divshare message)", magic);
    uint16_t version = get16(buf + 4);
    if (version != WIRE_VERSION) REJECT("unsupported version %u (this build speaks %d)", version, WIRE_VERSION);
    uint32_t hcrc = get32(buf + 44);
    if (crc32c(0, buf, 44) != hcrc) REJECT("header checksum mismatch");
    uint16_t type = get16(buf + 6);
    uint32_t sender = get32(buf + 8), receiver = get32(buf + 12), round = get32(buf + 16);
    uint32_t fragment = get32(buf + 20), offset = get32(buf + 24), count = get32(buf + 28);
    uint32_t payload = get32(buf + 32), pcrc = get32(buf + 36), n_params = get32(buf + 40);
    if (type < MSG_FRAGMENT || type > MSG_NOTICE) REJECT("unknown message type %u", type);
    if (sender >= (uint32_t)ex->nodes) REJECT("sender %u is not a node id (nodes: %d)", sender, ex->nodes);
    if (sender == (uint32_t)ex->self) REJECT("sender %u is this node", sender);
    if (receiver != (uint32_t)ex->self) REJECT("addressed to node %u, this is node %d", receiver, ex->self);
    if (n_params != ex->n_params) REJECT("model of %u parameters, expected %zu", n_params, ex->n_params);
    if (offset != 0) REJECT("element offset %u (split messages are not used)", offset);
    const uint32_t *index = NULL;
    if (type == MSG_FRAGMENT) {
        size_t want = 0;
        if (!ex->algo->fragment_index || !(index = ex->algo->fragment_index(ex->shared, fragment, &want)))
            REJECT("fragment %u does not exist for %s", fragment, ex->algo->name);
        if (count != want) REJECT("fragment %u carries %u values, expected %zu", fragment, count, want);
    } else if (type == MSG_NOTICE) {
        if (count != 0) REJECT("notice carries %u values, expected none", count);
    } else {
        if (fragment != 0) REJECT("whole-model message with fragment id %u", fragment);
        if (count != ex->n_params) REJECT("model message carries %u values, expected %zu", count, ex->n_params);
    }
    if ((uint64_t)payload != 4 * (uint64_t)count)
        REJECT("payload length %u does not match %u values", payload, count);
    if (len != WIRE_HEADER_BYTES + (size_t)payload)
        REJECT("message is %zu bytes, header says %zu", len, WIRE_HEADER_BYTES + (size_t)payload);
    const unsigned char *v = buf + WIRE_HEADER_BYTES;
    if (crc32c(0, v, payload) != pcrc) REJECT("payload checksum mismatch");
    model_snapshot *snap = NULL;
    if (count) {
        /* A non-finite value rejects the whole message before anything
         * can use it. */
        snap = snapshot_alloc(count);
        if (!snap) {
            *oom = 1;
            REJECT("out of memory for %u values", count);
        }
        for (uint32_t k = 0; k < count; k++) {
            snap->values[k] = get_float(v + 4 * (size_t)k);
            if (!isfinite(snap->values[k])) {
                snapshot_unref(snap);
                REJECT("value %u is not finite", k);
            }
        }
    }
    algo_msg *m = algo_msg_new((algo_msg_kind)type, (int)sender, (int)receiver, round, snap);
    snapshot_unref(snap);
    if (!m) {
        *oom = 1;
        REJECT("out of memory");
    }
    m->fragment = fragment;
    m->count = count;
    m->index = index;
    m->packed = type == MSG_FRAGMENT;
    return m;
}
