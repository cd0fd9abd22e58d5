/* progress.h: a progress bar on a terminal, plain periodic lines elsewhere.
 *
 * On a TTY the bar is redrawn in place at most 10 times a second; when the
 * stream is not a TTY (logs, CI) a plain line is printed at most every
 * `plain_interval` seconds, so long runs show life without flooding. */
#ifndef DS_PROGRESS_H
#define DS_PROGRESS_H

#include <stdio.h>

typedef struct progress {
    FILE *out;            /* borrowed */
    int tty;              /* 1 if out is a terminal */
    double start;         /* clock_now() at begin, seconds */
    double last_draw;     /* seconds */
    double plain_interval;/* seconds between plain lines */
    double total;         /* units of work (0 = unknown) */
    int complete_drawn;   /* the 100% state was drawn */
    char label[64];
} progress;

void progress_begin(progress *p, FILE *out, const char *label, double total);
/* done: units completed so far; status: short text after the bar. */
void progress_update(progress *p, double done, const char *status);
/* Clears the bar (TTY) so the next line starts clean. */
void progress_end(progress *p);

#endif
