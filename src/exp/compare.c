/* compare.c: the side-by-side table of run directories (summary.json). */
#include "exp/compare.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exp/config.h"
#include "util/fileio.h"
#include "util/strbuf.h"

#define MAX_TARGETS 16

/* What the table shows of one run. */
typedef struct run_row {
    char label[256];
    const char *dir;
    int n_targets;
    double target[MAX_TARGETS];
    double time[MAX_TARGETS]; /* simulated s, NAN = not reached */
    double final, final_min, final_max, final_time;
    double mb_sent, dropped, wall;
    int accuracy; /* 1: accuracy in %, higher is better; 0: RMSE */
    double speedup;           /* NAN when no target was reached */
    double speedup_target;
    int speedup_lower_bound;  /* the baseline never reached that target */
    int complete;             /* summary.json says the run finished */
} run_row;

static double num(cJSON *o, const char *key) {
    cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int load_row(const char *dir, run_row *r, ds_err *err) {
    char path[4096 + 32];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    unsigned char *data;
    size_t len;
    if (file_read_all(path, &data, &len, err)) return -1;
    cJSON *j = cJSON_Parse((const char *)data);
    free(data);
    if (!j) return ds_fail(err, "%s: not valid JSON", path);
    const char *metric = cJSON_GetStringValue(cJSON_GetObjectItem(j, "metric"));
    cJSON *tt = cJSON_GetObjectItem(j, "time_to_target"), *fin = cJSON_GetObjectItem(j, "final"),
          *tot = cJSON_GetObjectItem(j, "totals");
    if (!metric || !cJSON_IsArray(tt) || !cJSON_IsObject(fin) || !cJSON_IsObject(tot)) {
        cJSON_Delete(j);
        return ds_fail(err, "%s: not a divshare run summary (needs metric, time_to_target, final, totals)",
                       path);
    }
    r->dir = dir;
    r->accuracy = !strcmp(metric, "accuracy");
    r->n_targets = 0;
    cJSON *t;
    cJSON_ArrayForEach(t, tt) {
        if (r->n_targets == MAX_TARGETS) break;
        r->target[r->n_targets] = num(t, "target");
        r->time[r->n_targets++] = num(t, "time_s");
    }
    const char *m = r->accuracy ? "accuracy" : "rmse";
    char key[32];
    snprintf(key, sizeof key, "%s_mean", m);
    r->final = num(fin, key);
    snprintf(key, sizeof key, "%s_min", m);
    r->final_min = num(fin, key);
    snprintf(key, sizeof key, "%s_max", m);
    r->final_max = num(fin, key);
    r->final_time = num(fin, "time_s");
    r->mb_sent = num(tot, "bytes_sent") / 1e6;
    r->dropped = num(tot, "messages_dropped_stale");
    r->wall = num(j, "wall_time_s");
    r->complete = cJSON_IsTrue(cJSON_GetObjectItem(j, "complete"));
    cJSON_Delete(j);
    return 0;
}

void compare_label(char **dirs, int n, int i, char *buf, size_t cap) {
    /* Strip trailing slashes, then take the last (or last two) components. */
    char d[4096];
    snprintf(d, sizeof d, "%s", dirs[i]);
    size_t len = strlen(d);
    while (len > 1 && d[len - 1] == '/') d[--len] = 0;
    const char *last = strrchr(d, '/');
    last = last ? last + 1 : d;
    int clash = 0;
    for (int k = 0; k < n && !clash; k++) {
        if (k == i) continue;
        char o[4096];
        snprintf(o, sizeof o, "%s", dirs[k]);
        size_t ol = strlen(o);
        while (ol > 1 && o[ol - 1] == '/') o[--ol] = 0;
        const char *ol_last = strrchr(o, '/');
        clash = !strcmp(ol_last ? ol_last + 1 : o, last);
    }
    const char *start = last;
    if (clash && last > d + 1) {
        start = last - 2;
        while (start > d && start[-1] != '/') start--;
    }
    snprintf(buf, cap, "%s", start);
}

/* Time base needed for target t, or NAN if it never got there. */
static double base_time(const run_row *base, double t) {
    for (int b = 0; b < base->n_targets; b++)
        if (base->target[b] == t) return base->time[b];
    return NAN;
}

/* Speed-up of r over base: base time / r time at the highest target both
 * reached; if base reached none that r reached, a lower bound at the
 * lowest target r reached, from the length of base's run. */
static void set_speedup(run_row *r, const run_row *base) {
    r->speedup = NAN;
    r->speedup_lower_bound = 0;
    for (int k = r->n_targets - 1; k >= 0; k--) {
        double bt = base_time(base, r->target[k]);
        if (isnan(r->time[k]) || !(r->time[k] > 0) || isnan(bt)) continue;
        r->speedup = bt / r->time[k];
        r->speedup_target = r->target[k];
        return;
    }
    for (int k = 0; k < r->n_targets; k++) {
        if (isnan(r->time[k]) || !(r->time[k] > 0) || isnan(base->final_time)) continue;
        r->speedup = base->final_time / r->time[k];
        r->speedup_target = r->target[k];
        r->speedup_lower_bound = 1;
        return;
    }
}

static void fmt_time(char *buf, size_t cap, double t) {
    if (isnan(t)) snprintf(buf, cap, "-");
    else snprintf(buf, cap, "%.1fs", t);
}

static void fmt_speedup(char *buf, size_t cap, const run_row *r, int is_base) {
    if (is_base) snprintf(buf, cap, "1 (baseline)");
    else if (isnan(r->speedup)) snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%s%.2fx at %g%s", r->speedup_lower_bound ? ">" : "", r->speedup,
                 r->speedup_target, r->accuracy ? "%" : "");
}

