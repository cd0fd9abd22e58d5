/* test_net.c: the real runtime's building blocks: CRC-32C, the wire format
 * (round trips, and fuzzed, truncated, oversized, misaddressed and
 * corrupted inputs that must all be rejected without crashing). */
#include <string.h>
#include <unistd.h>

#include "algo/algo.h"
#include "check.h"
#include "net/hosts.h"
#include "core/node_csv.h"
#include "net/wire.h"
#include "util/crc32c.h"
#include "util/rng.h"

#define NODES 6
#define PARAMS 1000

static void test_crc(void) {
    CHECK(crc32c(0, "123456789", 9) == 0xE3069283u, "crc32c check value: %08x", crc32c(0, "123456789", 9));
    unsigned char big[1000];
    for (int i = 0; i < 1000; i++) big[i] = (unsigned char)(i * 7);
    uint32_t whole = crc32c(0, big, 1000);
    CHECK(crc32c(crc32c(0, big, 333), big + 333, 667) == whole, "crc32c extends across calls");
    CHECK(crc32c(0, "", 0) == 0, "crc32c of nothing");
}

typedef struct fixture {
    const algo_ops *ops;
    void *shared;
    float params[PARAMS];
    wire_expect ex; /* as node 2 */
} fixture;

static void fixture_init(fixture *f) {
    f->ops = algo_find("divshare");
    algo_config c = {.nodes = NODES, .n_params = PARAMS, .degree = 2, .local_steps = 4, .chunk_fraction = 0.1, .flush_stale = 1, .redraw = 0, .seed = 7, .graph_file = NULL};
    ds_err err;
    f->ops->shared_new(&f->shared, &c, &err);
    for (int i = 0; i < PARAMS; i++) f->params[i] = (float)i * 0.5f - 3.0f;
    f->ex = (wire_expect){NODES, 2, PARAMS, f->ops, f->shared};
}

/* A fragment message 0 -> 2 of fragment 3, encoded. */
static unsigned char *encode_fragment(fixture *f, size_t *len, algo_msg **orig) {
    model_snapshot *s = snapshot_new(f->params, PARAMS);
    algo_msg *m = algo_msg_new(MSG_FRAGMENT, 0, 2, 9, s);
    snapshot_unref(s);
    m->fragment = 3;
    m->index = f->ops->fragment_index(f->shared, 3, &m->count);
    unsigned char *b = wire_encode(m, PARAMS, len);
    *orig = m;
    return b;
}

static void test_roundtrip(fixture *f) {
    size_t len;
    algo_msg *m;
    unsigned char *b = encode_fragment(f, &len, &m);
    CHECK(len == WIRE_HEADER_BYTES + 4 * m->count && len == algo_msg_bytes(m), "encoded size = algo_msg_bytes");
    char why[200];
    int oom;
    algo_msg *d = wire_decode(b, len, &f->ex, why, sizeof why, &oom);
    CHECK(d != NULL, "valid fragment decodes (%s)", d ? "" : why);
    if (d) {
        int same = d->kind == MSG_FRAGMENT && d->src == 0 && d->dst == 2 && d->round == 9 && d->fragment == 3 &&
                   d->count == m->count && d->index == m->index && d->packed;
        for (size_t k = 0; k < d->count && same; k++) same = algo_msg_value(d, k) == algo_msg_value(m, k);
        CHECK(same, "decoded fragment equals the sent one, values in fragment order");
        algo_msg_free(d);
    }
    free(b);
    algo_msg_free(m);

    /* Whole model (ping) and a header-only notice. */
    model_snapshot *s = snapshot_new(f->params, PARAMS);
    algo_msg *p = algo_msg_new(MSG_PING, 5, 2, 1, s);
    snapshot_unref(s);
    b = wire_encode(p, PARAMS, &len);
    d = wire_decode(b, len, &f->ex, why, sizeof why, &oom);
    CHECK(d && d->kind == MSG_PING && d->count == PARAMS && !d->index && algo_msg_value(d, 999) == f->params[999],
          "ping with a whole model round-trips");
    algo_msg_free(d);
    free(b);
    algo_msg_free(p);
    algo_msg *n = algo_msg_new(MSG_NOTICE, 1, 2, 4, NULL);
    b = wire_encode(n, PARAMS, &len);
    d = wire_decode(b, len, &f->ex, why, sizeof why, &oom);
    CHECK(d && d->kind == MSG_NOTICE && d->count == 0 && len == WIRE_HEADER_BYTES, "notice is a bare header");
    algo_msg_free(d);
    free(b);
    algo_msg_free(n);
}

