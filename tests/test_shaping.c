#define _DEFAULT_SOURCE /* usleep */
/* test_shaping.c: the in-process link emulation of the real runtime, over
 * real ZeroMQ TCP on loopback, between two transports in this process:
 *  - node 0 limited to 10 Mbit/s up streams 100 kB messages for 10 s (5 s
 *    with --quick): the throughput node 1 receives is within 5% of 10 Mbit/s;
 *  - with 5 ms of one-way latency on each side and fast links, a small
 *    message is delivered 10 ms after it is queued: the median error of
 *    20 messages is within 1 ms (single ones can be later when the machine
 *    is loaded: thread wake-ups, not the emulator; the worst is printed);
 *  - an unsent backlog is dropped by cancel_unsent and never arrives. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "net/transport.h"
#include "util/clock.h"

static char hosts_path[64];

static void make_hosts(hosts *h, int n) {
    int ports[3];
    ds_err err;
    snprintf(hosts_path, sizeof hosts_path, "/tmp/ds-shaping-%d.txt", (int)getpid());
    if (hosts_free_ports(n, ports, &err) || hosts_write(hosts_path, n, NULL, ports, NULL, &err) ||
        hosts_load(h, hosts_path, n, &err)) {
        printf("setup: %s\n", err.msg);
        exit(1);
    }
    remove(hosts_path);
}

static unsigned char *message(int src, int dst, size_t floats, uint32_t round, size_t *len) {
    float *v = calloc(floats ? floats : 1, sizeof(float));
    model_snapshot *s = floats ? snapshot_new(v, floats) : NULL;
    free(v);
    algo_msg *m = algo_msg_new(floats ? MSG_MODEL : MSG_NOTICE, src, dst, round, s);
    snapshot_unref(s);
    unsigned char *b = wire_encode(m, floats ? floats : 25000, len);
    algo_msg_free(m);
    return b;
}

static transport *start(int self, const hosts *h, const node_spec *spec, size_t n_params) {
    const algo_ops *ops = algo_find("swift");
    transport_config c = {.self = self, .nodes = h->n, .hosts = h, .spec = spec,
                          .expect = {h->n, self, n_params, ops, NULL}};
    ds_err err;
    transport *t = transport_start(&c, &err);
    if (!t) {
        printf("transport_start: %s\n", err.msg);
        exit(1);
    }
    return t;
}

/* Sends a few small messages until one gets through (connection set up). */
static void connect_pair(transport *a, transport *b, int src, int dst) {
    for (int i = 0; i < 100; i++) {
        size_t len;
        unsigned char *buf = message(src, dst, 0, 0, &len); /* a bare header */
        transport_send(a, buf, len, dst);
        transport_wait(b, clock_now() + 0.05);
        algo_msg *m = transport_next(b);
        if (m) {
            algo_msg_free(m);
            while ((m = transport_next(b))) algo_msg_free(m);
            return;
        }
    }
    printf("no connection\n");
    exit(1);
}

static void test_throughput(const hosts *h, double seconds) {
    const size_t P = 25000; /* 100 kB messages */
    node_spec spec[2] = {{10e6, 1e12, 0, 1}, {1e12, 1e12, 0, 1}};
    transport *a = start(0, h, spec, P), *b = start(1, h, spec, P);
    connect_pair(a, b, 0, 1);
    sleep(1); /* let any handshake leftovers arrive */
    algo_msg *old;
    while ((old = transport_next(b))) algo_msg_free(old);
    size_t len = 0;
    int queued = (int)(seconds * 10e6 / 8 / (WIRE_HEADER_BYTES + 4 * P)) + 2;
    /* All queued at once: the link sends them back to back, so the last
     * one arrives total bytes / rate after the first was queued. */
    unsigned char **bufs = malloc(sizeof(unsigned char *) * (size_t)queued);
    for (int i = 0; i < queued; i++) bufs[i] = message(0, 1, P, (uint32_t)i + 1, &len);
    double first = clock_now(), last = 0;
    for (int i = 0; i < queued; i++) transport_send(a, bufs[i], len, 1);
    free(bufs);
    size_t bytes = 0;
    int got = 0;
    double t_end = clock_now() + seconds + 3;
    while (clock_now() < t_end && got < queued) {
        transport_wait(b, clock_now() + 0.1);
        algo_msg *m;
        while ((m = transport_next(b))) {
            bytes += len;
            last = clock_now();
            got++;
            algo_msg_free(m);
        }
    }
    double rate = last > first ? 8.0 * (double)bytes / (last - first) : 0;
    CHECK(got == queued, "all %d messages arrived (%d)", queued, got);
    CHECK(fabs(rate / 10e6 - 1) < 0.05, "10 Mbit/s uplink: measured %.3f Mbit/s over %.1f s", rate / 1e6,
          last - first);
    printf("shaping: 10 Mbit/s uplink -> %.3f Mbit/s received (%+.2f%%) over %.1f s\n", rate / 1e6,
           100 * (rate / 10e6 - 1), last - first);
    transport_stop(a);
    transport_stop(b);
}

