/* metrics_csv.h: the one definition of a run's metrics.csv (one row per
 * evaluation, network-wide) and nodes.csv (one row per evaluation and
 * node): written by results.c for both runtimes, read by plot, the
 * public API's results reader and the tests. The column lists, their
 * formats and the parsing live here only.
 *
 * metrics.csv:
 *   time_s,mean_round,M_mean,M_min,M_max,test_loss,train_loss,
 *   consensus_distance,bytes_sent,messages_sent,messages_dropped_stale,
 *   messages_received,events
 * nodes.csv:
 *   time_s,node,round,M,test_loss,train_loss,bytes_sent,bytes_received,
 *   messages_sent,messages_dropped_stale,messages_received,applied,
 *   staleness_rounds,idle_s,straggler,compute_straggler
 *
 * M is accuracy (in %, classifiers) or rmse. Values not measured are
 * empty (train_loss before any step, consensus_distance in a real run,
 * a node outside the evaluated sample). */
#ifndef DS_METRICS_CSV_H
#define DS_METRICS_CSV_H

#include "core/report.h"
#include "util/err.h"
#include "util/strbuf.h"

typedef enum metrics_col {
    METRICS_COL_TIME,
    METRICS_COL_MEAN_ROUND,
    METRICS_COL_MEAN,
    METRICS_COL_MIN,
    METRICS_COL_MAX,
    METRICS_COL_TEST_LOSS,
    METRICS_COL_TRAIN_LOSS,
    METRICS_COL_CONSENSUS,
    METRICS_COL_BYTES_SENT,
    METRICS_COL_MSGS_SENT,
    METRICS_COL_MSGS_DROPPED,
    METRICS_COL_MSGS_RECEIVED,
    METRICS_COL_EVENTS,
    METRICS_COLUMNS
} metrics_col;

/* The metric's column stem: "rmse" or "accuracy". */
const char *metrics_csv_metric(int regress);

/* Appends the header / one row (the report's metric as a fraction or an
 * RMSE; written in % for accuracy). -1 if out of memory. */
int metrics_csv_header(strbuf *b, int regress);
int metrics_csv_append(strbuf *b, const run_report *r);
int nodes_csv_header(strbuf *b, int regress);
/* Node kinds for nodes.csv's last two columns. */
enum { NODE_LINK_STRAGGLER = 1, NODE_COMPUTE_STRAGGLER = 2 };
/* The report's node rows; kind[i]: node i's NODE_* flags (NULL = none). */
int nodes_csv_append(strbuf *b, const run_report *r, const unsigned char *kind);

/* Checks a metrics.csv header line (no newline): 0 with *regress set, or
 * -1 with the reason prefixed with where. */
int metrics_csv_parse_header(const char *line, const char *where, int *regress, ds_err *err);
/* Parses one row in place into r (node = NULL; the metric back as a
 * fraction for accuracy; empty values as NAN). */
int metrics_csv_parse_row(char *line, const char *where, int regress, run_report *r, ds_err *err);
/* Reads a whole metrics.csv: its rows (malloc'ed, caller frees; NULL when
 * there are none) and whether the metric is an RMSE. An empty file is an
 * error; a header without rows is not. */
int metrics_csv_load(const char *path, run_report **rows, int *n, int *regress, ds_err *err);

#endif
