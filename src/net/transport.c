/* transport.c: sender and receiver threads over ZeroMQ, with in-process
 * link emulation. Locking: one mutex guards the outgoing queue, the
 * delivery queue and the counters; the ZeroMQ sockets each belong to one
 * thread. */
#define _POSIX_C_SOURCE 200809L
#include "net/transport.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "net/auth.h"
#include "util/clock.h"

#define KERNEL_SEND_TIMEOUT_S 2.0
/* Acknowledgement of a received message, receiver -> sender, on the same
 * connection: "DVAK" + the receiver's node id (little-endian). */
#define TRANSPORT_ACK_BYTES 8
/* A stream whose message was not acknowledged by then is freed (the peer
 * died or restarted). */
#define TRANSPORT_ACK_TIMEOUT_S 10.0

typedef struct out_item {
    unsigned char *buf;
    size_t len;
    int dst;
    double queued;     /* clock_now() when queued */
    double refused_at; /* kernel-shaped links: first refused by ZeroMQ, or 0 */
} out_item;

typedef struct due_item {
    double at;
    algo_msg *m;
    size_t bytes; /* on the wire */
} due_item;

struct transport {
    transport_config c;
    void *zctx;
    void *router; /* receiver thread's, bound before it starts */
    pthread_t sender, receiver;
    int sender_up, receiver_up;
    atomic_int stopping;
    atomic_int sending_closed;
    /* pause (evaluation): the uplink stands still, in mu */
    int paused;
    double paused_since, paused_total;
    pthread_mutex_t mu;
    pthread_cond_t out_cv, due_cv; /* CLOCK_MONOTONIC */
    out_item *out;                 /* ring buffer of queued messages */
    size_t out_head, out_len, out_cap;
    due_item *due;                 /* received, sorted by delivery time */
    size_t due_len, due_cap;
    size_t *backlog;               /* [nodes] bytes in due per sender */
    size_t backlog_max;            /* bytes, per sender */
    zap_handler *zap;              /* CURVE authentication, or NULL */
    transport_stats st;
};