/* Rewrites a header field and fixes the header checksum, so the check
 * under test (not the checksum) must catch it. */
static void set_field(unsigned char *b, int off, uint32_t v) {
    b[off] = (unsigned char)v;
    b[off + 1] = (unsigned char)(v >> 8);
    b[off + 2] = (unsigned char)(v >> 16);
    b[off + 3] = (unsigned char)(v >> 24);
    uint32_t c = crc32c(0, b, 44);
    b[44] = (unsigned char)c;
    b[45] = (unsigned char)(c >> 8);
    b[46] = (unsigned char)(c >> 16);
    b[47] = (unsigned char)(c >> 24);
}

static int rejected_with(fixture *f, const unsigned char *b, size_t len, const char *reason) {
    char why[200] = "";
    int oom;
    algo_msg *d = wire_decode(b, len, &f->ex, why, sizeof why, &oom);
    if (d) {
        algo_msg_free(d);
        printf("  accepted, wanted rejection: %s\n", reason);
        return 0;
    }
    if (!strstr(why, reason)) printf("  rejected with '%s', wanted '%s'\n", why, reason);
    return strstr(why, reason) != NULL;
}

static void test_rejections(fixture *f) {
    size_t len;
    algo_msg *m;
    unsigned char *good = encode_fragment(f, &len, &m);
    unsigned char *b = malloc(len + 16);
    struct { int off; uint32_t v; const char *why; } cases[] = {
        {8, NODES, "sender 6 is not a node id"},
        {8, 2, "sender 2 is this node"},
        {12, 4, "addressed to node 4"},
        {40, PARAMS + 1, "model of 1001 parameters"},
        {20, 10, "fragment 10 does not exist"},
        {28, (uint32_t)m->count + 1, "carries"},
        {24, 5, "element offset 5"},
        {32, 4 * (uint32_t)m->count - 4, "payload length"},
        {0, 0x12345678, "bad magic"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(b, good, len);
        set_field(b, cases[i].off, cases[i].v);
        if (cases[i].off == 0) { /* magic is checked before the checksum */
            b[0] = 0x78;
        }
        CHECK(rejected_with(f, b, len, cases[i].why), "field at %d = %u rejected", cases[i].off, cases[i].v);
    }
    memcpy(b, good, len);
    b[4] = 2; /* version 2, checksum fixed */
    set_field(b, 8, 0);
    CHECK(rejected_with(f, b, len, "unsupported version 2"), "version");
    memcpy(b, good, len);
    b[6] = 9;
    set_field(b, 8, 0);
    CHECK(rejected_with(f, b, len, "unknown message type 9"), "type");
    memcpy(b, good, len);
    b[13] ^= 1; /* header bit flip without fixing the checksum */
    CHECK(rejected_with(f, b, len, "header checksum"), "header checksum");
    memcpy(b, good, len);
    b[len - 1] ^= 0x40;
    CHECK(rejected_with(f, b, len, "payload checksum"), "payload checksum");
    /* A NaN with a correct checksum is still refused. */
    memcpy(b, good, len);
    unsigned char nan_bytes[4] = {0, 0, 0xc0, 0x7f};
    memcpy(b + WIRE_HEADER_BYTES + 8, nan_bytes, 4);
    set_field(b, 36, crc32c(0, b + WIRE_HEADER_BYTES, len - WIRE_HEADER_BYTES));
    CHECK(rejected_with(f, b, len, "value 2 is not finite"), "NaN payload");
    /* Oversized: trailing bytes. */
    memcpy(b, good, len);
    memset(b + len, 0, 16);
    CHECK(rejected_with(f, b, len + 16, "header says"), "trailing bytes");
    /* Every truncation. */
    int all = 1;
    for (size_t cut = 0; cut < len; cut++) {
        char why[200];
        int oom;
        algo_msg *d = wire_decode(good, cut, &f->ex, why, sizeof why, &oom);
        if (d) {
            all = 0;
            algo_msg_free(d);
        }
    }
    CHECK(all, "every truncated prefix is rejected");
    /* Fuzz: random byte flips; a flipped message must never be accepted
     * with values that differ from the original. */
    rng r;
    rng_seed(&r, 99);
    int bad_accept = 0, accepted = 0;
    for (int t = 0; t < 20000; t++) {
        memcpy(b, good, len);
        int flips = 1 + (int)rng_below(&r, 4);
        for (int k = 0; k < flips; k++) b[rng_below(&r, len)] ^= (unsigned char)(1 + rng_below(&r, 255));
        size_t l = rng_below(&r, 10) == 0 ? rng_below(&r, len + 8) : len;
        char why[200];
        int oom;
        algo_msg *d = wire_decode(b, l <= len + 8 ? l : len, &f->ex, why, sizeof why, &oom);
        if (d) {
            accepted++;
            for (size_t k = 0; k < d->count; k++) bad_accept |= algo_msg_value(d, k) != algo_msg_value(m, k);
            algo_msg_free(d);
        }
    }
    CHECK(!bad_accept, "no corrupted message accepted (%d of 20000 survived unchanged)", accepted);
    /* Pure noise. */
    int noise_ok = 1;
    for (int t = 0; t < 2000; t++) {
        size_t l = rng_below(&r, 300);
        for (size_t k = 0; k < l; k++) b[k] = (unsigned char)rng_below(&r, 256);
        char why[200];
        int oom;
        algo_msg *d = wire_decode(b, l, &f->ex, why, sizeof why, &oom);
        if (d) {
            noise_ok = 0;
            algo_msg_free(d);
        }
    }
    CHECK(noise_ok, "random noise is never a message");
    free(b);
    free(good);
    algo_msg_free(m);
}

static void test_hosts(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/ds-hosts-%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("# comment\n\n1 localhost 7001\n0 127.0.0.1 7000\n", f);
    fclose(f);
    hosts h;
    ds_err err;
    CHECK(hosts_load(&h, path, 2, &err) == 0, "hosts file loads: %s", err.msg);
    CHECK(h.n == 2 && h.e[1].port == 7001 && !strcmp(h.e[0].host, "127.0.0.1"), "entries indexed by id");
    CHECK(hosts_allows(&h, "127.0.0.1") && hosts_allows(&h, "::ffff:127.0.0.1"), "listed address allowed");
    CHECK(!hosts_allows(&h, "10.9.8.7"), "unlisted address rejected");
    hosts_free(&h);
    struct { const char *text; int nodes; const char *why; } bad[] = {
        {"0 a 1\n", 2, "node 1 is missing"},
        {"0 a 1\n1 b 2\n2 c 3\n", 2, ":3: node id 2 outside [0, 1]"},
        {"0 a 1\n0 b 2\n", 2, ":2: node id 0 listed twice (first on line 1)"},
        {"0 a 70000\n", 1, ":1: port 70000 outside [1, 65535]"},
        {"0 a\n", 1, ":1: expected 'id host port'"},
        {"0 a 1 extra\n", 1, ":1: 'extra' is not a CURVE public key"},
        {"0 a 1 rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 x\n", 1, ":1: expected 'id host port' or 'id host port key'"},
        {"4294967296 a 1\n", 1, ":1: node id 4294967296 outside [0, 0]"},
        {"0 a 4294967297\n", 1, ":1: port 4294967297 outside"},
        {"0 a 1x\n", 1, ":1: expected 'id host port'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = fopen(path, "w");
        fputs(bad[i].text, f);
        fclose(f);
        int rc = hosts_load(&h, path, bad[i].nodes, &err);
        CHECK(rc != 0 && strstr(err.msg, bad[i].why), "bad hosts file %zu: %s", i, rc ? err.msg : "accepted");
        if (!rc) hosts_free(&h);
    }
    remove(path);
    CHECK(hosts_load(&h, "/tmp", 1, &err) != 0 && strstr(err.msg, "/tmp: is a directory"), "directory: %s", err.msg);
    CHECK(hosts_load(&h, "/dev/zero", 1, &err) != 0 && strstr(err.msg, "larger than the limit"), "device: %s", err.msg);
}

/* node-K.csv: the writer's output parses back to the same row. */
static void test_node_csv(void) {
    strbuf b = {0};
    node_csv_row r = {.eval = 3, .time = 6.0, .node = 2, .round = 41, .metric = 87.25, .test_loss = 0.41234,
                      .train_loss = NAN, .bytes_sent = 123456789012ULL, .bytes_received = 7, .msgs_sent = 8,
                      .msgs_dropped = 9, .msgs_received = 10, .applied = 11, .staleness = 1.5, .idle = 0.25,
                      .unreachable = 1, .invalid = 2, .foreign = 3, .clock = 6.125};
    CHECK(node_csv_header(&b, 0) == 0 && node_csv_append(&b, &r) == 0, "node csv written");
    char *text = strdup(strbuf_str(&b));
    const char *head = "eval,time_s,node,round,accuracy,test_loss,train_loss,bytes_sent,";
    CHECK(!strncmp(text, head, strlen(head)) &&
          strstr(text, "\n3,6.000,2,41,87.2500,0.41234,,123456789012,7,8,9,10,11,1.500,0.250,1,2,3,6.125\n"),
          "node csv text: %s", text);
    char *nl = strchr(text, '\n');
    *nl = 0;
    int regress = -1;
    ds_err err;
    CHECK(node_csv_parse_header(text, "f:1", &regress, &err) == 0 && regress == 0, "header parses: %s", err.msg);
    char *row = nl + 1;
    row[strlen(row) - 1] = 0;
    node_csv_row back;
    CHECK(node_csv_parse_row(row, "f:2", &back, &err) == 0 && back.eval == 3 && back.node == 2 && back.round == 41 &&
              back.metric == 87.25 && isnan(back.train_loss) && back.bytes_sent == 123456789012ULL &&
              back.foreign == 3 && back.clock == 6.125,
          "row parses back: %s", err.msg);
    CHECK(node_csv_parse_header("eval,time_s,node,round,rmse", "f:1", &regress, &err) != 0 &&
              strstr(err.msg, "f:1: header has 5 columns, expected 19"), "short header: %s", err.msg);
    CHECK(node_csv_parse_header("hello", "f:1", &regress, &err) != 0 && strstr(err.msg, "not a divshare node file"),
          "not a node file: %s", err.msg);
    char short_row[] = "1,2,3";
    CHECK(node_csv_parse_row(short_row, "f:3", &back, &err) != 0 && strstr(err.msg, "f:3: expected 19 columns, found 3"),
          "short row: %s", err.msg);
    free(text);
    strbuf_free(&b);
}

int main(void) {
    test_node_csv();
    test_crc();
    test_hosts();
    fixture f;
    fixture_init(&f);
    test_roundtrip(&f);
    test_rejections(&f);
    f.ops->shared_free(f.shared);
    return check_done("test_net");
}