static void print_text(const run_row *rows, int n, int base, FILE *out) {
    const run_row *r0 = &rows[0];
    int acc = r0->accuracy;
    fprintf(out, "%-24s", "run");
    for (int k = 0; k < r0->n_targets; k++) {
        char h[32];
        snprintf(h, sizeof h, "t(%g%s)", r0->target[k], acc ? "%" : "");
        fprintf(out, " %9s", h);
    }
    fprintf(out, " %10s %9s %8s  speed-up vs %s\n", acc ? "final acc" : "final rmse", "MB sent", "dropped",
            rows[base].label);
    for (int i = 0; i < n; i++) {
        const run_row *r = &rows[i];
        fprintf(out, "%-24.24s", r->label);
        for (int k = 0; k < r0->n_targets; k++) {
            char b[32];
            fmt_time(b, sizeof b, k < r->n_targets ? r->time[k] : NAN);
            fprintf(out, " %9s", b);
        }
        char s[64];
        fmt_speedup(s, sizeof s, r, i == base);
        if (acc) fprintf(out, " %9.2f%%", r->final);
        else fprintf(out, " %10.4f", r->final);
        fprintf(out, " %9.1f %8.0f  %s\n", r->mb_sent, r->dropped, s);
    }
    fprintf(out, "t(x) = simulated time at which the mean %s over nodes first reached x;\n"
                 "speed-up = baseline's time / this run's time at the highest target both reached\n"
                 "(\">\": the baseline reached none of them; a bound from the baseline's run length)\n",
            acc ? "test accuracy" : "test RMSE");
}

static void print_markdown(const run_row *rows, int n, int base, FILE *out) {
    const run_row *r0 = &rows[0];
    int acc = r0->accuracy;
    fprintf(out, "| run |");
    for (int k = 0; k < r0->n_targets; k++) fprintf(out, " time to %g%s |", r0->target[k], acc ? "%" : " RMSE");
    fprintf(out, " final %s (min-max) | MB sent | stale dropped | speed-up vs %s |\n|---|",
            acc ? "accuracy" : "RMSE", rows[base].label);
    for (int k = 0; k < r0->n_targets + 4; k++) fprintf(out, "---:|");
    fprintf(out, "\n");
    for (int i = 0; i < n; i++) {
        const run_row *r = &rows[i];
        fprintf(out, "| %s |", r->label);
        for (int k = 0; k < r0->n_targets; k++) {
            char b[32];
            fmt_time(b, sizeof b, k < r->n_targets ? r->time[k] : NAN);
            fprintf(out, " %s |", b);
        }
        char s[64];
        fmt_speedup(s, sizeof s, r, i == base);
        if (acc) fprintf(out, " %.2f%% (%.1f-%.1f) |", r->final, r->final_min, r->final_max);
        else fprintf(out, " %.4f (%.4f-%.4f) |", r->final, r->final_min, r->final_max);
        fprintf(out, " %.1f | %.0f | %s |\n", r->mb_sent, r->dropped, s);
    }
}

