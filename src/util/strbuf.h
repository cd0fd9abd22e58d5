/* strbuf.h: a growing text buffer for result files that are rewritten
 * whole (atomically) as rows accumulate. */
#ifndef DS_STRBUF_H
#define DS_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
    char *s; /* NUL-terminated once anything was appended; NULL before */
    size_t n, cap;
} strbuf;

/* Appends formatted text; -1 if out of memory (the buffer is unchanged). */
int strbuf_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). */
static inline const char *strbuf_str(const strbuf *b) { return b->s ? b->s : ""; }
void strbuf_free(strbuf *b);

/* Appends sep (unless buf is empty) and s to the string in buf (capacity
 * cap), truncating: for lists of names ("a, b, c"). */
void str_append(char *buf, size_t cap, const char *sep, const char *s);

#endif
