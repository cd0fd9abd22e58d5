/* threadpool.c: fork-join worker pool on a mutex and two condition variables. */
#include "util/threadpool.h"

#include <pthread.h>
#include <stdlib.h>

struct thread_pool {
    int n;                 /* workers including the caller */
    pthread_t *threads;    /* [n - 1] */
    pthread_mutex_t mu;
    pthread_cond_t start;  /* signalled when a new job (generation) begins */
    pthread_cond_t done;   /* signalled when the last worker finishes */
    unsigned long generation;
    int pending;           /* background workers still running the job */
    int quit;
    pool_fn fn;
    void *ctx;
};

typedef struct worker_arg {
    thread_pool *p;
    int id;
} worker_arg;

static void *worker_main(void *arg) {
    worker_arg wa = *(worker_arg *)arg;
    free(arg);
    thread_pool *p = wa.p;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->generation == seen) pthread_cond_wait(&p->start, &p->mu);
        if (p->quit) break;
        seen = p->generation;
        pool_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->mu);
        fn(ctx, wa.id);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

thread_pool *pool_new(int threads, ds_err *err) {
    if (threads < 1) threads = 1;
    thread_pool *p = calloc(1, sizeof *p);
    if (!p) {
        ds_fail(err, "out of memory");
        return NULL;
    }
    p->n = threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    p->threads = calloc((size_t)threads, sizeof(pthread_t));
    if (!p->threads) {
        pool_destroy(p);
        ds_fail(err, "out of memory");
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (!wa) {
            p->n = i;
            pool_destroy(p);
            ds_fail(err, "out of memory");
            return NULL;
        }
        wa->p = p;
        wa->id = i;
        if (pthread_create(&p->threads[i - 1], NULL, worker_main, wa) != 0) {
            free(wa);
            p->n = i;
            pool_destroy(p);
            ds_fail(err, "cannot start worker thread %d", i);
            return NULL;
        }
    }
    return p;
}

void pool_destroy(thread_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n && p->threads; i++) pthread_join(p->threads[i - 1], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->start);
    pthread_cond_destroy(&p->done);
    free(p->threads);
    free(p);
}

int pool_size(const thread_pool *p) { return p->n; }

void pool_run(thread_pool *p, pool_fn fn, void *ctx) {
    if (p->n > 1) {
        pthread_mutex_lock(&p->mu);
        p->fn = fn;
        p->ctx = ctx;
        p->pending = p->n - 1;
        p->generation++;
        pthread_cond_broadcast(&p->start);
        pthread_mutex_unlock(&p->mu);
    }
    fn(ctx, 0);
    if (p->n > 1) {
        pthread_mutex_lock(&p->mu);
        while (p->pending > 0) pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
}