static void test_latency(const hosts *h) {
    node_spec spec[2] = {{1e12, 1e12, 0.005, 1}, {1e12, 1e12, 0.005, 1}};
    transport *a = start(0, h, spec, 25000), *b = start(1, h, spec, 25000);
    connect_pair(a, b, 0, 1);
    double err[20], worst = 0;
    for (int i = 0; i < 20; i++) {
        size_t len;
        unsigned char *msg = message(0, 1, 0, (uint32_t)i + 1, &len);
        double t0 = clock_now();
        transport_send(a, msg, len, 1);
        algo_msg *m = NULL;
        while (!m && clock_now() - t0 < 1) {
            transport_wait(b, clock_now() + 0.05);
            m = transport_next(b);
        }
        err[i] = clock_now() - t0 - 0.010;
        algo_msg_free(m);
        if (fabs(err[i]) > worst) worst = fabs(err[i]);
    }
    for (int i = 1; i < 20; i++) /* sort for the median */
        for (int j = i; j > 0 && err[j] < err[j - 1]; j--) {
            double t = err[j];
            err[j] = err[j - 1];
            err[j - 1] = t;
        }
    double median = (err[9] + err[10]) / 2;
    CHECK(fabs(median) < 0.001, "5 + 5 ms latency: median delivery within 1 ms of 10 ms (%+.3f ms)", 1e3 * median);
    printf("latency: 10 ms configured, median error %+.3f ms, worst %.3f ms\n", 1e3 * median, 1e3 * worst);
    transport_stop(a);
    transport_stop(b);
}

static void test_cancel(const hosts *h) {
    const size_t P = 25000;
    node_spec spec[2] = {{1e6, 1e12, 0, 1}, {1e12, 1e12, 0, 1}}; /* 1 Mbit/s: 0.8 s per message */
    transport *a = start(0, h, spec, P), *b = start(1, h, spec, P);
    connect_pair(a, b, 0, 1);
    size_t len;
    for (int i = 0; i < 5; i++) {
        unsigned char *buf = message(0, 1, P, 100 + (uint32_t)i, &len);
        transport_send(a, buf, len, 1);
    }
    usleep(100000);
    int dropped = transport_cancel_unsent(a);
    CHECK(dropped == 4, "4 of 5 queued messages dropped (one in flight): %d", dropped);
    int got = 0;
    double t_end = clock_now() + 2.5;
    while (clock_now() < t_end) {
        transport_wait(b, clock_now() + 0.1);
        algo_msg *m;
        while ((m = transport_next(b))) {
            got += m->round >= 100;
            algo_msg_free(m);
        }
    }
    CHECK(got == 1, "only the message in flight arrives: %d", got);
    transport_stats st;
    transport_get_stats(a, &st);
    CHECK(st.msgs_dropped_stale == 4, "dropped counted: %llu", (unsigned long long)st.msgs_dropped_stale);
    transport_stop(a);
    transport_stop(b);
}

/* A pause (the node evaluating) holds the uplink: 10 messages of 100 kB at
 * 10 Mbit/s take 0.8 s, plus a 0.5 s pause = 1.3 s. */
