/* node_csv.h: the one definition of node-K.csv, the per-node result file
 * of a real run: written by the node (node.c), read by the collector
 * (collect.c). One row per evaluation; the column list, their formats and
 * the parsing live here only.
 *
 *   eval,time_s,node,round,accuracy|rmse,test_loss,train_loss,bytes_sent,
 *   bytes_received,messages_sent,messages_dropped_stale,messages_received,
 *   applied,staleness_rounds,idle_s,messages_unreachable,messages_invalid,
 *   messages_foreign,clock_s
 *
 * The metric column is named accuracy (%, classifiers) or rmse; it and the
 * two losses are empty when not measured (a node outside the evaluated
 * sample, or no training step since the last row). */
#ifndef DS_NODE_CSV_H
#define DS_NODE_CSV_H

#include <stdint.h>

#include "util/err.h"
#include "util/strbuf.h"

typedef enum node_col {
    NODE_COL_EVAL,
    NODE_COL_TIME,
    NODE_COL_NODE,
    NODE_COL_ROUND,
    NODE_COL_METRIC,
    NODE_COL_TEST_LOSS,
    NODE_COL_TRAIN_LOSS,
    NODE_COL_BYTES_SENT,
    NODE_COL_BYTES_RECEIVED,
    NODE_COL_MSGS_SENT,
    NODE_COL_MSGS_DROPPED,
    NODE_COL_MSGS_RECEIVED,
    NODE_COL_APPLIED,
    NODE_COL_STALENESS,
    NODE_COL_IDLE,
    NODE_COL_UNREACHABLE,
    NODE_COL_INVALID,
    NODE_COL_FOREIGN,
    NODE_COL_CLOCK,
    NODE_COLUMNS
} node_col;

typedef struct node_csv_row {
    int eval, node;
    double time;                  /* nominal evaluation time, s of training clock */
    uint64_t round;
    double metric;                /* accuracy in % or RMSE; NAN = not measured */
    double test_loss, train_loss; /* NAN = not measured */
    uint64_t bytes_sent, bytes_received, msgs_sent, msgs_dropped, msgs_received, applied;
    double staleness;             /* mean rounds */
    double idle;                  /* s */
    uint64_t unreachable, invalid, foreign;
    double clock;                 /* s of training clock when the row was written */
} node_csv_row;

/* Appends the header line (regress: the metric is rmse). -1 if out of memory. */
int node_csv_header(strbuf *b, int regress);
/* Appends one row. -1 if out of memory. */
int node_csv_append(strbuf *b, const node_csv_row *r);

/* Checks a header line (NUL-terminated, no newline): 0 with *regress set,
 * or -1 with the reason (prefixed with where). */
int node_csv_parse_header(const char *line, const char *where, int *regress, ds_err *err);
/* Parses one row in place (the line is cut at its commas). */
int node_csv_parse_row(char *line, const char *where, node_csv_row *r, ds_err *err);

#endif
