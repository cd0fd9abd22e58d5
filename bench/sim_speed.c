/* sim_speed: speed of the simulator's engine without training: N nodes
 * send back-to-back messages of a fixed size to random peers (one stream
 * per node, 10% of nodes on 10 Mbit/s links, the rest 60 Mbit/s, 1 ms
 * latency), through the same event queue and max-min network model the
 * simulator uses, re-solving rates at every flow start and end.
 *
 * usage: sim_speed [nodes] [payload_bytes] [simulated_seconds] [max_wall_seconds]
 * Prints events processed, events per wall second and peak memory. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "sim/event_queue.h"
#include "sim/netmodel.h"
#include "util/clock.h"
#include "util/rng.h"

enum { EV_FLOW_DONE = 1, EV_DELIVER };

int main(int argc, char **argv) {
    int N = argc > 1 ? atoi(argv[1]) : 1000;
    double bytes = argc > 2 ? atof(argv[2]) : 35934; /* one GN-LeNet fragment, Omega = 10 */
    double duration = argc > 3 ? atof(argv[3]) : 10;
    double max_wall = argc > 4 ? atof(argv[4]) : 30;
    if (N < 2) {
        fprintf(stderr, "sim_speed: need at least 2 nodes\n");
        return 2;
    }
    ds_err err;
    net_model net;
    if (net_init(&net, N, 60e6, 60e6, 0.001, &err)) {
        fprintf(stderr, "sim_speed: %s\n", err.msg);
        return 1;
    }
    rng r;
    rng_seed(&r, 1);
    for (int i = 0; i < N / 10; i++) net_set_node(&net, (int)rng_below(&r, (uint64_t)N), 10e6, 10e6, 0.001);
    event_queue q;
    evq_init(&q);
    double now = 0;
    /* Every node starts one message. */
    for (int i = 0; i < N; i++) {
        int dst = (int)rng_below(&r, (uint64_t)(N - 1));
        if (dst >= i) dst++;
        net_start(&net, i, dst, 8 * bytes, (uint64_t)i);
    }
    uint64_t events = 0, messages = 0;
    double t0 = clock_now();
    int dirty = 1;
    for (;;) {
        if (dirty) {
            net_share(&net);
            const int *ids;
            int k = net_resolved(&net, &ids);
            for (int j = 0; j < k; j++) {
                net_flow *f = &net.flows[ids[j]];
                if (!f->changed) continue;
                f->changed = 0;
                sim_event e = {.time = net_finish_time(&net, ids[j]), .kind = EV_FLOW_DONE,
                               .a = (uint64_t)ids[j], .b = f->version};
                evq_push(&q, e);
            }
            dirty = 0;
        }
        sim_event e;
        if (evq_pop(&q, &e) || e.time > duration) break;
        now = e.time;
        events++;
        if ((events & 4095) == 0 && clock_now() - t0 > max_wall) break;
        if (e.kind == EV_FLOW_DONE) {
            net_flow *f = &net.flows[e.a];
            if (!f->active || f->version != (uint32_t)e.b) continue; /* stale */
            net_advance(&net, now);
            int src = f->src, dst = f->dst;
            net_end(&net, (int)e.a);
            sim_event d = {.time = now + net_latency(&net, src, dst), .kind = EV_DELIVER, .node = src};
            evq_push(&q, d);
            dirty = 1;
        } else { /* delivered: the sender starts its next message */
            int src = e.node;
            int dst = (int)rng_below(&r, (uint64_t)(N - 1));
            if (dst >= src) dst++;
            net_advance(&net, now);
            net_start(&net, src, dst, 8 * bytes, messages++);
            dirty = 1;
        }
    }
    double wall = clock_now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("nodes %d, payload %.0f bytes: %llu events (%llu messages) in %.2f s wall, %.3f simulated s:"
           " %.0f events/s, peak memory %.1f MiB\n",
           N, bytes, (unsigned long long)events, (unsigned long long)messages, wall, now,
           events / (wall > 0 ? wall : 1e-9), ru.ru_maxrss / 1024.0);
    evq_free(&q);
    net_free(&net);
    return 0;
}