static struct timespec ts_of(double t) {
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* ---- sender ------------------------------------------------------------ */

/* Removes item k of the outgoing ring, keeping the others' order. */
static out_item ring_take(transport *t, size_t k) {
    out_item it = t->out[(t->out_head + k) % t->out_cap];
    for (size_t j = k; j + 1 < t->out_len; j++)
        t->out[(t->out_head + j) % t->out_cap] = t->out[(t->out_head + j + 1) % t->out_cap];
    t->out_len--;
    return it;
}

/* Kernel-shaped links: each peer's socket holds at most one message, so a
 * message is handed over only when its peer's link has room. The queue is
 * scanned in order for the first message whose peer can take it: a slow
 * receiver holds back only its own messages (one stream per destination,
 * as in the simulator), and what waits stays in our queue, where a stale
 * flush can drop it. A message refused for KERNEL_SEND_TIMEOUT_S (peer not
 * connected, or dead) is dropped as unreachable. */
static void kernel_paced_loop(transport *t, void **sock) {
    const int N = t->c.nodes;
    char *blocked = calloc((size_t)N, 1);
    pthread_mutex_lock(&t->mu);
    while (blocked && !atomic_load(&t->stopping) && !atomic_load(&t->sending_closed)) {
        if (t->out_len == 0) {
            pthread_cond_wait(&t->out_cv, &t->mu);
            continue;
        }
        memset(blocked, 0, (size_t)N);
        int progress = 0;
        double now = clock_now();
        for (size_t k = 0; k < t->out_len && !progress; k++) {
            out_item *it = &t->out[(t->out_head + k) % t->out_cap];
            if (blocked[it->dst]) continue;
            if (sock[it->dst] && zmq_send(sock[it->dst], it->buf, it->len, ZMQ_DONTWAIT) == (int)it->len) {
                out_item done = ring_take(t, k);
                t->st.msgs_sent++;
                t->st.bytes_sent += done.len;
                free(done.buf);
                progress = 1;
            } else if (!sock[it->dst] || (it->refused_at > 0 && now - it->refused_at > KERNEL_SEND_TIMEOUT_S)) {
                out_item dead = ring_take(t, k);
                t->st.msgs_unreachable++;
                free(dead.buf);
                progress = 1;
            } else {
                if (it->refused_at == 0) it->refused_at = now;
                blocked[it->dst] = 1;
            }
        }
        if (!progress) { /* every waiting peer is busy: look again in 1 ms */
            struct timespec ts = ts_of(clock_now() + 0.001);
            pthread_cond_timedwait(&t->out_cv, &t->mu, &ts);
        }
    }
    pthread_mutex_unlock(&t->mu);
    free(blocked);
}

static void *sender_main(void *arg) {
    transport *t = arg;
    const int N = t->c.nodes;
    const int kernel_links = t->c.kernel_bandwidth;
    void **sock = calloc((size_t)N, sizeof(void *));
    for (int i = 0; sock && i < N; i++) {
        if (i == t->c.self) continue;
        sock[i] = zmq_socket(t->zctx, ZMQ_DEALER);
        if (!sock[i]) continue;
        int zero = 0, one = 1, hwm = 256;
        zmq_setsockopt(sock[i], ZMQ_LINGER, &zero, sizeof zero);
        /* Refuse messages while not connected instead of buffering them. */
        zmq_setsockopt(sock[i], ZMQ_IMMEDIATE, &one, sizeof one);
        if (kernel_links) {
            /* The kernel paces the link: keep ZeroMQ's and TCP's queues
             * short so that unsent messages stay in ours (where a stale
             * flush can drop them), and let queued bytes drain at close. */
            int one_msg = 1, buf = 64 * 1024, linger = 3000;
            zmq_setsockopt(sock[i], ZMQ_SNDHWM, &one_msg, sizeof one_msg);
            zmq_setsockopt(sock[i], ZMQ_SNDBUF, &buf, sizeof buf);
            zmq_setsockopt(sock[i], ZMQ_LINGER, &linger, sizeof linger);
        } else {
            zmq_setsockopt(sock[i], ZMQ_SNDHWM, &hwm, sizeof hwm);
        }
        if (t->c.secret_key) {
            zmq_setsockopt(sock[i], ZMQ_CURVE_SERVERKEY, t->c.hosts->e[i].key, AUTH_KEY_CHARS);
            zmq_setsockopt(sock[i], ZMQ_CURVE_PUBLICKEY, t->c.public_key, AUTH_KEY_CHARS);
            zmq_setsockopt(sock[i], ZMQ_CURVE_SECRETKEY, t->c.secret_key, AUTH_KEY_CHARS);
        }
        char ep[HOSTS_MAX_NAME + 32];
        snprintf(ep, sizeof ep, "tcp://%s:%d", t->c.hosts->e[i].host, t->c.hosts->e[i].port);
        if (zmq_connect(sock[i], ep)) {
            zmq_close(sock[i]);
            sock[i] = NULL;
        }
    }
    const double up = t->c.spec[t->c.self].up;
    double free_at = 0; /* when the emulated uplink finishes its current message */
    if (kernel_links) {
        kernel_paced_loop(t, sock);
        goto close;
    }
    /* One stream per destination, as the simulator: at most one message
     * per peer is in flight until that peer acknowledges it (when its
     * emulated downlink has taken it), so a slow receiver holds back only
     * its own messages, which wait in our queue, where a stale flush can
     * drop them, instead of flooding its downlink. */
    double *inflight = calloc((size_t)N, sizeof(double)); /* hand-over time, 0 = free */
    double *freed = calloc((size_t)N, sizeof(double));    /* when the stream last became free */
    pthread_mutex_lock(&t->mu);
    while (inflight && freed && sock && !atomic_load(&t->stopping)) {
        double now = clock_now();
        for (int d = 0; d < N; d++) { /* collect acknowledgements */
            if (!inflight[d] || !sock[d]) continue;
            unsigned char ack[16];
            int got;
            while ((got = zmq_recv(sock[d], ack, sizeof ack, ZMQ_DONTWAIT)) >= 0)
                if (got == TRANSPORT_ACK_BYTES && !memcmp(ack, "DVAK", 4)) inflight[d] = 0;
            if (inflight[d] && now - inflight[d] > TRANSPORT_ACK_TIMEOUT_S) inflight[d] = 0; /* peer gone */
            if (!inflight[d]) freed[d] = now;
        }
        size_t k = 0;
        while (k < t->out_len && inflight[t->out[(t->out_head + k) % t->out_cap].dst]) k++;
        if (k == t->out_len) { /* nothing sendable: wait for a message or an ack */
            struct timespec ts = ts_of(clock_now() + (t->out_len ? 0.0005 : 0.005));
            pthread_cond_timedwait(&t->out_cv, &t->mu, &ts);
            continue;
        }
        out_item it = ring_take(t, k);
        pthread_mutex_unlock(&t->mu);
        /* Transmit at the uplink rate: hand over when the last bit would
         * have left. Meanwhile the message is in flight, not cancellable.
         * The link starts on it when it was queued or when the previous
         * one finished, whichever is later, so thread wake-up delays do
         * not accumulate into a lower rate. */
        /* A message that waited for its peer is transmitted while it waits
         * (as TCP would keep streaming) but cannot finish before the peer
         * was free, so an idle link saves up no credit for a burst. */
        double start = it.queued > free_at ? it.queued : free_at;
        double end = start + 8.0 * (double)it.len / up;
        if (end < freed[it.dst]) end = freed[it.dst];
        pthread_mutex_lock(&t->mu);
        /* A pause (the node evaluating) stops the link: the slot ends that
         * much later. */
        double p0 = t->paused_total + (t->paused ? clock_now() - t->paused_since : 0);
        for (;;) {
            if (atomic_load(&t->stopping) || atomic_load(&t->sending_closed)) break;
            double tn = clock_now();
            double pauses = t->paused_total + (t->paused ? tn - t->paused_since : 0) - p0;
            if (!t->paused && tn >= end + pauses) {
                end += pauses;
                break;
            }
            if (t->paused) {
                pthread_cond_wait(&t->out_cv, &t->mu);
            } else {
                struct timespec ts = ts_of(end + pauses);
                pthread_cond_timedwait(&t->out_cv, &t->mu, &ts);
            }
        }
        pthread_mutex_unlock(&t->mu);
        free_at = end;
        int ok = 0, closed = atomic_load(&t->sending_closed);
        if (!atomic_load(&t->stopping) && !closed && sock[it.dst])
            ok = zmq_send(sock[it.dst], it.buf, it.len, ZMQ_DONTWAIT) == (int)it.len;
        free(it.buf);
        pthread_mutex_lock(&t->mu);
        if (closed) {
            t->st.msgs_unsent_at_end++;
        } else if (ok) {
            t->st.msgs_sent++;
            t->st.bytes_sent += it.len;
            inflight[it.dst] = clock_now();
        } else if (!atomic_load(&t->stopping)) {
            t->st.msgs_unreachable++;
            free_at = clock_now(); /* nothing went on the wire */
        }
    }
    pthread_mutex_unlock(&t->mu);
    free(inflight);
    free(freed);
close:
    for (int i = 0; sock && i < N; i++)
        if (sock[i]) zmq_close(sock[i]);
    free(sock);
    return NULL;
}

/* ---- receiver ---------------------------------------------------------- */

static void deliver_later(transport *t, algo_msg *m, double at, size_t bytes) {
    pthread_mutex_lock(&t->mu);
    if (t->backlog[m->src] + bytes > t->backlog_max) {
        t->st.msgs_dropped_backlog++;
        pthread_mutex_unlock(&t->mu);
        algo_msg_free(m);
        return;
    }
    if (t->due_len == t->due_cap) {
        size_t cap = t->due_cap ? 2 * t->due_cap : 64;
        due_item *nd = realloc(t->due, sizeof *nd * cap);
        if (!nd) {
            pthread_mutex_unlock(&t->mu);
            algo_msg_free(m);
            return;
        }
        t->due = nd;
        t->due_cap = cap;
    }
    size_t i = t->due_len++;
    while (i > 0 && t->due[i - 1].at > at) {
        t->due[i] = t->due[i - 1];
        i--;
    }
    t->due[i] = (due_item){at, m, bytes};
    t->backlog[m->src] += bytes;
    t->st.msgs_received++;
    t->st.bytes_received += bytes;
    pthread_cond_broadcast(&t->due_cv);
    pthread_mutex_unlock(&t->mu);
}

enum { BAD_INVALID, BAD_FOREIGN, BAD_FORGED };

static void count_bad(transport *t, int kind, const char *why) {
    pthread_mutex_lock(&t->mu);
    if (kind == BAD_FOREIGN) t->st.msgs_foreign++;
    else if (kind == BAD_FORGED) t->st.msgs_forged++;
    else t->st.msgs_invalid++;
    snprintf(t->st.last_invalid, sizeof t->st.last_invalid, "%s", why);
    pthread_mutex_unlock(&t->mu);
}

/* An acknowledgement to send back when the emulated downlink has taken
 * the message (in-process shaping only). */
typedef struct ack_due {
    double at;
    unsigned char id[256]; /* the sender's ZeroMQ routing id */
    size_t id_len;
} ack_due;

static void send_due_acks(transport *t, ack_due *acks, size_t *n, double now) {
    size_t keep = 0;
    unsigned char ack[TRANSPORT_ACK_BYTES] = {'D', 'V', 'A', 'K'};
    uint32_t self = (uint32_t)t->c.self;
    for (int b = 0; b < 4; b++) ack[4 + b] = (unsigned char)(self >> (8 * b));
    for (size_t i = 0; i < *n; i++) {
        if (acks[i].at > now) {
            acks[keep++] = acks[i];
            continue;
        }
        /* Unroutable (the sender left): ROUTER drops it silently. */
        if (zmq_send(t->router, acks[i].id, acks[i].id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
            zmq_send(t->router, ack, sizeof ack, ZMQ_DONTWAIT);
    }
    *n = keep;
}

static void *receiver_main(void *arg) {
    transport *t = arg;
    const node_spec *spec = t->c.spec;
    const int self = t->c.self;
    const int acking = !t->c.kernel_bandwidth;
    double down_free = 0; /* when the emulated downlink is next idle */
    ack_due *acks = NULL;
    size_t n_acks = 0, cap_acks = 0;
    zmq_pollitem_t item = {t->router, 0, ZMQ_POLLIN, 0};
    while (!atomic_load(&t->stopping)) {
        double now0 = clock_now();
        if (n_acks) send_due_acks(t, acks, &n_acks, now0);
        long wait_ms = 50;
        for (size_t i = 0; i < n_acks; i++) {
            long ms = (long)((acks[i].at - now0) * 1e3) + 1;
            if (ms < wait_ms) wait_ms = ms < 0 ? 0 : ms;
        }
        if (zmq_poll(&item, 1, wait_ms) <= 0) continue;
        zmq_msg_t id, data;
        zmq_msg_init(&id);
        zmq_msg_init(&data);
        if (zmq_msg_recv(&id, t->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&id);
            zmq_msg_close(&data);
            continue;
        }
        int frames_ok = zmq_msg_more(&id) && zmq_msg_recv(&data, t->router, 0) >= 0;
        /* Anything beyond two frames is not ours: drain and reject it. */
        int extra = frames_ok && zmq_msg_more(&data);
        while (zmq_msg_more(frames_ok ? &data : &id)) {
            zmq_msg_t junk;
            zmq_msg_init(&junk);
            int r = zmq_msg_recv(&junk, t->router, 0);
            int more = r >= 0 && zmq_msg_more(&junk);
            zmq_msg_close(&junk);
            if (!more) break;
        }
        double arrival = clock_now();
        double ack_at = arrival; /* invalid ones: at once, to free the stream */
        if (!frames_ok || extra) {
            count_bad(t, BAD_INVALID, "not a two-frame message");
        } else {
            const char *peer = zmq_msg_gets(&data, "Peer-Address");
            if (peer && !hosts_allows(t->c.hosts, peer)) {
                char why[160];
                snprintf(why, sizeof why, "from %s, which is not in the hosts file", peer);
                count_bad(t, BAD_FOREIGN, why);
            } else {
                size_t len = zmq_msg_size(&data);
                char why[160];
                int oom;
                algo_msg *m = wire_decode(zmq_msg_data(&data), len, &t->c.expect, why, sizeof why, &oom);
                const char *user = t->zap ? zmq_msg_gets(&data, "User-Id") : NULL;
                if (m && t->zap && (!user || !*user || strtol(user, NULL, 10) != m->src)) {
                    snprintf(why, sizeof why, "header names node %d but the sender authenticated as node %s",
                             m->src, user ? user : "(none)");
                    algo_msg_free(m);
                    m = NULL;
                    count_bad(t, BAD_FORGED, why);
                } else if (!m) {
                    count_bad(t, BAD_INVALID, why);
                } else {
                    /* Downlink: the message began arriving when its sender
                     * began transmitting it (at the sender's uplink rate). */
                    double bits = 8.0 * (double)len;
                    double start = arrival - bits / spec[m->src].up;
                    if (start < down_free) start = down_free;
                    double finish = start + bits / spec[self].down;
                    if (finish < arrival) finish = arrival;
                    down_free = finish;
                    ack_at = finish;
                    deliver_later(t, m, finish + spec[m->src].latency + spec[self].latency, len);
                }
            }
        }
        if (acking && zmq_msg_size(&id) <= sizeof acks->id) {
            if (n_acks == cap_acks) {
                size_t cap = cap_acks ? 2 * cap_acks : 64;
                ack_due *na = realloc(acks, sizeof *na * cap);
                if (na) {
                    acks = na;
                    cap_acks = cap;
                }
            }
            if (n_acks < cap_acks) {
                ack_due *a = &acks[n_acks++];
                a->at = ack_at;
                a->id_len = zmq_msg_size(&id);
                memcpy(a->id, zmq_msg_data(&id), a->id_len);
            }
        }
        zmq_msg_close(&id);
        zmq_msg_close(&data);
    }
    free(acks);
    return NULL;
}

/* ---- API --------------------------------------------------------------- */

transport *transport_start(const transport_config *c, ds_err *err) {
    transport *t = calloc(1, sizeof *t);
    if (!t) {
        ds_fail(err, "out of memory");
        return NULL;
    }
    t->c = *c;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->out_cv, &ca);
    pthread_cond_init(&t->due_cv, &ca);
    pthread_condattr_destroy(&ca);
    t->out_cap = 256;
    t->out = malloc(sizeof *t->out * t->out_cap);
    t->backlog = calloc((size_t)c->nodes, sizeof *t->backlog);
    t->backlog_max = TRANSPORT_BACKLOG_MODELS * (WIRE_HEADER_BYTES + 4 * c->expect.n_params);
    t->zctx = zmq_ctx_new();
    if (!t->out || !t->backlog || !t->zctx) {
        ds_fail(err, "out of memory");
        transport_stop(t);
        return NULL;
    }
    if (c->secret_key && !(t->zap = zap_start(t->zctx, c->hosts, err))) {
        transport_stop(t);
        return NULL;
    }
    t->router = zmq_socket(t->zctx, ZMQ_ROUTER);
    int zero = 0, hwm = 4096, handshake = TRANSPORT_HANDSHAKE_MS;
    zmq_setsockopt(t->router, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(t->router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    /* A connection that never completes its handshake is closed. */
    zmq_setsockopt(t->router, ZMQ_HANDSHAKE_IVL, &handshake, sizeof handshake);
    if (c->secret_key) {
        int one = 1;
        zmq_setsockopt(t->router, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(t->router, ZMQ_CURVE_SECRETKEY, c->secret_key, AUTH_KEY_CHARS);
        zmq_setsockopt(t->router, ZMQ_ZAP_DOMAIN, "divshare", 8);
    }
    /* No message can be larger than a whole model: ZeroMQ drops a peer
     * that announces more, before allocating it. */
    int64_t max_msg = WIRE_HEADER_BYTES + 4 * (int64_t)c->expect.n_params;
    if (c->secret_key) max_msg += 64; /* CURVE checks the encrypted frame: command, nonce and MAC */
    zmq_setsockopt(t->router, ZMQ_MAXMSGSIZE, &max_msg, sizeof max_msg);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://*:%d", c->hosts->e[c->self].port);
    if (zmq_bind(t->router, ep)) {
        ds_fail(err, "node %d: cannot listen on port %d: %s", c->self, c->hosts->e[c->self].port,
                zmq_strerror(zmq_errno()));
        transport_stop(t);
        return NULL;
    }
    if (pthread_create(&t->receiver, NULL, receiver_main, t)) {
        ds_fail(err, "cannot start the receiver thread");
        transport_stop(t);
        return NULL;
    }
    t->receiver_up = 1;
    if (pthread_create(&t->sender, NULL, sender_main, t)) {
        ds_fail(err, "cannot start the sender thread");
        transport_stop(t);
        return NULL;
    }
    t->sender_up = 1;
    return t;
}

void transport_stop(transport *t) {
    if (!t) return;
    atomic_store(&t->stopping, 1);
    pthread_mutex_lock(&t->mu);
    pthread_cond_broadcast(&t->out_cv);
    pthread_mutex_unlock(&t->mu);
    if (t->sender_up) pthread_join(t->sender, NULL);
    if (t->receiver_up) pthread_join(t->receiver, NULL);
    if (t->router) zmq_close(t->router);
    zap_stop(t->zap);
    if (t->zctx) zmq_ctx_term(t->zctx);
    for (size_t i = 0; i < t->out_len; i++) free(t->out[(t->out_head + i) % t->out_cap].buf);
    for (size_t i = 0; i < t->due_len; i++) algo_msg_free(t->due[i].m);
    free(t->out);
    free(t->due);
    free(t->backlog);
    pthread_cond_destroy(&t->out_cv);
    pthread_cond_destroy(&t->due_cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

void transport_pause(transport *t, int on) {
    pthread_mutex_lock(&t->mu);
    double now = clock_now();
    if (on && !t->paused) {
        t->paused = 1;
        t->paused_since = now;
    } else if (!on && t->paused) {
        t->paused = 0;
        t->paused_total += now - t->paused_since;
    }
    pthread_cond_broadcast(&t->out_cv);
    pthread_mutex_unlock(&t->mu);
}

void transport_stop_sending(transport *t) {
    pthread_mutex_lock(&t->mu);
    atomic_store(&t->sending_closed, 1);
    for (size_t i = 0; i < t->out_len; i++) free(t->out[(t->out_head + i) % t->out_cap].buf);
    t->st.msgs_unsent_at_end += t->out_len;
    t->out_len = 0;
    t->out_head = 0;
    pthread_cond_broadcast(&t->out_cv);
    pthread_mutex_unlock(&t->mu);
}

void transport_send(transport *t, unsigned char *buf, size_t len, int dst) {
    if (dst < 0 || dst >= t->c.nodes || dst == t->c.self || atomic_load(&t->sending_closed)) {
        free(buf);
        return;
    }
    pthread_mutex_lock(&t->mu);
    if (t->out_len == t->out_cap) { /* grow the ring, unrolling it */
        size_t cap = 2 * t->out_cap;
        out_item *no = malloc(sizeof *no * cap);
        if (!no) {
            pthread_mutex_unlock(&t->mu);
            free(buf);
            return;
        }
        for (size_t i = 0; i < t->out_len; i++) no[i] = t->out[(t->out_head + i) % t->out_cap];
        free(t->out);
        t->out = no;
        t->out_cap = cap;
        t->out_head = 0;
    }
    t->out[(t->out_head + t->out_len++) % t->out_cap] = (out_item){buf, len, dst, clock_now(), 0};
    pthread_cond_broadcast(&t->out_cv);
    pthread_mutex_unlock(&t->mu);
}

int transport_cancel_unsent(transport *t) {
    pthread_mutex_lock(&t->mu);
    int n = (int)t->out_len;
    for (size_t i = 0; i < t->out_len; i++) free(t->out[(t->out_head + i) % t->out_cap].buf);
    t->out_len = 0;
    t->out_head = 0;
    t->st.msgs_dropped_stale += (uint64_t)n;
    pthread_mutex_unlock(&t->mu);
    return n;
}

algo_msg *transport_next(transport *t) {
    algo_msg *m = NULL;
    pthread_mutex_lock(&t->mu);
    if (t->due_len > 0 && t->due[0].at <= clock_now()) {
        m = t->due[0].m;
        t->backlog[m->src] -= t->due[0].bytes;
        memmove(t->due, t->due + 1, sizeof *t->due * (t->due_len - 1));
        t->due_len--;
    }
    pthread_mutex_unlock(&t->mu);
    return m;
}

void transport_wait(transport *t, double until) {
    pthread_mutex_lock(&t->mu);
    for (;;) {
        double now = clock_now();
        double wake = until;
        if (t->due_len > 0 && t->due[0].at < wake) wake = t->due[0].at;
        if (now >= wake) break;
        struct timespec ts = ts_of(wake);
        if (pthread_cond_timedwait(&t->due_cv, &t->mu, &ts) == ETIMEDOUT) break;
    }
    pthread_mutex_unlock(&t->mu);
}

void transport_get_stats(transport *t, transport_stats *s) {
    pthread_mutex_lock(&t->mu);
    *s = t->st;
    pthread_mutex_unlock(&t->mu);
}
