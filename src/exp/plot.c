/* plot.c: gnuplot script generation and invocation for `divshare plot`. */
#define _GNU_SOURCE /* open_memstream, realpath */
#include "exp/plot.h"

#include <errno.h>
#include <math.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/metrics_csv.h"
#include "exp/compare.h"
#include "util/fileio.h"
#include "util/strbuf.h"

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

/* One curve: a run's metrics.csv, or the seeds-<alg>.csv of a run over
 * seeds (mean over the seeds with its 95% interval). */
typedef struct plot_src {
    char *file;  /* absolute path */
    char *label;
    int seeds;   /* 0: a run's metrics.csv; else the seeds it averages */
} plot_src;

static void write_plot(FILE *f, const plot_src *src, int n, const char *metric, int which) {
    int acc = !strcmp(metric, "accuracy");
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
        const int seeded = src[i].seeds > 0;
        const char *x = which == 1 ? (seeded ? "\"mb_sent\"" : "(column(\"bytes_sent\")/1e6)") : "\"time_s\"";
        if (i) fprintf(f, ", \\\n     ");
        /* A band first, the mean on top: the seeds' 95% interval of the
         * mean (seeded, time plot), or the min-max over nodes (spread). */
        const char *lo = which == 2 ? "min" : "ci_low", *hi = which == 2 ? "max" : "ci_high";
        if (which == 2 || (seeded && which == 0)) {
            gp_string(f, src[i].file);
            fprintf(f, " using \"time_s\":\"%s_%s\":\"%s_%s\" with filledcurves fs transparent solid 0.18 "
                       "noborder lc %d notitle, \\\n     ", metric, lo, metric, hi, colour);
        }
        gp_string(f, src[i].file);
        fprintf(f, " using %s:\"%s_mean\" with linespoints lw 2 pt %d ps 0.5 lc %d dt %d title ", x, metric,
                points[round % 5], colour, round % 5 + 1);
        char title[512];
        if (seeded)
            snprintf(title, sizeof title, "%s (mean of %d seeds%s)", src[i].label, src[i].seeds,
                     which == 0 ? "; band: its 95% CI" : which == 2 ? "; band: mean min-max node" : "");
        else
            snprintf(title, sizeof title, "%s%s", src[i].label, which == 2 ? " (mean; band: min-max node)" : "");
        gp_string(f, title);
    }
    fprintf(f, "\n");
}