static void csv_num(FILE *out, double v) {
    if (isnan(v)) fprintf(out, ",");
    else fprintf(out, ",%.6g", v);
}

static void print_csv(const run_row *rows, int n, int base, FILE *out) {
    const run_row *r0 = &rows[0];
    const char *m = r0->accuracy ? "accuracy" : "rmse";
    fprintf(out, "run,dir");
    for (int k = 0; k < r0->n_targets; k++) fprintf(out, ",time_to_%g", r0->target[k]);
    fprintf(out, ",final_%s_mean,final_%s_min,final_%s_max,final_time_s,mb_sent,messages_dropped_stale,"
                 "wall_time_s,baseline,speedup,speedup_target,speedup_is_lower_bound\n", m, m, m);
    for (int i = 0; i < n; i++) {
        const run_row *r = &rows[i];
        /* Labels and paths are quoted: they may hold commas. */
        fprintf(out, "\"%s\",\"%s\"", r->label, r->dir);
        for (int k = 0; k < r0->n_targets; k++) csv_num(out, k < r->n_targets ? r->time[k] : NAN);
        csv_num(out, r->final);
        csv_num(out, r->final_min);
        csv_num(out, r->final_max);
        csv_num(out, r->final_time);
        csv_num(out, r->mb_sent);
        csv_num(out, r->dropped);
        csv_num(out, r->wall);
        fprintf(out, ",\"%s\"", rows[base].label);
        csv_num(out, i == base ? 1.0 : r->speedup);
        csv_num(out, i == base ? NAN : r->speedup_target);
        fprintf(out, ",%d\n", i != base && r->speedup_lower_bound);
    }
}

/* Keys that may differ between runs of one experiment without making
 * them incomparable. */
static int key_is_incidental(const cfg_key *k) {
    static const char *const keys[][2] = {{"experiment", "name"}, {"experiment", "output"},
                                          {"algorithm", "name"},  {"algorithm", "algorithms"},
                                          {"train", "threads"},   {"eval", "trace_messages"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(k->section, keys[i][0]) && !strcmp(k->name, keys[i][1])) return 1;
    return 0;
}

/* Notes under the table: runs that did not finish, and settings in which
 * the runs' config.ini files differ (beyond the algorithm), so that stale
 * or mismatched runs are never tabled without a word. A run without a
 * config.ini gets a note; one that cannot be read is an error. */
static int build_notes(const run_row *rows, int n, strbuf *out, ds_err *err) {
    int oom = 0;
    for (int i = 0; i < n; i++)
        if (!rows[i].complete)
            oom |= strbuf_printf(out, "note: %s did not finish (interrupted or still running; final = last "
                                      "evaluation, at %.1f s)\n", rows[i].label, rows[i].final_time);
    config *cfg = calloc((size_t)n, sizeof *cfg);
    int *ok = calloc((size_t)n, sizeof *ok);
    int rc = -1;
    if (!cfg || !ok) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        char path[4096 + 16];
        snprintf(path, sizeof path, "%s/config.ini", rows[i].dir);
        if (!path_exists(path)) {
            oom |= strbuf_printf(out, "note: %s has no config.ini\n", rows[i].label);
            continue;
        }
        if (config_init(&cfg[i], err) || config_load(&cfg[i], path, err)) goto done;
        ok[i] = 1;
    }
    const cfg_key *k = config_keys();
    for (int key = 0; key < config_key_count(); key++) {
        if (key_is_incidental(&k[key])) continue;
        int first = -1, differs = 0;
        for (int i = 0; i < n && !differs; i++) {
            if (!ok[i]) continue;
            if (first < 0) first = i;
            else differs = strcmp(cfg[first].values[key].text, cfg[i].values[key].text) != 0;
        }
        if (!differs) continue;
        oom |= strbuf_printf(out, "note: the runs differ in [%s] %s:", k[key].section, k[key].name);
        for (int i = 0; i < n; i++)
            if (ok[i])
                oom |= strbuf_printf(out, "%s %s = %s", i == first ? "" : ";", rows[i].label, cfg[i].values[key].text);
        oom |= strbuf_printf(out, "\n");
    }
    rc = oom ? ds_fail(err, "out of memory") : 0;
done:
    for (int i = 0; cfg && i < n; i++) config_free(&cfg[i]);
    free(cfg);
    free(ok);
    return rc;
}

