/* hosts.h: the hosts file of a real run: one line "id host port" per node,
 * ids 0..N-1 each exactly once, '#' comments and blank lines allowed.
 *   0 10.0.0.1 7000
 *   1 node-b.cluster 7000
 * Every node reads the same file; it tells a node where to connect to its
 * peers and which addresses may talk to it. */
#ifndef DS_HOSTS_H
#define DS_HOSTS_H

#include "util/err.h"

#define HOSTS_MAX_NAME 256
#define HOSTS_MAX_FILE ((size_t)64 << 20) /* bytes of a hosts file */

typedef struct host_entry {
    char host[HOSTS_MAX_NAME];
    int port;
    char ip[64]; /* numeric address the host resolved to ("" if it did not) */
} host_entry;

typedef struct hosts {
    int n;
    host_entry *e; /* [n], indexed by node id */
} hosts;

/* Loads path, expecting exactly `nodes` entries. Errors name file:line. */
int hosts_load(hosts *h, const char *path, int nodes, ds_err *err);
void hosts_free(hosts *h);

/* Is ip (numeric, as ZeroMQ reports a peer) one of the hosts' addresses? */
int hosts_allows(const hosts *h, const char *ip);

/* Writes a hosts file for n nodes, atomically: node i at addr[i] (NULL:
 * every node on 127.0.0.1) and ports[i]. */
int hosts_write(const char *path, int n, const char *const *addr, const int *ports, ds_err *err);

/* n currently free TCP ports on 127.0.0.1 (asked of the kernel). */
int hosts_free_ports(int n, int *ports, ds_err *err);

#endif
