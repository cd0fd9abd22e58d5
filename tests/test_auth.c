/* test_auth.c: CURVE authentication of the real runtime's peers (auth.h),
 * over ZeroMQ TCP on loopback, with node 0's transport as the victim:
 *  - an honest node 1 (its own key, its own id in the header) is received;
 *  - a process holding node 1's key but naming node 2 in the header is
 *    rejected and counted as forged (it used to be taken for node 2);
 *  - a process with a key not in the hosts file never gets a message in;
 *  - with auth = none the same forgery goes through (the documented
 *    trade-off of running without keys);
 *  - 1,100 idle TCP connections (which used to exhaust a node's 1,024
 *    descriptors) do not keep an honest peer out, and the node closes
 *    them when the handshake time-out runs out;
 *  - key files: written 0600, read back, a readable-by-others file and a
 *    malformed key are refused; keygen adds keys to a hosts file. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "check.h"
#include "net/auth.h"
#include "net/transport.h"
#include "util/clock.h"

#define N 3
#define P 1000 /* parameters of the model */

static char dir[64];
static char pub[N][AUTH_KEY_CHARS + 1], sec[N][AUTH_KEY_CHARS + 1];

static unsigned char *message(int src, int dst, size_t *len) {
    float v[P] = {0};
    model_snapshot *s = snapshot_new(v, P);
    algo_msg *m = algo_msg_new(MSG_MODEL, src, dst, 1, s);
    snapshot_unref(s);
    unsigned char *b = wire_encode(m, P, len);
    algo_msg_free(m);
    return b;
}

/* Sends one message to port as a DEALER with the given client keys (NULL:
 * no CURVE), claiming src in the header. */
static void send_as(void *zctx, int port, const char *server_key, const char *cpub, const char *csec, int src) {
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 2000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (cpub) {
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_key, AUTH_KEY_CHARS);
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, cpub, AUTH_KEY_CHARS);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, csec, AUTH_KEY_CHARS);
    }
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    zmq_connect(s, ep);
    size_t len;
    unsigned char *b = message(src, 0, &len);
    zmq_send(s, b, len, 0);
    free(b);
    usleep(300 * 1000);
    zmq_close(s);
}

/* Node 0's transport, with or without keys; collects for a while and
 * returns the stats and the senders of what arrived. */
static void victim(int curve, void (*attack)(void *zctx, int port), transport_stats *st, int *from) {
    int ports[N];
    ds_err err;
    hosts h;
    char hp[128];
    snprintf(hp, sizeof hp, "%s/hosts.txt", dir);
    const char *keys[N] = {pub[0], pub[1], pub[2]};
    if (hosts_free_ports(N, ports, &err) || hosts_write(hp, N, NULL, ports, keys, &err) || hosts_load(&h, hp, N, &err)) {
        printf("setup: %s\n", err.msg);
        exit(1);
    }
    node_spec spec[N];
    for (int i = 0; i < N; i++) spec[i] = (node_spec){.up = 1e9, .down = 1e9, .latency = 0, .slowdown = 1};
    transport_config c = {.self = 0, .nodes = N, .hosts = &h, .spec = spec,
                          .expect = {N, 0, P, algo_find("swift"), NULL},
                          .public_key = curve ? pub[0] : NULL, .secret_key = curve ? sec[0] : NULL};
    transport *t = transport_start(&c, &err);
    CHECK(t != NULL, "transport_start: %s", err.msg);
    if (!t) exit(1);
    void *zctx = zmq_ctx_new();
    attack(zctx, ports[0]);
    zmq_ctx_term(zctx);
    double end = clock_now() + 1.0;
    for (int i = 0; i < N; i++) from[i] = 0;
    while (clock_now() < end) {
        algo_msg *m = transport_next(t);
        if (m) {
            from[m->src]++;
            algo_msg_free(m);
        } else {
            transport_wait(t, clock_now() + 0.05);
        }
    }
    transport_get_stats(t, st);
    transport_stop(t);
    hosts_free(&h);
}

/* 1,100 idle connections, then an honest message; after the handshake
 * time-out, counts how many of the idle ones the node has closed. */
#define IDLE 1100
static int idle_closed;
static void flood(void *zctx, int port) {
    static int fd[IDLE];
    int opened = 0;
    for (int i = 0; i < IDLE; i++) {
        fd[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd[i] >= 0 && connect(fd[i], (struct sockaddr *)&a, sizeof a) == 0) opened++;
    }
    CHECK(opened == IDLE, "opened %d idle connections", opened);
    send_as(zctx, port, pub[0], pub[1], sec[1], 1);
    clock_sleep(TRANSPORT_HANDSHAKE_MS / 1e3 + 1.5);
    idle_closed = 0;
    for (int i = 0; i < IDLE; i++) {
        if (fd[i] < 0) continue;
        /* The node sent its greeting; then it closed (read gives 0). */
        char buf[256];
        ssize_t r;
        while ((r = recv(fd[i], buf, sizeof buf, MSG_DONTWAIT)) > 0) {
        }
        if (r == 0) idle_closed++;
        close(fd[i]);
    }
}

