/* transport.h: a node's network side in a real run, over ZeroMQ TCP.
 *
 * Two threads: a sender that owns one DEALER socket per peer and sends the
 * node's outgoing queue in FIFO order, and a receiver that owns the node's
 * ROUTER socket, validates every message (wire.h) and queues it for the
 * main thread. Links are emulated in the process, portably:
 *  - uplink: a message is handed to ZeroMQ only when the node's uplink
 *    (bit/s) would have finished transmitting it, so ZeroMQ never holds a
 *    backlog and DivShare's stale flush really discards what was not sent;
 *  - downlink: the receiver serialises arrivals at the node's downlink rate
 *    (a message starts arriving when its sender started transmitting it);
 *  - latency: delivery waits the sender's plus the receiver's one-way
 *    latency, as in the simulator;
 *  - one stream per destination, as in the simulator: at most one message
 *    per peer is in flight until the peer acknowledges it (an 8-byte
 *    "DVAK" + id reply on the same connection, sent when its emulated
 *    downlink has taken the message); the sender sends the first queued
 *    message whose peer is free.
 * A peer that is not reachable (not started yet, or dead) makes ZeroMQ
 * refuse the message at hand-over: it is dropped and counted as
 * unreachable, never blocking the queue. */
#ifndef DS_TRANSPORT_H
#define DS_TRANSPORT_H

#include <stdint.h>

#include "net/hosts.h"
#include "net/wire.h"
#include "core/report.h"

typedef struct transport_config {
    int self, nodes;
    const hosts *hosts;         /* borrowed, outlives the transport */
    const node_spec *spec;  /* [nodes] link specs, borrowed */
    wire_expect expect;         /* what the receiver accepts */
    /* The kernel shapes the bandwidth (launch --netem): spec's rates are
     * ignored; the sender hands a message over when its peer's one-deep
     * socket queue has room instead of pacing, no acknowledgements are
     * exchanged, and queued bytes drain at the end. Latency still comes
     * from spec (zero it when the kernel adds it too). */
    int kernel_bandwidth;
    /* CURVE (auth.h): this node's keys as Z85 text, borrowed; NULL = no
     * authentication ([network] auth = none). With keys, every peer must
     * have its public key in the hosts file, and a message is accepted only
     * from the node its header names. */
    const char *public_key, *secret_key;
} transport_config;

/* Messages from one sender waiting for delivery are bounded: a sender that
 * has more than this many whole models' worth of bytes queued here has the
 * excess dropped (and counted), so no peer can grow a node's memory. */
#define TRANSPORT_BACKLOG_MODELS 32
/* A connection must finish its handshake within this time (ms). */
#define TRANSPORT_HANDSHAKE_MS 5000

typedef struct transport_stats {
    uint64_t bytes_sent, msgs_sent;         /* handed to ZeroMQ */
    uint64_t msgs_dropped_stale;            /* cancelled before sending */
    uint64_t msgs_unreachable;              /* peer not connected at hand-over */
    uint64_t bytes_received, msgs_received; /* valid, queued for the node */
    uint64_t msgs_invalid;                  /* failed validation */
    uint64_t msgs_foreign;                  /* from an address not in the hosts file */
    uint64_t msgs_forged;                   /* header names another sender than the key's */
    uint64_t msgs_dropped_backlog;          /* over the sender's backlog bound */
    uint64_t msgs_unsent_at_end;            /* still queued when sending stopped */
    char last_invalid[160];                 /* why the last invalid one failed */
} transport_stats;

typedef struct transport transport;

/* Binds the node's port and starts both threads. */
transport *transport_start(const transport_config *c, ds_err *err);
/* Stops the threads (unsent messages are discarded) and frees everything. */
void transport_stop(transport *t);

/* Queues buf (len bytes, from wire_encode; ownership passes) for peer dst. */
void transport_send(transport *t, unsigned char *buf, size_t len, int dst);
/* Drops every queued message not yet being transmitted; returns how many. */
int transport_cancel_unsent(transport *t);

/* Pauses (on = 1) or resumes the emulated uplink: while the node
 * evaluates, its training clock stops, and so does its sending, so a real
 * run's bytes per training second match the simulator's. Messages queued
 * or in flight wait; receiving goes on. */
void transport_pause(transport *t, int on);

/* Stops sending for good: queued messages (and the one in flight) are
 * discarded and counted as unsent at end; receiving goes on. */
void transport_stop_sending(transport *t);

/* A received message whose delivery time has come by clock_now(), or NULL. */
algo_msg *transport_next(transport *t);
/* Sleeps until clock_now() >= until or a message is due, whichever first. */
void transport_wait(transport *t, double until);

void transport_get_stats(transport *t, transport_stats *s);

#endif
