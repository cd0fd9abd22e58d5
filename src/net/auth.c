/* auth.c: CURVE keys and the ZAP handler. */
#define _POSIX_C_SOURCE 200809L
#include "net/auth.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "util/fileio.h"

int auth_keypair(char *public_key, char *secret_key, ds_err *err) {
    if (!zmq_has("curve")) return ds_fail(err, "this libzmq has no CURVE support ([network] auth = none to run without)");
    if (zmq_curve_keypair(public_key, secret_key) != 0)
        return ds_fail(err, "cannot make a CURVE keypair: %s", zmq_strerror(zmq_errno()));
    return 0;
}

int auth_key_valid(const char *s) {
    static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    if (strlen(s) != AUTH_KEY_CHARS) return 0;
    for (const char *p = s; *p; p++)
        if (!strchr(z85, *p)) return 0;
    return 1;
}

int auth_write_secret(const char *path, const char *secret_key, ds_err *err) {
    atomic_file af;
    if (atomic_open(&af, path, err)) return -1;
    if (fchmod(fileno(af.f), 0600) != 0) {
        atomic_abort(&af);
        return ds_fail(err, "%s: cannot restrict permissions: %s", path, strerror(errno));
    }
    fprintf(af.f, "%s\n", secret_key);
    return atomic_commit(&af, err);
}

int auth_read_secret(const char *path, char *secret_key, char *public_key, ds_err *err) {
    struct stat st;
    if (stat(path, &st) != 0) return ds_fail(err, "%s: cannot read the node's secret key: %s", path, strerror(errno));
    if (st.st_mode & 077)
        return ds_fail(err, "%s: the secret key file is readable by others (chmod 600 it)", path);
    text_file tf;
    if (text_open(&tf, path, 4096, err)) return -1;
    char *line = text_next(&tf);
    char *f[2];
    int nf = line ? text_fields(line, f, 2) : 0;
    int ok = nf == 1 && auth_key_valid(f[0]);
    if (ok) snprintf(secret_key, AUTH_KEY_CHARS + 1, "%s", f[0]);
    text_close(&tf);
    if (!ok) return ds_fail(err, "%s:1: expected a 40-character Z85 secret key (divshare keygen writes one)", path);
    if (zmq_curve_public(public_key, secret_key) != 0)
        return ds_fail(err, "%s: cannot derive the public key: %s", path, zmq_strerror(zmq_errno()));
    return 0;
}

/* ---- ZAP handler --------------------------------------------------------- */

struct zap_handler {
    void *sock; /* REP on inproc://zeromq.zap.01, the handler thread's */
    const hosts *h;
    uint8_t (*keys)[32]; /* [h->n] binary public keys */
    pthread_t thread;
    atomic_int stopping;
};

/* One ZAP request: version, request id, domain, address, identity,
 * mechanism, credentials (CURVE: the client's 32-byte public key). */
