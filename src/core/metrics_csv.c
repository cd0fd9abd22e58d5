/* metrics_csv.c: metrics.csv and nodes.csv, written and read by the same
 * column tables. */
#include "core/metrics_csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"

/* NULL: the metric's own column (see metrics_csv_metric), with a suffix. */
static const char *const NAMES[METRICS_COLUMNS] = {
    [METRICS_COL_TIME] = "time_s",
    [METRICS_COL_MEAN_ROUND] = "mean_round",
    [METRICS_COL_MEAN] = NULL,
    [METRICS_COL_MIN] = NULL,
    [METRICS_COL_MAX] = NULL,
    [METRICS_COL_TEST_LOSS] = "test_loss",
    [METRICS_COL_TRAIN_LOSS] = "train_loss",
    [METRICS_COL_CONSENSUS] = "consensus_distance",
    [METRICS_COL_BYTES_SENT] = "bytes_sent",
    [METRICS_COL_MSGS_SENT] = "messages_sent",
    [METRICS_COL_MSGS_DROPPED] = "messages_dropped_stale",
    [METRICS_COL_MSGS_RECEIVED] = "messages_received",
    [METRICS_COL_EVENTS] = "events",
};

static const char *const SUFFIX[METRICS_COLUMNS] = {
    [METRICS_COL_MEAN] = "_mean",
    [METRICS_COL_MIN] = "_min",
    [METRICS_COL_MAX] = "_max",
};

const char *metrics_csv_metric(int regress) { return regress ? "rmse" : "accuracy"; }

static void column_name(int c, int regress, char *buf, size_t n) {
    if (NAMES[c]) snprintf(buf, n, "%s", NAMES[c]);
    else snprintf(buf, n, "%s%s", metrics_csv_metric(regress), SUFFIX[c]);
}

int metrics_csv_header(strbuf *b, int regress) {
    int rc = 0;
    for (int c = 0; c < METRICS_COLUMNS; c++) {
        char name[64];
        column_name(c, regress, name, sizeof name);
        rc |= strbuf_printf(b, "%s%s", c ? "," : "", name);
    }
    return rc | strbuf_printf(b, "\n");
}

/* "%.Nf" of v, or "" when v is NaN (unknown, not garbage). */
static const char *num_or_empty(char *buf, size_t cap, const char *fmt, double v) {
    if (isnan(v)) buf[0] = 0;
    else snprintf(buf, cap, fmt, v);
    return buf;
}

int metrics_csv_append(strbuf *b, const run_report *r) {
    double scale = r->regress ? 1 : 100;
    char tl[32], cd[32];
    return strbuf_printf(b, "%.3f,%.2f,%.4f,%.4f,%.4f,%.5f,%s,%s,%llu,%llu,%llu,%llu,%llu\n", r->time,
                         r->mean_round, scale * r->metric_mean, scale * r->metric_min, scale * r->metric_max,
                         r->test_loss, num_or_empty(tl, sizeof tl, "%.5f", r->train_loss),
                         num_or_empty(cd, sizeof cd, "%.5f", r->consensus), (unsigned long long)r->bytes_sent,
                         (unsigned long long)r->msgs_sent, (unsigned long long)r->msgs_dropped,
                         (unsigned long long)r->msgs_received, (unsigned long long)r->events);
}

int nodes_csv_header(strbuf *b, int regress) {
    return strbuf_printf(b, "time_s,node,round,%s,test_loss,train_loss,bytes_sent,bytes_received,"
                            "messages_sent,messages_dropped_stale,messages_received,applied,staleness_rounds,"
                            "idle_s,straggler,compute_straggler\n", metrics_csv_metric(regress));
}

int nodes_csv_append(strbuf *b, const run_report *r, const unsigned char *kind) {
    double scale = r->regress ? 1 : 100;
    int rc = 0;
    for (int i = 0; i < r->nodes; i++) {
        const node_report *n = &r->node[i];
        char metric[32], loss[32], ntl[32];
        const int k = kind ? kind[i] : 0;
        rc |= strbuf_printf(b, "%.3f,%d,%u,%s,%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%.3f,%.3f,%d,%d\n", r->time, i,
                            n->round, num_or_empty(metric, sizeof metric, "%.4f", scale * n->test_metric),
                            num_or_empty(loss, sizeof loss, "%.5f", n->test_loss),
                            num_or_empty(ntl, sizeof ntl, "%.5f", n->train_loss),
                            (unsigned long long)n->bytes_sent, (unsigned long long)n->bytes_received,
                            (unsigned long long)n->msgs_sent, (unsigned long long)n->msgs_dropped,
                            (unsigned long long)n->msgs_received, (unsigned long long)n->applied, n->staleness,
                            n->idle_time, !!(k & NODE_LINK_STRAGGLER), !!(k & NODE_COMPUTE_STRAGGLER));
    }
    return rc;
}

