/* test_sim.c: the event queue's order and the network model's max-min
 * sharing, against completion times computed by hand (each case says why). */
#include <string.h>

#include "check.h"
#include "sim/event_queue.h"
#include "sim/netmodel.h"
#include "util/rng.h"

#define MBIT 1e6
#define EPS 1e-9

static void test_event_queue(void) {
    event_queue q;
    evq_init(&q);
    rng r;
    rng_seed(&r, 1);
    for (int i = 0; i < 1000; i++) {
        sim_event e = {.time = (double)rng_below(&r, 50), .kind = i};
        evq_push(&q, e);
    }
    sim_event prev = {.time = -1}, e;
    int sorted = 1, n = 0;
    while (evq_pop(&q, &e) == 0) {
        /* Time order; equal times in push order (kind = push index). */
        sorted &= e.time > prev.time || (e.time == prev.time && e.kind > prev.kind);
        prev = e;
        n++;
    }
    CHECK(sorted && n == 1000, "heap pops in (time, push order)");
    CHECK(evq_pop(&q, &e) != 0 && evq_peek(&q) == NULL, "empty queue");
    evq_free(&q);
}

/* Flows start at time 0 unless said otherwise; capacities in Mbit/s. */
static void test_single_flow(void) {
    ds_err err;
    net_model n;
    net_init(&n, 2, 10 * MBIT, 100 * MBIT, 0.001, &err);
    int f = net_start(&n, 0, 1, 8 * MBIT, 7);
    net_share(&n);
    /* Bottleneck: sender's 10 Mbit/s uplink: 8 Mbit take 0.8 s; the last
     * bit lands 1 ms + 1 ms later. */
    CHECK(fabs(n.flows[f].rate - 10 * MBIT) < EPS && fabs(net_finish_time(&n, f) - 0.8) < EPS, "single flow");
    CHECK(fabs(net_latency(&n, 0, 1) - 0.002) < EPS, "latency sender + receiver");
    net_free(&n);
}

static void test_receiver_bottleneck(void) {
    ds_err err;
    net_model n;
    /* Node 0 sends to 1, 2, 3 over a 30 Mbit/s uplink; node 1's downlink
     * is 5 Mbit/s. Max-min: the flow to 1 is capped at 5 by its receiver;
     * the other two share the remaining 25 equally: 12.5 each. */
    net_init(&n, 4, 100 * MBIT, 100 * MBIT, 0, &err);
    net_set_node(&n, 0, 30 * MBIT, 100 * MBIT, 0);
    net_set_node(&n, 1, 100 * MBIT, 5 * MBIT, 0);
    int a = net_start(&n, 0, 1, 10 * MBIT, 1), b = net_start(&n, 0, 2, 10 * MBIT, 2),
        c = net_start(&n, 0, 3, 10 * MBIT, 3);
    net_share(&n);
    CHECK(fabs(n.flows[a].rate - 5 * MBIT) < EPS, "receiver-bound flow gets 5: %g", n.flows[a].rate);
    CHECK(fabs(n.flows[b].rate - 12.5 * MBIT) < EPS && fabs(n.flows[c].rate - 12.5 * MBIT) < EPS,
          "the others share the rest: %g %g", n.flows[b].rate, n.flows[c].rate);
    net_free(&n);
}

static void test_incast(void) {
    ds_err err;
    net_model n;
    /* Three senders with 60 Mbit/s uplinks into one 10 Mbit/s downlink,
     * plus a fourth sender whose own uplink is only 2 Mbit/s: it keeps 2,
     * the others split the remaining 8: 8/3 each. */
    net_init(&n, 5, 60 * MBIT, 60 * MBIT, 0, &err);
    net_set_node(&n, 0, 60 * MBIT, 10 * MBIT, 0);
    net_set_node(&n, 4, 2 * MBIT, 60 * MBIT, 0);
    int f[4];
    for (int s = 1; s <= 4; s++) f[s - 1] = net_start(&n, s, 0, MBIT, (uint64_t)s);
    net_share(&n);
    CHECK(fabs(n.flows[f[3]].rate - 2 * MBIT) < EPS, "slow sender keeps its 2");
    for (int i = 0; i < 3; i++)
        CHECK(fabs(n.flows[f[i]].rate - 8 * MBIT / 3) < 1e-6, "incast share %g", n.flows[f[i]].rate);
    net_free(&n);
}

