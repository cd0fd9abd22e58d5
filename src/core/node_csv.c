/* node_csv.c: node-K.csv, written and read by the same column table. */
#include "core/node_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"

static const char *const NAMES[NODE_COLUMNS] = {
    [NODE_COL_EVAL] = "eval",
    [NODE_COL_TIME] = "time_s",
    [NODE_COL_NODE] = "node",
    [NODE_COL_ROUND] = "round",
    [NODE_COL_METRIC] = NULL, /* accuracy or rmse */
    [NODE_COL_TEST_LOSS] = "test_loss",
    [NODE_COL_TRAIN_LOSS] = "train_loss",
    [NODE_COL_BYTES_SENT] = "bytes_sent",
    [NODE_COL_BYTES_RECEIVED] = "bytes_received",
    [NODE_COL_MSGS_SENT] = "messages_sent",
    [NODE_COL_MSGS_DROPPED] = "messages_dropped_stale",
    [NODE_COL_MSGS_RECEIVED] = "messages_received",
    [NODE_COL_APPLIED] = "applied",
    [NODE_COL_STALENESS] = "staleness_rounds",
    [NODE_COL_IDLE] = "idle_s",
    [NODE_COL_UNREACHABLE] = "messages_unreachable",
    [NODE_COL_INVALID] = "messages_invalid",
    [NODE_COL_FOREIGN] = "messages_foreign",
    [NODE_COL_CLOCK] = "clock_s",
};

int node_csv_header(strbuf *b, int regress) {
    int rc = 0;
    for (int c = 0; c < NODE_COLUMNS; c++)
        rc |= strbuf_printf(b, "%s%s", c ? "," : "", NAMES[c] ? NAMES[c] : regress ? "rmse" : "accuracy");
    return rc | strbuf_printf(b, "\n");
}

/* "%.<digits>f" of v, or nothing for NAN. */
static void fmt_opt(char *buf, size_t n, double v, int digits) {
    if (isnan(v)) buf[0] = 0;
    else snprintf(buf, n, "%.*f", digits, v);
}

int node_csv_append(strbuf *b, const node_csv_row *r) {
    char metric[40], loss[40], tl[40];
    fmt_opt(metric, sizeof metric, r->metric, 4);
    fmt_opt(loss, sizeof loss, r->test_loss, 5);
    fmt_opt(tl, sizeof tl, r->train_loss, 5);
    return strbuf_printf(b, "%d,%.3f,%d,%llu,%s,%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%.3f,%.3f,%llu,%llu,%llu,%.3f\n",
                         r->eval, r->time, r->node, (unsigned long long)r->round, metric, loss, tl,
                         (unsigned long long)r->bytes_sent, (unsigned long long)r->bytes_received,
                         (unsigned long long)r->msgs_sent, (unsigned long long)r->msgs_dropped,
                         (unsigned long long)r->msgs_received, (unsigned long long)r->applied, r->staleness,
                         r->idle, (unsigned long long)r->unreachable, (unsigned long long)r->invalid,
                         (unsigned long long)r->foreign, r->clock);
}

int node_csv_parse_header(const char *line, const char *where, int *regress, ds_err *err) {
    int cols = 1;
    for (const char *q = line; *q; q++) cols += *q == ',';
    const char *p = line;
    *regress = 0;
    for (int c = 0; c < NODE_COLUMNS && c < cols; c++) {
        size_t len = strcspn(p, ",");
        if (c == NODE_COL_METRIC) *regress = len == 4 && !strncmp(p, "rmse", 4);
        const char *want = NAMES[c] ? NAMES[c] : *regress ? "rmse" : "accuracy";
        if (len != strlen(want) || strncmp(p, want, len))
            return ds_fail(err, "%s: not a divshare node file (column %d is '%.*s', expected '%s')", where, c + 1,
                           (int)(len > 40 ? 40 : len), p, want);
        p += len + 1;
    }
    if (cols != NODE_COLUMNS)
        return ds_fail(err, "%s: header has %d columns, expected %d (truncated file?)", where, cols, NODE_COLUMNS);
    return 0;
}

static double opt_double(const char *s) { return *s ? strtod(s, NULL) : NAN; }

int node_csv_parse_row(char *line, const char *where, node_csv_row *r, ds_err *err) {
    char *f[NODE_COLUMNS];
    int k = text_split(line, ',', f, NODE_COLUMNS);
    if (k != NODE_COLUMNS) return ds_fail(err, "%s: expected %d columns, found %d", where, NODE_COLUMNS, k);
    *r = (node_csv_row){
        .eval = (int)strtol(f[NODE_COL_EVAL], NULL, 10),
        .time = strtod(f[NODE_COL_TIME], NULL),
        .node = (int)strtol(f[NODE_COL_NODE], NULL, 10),
        .round = strtoull(f[NODE_COL_ROUND], NULL, 10),
        .metric = opt_double(f[NODE_COL_METRIC]),
        .test_loss = opt_double(f[NODE_COL_TEST_LOSS]),
        .train_loss = opt_double(f[NODE_COL_TRAIN_LOSS]),
        .bytes_sent = strtoull(f[NODE_COL_BYTES_SENT], NULL, 10),
        .bytes_received = strtoull(f[NODE_COL_BYTES_RECEIVED], NULL, 10),
        .msgs_sent = strtoull(f[NODE_COL_MSGS_SENT], NULL, 10),
        .msgs_dropped = strtoull(f[NODE_COL_MSGS_DROPPED], NULL, 10),
        .msgs_received = strtoull(f[NODE_COL_MSGS_RECEIVED], NULL, 10),
        .applied = strtoull(f[NODE_COL_APPLIED], NULL, 10),
        .staleness = strtod(f[NODE_COL_STALENESS], NULL),
        .idle = strtod(f[NODE_COL_IDLE], NULL),
        .unreachable = strtoull(f[NODE_COL_UNREACHABLE], NULL, 10),
        .invalid = strtoull(f[NODE_COL_INVALID], NULL, 10),
        .foreign = strtoull(f[NODE_COL_FOREIGN], NULL, 10),
        .clock = strtod(f[NODE_COL_CLOCK], NULL),
    };
    if (!isfinite(r->time) || r->time < 0) return ds_fail(err, "%s: bad time '%s'", where, f[NODE_COL_TIME]);
    return 0;
}