int run_compare(char **dirs, int n, const compare_options *opt, FILE *out, ds_err *err) {
    if (n < 1) return ds_fail(err, "compare: no run directories given");
    if (n > COMPARE_MAX_RUNS) return ds_fail(err, "compare: at most %d runs", COMPARE_MAX_RUNS);
    run_row *rows = calloc((size_t)n, sizeof *rows);
    if (!rows) return ds_fail(err, "out of memory");
    for (int i = 0; i < n; i++) {
        if (load_row(dirs[i], &rows[i], err)) {
            free(rows);
            return -1;
        }
        compare_label(dirs, n, i, rows[i].label, sizeof rows[i].label);
        if (rows[i].accuracy != rows[0].accuracy) {
            ds_fail(err, "compare: %s measures %s but %s measures %s", dirs[0],
                    rows[0].accuracy ? "accuracy" : "RMSE", dirs[i], rows[i].accuracy ? "accuracy" : "RMSE");
            free(rows);
            return -1;
        }
    }
    int base = 0;
    if (opt && opt->baseline) {
        base = -1;
        for (int i = 0; i < n && base < 0; i++)
            if (!strcmp(opt->baseline, rows[i].label) || !strcmp(opt->baseline, dirs[i])) base = i;
        if (base < 0) {
            ds_fail(err, "compare: baseline '%s' is none of the runs given (a directory or a run name)",
                    opt->baseline);
            free(rows);
            return -1;
        }
    }
    for (int i = 0; i < n; i++) set_speedup(&rows[i], &rows[base]);
    strbuf notes = {0};
    if ((!opt || opt->format == COMPARE_TEXT) && build_notes(rows, n, &notes, err)) {
        strbuf_free(&notes);
        free(rows);
        return -1;
    }
    switch (opt ? opt->format : COMPARE_TEXT) {
    case COMPARE_TEXT:
        print_text(rows, n, base, out);
        fputs(strbuf_str(&notes), out);
        break;
    case COMPARE_MARKDOWN: print_markdown(rows, n, base, out); break;
    case COMPARE_CSV: print_csv(rows, n, base, out); break;
    }
    strbuf_free(&notes);
    free(rows);
    return 0;
}

/* ---- several seeds --------------------------------------------------------- */

/* Student's t quantile for a two-sided 95% interval with df degrees of
 * freedom (table to 30; beyond, 1.96 + 2.5/df is within 0.002). */
static double t975(int df) {
    static const double t[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < 1) return NAN;
    return df <= 30 ? t[df - 1] : 1.96 + 2.5 / df;
}

void compare_mean_ci(const double *v, int n, double *mean, double *half) {
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) s += v[i];
    *mean = n ? s / n : NAN;
    for (int i = 0; i < n; i++) ss += (v[i] - *mean) * (v[i] - *mean);
    *half = n >= 2 ? t975(n - 1) * sqrt(ss / (n - 1)) / sqrt((double)n) : NAN;
}

