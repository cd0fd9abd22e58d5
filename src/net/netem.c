/* netem.c: network namespaces, veth pairs, a bridge and tc qdiscs, made
 * with the ip and tc commands. Every command line is built from numbers
 * and names made here, never from user input. */
#define _POSIX_C_SOURCE 200809L
#include "net/netem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct netem {
    int n;
    int pid;
    char bridge[16];
    char (*ns)[32];
    char (*addr)[32];
    int bridge_made;
    int *ns_made;
};

/* Runs a shell command line; on failure keeps its first output line. */
static int sh(ds_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(ds_err *err, const char *fmt, ...) {
    char cmd[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[600];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p) return ds_fail(err, "cannot run '%s'", cmd);
    char out[256] = "";
    char line[256];
    while (fgets(line, sizeof line, p))
        if (!out[0]) snprintf(out, sizeof out, "%s", line);
    int st = pclose(p);
    if (st == 0) return 0;
    size_t l = strlen(out);
    if (l && out[l - 1] == '\n') out[l - 1] = 0;
    return ds_fail(err, "'%s' failed: %s", cmd, out[0] ? out : "no output");
}

int netem_available(int *with_delay, ds_err *err) {
    *with_delay = 0;
    if (geteuid() != 0) return ds_fail(err, "--netem needs root (network namespaces and tc)");
    char ns[48];
    snprintf(ns, sizeof ns, "divshare-probe-%d", (int)getpid());
    if (sh(err, "ip netns add %s", ns)) return -1;
    int rc = sh(err, "ip netns exec %s ip link add dsp0 type veth peer name dsp1", ns) ||
             sh(err, "ip netns exec %s tc qdisc add dev dsp0 root handle 1: htb default 1", ns);
    ds_err ignore;
    if (!rc) *with_delay = !sh(&ignore, "ip netns exec %s tc qdisc add dev dsp1 root netem delay 1ms", ns);
    sh(&ignore, "ip netns delete %s", ns);
    return rc ? -1 : 0;
}

/* "12.5mbit" style rate for tc: bit/s as an integer. */
static void tc_rate(char *buf, size_t cap, double bps) {
    if (bps > 1e12) bps = 1e12;
    snprintf(buf, cap, "%.0fbit", bps < 8000 ? 8000 : bps);
}

/* htb at `rate` with netem `delay` (s) on device dev, in namespace ns
 * (NULL = the host). */
static int shape(ds_err *err, const char *ns, const char *dev, double rate, double delay, int with_delay) {
    char pre[64] = "", r[32];
    if (ns) snprintf(pre, sizeof pre, "ip netns exec %s ", ns);
    tc_rate(r, sizeof r, rate);
    if (sh(err, "%stc qdisc add dev %s root handle 1: htb default 1", pre, dev) ||
        sh(err, "%stc class add dev %s parent 1: classid 1:1 htb rate %s ceil %s", pre, dev, r, r))
        return -1;
    /* Short queues: TCP (and so the node's own queue, where a stale flush
     * can drop messages) feels the link's pace instead of a deep buffer. */
    if (with_delay ? sh(err, "%stc qdisc add dev %s parent 1:1 handle 10: netem delay %.3fms limit 1000", pre, dev,
                        1e3 * delay)
                   : sh(err, "%stc qdisc add dev %s parent 1:1 handle 10: pfifo limit 64", pre, dev))
        return -1;
    return 0;
}

netem *netem_setup(int n, const node_spec *spec, int with_delay, ds_err *err) {
    if (n < 1 || n > 60000) {
        ds_fail(err, "--netem: %d nodes (at most 60000)", n);
        return NULL;
    }
    netem *m = calloc(1, sizeof *m);
    if (!m || !(m->ns = calloc((size_t)n, sizeof *m->ns)) || !(m->addr = calloc((size_t)n, sizeof *m->addr)) ||
        !(m->ns_made = calloc((size_t)n, sizeof(int)))) {
        if (m) {
            free(m->ns);
            free(m->addr);
            free(m);
        }
        ds_fail(err, "out of memory");
        return NULL;
    }
    m->n = n;
    m->pid = (int)getpid();
    /* Interface names are at most 15 characters. */
    snprintf(m->bridge, sizeof m->bridge, "dsbr%d", m->pid % 1000000);
    if (sh(err, "ip link add %s type bridge", m->bridge)) goto fail;
    m->bridge_made = 1;
    if (sh(err, "ip link set %s up", m->bridge)) goto fail;
    for (int i = 0; i < n; i++) {
        char a[16], b[16];
        snprintf(m->ns[i], sizeof m->ns[i], "divshare-%d-%d", m->pid, i);
        snprintf(m->addr[i], sizeof m->addr[i], "10.77.%d.%d", (i + 1) / 250, (i + 1) % 250 + 1);
        snprintf(a, sizeof a, "dsn%da", i); /* inside the namespace */
        snprintf(b, sizeof b, "ds%d-%d", m->pid % 100000, i); /* on the bridge */
        if (sh(err, "ip netns add %s", m->ns[i])) goto fail;
        m->ns_made[i] = 1;
        if (sh(err, "ip link add %s type veth peer name %s netns %s", b, a, m->ns[i]) ||
            sh(err, "ip link set %s master %s up", b, m->bridge) ||
            sh(err, "ip netns exec %s ip addr add %s/16 dev %s", m->ns[i], m->addr[i], a) ||
            sh(err, "ip netns exec %s ip link set %s up", m->ns[i], a) ||
            sh(err, "ip netns exec %s ip link set lo up", m->ns[i]) ||
            shape(err, m->ns[i], a, spec[i].up, spec[i].latency, with_delay) ||
            shape(err, NULL, b, spec[i].down, spec[i].latency, with_delay))
            goto fail;
    }
    return m;
fail:
    netem_teardown(m);
    return NULL;
}

const char *netem_namespace(const netem *m, int i) { return m->ns[i]; }
const char *netem_address(const netem *m, int i) { return m->addr[i]; }

void netem_teardown(netem *m) {
    if (!m) return;
    ds_err ignore;
    for (int i = 0; i < m->n; i++)
        if (m->ns_made[i]) sh(&ignore, "ip netns delete %s", m->ns[i]); /* takes its veth pair along */
    if (m->bridge_made) sh(&ignore, "ip link delete %s", m->bridge);
    free(m->ns);
    free(m->addr);
    free(m->ns_made);
    free(m);
}