static void test_dynamic(void) {
    ds_err err;
    net_model n;
    /* Two flows share a 10 Mbit/s uplink: 5 each. The 10 Mbit one ends at
     * t = 2; then the 20 Mbit one (10 left) runs alone at 10: ends at 3. */
    net_init(&n, 3, 10 * MBIT, 100 * MBIT, 0, &err);
    int a = net_start(&n, 0, 1, 10 * MBIT, 1), b = net_start(&n, 0, 2, 20 * MBIT, 2);
    net_share(&n);
    CHECK(fabs(net_finish_time(&n, a) - 2.0) < EPS, "first finishes at 2");
    uint32_t vb = n.flows[b].version;
    net_advance(&n, 2.0);
    net_end(&n, a);
    net_share(&n);
    CHECK(n.flows[b].version != vb, "a rate change bumps the version (stale events detectable)");
    uint32_t vb2 = n.flows[b].version;
    int u = net_start(&n, 1, 2, MBIT, 9); /* node 1 to 2: shares no link with 0->2... */
    (void)u;
    net_share(&n);
    CHECK(n.flows[b].version == vb2 || n.flows[b].rate != 10 * MBIT, "an unchanged rate keeps its version");
    net_end(&n, u);
    net_share(&n);
    CHECK(fabs(net_remaining(&n, b) - 10 * MBIT) < 1e-3 && fabs(net_finish_time(&n, b) - 3.0) < EPS,
          "second finishes at 3: %g", net_finish_time(&n, b));
    /* A new flow reuses the freed id. */
    int c = net_start(&n, 1, 2, MBIT, 3);
    CHECK(c == a, "flow ids are reused");
    net_free(&n);
}

static void test_many_flows(void) {
    ds_err err;
    net_model n;
    /* Random flows: rates must be feasible (no link over capacity) and
     * every flow must have a saturated bottleneck link (max-min). */
    const int N = 40;
    net_init(&n, N, 0, 0, 0, &err);
    rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < N; i++) net_set_node(&n, i, (1 + rng_below(&r, 100)) * MBIT, (1 + rng_below(&r, 100)) * MBIT, 0);
    for (int k = 0; k < 300; k++) {
        int s = (int)rng_below(&r, N), d = (int)rng_below(&r, N);
        if (s != d) net_start(&n, s, d, MBIT, (uint64_t)k);
    }
    net_share(&n);
    double up[40] = {0}, down[40] = {0};
    for (size_t i = 0; i < n.cap; i++)
        if (n.flows[i].active) {
            up[n.flows[i].src] += n.flows[i].rate;
            down[n.flows[i].dst] += n.flows[i].rate;
        }
    int feasible = 1, bottlenecked = 1;
    for (int i = 0; i < N; i++) feasible &= up[i] <= n.up[i] * (1 + 1e-9) && down[i] <= n.down[i] * (1 + 1e-9);
    for (size_t i = 0; i < n.cap; i++) {
        const net_flow *f = &n.flows[i];
        if (!f->active) continue;
        /* Bottleneck: a saturated link on which no flow is faster. */
        int ok = 0;
        if (up[f->src] >= n.up[f->src] * (1 - 1e-9)) {
            double mx = 0;
            for (size_t j = 0; j < n.cap; j++)
                if (n.flows[j].active && n.flows[j].src == f->src && n.flows[j].rate > mx) mx = n.flows[j].rate;
            ok |= f->rate >= mx * (1 - 1e-9);
        }
        if (down[f->dst] >= n.down[f->dst] * (1 - 1e-9)) {
            double mx = 0;
            for (size_t j = 0; j < n.cap; j++)
                if (n.flows[j].active && n.flows[j].dst == f->dst && n.flows[j].rate > mx) mx = n.flows[j].rate;
            ok |= f->rate >= mx * (1 - 1e-9);
        }
        bottlenecked &= ok;
    }
    CHECK(feasible, "rates respect every capacity");
    CHECK(bottlenecked, "every flow has a bottleneck link (max-min fairness)");
    net_free(&n);
}