static char *make_script(const plot_src *src, int n, const char *metric, const char *abs_out) {
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
            write_plot(f, src, n, metric, p);
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

/* Writes plots.gp for src[0..n) into out_dir and draws it; the images
 * appear whole or not at all. */
static int draw(const plot_src *src, int n, const char *metric, const char *out_dir, ds_err *err) {
    if (make_dirs(out_dir, err)) return -1;
    int rc = -1;
    char abs_out[PATH_MAX] = "", script[PATH_MAX + 16];
    char *text = NULL;
    if (!realpath(out_dir, abs_out)) return ds_fail(err, "%s: %s", out_dir, strerror(errno));
    text = make_script(src, n, metric, abs_out);
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
    if (rc) /* leave no half-drawn temporaries behind */
        for (int t = 0; t < 2; t++)
            for (int p = 0; p < N_PLOTS; p++) {
                char tmp[PATH_MAX + 64];
                snprintf(tmp, sizeof tmp, "%s/%s.%s.tmp", abs_out, PLOT_NAMES[p], t ? "svg" : "png");
                remove(tmp);
            }
    free(text);
    return rc;
}

static void free_srcs(plot_src *src, int n) {
    for (int i = 0; src && i < n; i++) {
        free(src[i].file);
        free(src[i].label);
    }
    free(src);
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
    int rc = -1;
    plot_src *src = calloc((size_t)n, sizeof *src);
    if (!src) return ds_fail(err, "out of memory");
    for (int i = 0; i < n; i++) {
        char abs_dir[PATH_MAX];
        if (!realpath(dirs[i], abs_dir)) {
            ds_fail(err, "%s: %s", dirs[i], strerror(errno));
            goto done;
        }
        src[i].file = malloc(PATH_MAX + 32);
        src[i].label = malloc(256);
        if (!src[i].file || !src[i].label) {
            ds_fail(err, "out of memory");
            goto done;
        }
        snprintf(src[i].file, PATH_MAX + 32, "%s/metrics.csv", abs_dir);
        compare_label(dirs, n, i, src[i].label, 256);
    }
    rc = draw(src, n, metric, out_dir, err);
done:
    free_srcs(src, n);
    return rc;
}

/* ---- runs over seeds ------------------------------------------------------ */

/* One seed's metrics.csv: time, metric mean, min, max and MB sent per row. */
typedef struct seed_curve {
    int rows, regress;
    double *v; /* [rows][5] */
} seed_curve;

static int read_curve(const char *path, seed_curve *c, ds_err *err) {
    memset(c, 0, sizeof *c);
    run_report *rows;
    int n;
    if (metrics_csv_load(path, &rows, &n, &c->regress, err)) return -1;
    if (n == 0) return ds_fail(err, "%s: no evaluations", path);
    if (!(c->v = malloc(sizeof(double) * 5 * (size_t)n))) {
        free(rows);
        return ds_fail(err, "out of memory");
    }
    const double scale = c->regress ? 1 : 100; /* accuracy back in % */
    for (int i = 0; i < n; i++) {
        double *row = c->v + 5 * (size_t)i;
        row[0] = rows[i].time;
        row[1] = rows[i].metric_mean * scale;
        row[2] = rows[i].metric_min * scale;
        row[3] = rows[i].metric_max * scale;
        row[4] = (double)rows[i].bytes_sent / 1e6;
    }
    c->rows = n;
    free(rows);
    return 0;
}

/* out/seeds-<alg>.csv: per evaluation time, the mean over the seeds of
 * MB sent and of the metric's mean (with the 95% interval of that mean),
 * min and max. Rows up to the shortest seed's; times must agree. */
static int write_seed_curve(const char *base, const uint64_t *seeds, int n_seeds, const char *alg, const char *out,
                            const char **metric, char *file, size_t cap, ds_err *err) {
    seed_curve *c = calloc((size_t)n_seeds, sizeof *c);
    double *v = malloc(sizeof(double) * (size_t)n_seeds);
    strbuf b = {0};
    int rc = -1, rows = 0;
    if (!c || !v) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (int s = 0; s < n_seeds; s++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/seed-%llu/%s/metrics.csv", base, (unsigned long long)seeds[s], alg);
        if (read_curve(path, &c[s], err)) goto done;
        if (c[s].regress != c[0].regress) {
            ds_fail(err, "%s: measures another metric than seed %llu", path, (unsigned long long)seeds[0]);
            goto done;
        }
        rows = s == 0 || c[s].rows < rows ? c[s].rows : rows;
    }
    *metric = metrics_csv_metric(c[0].regress);
    const char *m = *metric;
    if (strbuf_printf(&b, "time_s,mb_sent,%s_mean,%s_ci_low,%s_ci_high,%s_min,%s_max,seeds\n", m, m, m, m, m))
        goto oom;
    for (int r = 0; r < rows; r++) {
        double mean[5], half[5];
        for (int k = 0; k < 5; k++) {
            for (int s = 0; s < n_seeds; s++) v[s] = c[s].v[5 * (size_t)r + k];
            compare_mean_ci(v, n_seeds, &mean[k], &half[k]);
            if (k == 0)
                for (int s = 1; s < n_seeds; s++)
                    if (fabs(v[s] - v[0]) > 1e-9 * (1 + fabs(v[0]))) {
                        ds_fail(err, "%s: seed %llu evaluated at %g s where seed %llu did at %g s (row %d): "
                                     "the seeds' curves cannot be averaged", alg, (unsigned long long)seeds[s], v[s],
                                (unsigned long long)seeds[0], v[0], r + 1);
                        goto done;
                    }
        }
        double h = n_seeds > 1 ? half[1] : 0;
        if (strbuf_printf(&b, "%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n", mean[0], mean[4], mean[1], mean[1] - h,
                          mean[1] + h, mean[2], mean[3], n_seeds))
            goto oom;
    }
    snprintf(file, cap, "%s/seeds-%s.csv", out, alg);
    rc = atomic_write_string(file, strbuf_str(&b), err);
    goto done;
oom:
    ds_fail(err, "out of memory");
done:
    for (int s = 0; c && s < n_seeds; s++) free(c[s].v);
    free(c);
    free(v);
    strbuf_free(&b);
    return rc;
}

int run_plot_seeds(const char *base, const uint64_t *seeds, int n_seeds, char **algs, int n_algs, const char *out_dir,
                   ds_err *err) {
    if (n_seeds < 1 || n_algs < 1) return ds_fail(err, "plot: no seeds or no runs");
    if (n_algs > COMPARE_MAX_RUNS) return ds_fail(err, "plot: at most %d runs", COMPARE_MAX_RUNS);
    if (make_dirs(out_dir, err)) return -1;
    char abs_out[PATH_MAX];
    if (!realpath(out_dir, abs_out)) return ds_fail(err, "%s: %s", out_dir, strerror(errno));
    plot_src *src = calloc((size_t)n_algs, sizeof *src);
    if (!src) return ds_fail(err, "out of memory");
    int rc = 0;
    const char *metric = NULL;
    for (int a = 0; a < n_algs && !rc; a++) {
        const char *m = NULL;
        src[a].seeds = n_seeds;
        src[a].file = malloc(PATH_MAX + 64);
        src[a].label = strdup(algs[a]);
        if (!src[a].file || !src[a].label) rc = ds_fail(err, "out of memory");
        else rc = write_seed_curve(base, seeds, n_seeds, algs[a], abs_out, &m, src[a].file, PATH_MAX + 64, err);
        if (!rc && metric && strcmp(m, metric))
            rc = ds_fail(err, "plot: %s measures %s but %s measures %s", algs[0], metric, algs[a], m);
        metric = m;
    }
    if (!rc) rc = draw(src, n_algs, metric, out_dir, err);
    free_srcs(src, n_algs);
    return rc;
}

int run_plot_seed_dir(const char *base, const char *out_dir, ds_err *err) {
    uint64_t seeds[RUN_MAX_SEEDS_COMPARE];
    char *algs[COMPARE_MAX_RUNS];
    int n_seeds, n_algs;
    if (compare_seed_layout(base, seeds, &n_seeds, algs, &n_algs, err)) return -1;
    int rc = run_plot_seeds(base, seeds, n_seeds, algs, n_algs, out_dir, err);
    for (int i = 0; i < n_algs; i++) free(algs[i]);
    return rc;
}
