/* event_queue.c: binary heap on (time, seq). */
#include "sim/event_queue.h"

#include <stdlib.h>

static int earlier(const sim_event *x, const sim_event *y) {
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

void evq_init(event_queue *q) {
    q->heap = NULL;
    q->n = q->cap = 0;
    q->next_seq = 0;
}

void evq_free(event_queue *q) {
    free(q->heap);
    evq_init(q);
}

int evq_push(event_queue *q, sim_event e) {
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 256;
        sim_event *h = realloc(q->heap, cap * sizeof *h);
        if (!h) return -1;
        q->heap = h;
        q->cap = cap;
    }
    e.seq = q->next_seq++;
    size_t i = q->n++;
    while (i > 0) { /* sift up */
        size_t parent = (i - 1) / 2;
        if (!earlier(&e, &q->heap[parent])) break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
    return 0;
}

int evq_pop(event_queue *q, sim_event *out) {
    if (q->n == 0) return -1;
    *out = q->heap[0];
    sim_event last = q->heap[--q->n];
    size_t i = 0;
    for (;;) { /* sift down */
        size_t c = 2 * i + 1;
        if (c >= q->n) break;
        if (c + 1 < q->n && earlier(&q->heap[c + 1], &q->heap[c])) c++;
        if (!earlier(&q->heap[c], &last)) break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (q->n) q->heap[i] = last;
    return 0;
}

const sim_event *evq_peek(const event_queue *q) { return q->n ? &q->heap[0] : NULL; }