static void test_pause(const hosts *h) {
    const size_t P = 25000;
    node_spec spec[2] = {{10e6, 1e12, 0, 1}, {1e12, 1e12, 0, 1}};
    transport *a = start(0, h, spec, P), *b = start(1, h, spec, P);
    connect_pair(a, b, 0, 1);
    size_t len;
    unsigned char *bufs[10];
    for (int i = 0; i < 10; i++) bufs[i] = message(0, 1, P, 200 + (uint32_t)i, &len);
    double t0 = clock_now(), last = 0;
    for (int i = 0; i < 10; i++) transport_send(a, bufs[i], len, 1);
    usleep(200000);
    transport_pause(a, 1);
    usleep(500000);
    transport_pause(a, 0);
    int got = 0;
    while (got < 10 && clock_now() - t0 < 5) {
        transport_wait(b, clock_now() + 0.05);
        algo_msg *m;
        while ((m = transport_next(b))) {
            if (m->round >= 200) {
                got++;
                last = clock_now();
            }
            algo_msg_free(m);
        }
    }
    double took = last - t0;
    CHECK(got == 10 && fabs(took - 1.3) < 0.06, "a 0.5 s pause delays a 0.8 s stream to 1.3 s: %d messages, %.3f s",
          got, took);
    transport_stop(a);
    transport_stop(b);
}

/* One stream per destination: a receiver with a slow downlink holds back
 * only the messages to it, which stay cancellable in the sender's queue. */
static void test_streams(void) {
    hosts h3;
    make_hosts(&h3, 3);
    const size_t P = 25000; /* 100 kB: 0.4 s at 2 Mbit/s, 8 ms at 100 Mbit/s */
    node_spec spec[3] = {{100e6, 1e12, 0, 1}, {1e12, 2e6, 0, 1}, {1e12, 1e12, 0, 1}};
    transport *a = start(0, &h3, spec, P), *slow = start(1, &h3, spec, P), *fast = start(2, &h3, spec, P);
    connect_pair(a, slow, 0, 1);
    connect_pair(a, fast, 0, 2);
    usleep(300000);
    algo_msg *m;
    while ((m = transport_next(slow))) algo_msg_free(m);
    while ((m = transport_next(fast))) algo_msg_free(m);
    size_t len;
    for (int dst = 1; dst <= 2; dst++)
        for (int i = 0; i < 5; i++) {
            unsigned char *buf = message(0, dst, P, 300 + (uint32_t)i, &len);
            transport_send(a, buf, len, dst);
        }
    double t0 = clock_now(), fast_done = 0;
    int got_fast = 0, got_slow = 0;
    while (clock_now() - t0 < 0.6) {
        transport_wait(fast, clock_now() + 0.01);
        while ((m = transport_next(fast))) {
            got_fast += m->round >= 300;
            fast_done = clock_now() - t0;
            algo_msg_free(m);
        }
    }
    int dropped = transport_cancel_unsent(a);
    double t1 = clock_now();
    while (clock_now() - t1 < 1.2) {
        transport_wait(slow, clock_now() + 0.05);
        while ((m = transport_next(slow))) {
            got_slow += m->round >= 300;
            algo_msg_free(m);
        }
    }
    CHECK(got_fast == 5 && fast_done < 0.3, "fast peer got its 5 messages in %.3f s despite the slow one", fast_done);
    CHECK(dropped >= 2 && got_slow + dropped == 5, "slow peer: %d delivered, %d still queued and dropped", got_slow,
          dropped);
    transport_stop(a);
    transport_stop(slow);
    transport_stop(fast);
    hosts_free(&h3);
}

int main(int argc, char **argv) {
    double seconds = argc > 1 && !strcmp(argv[1], "--quick") ? 5 : 10;
    hosts h;
    make_hosts(&h, 2);
    test_latency(&h);
    test_cancel(&h);
    test_pause(&h);
    test_streams();
    test_throughput(&h, seconds);
    hosts_free(&h);
    return check_done("test_shaping");
}
