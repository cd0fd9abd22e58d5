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

/* The incremental solver after any sequence of starts, ends and capacity
 * changes: every rate within 1e-12 relative (1e-9 with RTT weights) of the
 * same solver run from scratch (net_share_all on a fresh model holding the
 * same flows) and of progressive filling of whole components (the solver
 * up to 0.2, NET_SOLVER_COMPONENT). Not to the bit: links whose levels tie
 * mathematically may settle in another order, and their levels then
 * differ in the last bits. Capacities are drawn from few values so
 * that ties between links are common; rtt sets RTT weights. */
static void check_incremental(int N, int rtt, uint64_t seed, int steps) {
    ds_err err;
    net_model a, b, c, p;
    net_init(&a, N, 0, 0, 0, &err);
    net_init(&p, N, 0, 0, 0, &err);
    a.rtt_weighted = p.rtt_weighted = rtt;
    p.no_watch = 1; /* p re-solves every link a only watches: same bits, same order */
    long watched = 0, differ = 0;
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < N; i++) {
        net_set_node(&a, i, (1 + rng_below(&r, 8)) * MBIT, (1 + rng_below(&r, 8)) * MBIT, 1e-3 * (double)rng_below(&r, 5));
        net_set_node(&p, i, a.up[i], a.down[i], a.latency[i]);
    }
    enum { MAX_LIVE = 600 };
    int live[MAX_LIVE], n_live = 0, checks = 0;
    double worst_b = 0, worst_c = 0; /* largest relative difference */
    for (int step = 0; step < steps; step++) {
        uint64_t what = rng_below(&r, 20);
        if (what == 0) { /* a capacity change, as a bandwidth trace row */
            int i = (int)rng_below(&r, N);
            net_set_node(&a, i, (1 + rng_below(&r, 8)) * MBIT, (1 + rng_below(&r, 8)) * MBIT, a.latency[i]);
            net_set_node(&p, i, a.up[i], a.down[i], a.latency[i]);
        } else if (n_live > 0 && (n_live >= MAX_LIVE || what < 8)) {
            int k = (int)rng_below(&r, (uint64_t)n_live);
            net_end(&a, live[k]);
            net_end(&p, live[k]);
            live[k] = live[--n_live];
        } else {
            int s = (int)rng_below(&r, N), d = (int)rng_below(&r, N - 1);
            if (d >= s) d++;
            live[n_live++] = net_start(&a, s, d, MBIT, (uint64_t)step);
            net_start(&p, s, d, MBIT, (uint64_t)step);
        }
        net_share(&a);
        net_share(&p);
        watched += a.n_watched;
        const int *ra, *rp;
        int ka = net_resolved(&a, &ra), kp = net_resolved(&p, &rp);
        int same = ka == kp;
        for (int k = 0; same && k < ka; k++)
            same = ra[k] == rp[k] && a.flows[ra[k]].rate == p.flows[rp[k]].rate && a.flows[ra[k]].changed == p.flows[rp[k]].changed;
        differ += !same;
        if (step % 7) continue;
        checks++;
        net_init(&b, N, 0, 0, 0, &err);
        net_init(&c, N, 0, 0, 0, &err);
        b.rtt_weighted = c.rtt_weighted = rtt;
        c.solver = NET_SOLVER_COMPONENT;
        for (int i = 0; i < N; i++) {
            net_set_node(&b, i, a.up[i], a.down[i], a.latency[i]);
            net_set_node(&c, i, a.up[i], a.down[i], a.latency[i]);
        }
        int ib[MAX_LIVE], ic[MAX_LIVE];
        for (int k = 0; k < n_live; k++) {
            ib[k] = net_start(&b, a.flows[live[k]].src, a.flows[live[k]].dst, MBIT, 0);
            ic[k] = net_start(&c, a.flows[live[k]].src, a.flows[live[k]].dst, MBIT, 0);
        }
        net_share_all(&b);
        net_share_all(&c);
        for (int k = 0; k < n_live; k++) {
            double x = a.flows[live[k]].rate;
            double db = fabs(x - b.flows[ib[k]].rate) / b.flows[ib[k]].rate;
            double dc = fabs(x - c.flows[ic[k]].rate) / c.flows[ic[k]].rate;
            if (!(db <= worst_b)) worst_b = db; /* NaN sticks */
            if (!(dc <= worst_c)) worst_c = dc;
        }
        net_free(&b);
        net_free(&c);
    }
    fprintf(stderr, "  %d nodes, rtt %d, seed %llu: worst relative difference %.1e from scratch, %.1e from progressive filling; "
            "%ld links watched, %llu sweeps redone\n", N, rtt, (unsigned long long)seed, worst_b, worst_c, watched,
            (unsigned long long)a.resweeps);
    CHECK(differ == 0, "%d nodes, rtt %d, seed %llu: %ld re-solves list other flows or rates when watching links", N, rtt,
          (unsigned long long)seed, differ);
    const double bound = rtt ? 1e-9 : 1e-12; /* RTT weights add cancellation */
    CHECK(worst_b <= bound && worst_c <= bound,
          "%d nodes, rtt %d, seed %llu, %d checks: incremental vs from scratch %.1e, vs progressive filling %.1e",
          N, rtt, (unsigned long long)seed, checks, worst_b, worst_c);
    net_free(&a);
    net_free(&p);
}

static void test_incremental(void) {
    for (uint64_t seed = 1; seed <= 4; seed++) {
        check_incremental(4, 0, seed + 10, 3000);
        check_incremental(6, 0, seed, 3000);
        check_incremental(30, 0, seed, 3000);
        check_incremental(30, 1, seed, 3000);
    }
    check_incremental(200, 0, 5, 4000);
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
