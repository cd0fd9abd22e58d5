/* shim.c: fault injection as SQLite does it: the k-th allocation made by
 * divshare's own code fails. Linked with -Wl,--wrap=malloc,... so only
 * calls from divshare's objects are counted (libc, libzmq, zlib, cJSON and
 * OpenBLAS allocate as usual).
 *   DIVSHARE_FAIL_AT=k  allocation number k (1-based) returns NULL, and
 *                       only that one (a later retry may succeed)
 *   DIVSHARE_FAIL_AT=0  none fails; the count is printed at exit
 *   DIVSHARE_FAIL_TRACE=1  print the stack of the failing allocation
 * The counter is process-wide and atomic (compute threads allocate too). */
#include <execinfo.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static atomic_long calls;
static long fail_at = -1;
static atomic_int printed;

static void report(void) {
    if (fail_at == 0) fprintf(stderr, "faultinj: %ld allocations\n", atomic_load(&calls));
}

static int should_fail(void) {
    if (fail_at < 0) {
        const char *v = getenv("DIVSHARE_FAIL_AT");
        fail_at = v ? strtol(v, NULL, 10) : 0;
        if (!atomic_exchange(&printed, 1)) atexit(report);
    }
    long k = atomic_fetch_add(&calls, 1) + 1;
    if (fail_at <= 0 || k != fail_at) return 0;
    if (getenv("DIVSHARE_FAIL_TRACE")) {
        void *frames[32];
        int n = backtrace(frames, 32);
        backtrace_symbols_fd(frames, n, 2);
    }
    return 1;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