int metrics_csv_parse_header(const char *line, const char *where, int *regress, ds_err *err) {
    int cols = 1;
    for (const char *q = line; *q; q++) cols += *q == ',';
    const char *p = line;
    *regress = 0;
    for (int c = 0; c < METRICS_COLUMNS && c < cols; c++) {
        size_t len = strcspn(p, ",");
        if (c == METRICS_COL_MEAN) *regress = len == 9 && !strncmp(p, "rmse_mean", 9);
        char want[64];
        column_name(c, *regress, want, sizeof want);
        if (len != strlen(want) || strncmp(p, want, len))
            return ds_fail(err, "%s: not a divshare metrics file (column %d is '%.*s', expected '%s')", where, c + 1,
                           (int)(len > 40 ? 40 : len), p, want);
        p += len + 1;
    }
    if (cols != METRICS_COLUMNS)
        return ds_fail(err, "%s: header has %d columns, expected %d (truncated file?)", where, cols, METRICS_COLUMNS);
    return 0;
}

/* A number of column c, or NAN when empty; -1 when not a number. */
static int field(const char *s, double *out) {
    if (!*s) {
        *out = NAN;
        return 0;
    }
    char *end;
    *out = strtod(s, &end);
    return *end ? -1 : 0;
}

int metrics_csv_parse_row(char *line, const char *where, int regress, run_report *r, ds_err *err) {
    char *f[METRICS_COLUMNS];
    int k = text_split(line, ',', f, METRICS_COLUMNS);
    if (k != METRICS_COLUMNS) return ds_fail(err, "%s: expected %d columns, found %d", where, METRICS_COLUMNS, k);
    double v[METRICS_COLUMNS];
    for (int c = 0; c < METRICS_COLUMNS; c++)
        if (field(f[c], &v[c]))
            return ds_fail(err, "%s: column %d: '%.40s' is not a number", where, c + 1, f[c]);
    double scale = regress ? 1 : 100;
    *r = (run_report){
        .time = v[METRICS_COL_TIME],
        .regress = regress,
        .mean_round = v[METRICS_COL_MEAN_ROUND],
        .metric_mean = v[METRICS_COL_MEAN] / scale,
        .metric_min = v[METRICS_COL_MIN] / scale,
        .metric_max = v[METRICS_COL_MAX] / scale,
        .test_loss = v[METRICS_COL_TEST_LOSS],
        .train_loss = v[METRICS_COL_TRAIN_LOSS],
        .consensus = v[METRICS_COL_CONSENSUS],
        .bytes_sent = (uint64_t)v[METRICS_COL_BYTES_SENT],
        .msgs_sent = (uint64_t)v[METRICS_COL_MSGS_SENT],
        .msgs_dropped = (uint64_t)v[METRICS_COL_MSGS_DROPPED],
        .msgs_received = (uint64_t)v[METRICS_COL_MSGS_RECEIVED],
        .events = (uint64_t)v[METRICS_COL_EVENTS],
    };
    if (!isfinite(r->time) || r->time < 0) return ds_fail(err, "%s: bad time '%s'", where, f[METRICS_COL_TIME]);
    return 0;
}

int metrics_csv_load(const char *path, run_report **rows, int *n, int *regress, ds_err *err) {
    *rows = NULL;
    *n = 0;
    *regress = 0;
    text_file t;
    if (text_open(&t, path, (size_t)1 << 30, err)) return -1;
    int cap = 0, rc = 0, lines = 0;
    char where[4096 + 64];
    for (char *line; !rc && (line = text_next(&t));) {
        lines++;
        snprintf(where, sizeof where, "%s:%d", path, t.line);
        if (lines == 1) {
            rc = metrics_csv_parse_header(line, where, regress, err);
            continue;
        }
        if (!*line) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            run_report *nr = realloc(*rows, sizeof *nr * (size_t)cap);
            if (!nr) {
                rc = ds_fail(err, "out of memory");
                break;
            }
            *rows = nr;
        }
        rc = metrics_csv_parse_row(line, where, *regress, &(*rows)[*n], err);
        if (!rc) (*n)++;
    }
    text_close(&t);
    if (!rc && lines == 0) rc = ds_fail(err, "%s: empty file", path);
    if (rc) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}
