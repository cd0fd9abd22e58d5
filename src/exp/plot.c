/* plot.c: gnuplot script generation and invocation for `divshare plot`. */
#define _GNU_SOURCE /* open_memstream, realpath */
#include "exp/plot.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/metrics_csv.h"
#include "exp/compare.h"
#include "util/fileio.h"

extern char **environ;

static const char *PLOT_NAMES[] = {"accuracy_time", "accuracy_bytes", "spread"};
#define N_PLOTS 3

/* Writes s as a gnuplot single-quoted string ('' is a literal quote). */
static void gp_string(FILE *f, const char *s) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* Reads the header line of dir/metrics.csv to learn the metric name. */
static int run_metric(const char *dir, const char **metric, ds_err *err) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) return ds_fail(err, "%s: cannot open: %s (is %s a run directory?)", path, strerror(errno), dir);
    char line[512] = "";
    char *ok = fgets(line, sizeof line, f);
    fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    int regress;
    if (!ok || metrics_csv_parse_header(line, path, &regress, err)) return ok ? -1 : ds_fail(err, "%s: empty file", path);
    *metric = metrics_csv_metric(regress);
    return 0;
}

static void write_plot(FILE *f, char **abs_dirs, char **labels, int n, const char *metric, int which) {
    int acc = !strcmp(metric, "accuracy");
    const char *x = which == 1 ? "(column(\"bytes_sent\")/1e6)" : "\"time_s\"";
    fprintf(f, "set xlabel '%s'\n", which == 1 ? "data sent by all nodes (MB)" : "simulated time (s)");
    fprintf(f, "set ylabel '%s'\n", acc ? "test accuracy (%), mean over nodes" : "test RMSE, mean over nodes");
    fprintf(f, "set key %s right\n", acc ? "bottom" : "top");
    fprintf(f, "plot ");
    /* gnuplot's default palette has 8 colours: past them, the same colours
     * come back with another dash pattern and point shape, so that no two
     * of up to 40 runs look alike. */
    static const int points[] = {7, 5, 9, 11, 13};
    for (int i = 0; i < n; i++) {
        const int colour = i % 8 + 1, round = i / 8;
        char file[PATH_MAX + 32];
        snprintf(file, sizeof file, "%s/metrics.csv", abs_dirs[i]);
        if (i) fprintf(f, ", \\\n     ");
        if (which == 2) { /* min-max band first, then the mean on top */
            gp_string(f, file);
            fprintf(f, " using \"time_s\":\"%s_min\":\"%s_max\" with filledcurves fs transparent solid 0.18 "
                       "noborder lc %d notitle, \\\n     ", metric, metric, colour);
        }
        gp_string(f, file);
        fprintf(f, " using %s:\"%s_mean\" with linespoints lw 2 pt %d ps 0.5 lc %d dt %d title ", x, metric,
                points[round % 5], colour, round % 5 + 1);
        char title[512];
        snprintf(title, sizeof title, "%s%s", labels[i], which == 2 ? " (mean; band: min-max node)" : "");
        gp_string(f, title);
    }
    fprintf(f, "\n");
}

