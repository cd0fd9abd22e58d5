/* hosts.h: the hosts file of a real run: one line "id host port [key]"
 * per node, ids 0..N-1 each exactly once, '#' comments and blank lines
 * allowed. key is the node's CURVE public key (40 Z85 characters; auth.h),
 * needed unless [network] auth = none.
 *   0 10.0.0.1 7000 rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7
 *   1 node-b.cluster 7000 Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID
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
    char key[41]; /* CURVE public key, Z85, or "" */
} host_entry;

typedef struct hosts {
    int n;
    host_entry *e; /* [n], indexed by node id */
} hosts;

/* Loads path, expecting exactly `nodes` entries, and resolves every host
 * name. Errors name file:line. */
int hosts_load(hosts *h, const char *path, int nodes, ds_err *err);
/* hosts_load without resolving names (every ip stays ""). */
int hosts_parse(hosts *h, const char *path, int nodes, ds_err *err);
void hosts_free(hosts *h);

/* Is ip (numeric, as ZeroMQ reports a peer) one of the hosts' addresses? */
int hosts_allows(const hosts *h, const char *ip);

/* Writes a hosts file for n nodes, atomically: node i at addr[i] (NULL:
 * every node on 127.0.0.1), ports[i] and public key keys[i] (NULL: none). */
int hosts_write(const char *path, int n, const char *const *addr, const int *ports, const char *const *keys,
                ds_err *err);

/* n currently free TCP ports on 127.0.0.1 (asked of the kernel). */
int hosts_free_ports(int n, int *ports, ds_err *err);

#endif
