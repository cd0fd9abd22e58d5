/* fileio.c: whole-file reads (with gzip via zlib), line-by-line text files
 * and atomic writes. */
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Doubles the capacity of *buf (*cap bytes plus one for a terminating
 * NUL), up to max + 1 so that content over max can be seen. Returns 0, or
 * -1 when out of memory (then *buf is unchanged). */
static int grow(unsigned char **buf, size_t *cap, size_t max) {
    size_t ncap = *cap > max / 2 ? max + 1 : *cap * 2;
    unsigned char *nb = realloc(*buf, ncap + 1);
    if (!nb) return -1;
    *buf = nb;
    *cap = ncap;
    return 0;
}

/* Reads at most max + 1 bytes of fd into a new buffer (so that a larger
 * input is seen to be larger). size_hint: the file's size, or 0 if
 * unknown (a pipe). */
static int read_raw(int fd, const char *path, size_t max, size_t size_hint, unsigned char **data,
                    size_t *len, ds_err *err) {
    size_t cap = size_hint ? size_hint + 1 : 1 << 16;
    if (cap > max + 1) cap = max + 1;
    unsigned char *buf = malloc(cap + 1);
    if (!buf) return ds_fail(err, "%s: out of memory for %zu bytes", path, cap);
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max) break;
            if (grow(&buf, &cap, max)) {
                free(buf);
                return ds_fail(err, "%s: out of memory growing past %zu bytes", path, cap);
            }
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            return ds_fail(err, "%s: read error: %s", path, strerror(e));
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    if (n > max) {
        free(buf);
        return ds_fail(err, "%s: larger than the limit of %zu bytes", path, max);
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return 0;
}

/* Inflates a gzip file held in memory (one or more members, as gzip
 * writes them) into a new buffer of at most max bytes. */
static int gunzip(const char *path, const unsigned char *src, size_t slen, size_t max,
                  unsigned char **data, size_t *len, ds_err *err) {
    z_stream zs = {0};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return ds_fail(err, "%s: zlib init failed", path);
    size_t cap = slen < max / 4 ? 4 * slen + 1024 : max + 1;
    if (cap > max + 1) cap = max + 1;
    unsigned char *out = malloc(cap + 1);
    size_t n = 0, in = 0;
    int rc = -1;
    if (!out) {
        ds_fail(err, "%s: out of memory for %zu bytes", path, cap);
        goto done;
    }
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                ds_fail(err, "%s: decompresses to more than the limit of %zu bytes", path, max);
                goto done;
            }
            if (grow(&out, &cap, max)) {
                ds_fail(err, "%s: out of memory growing past %zu bytes", path, cap);
                goto done;
            }
        }
        size_t in_chunk = slen - in > UINT_MAX ? UINT_MAX : slen - in;
        size_t out_chunk = cap - n > UINT_MAX ? UINT_MAX : cap - n;
        zs.next_in = (unsigned char *)src + in;
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = out + n;
        zs.avail_out = (uInt)out_chunk;
        int z = inflate(&zs, Z_NO_FLUSH);
        in += in_chunk - zs.avail_in;
        n += out_chunk - zs.avail_out;
        if (z == Z_STREAM_END) {
            if (in == slen) break;
            /* Another member follows, or trailing bytes that are not one. */
            if (slen - in < 2 || src[in] != 0x1f || src[in + 1] != 0x8b) {
                ds_fail(err, "%s: corrupt gzip file: %zu bytes of trailing data after the stream",
                        path, slen - in);
                goto done;
            }
            inflateReset(&zs);
            continue;
        }
        if (z == Z_DATA_ERROR || z == Z_NEED_DICT || z == Z_MEM_ERROR || z == Z_STREAM_ERROR) {
            ds_fail(err, "%s: corrupt gzip data: %s", path, zs.msg ? zs.msg : "invalid stream");
            goto done;
        }
        if (z == Z_BUF_ERROR && in == slen && n < cap) {
            ds_fail(err, "%s: truncated gzip file (the stream ends after %zu of its bytes)", path, slen);
            goto done;
        }
    }
    out[n] = 0;
    *data = out;
    *len = n;
    out = NULL;
    rc = 0;
done:
    inflateEnd(&zs);
    free(out);
    return rc;
}

int file_read_max(const char *path, size_t max, unsigned char **data, size_t *len, ds_err *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ds_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return ds_fail(err, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return ds_fail(err, "%s: is a directory (expected a file)", path);
    }
    if (S_ISBLK(st.st_mode)) {
        close(fd);
        return ds_fail(err, "%s: is a block device (expected a file)", path);
    }
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        close(fd);
        return ds_fail(err, "%s: %lld bytes is larger than the limit of %zu bytes", path,
                       (long long)st.st_size, max);
    }
    unsigned char *raw = NULL;
    size_t rlen = 0;
    int rc = read_raw(fd, path, max, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, &raw, &rlen, err);
    close(fd);
    if (rc) return -1;
    if (rlen >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        rc = gunzip(path, raw, rlen, max, data, len, err);
        free(raw);
        return rc;
    }
    *data = raw;
    *len = rlen;
    return 0;
}