static void zap_answer(zap_handler *z) {
    zmq_msg_t part[8];
    int n = 0, more = 1;
    while (more && n < 8) {
        zmq_msg_init(&part[n]);
        if (zmq_msg_recv(&part[n], z->sock, 0) < 0) {
            zmq_msg_close(&part[n]);
            break;
        }
        more = zmq_msg_more(&part[n]);
        n++;
    }
    while (more) { /* more frames than a request has: drain */
        zmq_msg_t junk;
        zmq_msg_init(&junk);
        more = zmq_msg_recv(&junk, z->sock, 0) >= 0 && zmq_msg_more(&junk);
        zmq_msg_close(&junk);
    }
    const char *status = "400", *text = "not a node of this run";
    char user[16] = "";
    if (n == 7 && zmq_msg_size(&part[5]) == 5 && !memcmp(zmq_msg_data(&part[5]), "CURVE", 5) &&
        zmq_msg_size(&part[6]) == 32) {
        char addr[80];
        size_t al = zmq_msg_size(&part[3]) < sizeof addr - 1 ? zmq_msg_size(&part[3]) : sizeof addr - 1;
        memcpy(addr, zmq_msg_data(&part[3]), al);
        addr[al] = 0;
        for (int i = 0; i < z->h->n; i++)
            if (!memcmp(z->keys[i], zmq_msg_data(&part[6]), 32)) {
                if (hosts_allows(z->h, addr)) {
                    status = "200";
                    text = "OK";
                    snprintf(user, sizeof user, "%d", i);
                } else {
                    text = "address not in the hosts file";
                }
                break;
            }
    }
    /* Reply: version, request id, status code, status text, user id, metadata. */
    const char *ver = "1.0";
    zmq_send(z->sock, ver, 3, ZMQ_SNDMORE);
    if (n >= 2) zmq_send(z->sock, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), ZMQ_SNDMORE);
    else zmq_send(z->sock, "", 0, ZMQ_SNDMORE);
    zmq_send(z->sock, status, 3, ZMQ_SNDMORE);
    zmq_send(z->sock, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(z->sock, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(z->sock, "", 0, 0);
    for (int i = 0; i < n; i++) zmq_msg_close(&part[i]);
}

static void *zap_main(void *arg) {
    zap_handler *z = arg;
    zmq_pollitem_t item = {z->sock, 0, ZMQ_POLLIN, 0};
    while (!atomic_load(&z->stopping))
        if (zmq_poll(&item, 1, 50) > 0) zap_answer(z);
    return NULL;
}

zap_handler *zap_start(void *zctx, const hosts *h, ds_err *err) {
    zap_handler *z = calloc(1, sizeof *z);
    if (!z) {
        ds_fail(err, "out of memory");
        return NULL;
    }
    z->h = h;
    z->keys = calloc((size_t)h->n, sizeof *z->keys);
    if (!z->keys) {
        ds_fail(err, "out of memory");
        goto fail;
    }
    for (int i = 0; i < h->n; i++)
        if (!auth_key_valid(h->e[i].key) || !zmq_z85_decode(z->keys[i], h->e[i].key)) {
            ds_fail(err, "hosts file: node %d has no public key (4th column; divshare keygen adds them), "
                         "or [network] auth = none", i);
            goto fail;
        }
    z->sock = zmq_socket(zctx, ZMQ_REP);
    int zero = 0;
    if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_bind(z->sock, "inproc://zeromq.zap.01")) {
        ds_fail(err, "cannot start the ZAP handler: %s", zmq_strerror(zmq_errno()));
        goto fail;
    }
    if (pthread_create(&z->thread, NULL, zap_main, z)) {
        ds_fail(err, "cannot start the ZAP handler thread");
        goto fail;
    }
    return z;
fail:
    if (z->sock) zmq_close(z->sock);
    free(z->keys);
    free(z);
    return NULL;
}

void zap_stop(zap_handler *z) {
    if (!z) return;
    atomic_store(&z->stopping, 1);
    pthread_join(z->thread, NULL);
    zmq_close(z->sock);
    free(z->keys);
    free(z);
}

/* ---- keygen ---------------------------------------------------------------- */

int keygen_hosts(const char *hosts_path, const char *key_dir, keygen_result *res, ds_err *err) {
    *res = (keygen_result){.bad_input = 1};
    /* The node count: the entries of the file (hosts_load checks the ids). */
    text_file tf;
    if (text_open(&tf, hosts_path, HOSTS_MAX_FILE, err)) return ds_fail_prefix(err, "hosts file");
    int n = 0;
    for (char *line; (line = text_next(&tf));) {
        char *f[1];
        n += text_fields(line, f, 1) > 0;
    }
    text_close(&tf);
    if (n == 0) return ds_fail(err, "%s: no nodes listed (lines 'id host port')", hosts_path);
    hosts h;
    if (hosts_load(&h, hosts_path, n, err)) return -1;
    if (key_dir) {
        snprintf(res->key_dir, sizeof res->key_dir, "%s", key_dir);
    } else {
        path_dir(res->key_dir, sizeof res->key_dir, hosts_path);
    }
    res->bad_input = 0;
    int rc = -1;
    char (*pub)[AUTH_KEY_CHARS + 1] = calloc((size_t)n, sizeof *pub);
    const char **pubs = calloc((size_t)n, sizeof *pubs), **names = calloc((size_t)n, sizeof *names);
    int *ports = calloc((size_t)n, sizeof *ports);
    if (!pub || !pubs || !names || !ports) {
        ds_fail(err, "out of memory");
        goto done;
    }
    if (make_dirs(res->key_dir, err)) goto done;
    for (int i = 0; i < n; i++) {
        char sec[AUTH_KEY_CHARS + 1], path[4096 + 32];
        snprintf(path, sizeof path, "%s/node-%d.key", res->key_dir, i);
        if (auth_keypair(pub[i], sec, err) || auth_write_secret(path, sec, err)) goto done;
        pubs[i] = pub[i];
        names[i] = h.e[i].host;
        ports[i] = h.e[i].port;
    }
    if (hosts_write(hosts_path, n, names, ports, pubs, err)) goto done;
    res->nodes = n;
    rc = 0;
done:
    free(pub);
    free(pubs);
    free(names);
    free(ports);
    hosts_free(&h);
    return rc;
}