/* A capacity change mid-flow (bandwidth trace): 10 Mbit at 10 Mbit/s; at
 * t = 0.5 the uplink drops to 5 Mbit/s: 5 Mbit left at 5 -> ends at 1.5. */
static void test_capacity_change(void) {
    ds_err err;
    net_model n;
    net_init(&n, 2, 10 * MBIT, 100 * MBIT, 0, &err);
    int f = net_start(&n, 0, 1, 10 * MBIT, 1);
    net_share(&n);
    net_advance(&n, 0.5);
    net_set_node(&n, 0, 5 * MBIT, 100 * MBIT, 0);
    net_share(&n);
    CHECK(n.flows[f].changed && fabs(net_finish_time(&n, f) - 1.5) < EPS, "trace change: ends at %g", net_finish_time(&n, f));
    net_free(&n);
}

/* RTT-weighted sharing (Kollaps): two senders into one 10 Mbit/s
 * downlink, one-way latencies 1 ms and 3 ms, receiver 0: RTTs 2 ms and
 * 6 ms, weights 3 : 1, so rates 7.5 and 2.5 Mbit/s. */
static void test_rtt_weighted(void) {
    ds_err err;
    net_model n;
    net_init(&n, 3, 100 * MBIT, 100 * MBIT, 0, &err);
    n.rtt_weighted = 1;
    net_set_node(&n, 0, 100 * MBIT, 10 * MBIT, 0);
    net_set_node(&n, 1, 100 * MBIT, 100 * MBIT, 0.001);
    net_set_node(&n, 2, 100 * MBIT, 100 * MBIT, 0.003);
    int a = net_start(&n, 1, 0, MBIT, 1), b = net_start(&n, 2, 0, MBIT, 2);
    net_share(&n);
    CHECK(fabs(n.flows[a].rate - 7.5 * MBIT) < 1e-3 * MBIT && fabs(n.flows[b].rate - 2.5 * MBIT) < 1e-3 * MBIT,
          "RTT-weighted shares 7.5 / 2.5: %g %g", n.flows[a].rate, n.flows[b].rate);
    net_free(&n);
}

/* Incremental re-solves (only the components touched) must give exactly
 * the rates of a full re-solve, after any sequence of starts and ends. */
static void test_incremental(void) {
    ds_err err;
    net_model a, b;
    const int N = 30;
    net_init(&a, N, 0, 0, 0, &err);
    rng r;
    rng_seed(&r, 9);
    for (int i = 0; i < N; i++) net_set_node(&a, i, (1 + rng_below(&r, 50)) * MBIT, (1 + rng_below(&r, 50)) * MBIT, 0);
    int live[400], n_live = 0, same = 1;
    for (int step = 0; step < 2000; step++) {
        if (n_live > 0 && (n_live >= 400 || rng_below(&r, 3) == 0)) {
            int k = (int)rng_below(&r, (uint64_t)n_live);
            net_end(&a, live[k]);
            live[k] = live[--n_live];
        } else {
            int s = (int)rng_below(&r, N), d = (int)rng_below(&r, N - 1);
            if (d >= s) d++;
            live[n_live++] = net_start(&a, s, d, MBIT, (uint64_t)step);
        }
        net_share(&a);
        if (step % 97 == 0) {
            /* Reference: the same flows, solved from scratch. */
            net_init(&b, N, 0, 0, 0, &err);
            for (int i = 0; i < N; i++) net_set_node(&b, i, a.up[i], a.down[i], 0);
            int ids[400];
            for (int k = 0; k < n_live; k++) ids[k] = net_start(&b, a.flows[live[k]].src, a.flows[live[k]].dst, MBIT, 0);
            net_share_all(&b);
            for (int k = 0; k < n_live; k++)
                same &= fabs(a.flows[live[k]].rate - b.flows[ids[k]].rate) <= 1e-9 * b.flows[ids[k]].rate;
            net_free(&b);
        }
    }
    CHECK(same, "incremental re-solves equal full re-solves");
    net_free(&a);
}

int main(void) {
    test_event_queue();
    test_single_flow();
    test_receiver_bottleneck();
    test_incast();
    test_dynamic();
    test_many_flows();
    test_incremental();
    test_capacity_change();
    test_rtt_weighted();
    return check_done("test_sim");
}
