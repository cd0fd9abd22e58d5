/* fileio.c: whole-file reads (with gzip via zlib) and atomic writes. */
#include "util/fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static int read_gzip(const char *path, unsigned char **data, size_t *len, ds_err *err) {
    gzFile gz = gzopen(path, "rb");
    if (!gz) return ds_fail(err, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf = malloc(cap + 1);
    if (!buf) {
        gzclose(gz);
        return ds_fail(err, "%s: out of memory", path);
    }
    for (;;) {
        if (n == cap) {
            cap *= 2;
            unsigned char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                gzclose(gz);
                return ds_fail(err, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t want = cap - n;
        if (want > (1u << 30)) want = 1u << 30;
        int got = gzread(gz, buf + n, (unsigned)want);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            free(buf);
            gzclose(gz);
            return ds_fail(err, "%s: corrupt gzip data: %s", path, msg);
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    /* gzread returns 0 both at a clean end and at a truncated stream; only
     * gzclose's status tells them apart. */
    int rc = gzclose(gz);
    if (rc != Z_OK) {
        free(buf);
        return ds_fail(err, "%s: truncated or corrupt gzip file", path);
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return 0;
}

int file_read_all(const char *path, unsigned char **data, size_t *len, ds_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return ds_fail(err, "%s: cannot open: %s", path, strerror(errno));
    unsigned char magic[2] = {0, 0};
    size_t m = fread(magic, 1, 2, f);
    if (m == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        fclose(f);
        return read_gzip(path, data, len, err);
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return ds_fail(err, "%s: cannot seek (not a regular file?)", path);
    }
    long size = ftell(f);
    if (size < 0) {
        fclose(f);
        return ds_fail(err, "%s: cannot tell size", path);
    }
    rewind(f);
    unsigned char *buf = malloc((size_t)size + 1);
    if (!buf) {
        fclose(f);
        return ds_fail(err, "%s: out of memory for %ld bytes", path, size);
    }
    size_t got = fread(buf, 1, (size_t)size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != (size_t)size) {
        free(buf);
        return ds_fail(err, "%s: read error", path);
    }
    buf[size] = 0;
    *data = buf;
    *len = (size_t)size;
    return 0;
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

int path_join(char *out, size_t n, const char *dir, const char *name) {
    int w = snprintf(out, n, "%s/%s", dir, name);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}
