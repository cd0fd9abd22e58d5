/* collect.h: turning the per-node files of a real run (node-K.csv, written
 * by `divshare node`) into the simulator's result layout in the same
 * directory: metrics.csv, nodes.csv, summary.json (runtime "real").
 *
 * Nodes evaluate at the same nominal times (multiples of [eval] interval
 * of their training clock, and the duration); rows are merged by that
 * time. A node without a row at some time (it died, or had not started)
 * counts with its latest earlier counters and no accuracy; a node with no
 * file at all is reported in *missing. Consensus distance is unknown in a
 * real run (the models live in different processes) and left empty. */
#ifndef DS_COLLECT_H
#define DS_COLLECT_H

#include <stdio.h>

#include "exp/config.h"

/* c is the run's resolved configuration (nodes, targets, metric). */
int collect_run(const config *c, const char *dir, const char *algorithm, FILE *log, int interrupted,
                int *missing, ds_err *err);

#endif
