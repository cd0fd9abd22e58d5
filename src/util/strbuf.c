/* strbuf.c: vsnprintf into a doubling buffer. */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int strbuf_printf(strbuf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->s ? b->cap - b->n : 0;
        int w = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
        va_end(ap);
        if (w < 0) return -1;
        if (b->s && (size_t)w < room) {
            b->n += (size_t)w;
            return 0;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + (size_t)w + 1) cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            if (b->s) b->s[b->n] = 0; /* undo a truncated partial write */
            return -1;
        }
        b->s = ns;
        b->cap = cap;
    }
}

void strbuf_free(strbuf *b) {
    free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}

void str_append(char *buf, size_t cap, const char *sep, const char *s) {
    size_t used = strnlen(buf, cap);
    if (used + 1 >= cap) return;
    snprintf(buf + used, cap - used, "%s%s", used ? sep : "", s);
}
