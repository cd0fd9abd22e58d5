/* auth.h: authenticated peers for the real runtime, with ZeroMQ's CURVE
 * (elliptic-curve encryption and authentication, RFC 26 / CurveZMQ) and a
 * ZAP handler (RFC 27) that maps a peer's public key to its node id.
 *
 * Each node has a keypair. Public keys are the 4th column of the hosts
 * file; a node's secret key sits in a file of its own (one line: the
 * 40-character Z85 secret key), readable by its owner only. A connecting
 * peer proves it holds the secret key of a listed public key; the ZAP
 * handler then names it by node id ("User-Id" of every message it sends),
 * and the receiver rejects a message whose header claims another sender.
 * Everything on the wire is encrypted. */
#ifndef DS_AUTH_H
#define DS_AUTH_H

#include "net/hosts.h"
#include "util/err.h"

#define AUTH_KEY_CHARS 40 /* Z85 text of a 32-byte key */

/* A new keypair as Z85 text (each AUTH_KEY_CHARS + 1 bytes). */
int auth_keypair(char *public_key, char *secret_key, ds_err *err);
/* Writes secret_key to path (mode 0600, atomically). */
int auth_write_secret(const char *path, const char *secret_key, ds_err *err);
/* Reads a secret key file and derives its public key. Errors name the
 * file; a file others can read is refused. */
int auth_read_secret(const char *path, char *secret_key, char *public_key, ds_err *err);
/* Is s a well-formed Z85 key (40 characters of Z85's alphabet)? */
int auth_key_valid(const char *s);

/* The ZAP handler of one ZeroMQ context: a thread that accepts a CURVE
 * client whose public key is in h (and whose address h allows) and
 * names it by its node id. Start it before binding a CURVE server socket
 * of that context; stop it before terminating the context. */
typedef struct zap_handler zap_handler;
zap_handler *zap_start(void *zctx, const hosts *h, ds_err *err);
void zap_stop(zap_handler *z);

/* divshare keygen: a keypair for every node of the hosts file at
 * hosts_path: secret keys to key_dir/node-K.key (NULL: the hosts file's
 * directory), public keys into the hosts file, rewritten as 'id host port
 * key' (its comments are not kept). */
typedef struct keygen_result {
    int nodes;
    int bad_input;       /* the hosts file was at fault */
    char key_dir[4096];
} keygen_result;
int keygen_hosts(const char *hosts_path, const char *key_dir, keygen_result *res, ds_err *err);

#endif
