/* fuzz.h: shared by the fuzz harnesses (tests/fuzz/fuzz_*.c). Each
 * harness defines LLVMFuzzerTestOneInput: built with clang's libFuzzer
 * (-DDIVSHARE_FUZZ=ON) it is fuzzed; otherwise replay.c gives it a main
 * that runs every file of its seed corpus, under ASan/UBSan in the tests.
 * A harness may return only after any error path; a crash, a leak or a
 * sanitizer report is the failure. */
#ifndef DS_FUZZ_H
#define DS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_paths[4][64];

static void fuzz_cleanup(void) {
    for (int k = 0; k < 4; k++)
        if (fuzz_paths[k][0]) unlink(fuzz_paths[k]);
}

/* Writes data to this process's scratch file number k (0..3) and returns
 * its path, for readers that take a path. The files go at exit. */
static inline const char *fuzz_file(int k, const uint8_t *data, size_t size) {
    char *path = fuzz_paths[k];
    static int registered;
    if (!registered) {
        atexit(fuzz_cleanup);
        registered = 1;
    }
    if (!path[0]) {
        snprintf(path, sizeof fuzz_paths[k], "/tmp/divshare-fuzz-%d-%d", (int)getpid(), k);
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    return path;
}

#endif
