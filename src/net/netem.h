/* netem.h: kernel-level link emulation for `divshare launch --netem`
 * (Linux, root): one network namespace per node, joined to a private
 * bridge by a veth pair; the node's uplink is an htb rate + netem delay on
 * its end of the pair, its downlink the same on the bridge's end. Nodes
 * then run with in-process shaping off (`divshare node --shaping none`),
 * or, on kernels without the netem qdisc, with only the latency emulated
 * in the process (`--shaping latency`).
 * Uses the `ip` and `tc` commands (Debian iproute2). Namespaces are named
 * divshare-<launcher pid>-<node>; teardown removes everything it made. */
#ifndef DS_NETEM_H
#define DS_NETEM_H

#include "core/report.h"
#include "util/err.h"

typedef struct netem netem;

/* 0 if this process can create namespaces, veth pairs and htb qdiscs
 * (checked on a scratch namespace), else why not. *with_delay is set if
 * the kernel also has the netem qdisc; without it, latency stays
 * emulated in the node processes. */
int netem_available(int *with_delay, ds_err *err);

/* Builds the emulated network for n nodes with the given link specs
 * (latency only if with_delay). */
netem *netem_setup(int n, const node_spec *spec, int with_delay, ds_err *err);
/* Node i's namespace name and IPv4 address. */
const char *netem_namespace(const netem *m, int i);
const char *netem_address(const netem *m, int i);
/* Removes the namespaces (and with them the veth pairs) and the bridge. */
void netem_teardown(netem *m);

#endif