int file_read_all(const char *path, unsigned char **data, size_t *len, ds_err *err) {
    return file_read_max(path, FILE_READ_MAX, data, len, err);
}

int text_open(text_file *t, const char *path, size_t max, ds_err *err) {
    *t = (text_file){.path = path};
    unsigned char *data;
    size_t len;
    if (file_read_max(path, max, &data, &len, err)) return -1;
    const unsigned char *nul = memchr(data, 0, len);
    if (nul) {
        int line = 1;
        for (const unsigned char *p = data; p < nul; p++) line += *p == '\n';
        free(data);
        return ds_fail(err, "%s:%d: NUL byte in a text file (binary file?)", path, line);
    }
    t->data = (char *)data;
    t->len = len;
    return 0;
}

char *text_next(text_file *t) {
    if (t->pos >= t->len) return NULL;
    char *s = t->data + t->pos;
    char *nl = memchr(s, '\n', t->len - t->pos);
    size_t n = nl ? (size_t)(nl - s) : t->len - t->pos;
    t->pos += n + (nl != NULL);
    s[n] = 0;
    if (n > 0 && s[n - 1] == '\r') s[n - 1] = 0;
    t->line++;
    return s;
}

void text_close(text_file *t) {
    free(t->data);
    t->data = NULL;
    t->len = t->pos = 0;
}

int atomic_open(atomic_file *af, const char *path, ds_err *err) {
    if (strlen(path) >= sizeof af->path) return ds_fail(err, "%s: path too long", path);
    strcpy(af->path, path);
    snprintf(af->tmp, sizeof af->tmp, "%s.tmp.%ld", path, (long)getpid());
    af->f = fopen(af->tmp, "wb");
    if (!af->f) return ds_fail(err, "%s: cannot create: %s", af->tmp, strerror(errno));
    return 0;
}

int atomic_commit(atomic_file *af, ds_err *err) {
    int bad = ferror(af->f);
    if (fflush(af->f) != 0) bad = 1;
    if (fclose(af->f) != 0) bad = 1;
    af->f = NULL;
    if (bad) {
        unlink(af->tmp);
        return ds_fail(err, "%s: write failed (disk full?)", af->path);
    }
    if (rename(af->tmp, af->path) != 0) {
        int e = errno;
        unlink(af->tmp);
        return ds_fail(err, "%s: cannot rename into place: %s", af->path, strerror(e));
    }
    return 0;
}

void atomic_abort(atomic_file *af) {
    if (af->f) fclose(af->f);
    af->f = NULL;
    unlink(af->tmp);
}

int atomic_write_string(const char *path, const char *text, ds_err *err) {
    atomic_file af;
    if (atomic_open(&af, path, err)) return -1;
    fputs(text, af.f);
    return atomic_commit(&af, err);
}

int atomic_write_bytes(const char *path, const void *data, size_t n, ds_err *err) {
    atomic_file af;
    if (atomic_open(&af, path, err)) return -1;
    if (n && fwrite(data, 1, n, af.f) != n) {
        atomic_abort(&af);
        return ds_fail(err, "%s: write failed", path);
    }
    return atomic_commit(&af, err);
}

int make_dirs(const char *path, ds_err *err) {
    char buf[4096];
    if (strlen(path) >= sizeof buf) return ds_fail(err, "%s: path too long", path);
    strcpy(buf, path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return ds_fail(err, "%s: cannot create directory: %s", buf, strerror(errno));
            *p = c;
            if (c == 0) break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return ds_fail(err, "%s: exists and is not a directory", path);
    return 0;
}

int path_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

void path_dir(char *out, size_t n, const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(out, n, ".");
    else if (slash == path) snprintf(out, n, "/");
    else snprintf(out, n, "%.*s", (int)(slash - path), path);
}

int path_join(char *out, size_t n, const char *dir, const char *name) {
    int w = snprintf(out, n, "%s/%s", dir, name);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

int text_fields(char *line, char **field, int max) {
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p || *p == '#') break; /* end, or a comment */
        if (n == max) return max + 1;
        field[n++] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (*p) *p++ = 0;
    }
    return n;
}

int text_split(char *line, char sep, char **field, int max) {
    int n = 0;
    for (char *p = line;;) {
        if (n == max) return max + 1;
        field[n++] = p;
        char *q = strchr(p, sep);
        if (!q) return n;
        *q = 0;
        p = q + 1;
    }
}

int text_int(const char *s, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno) return -1;
    *out = v;
    return 0;
}

int text_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v)) return -1;
    *out = v;
    return 0;
}
