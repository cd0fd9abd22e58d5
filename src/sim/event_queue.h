/* event_queue.h: the simulator's agenda: a binary min-heap of events
 * ordered by (time, sequence number). The sequence number is assigned at
 * push time, so events at the same time pop in the order they were
 * scheduled: runs are reproducible to the byte from their seed.
 * Push and pop are O(log n); events are stored by value. */
#ifndef DS_EVENT_QUEUE_H
#define DS_EVENT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_event {
    double time;   /* simulated seconds */
    uint64_t seq;  /* tie-break, assigned by evq_push */
    int kind;      /* meaning defined by the simulator */
    int node;      /* node concerned, or -1 */
    uint64_t a, b; /* kind-specific data (ids, versions) */
} sim_event;

typedef struct event_queue {
    sim_event *heap; /* [cap], owned */
    size_t n, cap;
    uint64_t next_seq;
} event_queue;

void evq_init(event_queue *q);
void evq_free(event_queue *q);
/* Schedules e (its seq is overwritten). Returns -1 on allocation failure. */
int evq_push(event_queue *q, sim_event e);
/* Removes the earliest event into *out; returns 0, or -1 if empty. */
int evq_pop(event_queue *q, sim_event *out);
/* The earliest event without removing it (NULL if empty). */
const sim_event *evq_peek(const event_queue *q);
static inline size_t evq_size(const event_queue *q) { return q->n; }

#endif