static char *make_script(char **abs_dirs, char **labels, int n, const char *metric, const char *abs_out) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    fprintf(f, "# divshare plots of %d run%s; redraw with: gnuplot plots.gp\n", n, n == 1 ? "" : "s");
    fprintf(f, "# (the plot command writes *.tmp files and renames them; here they are written directly)\n");
    fprintf(f, "if (!exists(\"suffix\")) suffix = ''\n");
    fprintf(f, "set datafile separator comma\nset grid\nset border 3\nset tics nomirror\n");
    static const char *terms[2][2] = {
        {"png", "pngcairo size 960,600 font 'sans,11' noenhanced"},
        {"svg", "svg size 960,600 dynamic font 'sans,11' noenhanced"}};
    for (int t = 0; t < 2; t++) {
        fprintf(f, "\nset terminal %s\n", terms[t][1]);
        for (int p = 0; p < N_PLOTS; p++) {
            char out[PATH_MAX + 64];
            snprintf(out, sizeof out, "%s/%s.%s", abs_out, PLOT_NAMES[p], terms[t][0]);
            fprintf(f, "set output ");
            gp_string(f, out);
            fprintf(f, " . suffix\n");
            write_plot(f, abs_dirs, labels, n, metric, p);
        }
        fprintf(f, "unset output\n");
    }
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Runs gnuplot -e "suffix='.tmp'" script; 0 on success. */
static int run_gnuplot(const char *script, ds_err *err) {
    char *argv[] = {"gnuplot", "-e", "suffix='.tmp'", (char *)script, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
    if (rc == ENOENT)
        return ds_fail(err, "gnuplot is not installed; install it (Debian: apt-get install gnuplot-nox) "
                            "or draw the plots later with: gnuplot %s", script);
    if (rc) return ds_fail(err, "cannot start gnuplot: %s", strerror(rc));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return ds_fail(err, "waiting for gnuplot: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return ds_fail(err, "gnuplot is not installed; install it (Debian: apt-get install gnuplot-nox)");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return ds_fail(err, "gnuplot failed on %s (its messages are above)", script);
    return 0;
}

void plot_default_dir(char **dirs, int n, char *buf, size_t cap) {
    char parent[PATH_MAX] = "";
    for (int i = 0; i < n; i++) {
        char d[PATH_MAX];
        snprintf(d, sizeof d, "%s", dirs[i]);
        size_t len = strlen(d);
        while (len > 1 && d[len - 1] == '/') d[--len] = 0;
        char *slash = strrchr(d, '/');
        if (slash) *slash = 0;
        else snprintf(d, sizeof d, ".");
        if (i == 0) snprintf(parent, sizeof parent, "%s", d);
        else if (strcmp(parent, d)) {
            snprintf(buf, cap, "plots");
            return;
        }
    }
    snprintf(buf, cap, "%s/plots", *parent ? parent : ".");
}

int run_plot(char **dirs, int n, const char *out_dir, ds_err *err) {
    if (n < 1) return ds_fail(err, "plot: no run directories given");
    if (n > COMPARE_MAX_RUNS) return ds_fail(err, "plot: at most %d runs", COMPARE_MAX_RUNS);
    const char *metric = NULL;
    for (int i = 0; i < n; i++) {
        const char *m = NULL;
        if (run_metric(dirs[i], &m, err)) return -1;
        if (metric && strcmp(m, metric))
            return ds_fail(err, "plot: %s measures %s but %s measures %s", dirs[0], metric, dirs[i], m);
        metric = m;
    }
    if (make_dirs(out_dir, err)) return -1;
    int rc = -1;
    char abs_out[PATH_MAX] = "", script[PATH_MAX + 16];
    char **abs_dirs = calloc((size_t)n, sizeof(char *)), **labels = calloc((size_t)n, sizeof(char *));
    char *text = NULL;
    if (!abs_dirs || !labels) {
        ds_fail(err, "out of memory");
        goto done;
    }
    if (!realpath(out_dir, abs_out)) {
        ds_fail(err, "%s: %s", out_dir, strerror(errno));
        goto done;
    }
    for (int i = 0; i < n; i++) {
        abs_dirs[i] = realpath(dirs[i], NULL);
        labels[i] = malloc(256);
        if (!abs_dirs[i] || !labels[i]) {
            ds_fail(err, "%s: %s", dirs[i], strerror(errno));
            goto done;
        }
        compare_label(dirs, n, i, labels[i], 256);
    }
    text = make_script(abs_dirs, labels, n, metric, abs_out);
    if (!text) {
        ds_fail(err, "out of memory");
        goto done;
    }
    snprintf(script, sizeof script, "%s/plots.gp", abs_out);
    rc = atomic_write_string(script, text, err);
    if (rc || (rc = run_gnuplot(script, err))) goto done;
    for (int t = 0; t < 2 && !rc; t++)
        for (int p = 0; p < N_PLOTS && !rc; p++) {
            char from[PATH_MAX + 80], to[PATH_MAX + 64];
            snprintf(to, sizeof to, "%s/%s.%s", abs_out, PLOT_NAMES[p], t ? "svg" : "png");
            snprintf(from, sizeof from, "%s.tmp", to);
            if (rename(from, to)) rc = ds_fail(err, "%s: %s", to, strerror(errno));
        }
done:
    if (rc && *abs_out) /* leave no half-drawn temporaries behind */
        for (int t = 0; t < 2; t++)
            for (int p = 0; p < N_PLOTS; p++) {
                char tmp[PATH_MAX + 64];
                snprintf(tmp, sizeof tmp, "%s/%s.%s.tmp", abs_out, PLOT_NAMES[p], t ? "svg" : "png");
                remove(tmp);
            }
    for (int i = 0; abs_dirs && labels && i < n; i++) {
        free(abs_dirs[i]);
        free(labels[i]);
    }
    free(abs_dirs);
    free(labels);
    free(text);
    return rc;
}
