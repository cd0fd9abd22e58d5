/* agree.c: the real run's pace, and real against simulated side by side. */
#include "exp/agree.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics_csv.h"
#include "exp/results.h"
#include "util/fileio.h"
#include "util/strbuf.h"

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static cJSON *read_json(const char *path, ds_err *err) {
    unsigned char *data;
    size_t len;
    if (file_read_all(path, &data, &len, err)) return NULL;
    cJSON *j = cJSON_Parse((const char *)data);
    free(data);
    if (!j) ds_fail(err, "%s: not valid JSON", path);
    return j;
}

static double num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Every node's compute slowdown from dir/links.csv into *slow (malloc'ed),
 * their count into *n. */
static int read_slowdowns(const char *dir, double **slow, int *n, ds_err *err) {
    char path[4096 + 32];
    snprintf(path, sizeof path, "%s/links.csv", dir);
    text_file tf;
    *slow = NULL;
    *n = 0;
    if (text_open(&tf, path, (size_t)64 << 20, err)) return -1;
    int rc = 0, cap = 0;
    for (char *line; rc == 0 && (line = text_next(&tf));) {
        if (tf.line == 1) continue; /* header */
        char *f[8];
        long long id;
        double s;
        if (text_split(line, ',', f, 8) < 5 || text_int(f[0], &id) || text_double(f[4], &s) || id != *n) {
            rc = ds_fail(err, "%s:%d: expected 'node,up_bps,down_bps,latency_s,slowdown,...' for node %d", path,
                         tf.line, *n);
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            double *v = realloc(*slow, sizeof(double) * (size_t)cap);
            if (!v) {
                rc = ds_fail(err, "out of memory");
                break;
            }
            *slow = v;
        }
        (*slow)[(*n)++] = s;
    }
    text_close(&tf);
    if (rc == 0 && *n == 0) rc = ds_fail(err, "%s: no nodes", path);
    if (rc) {
        free(*slow);
        *slow = NULL;
    }
    return rc;
}

int agree_step_time(const char *real_dir, int synchronous, double *step_time, ds_err *err) {
    double *slow;
    int n;
    if (read_slowdowns(real_dir, &slow, &n, err)) return -1;
    double *v = malloc(sizeof(double) * (size_t)n);
    int m = 0, rc = 0;
    if (!v) {
        free(slow);
        return ds_fail(err, "out of memory");
    }
    for (int i = 0; i < n && rc == 0; i++) {
        if (slow[i] != 1) continue;
        char path[4096 + 32];
        snprintf(path, sizeof path, "%s/node-%d.json", real_dir, i);
        cJSON *j = read_json(path, err);
        if (!j) {
            rc = -1;
            break;
        }
        double steps = num(j, "steps"), clock = num(j, synchronous ? "sgd_s" : "clock_s");
        cJSON_Delete(j);
        if (!(steps > 0) || !(clock > 0))
            rc = ds_fail(err, "%s: no SGD steps or no %s (a node of an older divshare, or one that never trained)",
                         path, synchronous ? "sgd_s" : "clock_s");
        else v[m++] = clock / steps;
    }
    if (rc == 0 && m == 0) rc = ds_fail(err, "%s: every node is a compute straggler: no pace to measure", real_dir);
    if (rc == 0) {
        qsort(v, (size_t)m, sizeof *v, cmp_double);
        *step_time = m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
    }
    free(v);
    free(slow);
    return rc;
}

/* What the table shows of one run. */
typedef struct agree_run {
    int regress, n_targets, rows;
    double target[RESULTS_MAX_TARGETS], reached[RESULTS_MAX_TARGETS];
    double mb, msgs, dropped;
    double *time, *metric; /* [rows] the evaluations: time and mean metric (% or RMSE) */
} agree_run;

static void run_free(agree_run *r) {
    free(r->time);
    free(r->metric);
}