/* "m±h" (or "m" for one value, "-" for none), then " (k/n)" when k < n. */
static void fmt_ci(char *buf, size_t cap, const double *v, int k, int n, const char *fmt, const char *unit) {
    if (k == 0) {
        snprintf(buf, cap, "-");
        return;
    }
    double m, h;
    compare_mean_ci(v, k, &m, &h);
    char a[32], b[32] = "";
    snprintf(a, sizeof a, fmt, m);
    if (k >= 2) {
        snprintf(b, sizeof b, fmt, h);
        snprintf(buf, cap, "%s±%s%s", a, b, unit);
    } else {
        snprintf(buf, cap, "%s%s", a, unit);
    }
    if (k < n) snprintf(buf + strlen(buf), cap - strlen(buf), " (%d/%d)", k, n);
}

int run_compare_seeds(const char *base, const uint64_t *seeds, int n_seeds, char **algs, int n_algs,
                      const char *baseline, FILE *out, ds_err *err) {
    if (n_seeds < 1 || n_algs < 1) return ds_fail(err, "compare: no seeds or no runs");
    run_row *rows = calloc((size_t)n_seeds * (size_t)n_algs, sizeof *rows);
    char (*dir)[4200] = calloc((size_t)n_seeds * (size_t)n_algs, sizeof *dir);
    double *v = calloc((size_t)n_seeds, sizeof *v);
    int rc = -1, b = 0;
    if (!rows || !dir || !v) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (int a = 0; a < n_algs; a++)
        if (baseline && !strcmp(algs[a], baseline)) b = a;
    for (int a = 0; a < n_algs; a++)
        for (int s = 0; s < n_seeds; s++) {
            run_row *r = &rows[a * n_seeds + s];
            snprintf(dir[a * n_seeds + s], sizeof dir[0], "%s/seed-%llu/%s", base, (unsigned long long)seeds[s], algs[a]);
            if (load_row(dir[a * n_seeds + s], r, err)) goto done;
            snprintf(r->label, sizeof r->label, "%s", algs[a]);
        }
    for (int a = 0; a < n_algs; a++)
        for (int s = 0; s < n_seeds; s++) set_speedup(&rows[a * n_seeds + s], &rows[b * n_seeds + s]);
    const run_row *r0 = &rows[0];
    const int acc = r0->accuracy;
    fprintf(out, "%-12s", "run");
    for (int k = 0; k < r0->n_targets; k++) {
        char h[32];
        snprintf(h, sizeof h, "t(%g%s)", r0->target[k], acc ? "%" : "");
        fprintf(out, " %18s", h);
    }
    fprintf(out, " %16s %16s  speed-up vs %s\n", acc ? "final acc" : "final rmse", "MB sent", algs[b]);
    for (int a = 0; a < n_algs; a++) {
        const run_row *ra = &rows[a * n_seeds];
        fprintf(out, "%-12.12s", algs[a]);
        char cell[96];
        for (int k = 0; k < r0->n_targets; k++) {
            int m = 0;
            for (int s = 0; s < n_seeds; s++)
                if (k < ra[s].n_targets && !isnan(ra[s].time[k])) v[m++] = ra[s].time[k];
            fmt_ci(cell, sizeof cell, v, m, n_seeds, "%.1f", "s");
            fprintf(out, " %18s", cell);
        }
        for (int s = 0; s < n_seeds; s++) v[s] = ra[s].final;
        fmt_ci(cell, sizeof cell, v, n_seeds, n_seeds, acc ? "%.2f" : "%.4f", acc ? "%" : "");
        fprintf(out, " %16s", cell);
        for (int s = 0; s < n_seeds; s++) v[s] = ra[s].mb_sent;
        fmt_ci(cell, sizeof cell, v, n_seeds, n_seeds, "%.1f", "");
        fprintf(out, " %16s", cell);
        if (a == b) {
            fprintf(out, "  1 (baseline)\n");
            continue;
        }
        int m = 0;
        for (int s = 0; s < n_seeds; s++)
            if (!isnan(ra[s].speedup) && !ra[s].speedup_lower_bound) v[m++] = ra[s].speedup;
        fmt_ci(cell, sizeof cell, v, m, n_seeds, "%.2f", "x");
        fprintf(out, "  %s\n", cell);
    }
    fprintf(out, "%d seeds (", n_seeds);
    for (int s = 0; s < n_seeds; s++) fprintf(out, "%s%llu", s ? "," : "", (unsigned long long)seeds[s]);
    fprintf(out, "): mean ± half-width of the 95%% confidence interval (Student's t, n - 1 degrees of freedom);\n"
                 "t(x) over the seeds that reached x, (k/n) when not all did; speed-up paired by seed: the\n"
                 "baseline's time / this run's time, in the same seed, at the highest target both reached\n"
                 "(seeds where the baseline reached none are left out)\n");
    for (int s = 0; s < n_seeds; s++)
        for (int a = 0; a < n_algs; a++)
            if (!rows[a * n_seeds + s].complete)
                fprintf(out, "note: %s did not finish\n", dir[a * n_seeds + s]);
    rc = 0;
done:
    free(rows);
    free(dir);
    free(v);
    return rc;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int compare_is_seeded(const char *dir) {
    char p[4200];
    snprintf(p, sizeof p, "%s/summary.json", dir);
    if (path_exists(p)) return 0;
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && !found && (e = readdir(d));) found = !strncmp(e->d_name, "seed-", 5);
    if (d) closedir(d);
    return found;
}

