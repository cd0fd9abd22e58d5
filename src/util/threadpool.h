/* threadpool.h: a fixed pool of worker threads that run one function on every
 * worker and wait for all (fork-join), reused across calls so a training
 * step pays a wake-up, not a thread creation. The caller's thread is
 * worker 0, so a pool of 1 runs everything inline. */
#ifndef DS_THREADPOOL_H
#define DS_THREADPOOL_H

#include "util/err.h"

typedef struct thread_pool thread_pool;
typedef void (*pool_fn)(void *ctx, int worker);

/* threads >= 1 (threads - 1 background workers are started). */
thread_pool *pool_new(int threads, ds_err *err);
/* Joins the workers; NULL is a no-op. */
void pool_destroy(thread_pool *p);
int pool_size(const thread_pool *p);
/* Runs fn(ctx, w) for w = 0 .. size-1 concurrently; returns when all are
 * done. Not reentrant: one pool_run at a time per pool. */
void pool_run(thread_pool *p, pool_fn fn, void *ctx);

#endif
