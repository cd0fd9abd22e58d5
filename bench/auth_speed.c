#define _DEFAULT_SOURCE /* getloadavg */
/* auth_speed.c: what CURVE costs the real runtime in throughput. Two
 * transports in this process stream 100 kB model messages from node 0 to
 * node 1 over ZeroMQ TCP on loopback, as test_shaping does, with links
 * unlimited (so the stream is bound by the CPU: ZeroMQ, CURVE's
 * encryption and our validation) and with a 10 Mbit/s emulated uplink (the
 * paper's scale). Rounds alternate auth = none and auth = curve; medians
 * with min-max. Refuses to report when the machine is busy (1-minute load
 * average above 0.5 per core) unless --force.
 * usage: auth_speed [--rounds N] [--force] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/auth.h"
#include "net/transport.h"
#include "util/clock.h"

#define P 25000 /* 100 kB messages */

static hosts h;
static char pub[2][AUTH_KEY_CHARS + 1], sec[2][AUTH_KEY_CHARS + 1];

static transport *start(int self, const node_spec *spec, int curve) {
    transport_config c = {.self = self, .nodes = 2, .hosts = &h, .spec = spec,
                          .expect = {2, self, P, algo_find("swift"), NULL},
                          .public_key = curve ? pub[self] : NULL, .secret_key = curve ? sec[self] : NULL};
    ds_err err;
    transport *t = transport_start(&c, &err);
    if (!t) {
        fprintf(stderr, "auth_speed: %s\n", err.msg);
        exit(1);
    }
    return t;
}

static unsigned char *message(uint32_t round, size_t *len) {
    static float v[P];
    model_snapshot *s = snapshot_new(v, P);
    algo_msg *m = algo_msg_new(MSG_MODEL, 0, 1, round, s);
    snapshot_unref(s);
    unsigned char *b = wire_encode(m, P, len);
    algo_msg_free(m);
    return b;
}

/* Mbit/s of payload received for n messages queued at once. */
static double stream(double up, int curve, int n) {
    node_spec spec[2] = {{up, 1e12, 0, 1}, {1e12, 1e12, 0, 1}};
    transport *a = start(0, spec, curve), *b = start(1, spec, curve);
    /* Connect: one message through, then the measured stream. */
    for (int got = 0; !got;) {
        size_t len;
        unsigned char *hello = message(1, &len);
        transport_send(a, hello, len, 1);
        transport_wait(b, clock_now() + 0.1);
        algo_msg *m;
        while ((m = transport_next(b))) {
            got = 1;
            algo_msg_free(m);
        }
    }
    size_t len = 0;
    unsigned char **bufs = malloc(sizeof *bufs * (size_t)n); /* encoded before the clock starts */
    for (int i = 0; i < n; i++) bufs[i] = message((uint32_t)i + 2, &len);
    double first = clock_now(), last = first;
    for (int i = 0; i < n; i++) transport_send(a, bufs[i], len, 1);
    free(bufs);
    int got = 0;
    while (got < n && clock_now() - first < 30) {
        transport_wait(b, clock_now() + 0.1);
        algo_msg *m;
        while ((m = transport_next(b))) {
            got++;
            last = clock_now();
            algo_msg_free(m);
        }
    }
    if (got != n) {
        transport_stats sa, sb;
        transport_get_stats(a, &sa);
        transport_get_stats(b, &sb);
        fprintf(stderr, "auth_speed: %d of %d arrived (sent %llu, unreachable %llu; received %llu, invalid %llu, "
                        "backlog drops %llu: %s)\n", got, n, (unsigned long long)sa.msgs_sent,
                (unsigned long long)sa.msgs_unreachable, (unsigned long long)sb.msgs_received,
                (unsigned long long)sb.msgs_invalid, (unsigned long long)sb.msgs_dropped_backlog, sb.last_invalid);
    }
    transport_stop(a);
    transport_stop(b);
    return got == n ? 8.0 * (double)len * n / (last - first) / 1e6 : NAN;
}

static int cmp(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void report(const char *what, double *none, double *curve, int r) {
    qsort(none, (size_t)r, sizeof *none, cmp);
    qsort(curve, (size_t)r, sizeof *curve, cmp);
    printf("%-28s none %8.1f Mbit/s (%.1f-%.1f)   curve %8.1f Mbit/s (%.1f-%.1f)   curve/none %.3f\n", what,
           none[r / 2], none[0], none[r - 1], curve[r / 2], curve[0], curve[r - 1], curve[r / 2] / none[r / 2]);
}

int main(int argc, char **argv) {
    int rounds = 5, force = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--force")) force = 1;
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: auth_speed [--rounds N] [--force]\n");
            return 2;
        }
    }
    if (rounds < 1 || rounds > 50) rounds = 5;
    double load[1];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (getloadavg(load, 1) == 1 && load[0] > 0.5 * (double)cores && !force) {
        fprintf(stderr, "auth_speed: the machine is busy (load average %.2f on %ld cores); not reporting (--force)\n",
                load[0], cores);
        return 3;
    }
    char hp[64];
    snprintf(hp, sizeof hp, "/tmp/ds-auth-speed-%d.txt", (int)getpid());
    int ports[2];
    ds_err err;
    const char *keys[2] = {pub[0], pub[1]};
    if (auth_keypair(pub[0], sec[0], &err) || auth_keypair(pub[1], sec[1], &err) || hosts_free_ports(2, ports, &err) ||
        hosts_write(hp, 2, NULL, ports, keys, &err) || hosts_load(&h, hp, 2, &err)) {
        fprintf(stderr, "auth_speed: %s\n", err.msg);
        return 1;
    }
    remove(hp);
    double fn[50], fc[50], sn[50], sc[50];
    for (int r = 0; r < rounds; r++) {
        fn[r] = stream(1e12, 0, 400);
        fc[r] = stream(1e12, 1, 400);
        sn[r] = stream(10e6, 0, 25);
        sc[r] = stream(10e6, 1, 25);
    }
    printf("auth_speed: 100 kB messages, loopback, %d rounds, medians (min-max)\n", rounds);
    report("unlimited links (CPU-bound)", fn, fc, rounds);
    report("10 Mbit/s emulated uplink", sn, sc, rounds);
    hosts_free(&h);
    return 0;
}