int compare_seed_layout(const char *base, uint64_t *seeds, int *n_seeds_out, char **algs, int *n_algs_out,
                        ds_err *err) {
    int n_seeds = 0, n_algs = 0;
    *n_seeds_out = *n_algs_out = 0;
    DIR *d = opendir(base);
    if (!d) return ds_fail(err, "%s: cannot open directory", base);
    for (struct dirent *e; (e = readdir(d));) {
        long long s;
        if (!strncmp(e->d_name, "seed-", 5) && text_int(e->d_name + 5, &s) == 0 && s >= 0 &&
            n_seeds < RUN_MAX_SEEDS_COMPARE)
            seeds[n_seeds++] = (uint64_t)s;
    }
    closedir(d);
    if (n_seeds == 0) return ds_fail(err, "%s: no seed-<s> folders", base);
    qsort(seeds, (size_t)n_seeds, sizeof *seeds, cmp_u64);
    char first[4200];
    snprintf(first, sizeof first, "%s/seed-%llu", base, (unsigned long long)seeds[0]);
    d = opendir(first);
    for (struct dirent *e; d && (e = readdir(d)) && n_algs < COMPARE_MAX_RUNS;) {
        char p[4200 + 300];
        snprintf(p, sizeof p, "%s/%s/summary.json", first, e->d_name);
        if (e->d_name[0] != '.' && path_exists(p) && !(algs[n_algs++] = strdup(e->d_name))) {
            n_algs--;
            ds_fail(err, "out of memory");
            closedir(d);
            goto done;
        }
    }
    if (d) closedir(d);
    if (n_algs == 0) {
        ds_fail(err, "%s: no runs (folders with summary.json)", first);
        goto done;
    }
    qsort(algs, (size_t)n_algs, sizeof *algs, cmp_str);
    *n_seeds_out = n_seeds;
    *n_algs_out = n_algs;
    return 0;
done:
    for (int i = 0; i < n_algs; i++) free(algs[i]);
    return -1;
}

int run_compare_seed_dir(const char *base, const char *baseline, FILE *out, ds_err *err) {
    uint64_t seeds[RUN_MAX_SEEDS_COMPARE];
    char *algs[COMPARE_MAX_RUNS];
    int n_seeds, n_algs;
    if (compare_seed_layout(base, seeds, &n_seeds, algs, &n_algs, err)) return -1;
    int rc = run_compare_seeds(base, seeds, n_seeds, algs, n_algs, baseline ? baseline : "adpsgd", out, err);
    for (int i = 0; i < n_algs; i++) free(algs[i]);
    return rc;
}