static int load_run(const char *dir, agree_run *r, ds_err *err) {
    memset(r, 0, sizeof *r);
    char path[4096 + 32];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    cJSON *j = read_json(path, err);
    if (!j) return -1;
    const cJSON *tt = cJSON_GetObjectItem(j, "time_to_target"), *tot = cJSON_GetObjectItem(j, "totals");
    if (!cJSON_IsArray(tt) || !cJSON_IsObject(tot) || !cJSON_IsTrue(cJSON_GetObjectItem(j, "complete"))) {
        cJSON_Delete(j);
        return ds_fail(err, "%s: not the summary of a finished run", path);
    }
    const cJSON *t;
    cJSON_ArrayForEach(t, tt) {
        if (r->n_targets == RESULTS_MAX_TARGETS) break;
        r->target[r->n_targets] = num(t, "target");
        r->reached[r->n_targets++] = num(t, "time_s");
    }
    r->mb = num(tot, "bytes_sent") / 1e6;
    r->msgs = num(tot, "messages_sent");
    r->dropped = num(tot, "messages_dropped_stale");
    cJSON_Delete(j);
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    run_report *rows;
    int n;
    if (metrics_csv_load(path, &rows, &n, &r->regress, err)) return -1;
    if (n == 0) {
        free(rows);
        return ds_fail(err, "%s: no evaluations", path);
    }
    r->time = malloc(sizeof(double) * (size_t)n);
    r->metric = malloc(sizeof(double) * (size_t)n);
    if (!r->time || !r->metric) {
        free(rows);
        run_free(r);
        return ds_fail(err, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        r->time[i] = rows[i].time;
        r->metric[i] = r->regress ? rows[i].metric_mean : 100 * rows[i].metric_mean;
    }
    r->rows = n;
    free(rows);
    return 0;
}

/* The row of r evaluated at time t (within 1e-6 s), or -1. */
static int row_at(const agree_run *r, double t) {
    for (int i = 0; i < r->rows; i++)
        if (fabs(r->time[i] - t) < 1e-6) return i;
    return -1;
}

/* v in fmt with its unit, or "-" when not measured (NAN). */
static void fmt_value(char *buf, size_t cap, double v, const char *fmt, const char *unit) {
    if (isnan(v)) {
        snprintf(buf, cap, "-");
        return;
    }
    char num_text[40];
    snprintf(num_text, sizeof num_text, fmt, v);
    snprintf(buf, cap, "%s%s", num_text, unit);
}

/* One quantity: real, simulated, and their difference (relative in %, or
 * sim - real in diff_unit when diff_unit is not NULL). */
static int add_line(strbuf *txt, strbuf *csv, const char *alg, const char *what, double real, double sim,
                    const char *fmt, const char *unit, const char *diff_unit) {
    char a[48], b[48], d[48] = "";
    fmt_value(a, sizeof a, real, fmt, unit);
    fmt_value(b, sizeof b, sim, fmt, unit);
    if (!isnan(real) && !isnan(sim)) {
        if (!diff_unit && real != 0) snprintf(d, sizeof d, "%+.1f%%", 100 * (sim - real) / real);
        else if (diff_unit) snprintf(d, sizeof d, "%+.3g%s", sim - real, diff_unit);
    }
    if (strbuf_printf(txt, "  %-26s %14s %14s %12s\n", what, a, b, d)) return -1;
    char rs[32] = "", ss[32] = "";
    if (!isnan(real)) snprintf(rs, sizeof rs, "%.6g", real);
    if (!isnan(sim)) snprintf(ss, sizeof ss, "%.6g", sim);
    return strbuf_printf(csv, "%s,%s,%s,%s\n", alg, what, rs, ss);
}

int agree_table(const char *real_base, const char *sim_base, char **algs, int n, const double *step_time,
                const char *csv_path, FILE *out, ds_err *err) {
    strbuf txt = {0}, csv = {0};
    int rc = -1;
    if (strbuf_printf(&csv, "algorithm,quantity,real,sim\n")) goto oom;
    for (int a = 0; a < n; a++) {
        char dir[2][4096 + 256];
        snprintf(dir[0], sizeof dir[0], "%s/%s", real_base, algs[a]);
        snprintf(dir[1], sizeof dir[1], "%s/%s", sim_base, algs[a]);
        agree_run r[2];
        if (load_run(dir[0], &r[0], err)) goto done;
        if (load_run(dir[1], &r[1], err)) {
            run_free(&r[0]);
            goto done;
        }
        const int acc = !r[0].regress;
        int bad = 0;
        if (strbuf_printf(&txt, "%s: simulator paced at %.4g ms per SGD step (the real run's)\n", algs[a],
                          1e3 * step_time[a]) ||
            strbuf_printf(&txt, "  %-26s %14s %14s %12s\n", "", "real", "simulated", "sim - real"))
            bad = 1;
        bad = bad || add_line(&txt, &csv, algs[a], "MB sent", r[0].mb, r[1].mb, "%.1f", "", NULL);
        bad = bad || add_line(&txt, &csv, algs[a], "messages sent", r[0].msgs, r[1].msgs, "%.0f", "", NULL);
        bad = bad || add_line(&txt, &csv, algs[a], "stale fragments dropped", r[0].dropped, r[1].dropped, "%.0f", "", NULL);
        for (int k = 0; k < r[0].n_targets && k < r[1].n_targets && !bad; k++) {
            char what[64];
            snprintf(what, sizeof what, "time to %g%s", r[0].target[k], acc ? "%" : " RMSE");
            bad = add_line(&txt, &csv, algs[a], what, r[0].reached[k], r[1].reached[k], "%.1f", " s", " s");
        }
        /* The metric at about a quarter, half, three quarters and the end
         * of the evaluations both runs have. */
        int last = -1;
        for (int i = 0; i < r[0].rows; i++)
            if (row_at(&r[1], r[0].time[i]) >= 0) last = i;
        for (int q = 1, prev = -1; q <= 4 && last > 0 && !bad; q++) {
            int i = (int)lround(last * q / 4.0);
            int i1 = row_at(&r[1], r[0].time[i]);
            if (i1 < 0 || i == prev) continue;
            prev = i;
            char what[64];
            snprintf(what, sizeof what, "%s at %g s", acc ? "accuracy" : "RMSE", r[0].time[i]);
            bad = add_line(&txt, &csv, algs[a], what, r[0].metric[i], r[1].metric[i1], acc ? "%.2f" : "%.4f",
                           acc ? "%" : "", acc ? " pts" : "");
        }
        run_free(&r[0]);
        run_free(&r[1]);
        if (bad || strbuf_printf(&txt, "\n")) goto oom;
    }
    if (strbuf_printf(&txt, "real: the nodes' training clocks; simulated: simulated time. Times to a target are "
                            "nominal evaluation times.\n"))
        goto oom;
    fputs(strbuf_str(&txt), out);
    rc = csv_path ? atomic_write_string(csv_path, strbuf_str(&csv), err) : 0;
    goto done;
oom:
    ds_fail(err, "out of memory");
done:
    strbuf_free(&txt);
    strbuf_free(&csv);
    return rc;
}
