/* hosts.c: parsing and resolving the hosts file. */
#define _POSIX_C_SOURCE 200809L
#include "net/hosts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/auth.h"
#include "util/fileio.h"

static void resolve(host_entry *e) {
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    e->ip[0] = 0;
    if (getaddrinfo(e->host, NULL, &hints, &res) || !res) return;
    void *addr = res->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr
                                           : (void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
    inet_ntop(res->ai_family, addr, e->ip, sizeof e->ip);
    freeaddrinfo(res);
}

int hosts_parse(hosts *h, const char *path, int nodes, ds_err *err) {
    h->n = 0;
    h->e = NULL;
    if (nodes < 1) return ds_fail(err, "hosts: need at least one node");
    text_file tf;
    if (text_open(&tf, path, HOSTS_MAX_FILE, err)) return ds_fail_prefix(err, "hosts file");
    host_entry *e = calloc((size_t)nodes, sizeof *e);
    int *seen = calloc((size_t)nodes, sizeof(int));
    int count = 0, rc = -1;
    if (!e || !seen) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (char *line; (line = text_next(&tf));) {
        char *f[4];
        int nf = text_fields(line, f, 4);
        if (nf == 0) continue;
        long long id, port;
        if ((nf != 3 && nf != 4) || text_int(f[0], &id) || text_int(f[2], &port)) {
            ds_fail(err, "%s:%d: expected 'id host port' or 'id host port key'", path, tf.line);
            goto done;
        }
        if (nf == 4 && !auth_key_valid(f[3])) {
            ds_fail(err, "%s:%d: '%.60s' is not a CURVE public key (40 Z85 characters)", path, tf.line, f[3]);
            goto done;
        }
        if (id < 0 || id >= nodes) {
            ds_fail(err, "%s:%d: node id %lld outside [0, %d] (the experiment has %d nodes)", path, tf.line,
                    id, nodes - 1, nodes);
            goto done;
        }
        if (port < 1 || port > 65535) {
            ds_fail(err, "%s:%d: port %lld outside [1, 65535]", path, tf.line, port);
            goto done;
        }
        if (strlen(f[1]) >= HOSTS_MAX_NAME) {
            ds_fail(err, "%s:%d: host name longer than %d characters", path, tf.line, HOSTS_MAX_NAME - 1);
            goto done;
        }
        if (seen[id]) {
            ds_fail(err, "%s:%d: node id %lld listed twice (first on line %d)", path, tf.line, id, seen[id]);
            goto done;
        }
        seen[id] = tf.line;
        snprintf(e[id].host, sizeof e[id].host, "%s", f[1]);
        e[id].port = (int)port;
        if (nf == 4) snprintf(e[id].key, sizeof e[id].key, "%s", f[3]);
        count++;
    }
    for (int i = 0; i < nodes; i++)
        if (!seen[i]) {
            ds_fail(err, "%s: node %d is missing (%d of %d nodes listed)", path, i, count, nodes);
            goto done;
        }
    h->n = nodes;
    h->e = e;
    e = NULL;
    rc = 0;
done:
    text_close(&tf);
    free(seen);
    free(e);
    return rc;
}

int hosts_load(hosts *h, const char *path, int nodes, ds_err *err) {
    if (hosts_parse(h, path, nodes, err)) return -1;
    for (int i = 0; i < nodes; i++) resolve(&h->e[i]);
    return 0;
}

void hosts_free(hosts *h) {
    free(h->e);
    h->e = NULL;
    h->n = 0;
}

int hosts_allows(const hosts *h, const char *ip) {
    /* ZeroMQ reports IPv4 peers of an IPv6 socket as ::ffff:a.b.c.d */
    if (!strncmp(ip, "::ffff:", 7)) ip += 7;
    for (int i = 0; i < h->n; i++)
        if (!strcmp(h->e[i].ip, ip)) return 1;
    return 0;
}

int hosts_write(const char *path, int n, const char *const *addr, const int *ports, const char *const *keys,
                ds_err *err) {
    size_t cap = 64 + (size_t)n * (HOSTS_MAX_NAME + 80);
    char *text = malloc(cap);
    if (!text) return ds_fail(err, "out of memory");
    size_t len = (size_t)snprintf(text, cap, "# id host port%s (written by divshare)\n", keys ? " key" : "");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "%d %s %d%s%.40s\n", i, addr ? addr[i] : "127.0.0.1",
                                ports[i], keys ? " " : "", keys ? keys[i] : "");
    int rc = atomic_write_string(path, text, err);
    free(text);
    return rc;
}

int hosts_free_ports(int n, int *ports, ds_err *err) {
    int *fds = malloc(sizeof(int) * (size_t)n);
    if (!fds) return ds_fail(err, "out of memory");
    int rc = 0, opened = 0;
    /* Hold every socket open until all ports are known, so they differ. */
    for (int i = 0; i < n && !rc; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t al = sizeof a;
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &al)) {
            rc = ds_fail(err, "cannot find a free TCP port: %s", strerror(errno));
            if (fd >= 0) close(fd);
            break;
        }
        fds[opened++] = fd;
        ports[i] = ntohs(a.sin_port);
    }
    for (int i = 0; i < opened; i++) close(fds[i]);
    free(fds);
    return rc;
}