static int g_curve;
static void honest(void *zctx, int port) { send_as(zctx, port, pub[0], g_curve ? pub[1] : NULL, sec[1], 1); }
static void forger(void *zctx, int port) { send_as(zctx, port, pub[0], g_curve ? pub[1] : NULL, sec[1], 2); }
static void stranger(void *zctx, int port) {
    char p[AUTH_KEY_CHARS + 1], s[AUTH_KEY_CHARS + 1];
    ds_err err;
    auth_keypair(p, s, &err);
    send_as(zctx, port, pub[0], p, s, 1);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/ds-auth-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    ds_err err;
    for (int i = 0; i < N; i++) CHECK(auth_keypair(pub[i], sec[i], &err) == 0, "keypair: %s", err.msg);
    CHECK(auth_key_valid(pub[0]) && !auth_key_valid("short") && strlen(sec[0]) == AUTH_KEY_CHARS, "key text");

    /* Key files. */
    char kp[128], rp[AUTH_KEY_CHARS + 1], rs[AUTH_KEY_CHARS + 1];
    snprintf(kp, sizeof kp, "%s/node-0.key", dir);
    CHECK(auth_write_secret(kp, sec[0], &err) == 0, "write key: %s", err.msg);
    struct stat st;
    CHECK(stat(kp, &st) == 0 && (st.st_mode & 0777) == 0600, "secret key file is 0600");
    CHECK(auth_read_secret(kp, rs, rp, &err) == 0 && !strcmp(rs, sec[0]) && !strcmp(rp, pub[0]),
          "read back, public derived: %s", err.msg);
    chmod(kp, 0644);
    CHECK(auth_read_secret(kp, rs, rp, &err) != 0 && strstr(err.msg, "readable by others"), "0644 refused: %s", err.msg);
    FILE *f = fopen(kp, "w");
    fputs("not-a-key\n", f);
    fclose(f);
    chmod(kp, 0600);
    CHECK(auth_read_secret(kp, rs, rp, &err) != 0 && strstr(err.msg, ":1: expected a 40-character Z85 secret key"),
          "malformed key: %s", err.msg);

    /* keygen: keys into a plain hosts file. */
    char hp[128];
    snprintf(hp, sizeof hp, "%s/plain.txt", dir);
    f = fopen(hp, "w");
    fputs("# cluster\n0 127.0.0.1 7000\n1 localhost 7001\n", f);
    fclose(f);
    keygen_result kr;
    CHECK(keygen_hosts(hp, NULL, &kr, &err) == 0 && kr.nodes == 2, "keygen: %s", err.msg);
    hosts h;
    CHECK(hosts_load(&h, hp, 2, &err) == 0 && auth_key_valid(h.e[1].key) && h.e[1].port == 7001, "keyed hosts: %s", err.msg);
    snprintf(kp, sizeof kp, "%s/node-1.key", dir);
    CHECK(auth_read_secret(kp, rs, rp, &err) == 0 && !strcmp(rp, h.e[1].key), "node 1's secret matches its public key");
    hosts_free(&h);

    transport_stats s;
    int from[N];
    g_curve = 1;
    victim(1, honest, &s, from);
    CHECK(from[1] == 1 && s.msgs_forged == 0, "honest node 1 received: %d (forged %llu)", from[1], (unsigned long long)s.msgs_forged);
    victim(1, forger, &s, from);
    CHECK(from[2] == 0 && s.msgs_forged == 1 && strstr(s.last_invalid, "names node 2 but the sender authenticated as node 1"),
          "node 1 posing as node 2: received %d, forged %llu (%s)", from[2], (unsigned long long)s.msgs_forged, s.last_invalid);
    victim(1, stranger, &s, from);
    CHECK(from[1] == 0 && s.msgs_received == 0, "unknown key: %llu received", (unsigned long long)s.msgs_received);
    g_curve = 0;
    victim(1, forger, &s, from);
    CHECK(from[2] == 0 && s.msgs_received == 0, "no keys against a CURVE node: %llu received", (unsigned long long)s.msgs_received);
    victim(0, forger, &s, from);
    CHECK(from[2] == 1, "auth = none: the forgery goes through (documented): %d", from[2]);
    /* Descriptors as a node has them (divshare node raises its limit). */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (nofile.rlim_cur >= 2 * IDLE + 256) {
        victim(1, flood, &s, from);
        CHECK(from[1] == 1, "an honest peer gets through 1,100 idle connections: %d", from[1]);
        CHECK(idle_closed == IDLE, "idle connections closed after the handshake time-out: %d of %d", idle_closed, IDLE);
    } else {
        printf("test_auth: descriptor limit %ld: idle-connection check skipped\n", (long)nofile.rlim_cur);
    }

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) printf("cannot remove %s\n", dir);
    return check_done("test_auth");
}
