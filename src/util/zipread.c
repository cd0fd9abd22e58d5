/* zipread.c: a minimal, bounds-checked zip member extractor. */
#include "util/zipread.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/fileio.h"

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int zip_is_zip(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    unsigned char sig[4] = {0};
    size_t n = fread(sig, 1, 4, f);
    fclose(f);
    return n == 4 && le32(sig) == 0x04034b50;
}

static int name_matches(const char *name, size_t len, const char *want) {
    size_t w = strlen(want);
    if (len == w && memcmp(name, want, w) == 0) return 1;
    return len > w && name[len - w - 1] == '/' && memcmp(name + len - w, want, w) == 0;
}

static int inflate_member(const char *zip_path, const unsigned char *src, size_t clen,
                          size_t ulen, unsigned method, unsigned char **data, ds_err *err) {
    unsigned char *out = malloc(ulen + 1);
    if (!out) return ds_fail(err, "%s: out of memory (%zu bytes)", zip_path, ulen);
    if (method == 0) {
        if (clen != ulen) {
            free(out);
            return ds_fail(err, "%s: corrupt stored entry", zip_path);
        }
        memcpy(out, src, ulen);
    } else {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
            free(out);
            return ds_fail(err, "%s: zlib init failed", zip_path);
        }
        zs.next_in = (unsigned char *)src;
        zs.avail_in = (uInt)clen;
        zs.next_out = out;
        zs.avail_out = (uInt)ulen;
        int rc = inflate(&zs, Z_FINISH);
        size_t got = zs.total_out;
        inflateEnd(&zs);
        if (rc != Z_STREAM_END || got != ulen) {
            free(out);
            return ds_fail(err, "%s: corrupt or truncated deflate data", zip_path);
        }
    }
    out[ulen] = 0;
    *data = out;
    return 0;
}

int zip_extract(const char *zip_path, const char *const *names, int n_names, unsigned char **data,
                size_t *len, char *found, size_t found_n, ds_err *err) {
    unsigned char *z;
    size_t zlen;
    if (file_read_all(zip_path, &z, &zlen, err)) return -1;
    int rc = -1;
    /* End of central directory: 22 bytes + comment of up to 65535. */
    size_t eocd = (size_t)-1;
    for (size_t i = zlen >= 22 ? zlen - 22 : 0; zlen >= 22; i--) {
        if (le32(z + i) == 0x06054b50) {
            eocd = i;
            break;
        }
        if (i == 0 || zlen - i > 22 + 65535) break;
    }
    if (eocd == (size_t)-1) {
        ds_fail(err, "%s: not a zip archive (no end of central directory)", zip_path);
        goto done;
    }
    size_t entries = le16(z + eocd + 10), cd_off = le32(z + eocd + 16);
    for (int want = 0; want < n_names; want++) {
        size_t p = cd_off;
        for (size_t e = 0; e < entries; e++) {
            if (p + 46 > zlen || le32(z + p) != 0x02014b50) {
                ds_fail(err, "%s: corrupt central directory", zip_path);
                goto done;
            }
            unsigned method = le16(z + p + 10);
            size_t clen = le32(z + p + 20), ulen = le32(z + p + 24);
            size_t nlen = le16(z + p + 28), xlen = le16(z + p + 30), clen2 = le16(z + p + 32);
            size_t local = le32(z + p + 42);
            if (p + 46 + nlen > zlen) {
                ds_fail(err, "%s: corrupt central directory", zip_path);
                goto done;
            }
            const char *name = (const char *)z + p + 46;
            if (name_matches(name, nlen, names[want])) {
                if (method != 0 && method != 8) {
                    ds_fail(err, "%s: member %.*s uses unsupported compression %u", zip_path,
                            (int)nlen, name, method);
                    goto done;
                }
                if (local + 30 > zlen || le32(z + local) != 0x04034b50) {
                    ds_fail(err, "%s: corrupt local header", zip_path);
                    goto done;
                }
                size_t start = local + 30 + le16(z + local + 26) + le16(z + local + 28);
                if (start > zlen || clen > zlen - start) {
                    ds_fail(err, "%s: member %.*s is truncated", zip_path, (int)nlen, name);
                    goto done;
                }
                /* Deflate expands at most 1032:1, so a larger declared
                 * size is a lie; check before allocating it. */
                if (ulen > FILE_READ_MAX || (method == 8 && ulen > clen * 1032 + 1024)) {
                    ds_fail(err, "%s: member %.*s declares %zu bytes from %zu compressed (limit: "
                                 "%zu, and at most 1032x the compressed size): corrupt archive",
                            zip_path, (int)nlen, name, ulen, clen, (size_t)FILE_READ_MAX);
                    goto done;
                }
                if (inflate_member(zip_path, z + start, clen, ulen, method, data, err)) goto done;
                *len = ulen;
                snprintf(found, found_n, "%.*s", (int)nlen, name);
                rc = 0;
                goto done;
            }
            p += 46 + nlen + xlen + clen2;
        }
    }
    ds_fail(err, "%s: no member named %s%s%s%s%s in the archive", zip_path, names[0],
            n_names > 1 ? ", " : "", n_names > 1 ? names[1] : "", n_names > 2 ? " or " : "",
            n_names > 2 ? names[2] : "");
done:
    free(z);
    return rc;
}
