/* progress.c: terminal progress bar with ETA. */
#include "util/progress.h"

#include <string.h>
#include <unistd.h>

#include "util/clock.h"

void progress_begin(progress *p, FILE *out, const char *label, double total) {
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = out && isatty(fileno(out));
    p->start = p->last_draw = clock_now();
    p->plain_interval = 10.0;
    p->total = total;
    snprintf(p->label, sizeof p->label, "%s", label);
}

static void format_eta(char *buf, size_t n, double seconds) {
    if (seconds < 0 || seconds > 1e7) {
        snprintf(buf, n, "--:--");
        return;
    }
    int s = (int)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, n, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    else
        snprintf(buf, n, "%02d:%02d", s / 60, s % 60);
}

void progress_update(progress *p, double done, const char *status) {
    if (!p->out) return;
    double now = clock_now();
    double min_gap = p->tty ? 0.1 : p->plain_interval;
    int complete = p->total > 0 && done >= p->total;
    /* Completion is drawn at once, but only once (callers may keep
     * reporting it while they wrap up). */
    if (now - p->last_draw < min_gap && !(complete && !p->complete_drawn)) return;
    if (complete) p->complete_drawn = 1;
    p->last_draw = now;
    double frac = p->total > 0 ? done / p->total : 0;
    if (frac > 1) frac = 1;
    double elapsed = now - p->start;
    char eta[32];
    format_eta(eta, sizeof eta, frac > 0 ? elapsed * (1 - frac) / frac : -1);
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
        bar[30] = 0;
        fprintf(p->out, "\r\033[K%s [%s] %5.1f%% ETA %s %s", p->label, bar, 100 * frac, eta,
                status ? status : "");
    } else {
        fprintf(p->out, "%s %5.1f%% (%.0f s elapsed, ETA %s) %s\n", p->label, 100 * frac, elapsed,
                eta, status ? status : "");
    }
    fflush(p->out);
}

void progress_end(progress *p) {
    if (p->out && p->tty) {
        fprintf(p->out, "\r\033[K");
        fflush(p->out);
    }
}
