/* config.c: INI loading (libinih), overrides and validation against the
 * key table. */
#include "exp/config.h"

#include <errno.h>
#include "util/fileio.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int find_key(const char *section, const char *name) {
    const cfg_key *k = config_keys();
    for (int i = 0; i < config_key_count(); i++)
        if (!strcmp(k[i].section, section) && !strcmp(k[i].name, name)) return i;
    return -1;
}

static int section_known(const char *section) {
    const cfg_key *k = config_keys();
    for (int i = 0; i < config_key_count(); i++)
        if (!strcmp(k[i].section, section)) return 1;
    return 0;
}

static void list_sections(char *buf, size_t n) {
    const cfg_key *k = config_keys();
    buf[0] = 0;
    for (int i = 0; i < config_key_count(); i++) {
        if (i > 0 && !strcmp(k[i].section, k[i - 1].section)) continue;
        size_t used = strlen(buf);
        snprintf(buf + used, n - used, "%s[%s]", used ? ", " : "", k[i].section);
    }
}

static void list_keys(const char *section, char *buf, size_t n) {
    const cfg_key *k = config_keys();
    buf[0] = 0;
    for (int i = 0; i < config_key_count(); i++) {
        if (strcmp(k[i].section, section)) continue;
        size_t used = strlen(buf);
        snprintf(buf + used, n - used, "%s%s", used ? ", " : "", k[i].name);
    }
}

static int parse_bool(const char *s, int *out) {
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on") || !strcmp(s, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off") || !strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

static void key_choices(const cfg_key *k, char *buf, size_t n) {
    if (k->choices_of) k->choices_of(buf, n);
    else snprintf(buf, n, "%s", k->choices ? k->choices : "");
}

static int choice_ok(const char *choices, const char *v) {
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, v, n)) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

/* Checks text against key k; on error the message starts with origin. */
static int validate(const cfg_key *k, const char *text, const char *origin, ds_err *err) {
    char *end;
    switch (k->type) {
    case CFG_STRING:
        return 0;
    case CFG_BOOL: {
        int b;
        if (parse_bool(text, &b))
            return ds_fail(err, "%s: [%s] %s = '%s' is not a boolean (true/false)", origin,
                           k->section, k->name, text);
        return 0;
    }
    case CFG_CHOICE: {
        char choices[512];
        key_choices(k, choices, sizeof choices);
        if (!choice_ok(choices, text))
            return ds_fail(err, "%s: [%s] %s = '%s' is not allowed (allowed: %s)", origin,
                           k->section, k->name, text, choices);
        return 0;
    }
    case CFG_INT: {
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (end == text || *end || errno)
            return ds_fail(err, "%s: [%s] %s = '%s' is not an integer", origin, k->section,
                           k->name, text);
        if ((double)v < k->min || (double)v > k->max)
            return ds_fail(err, "%s: [%s] %s = %lld is out of range [%.15g, %.15g]", origin,
                           k->section, k->name, v, k->min, k->max);
        return 0;
    }
    case CFG_DOUBLE: {
        errno = 0;
        double v = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(v))
            return ds_fail(err, "%s: [%s] %s = '%s' is not a number", origin, k->section, k->name,
                           text);
        if (v < k->min || v > k->max)
            return ds_fail(err, "%s: [%s] %s = %g is out of range [%g, %g]", origin, k->section,
                           k->name, v, k->min, k->max);
        return 0;
    }
    }
    return 0;
}

/* config.v from the (validated) values. */
static const char *read_STRING(const config *c, int i) { return c->values[i].text; }
static const char *read_CHOICE(const config *c, int i) { return c->values[i].text; }
static long read_INT(const config *c, int i) { return strtol(c->values[i].text, NULL, 10); }
static double read_DOUBLE(const config *c, int i) { return strtod(c->values[i].text, NULL); }
static int read_BOOL(const config *c, int i) {
    int b = 0;
    parse_bool(c->values[i].text, &b);
    return b;
}

static void read_typed(config *c) {
#define SECTION(s)
#define END(s)
#define KEY(sec, nm, ty, ...) c->v.sec.nm = read_##ty(c, CK_##sec##_##nm);
#include "exp/config_keys.def"
#undef SECTION
#undef END
#undef KEY
}

const char *config_origin_of(const config *c, config_key_id k) { return c->values[k].origin; }
int config_is_set_id(const config *c, config_key_id k) { return c->values[k].set; }

int config_init(config *c, ds_err *err) {
    c->values = calloc((size_t)config_key_count(), sizeof *c->values);
    if (!c->values) return ds_fail(err, "out of memory");
    const cfg_key *k = config_keys();
    for (int i = 0; i < config_key_count(); i++) {
        snprintf(c->values[i].text, CONFIG_MAX_VALUE, "%s", k[i].def);
        snprintf(c->values[i].origin, sizeof c->values[i].origin, "default");
    }
    read_typed(c);
    return 0;
}

int config_copy(config *dst, const config *src, ds_err *err) {
    if (config_init(dst, err)) return -1;
    memcpy(dst->values, src->values, sizeof *dst->values * (size_t)config_key_count());
    read_typed(dst);
    return 0;
}

void config_free(config *c) {
    if (!c) return;
    free(c->values);
    c->values = NULL;
}

int config_put(config *c, const char *section, const char *name, const char *value,
               const char *origin, ds_err *err) {
    char buf[600];
    if (!section_known(section)) {
        list_sections(buf, sizeof buf);
        return ds_fail(err, "%s: unknown section [%s] (known: %s)", origin, section, buf);
    }
    int i = find_key(section, name);
    if (i < 0) {
        list_keys(section, buf, sizeof buf);
        return ds_fail(err, "%s: unknown key '%s' in [%s] (known: %s)", origin, name, section, buf);
    }
    for (const char *p = value; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return ds_fail(err, "%s: [%s] %s: the value contains a control character (a line break?) at "
                                "position %d", origin, section, name, (int)(p - value) + 1);
    size_t len = strlen(value);
    if (len > 0 && (value[0] == ' ' || value[len - 1] == ' '))
        return ds_fail(err, "%s: [%s] %s = '%s': white space around a value is not kept (remove it)",
                       origin, section, name, value);
    if (len >= CONFIG_MAX_VALUE)
        return ds_fail(err, "%s: [%s] %s: value longer than %d characters", origin, section, name,
                       CONFIG_MAX_VALUE - 1);
    if (validate(&config_keys()[i], value, origin, err)) return -1;
    snprintf(c->values[i].text, CONFIG_MAX_VALUE, "%s", value);
    snprintf(c->values[i].origin, sizeof c->values[i].origin, "%s", origin);
    c->values[i].set = 1;
    read_typed(c);
    return 0;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
    return s;
}

/* The INI dialect: "[section]", "key = value", whole-line comments that
 * start with ';' or '#', blank lines; white space around names and values
 * is dropped. Strict where INI readers are often lenient, so that a file
 * means exactly one thing and config_write's output always reads back:
 * no inline comments (';' and '#' are ordinary characters in a value), no
 * continuation lines, no key given twice, no line-length limit (a value
 * is at most CONFIG_MAX_VALUE - 1 characters). */
int config_load(config *c, const char *path, ds_err *err) {
    text_file tf;
    if (text_open(&tf, path, CONFIG_MAX_FILE, err)) return ds_fail_prefix(err, "cannot open config");
    int *first_line = calloc((size_t)config_key_count(), sizeof(int));
    char section[128] = "";
    int rc = -1;
    if (!first_line) {
        ds_fail(err, "out of memory");
        goto done;
    }
    for (char *raw; (raw = text_next(&tf));) {
        if (tf.line == 1 && !strncmp(raw, "\xef\xbb\xbf", 3)) raw += 3; /* UTF-8 byte order mark */
        char *line = trim(raw);
        if (!*line || *line == ';' || *line == '#') continue;
        if (*line == '[') {
            char *close = strchr(line, ']');
            if (!close) {
                ds_fail(err, "%s:%d: missing ']' in section header '%.100s'", path, tf.line, line);
                goto done;
            }
            char *rest = trim(close + 1);
            if (*rest && *rest != ';' && *rest != '#') {
                ds_fail(err, "%s:%d: unexpected text after the section header: '%.100s'", path, tf.line, rest);
                goto done;
            }
            *close = 0;
            char *name = trim(line + 1);
            if (!section_known(name)) {
                char known[600];
                list_sections(known, sizeof known);
                ds_fail(err, "%s:%d: unknown section [%.100s] (known: %s)", path, tf.line, name, known);
                goto done;
            }
            snprintf(section, sizeof section, "%s", name);
            continue;
        }
        char *eq = strchr(line, '=');
        if (!eq) {
            ds_fail(err, "%s:%d: syntax error: '%.100s' (expected [section], key = value, or a ; comment)",
                    path, tf.line, line);
            goto done;
        }
        *eq = 0;
        char *key = trim(line), *value = trim(eq + 1);
        if (!*key) {
            ds_fail(err, "%s:%d: syntax error: no key before '='", path, tf.line);
            goto done;
        }
        if (!*section) {
            ds_fail(err, "%s:%d: key '%.100s' before any [section]", path, tf.line, key);
            goto done;
        }
        char origin[300];
        snprintf(origin, sizeof origin, "%s:%d", path, tf.line);
        if (config_put(c, section, key, value, origin, err)) goto done;
        int k = find_key(section, key);
        if (first_line[k]) {
            ds_fail(err, "%s:%d: [%s] %s given twice (first on line %d)", path, tf.line, section, key,
                    first_line[k]);
            goto done;
        }
        first_line[k] = tf.line;
    }
    rc = 0;
done:
    free(first_line);
    text_close(&tf);
    return rc;
}

int config_set(config *c, const char *assignment, ds_err *err) {
    const char *dot = strchr(assignment, '.'), *eq = strchr(assignment, '=');
    if (!dot || !eq || dot > eq)
        return ds_fail(err, "--set '%s': expected section.key=value (e.g. train.lr=0.1)", assignment);
    char section[64], name[64];
    if ((size_t)(dot - assignment) >= sizeof section || (size_t)(eq - dot - 1) >= sizeof name)
        return ds_fail(err, "--set '%s': section or key too long", assignment);
    snprintf(section, sizeof section, "%.*s", (int)(dot - assignment), assignment);
    snprintf(name, sizeof name, "%.*s", (int)(eq - dot - 1), dot + 1);
    return config_put(c, section, name, eq + 1, "--set", err);
}

const char *config_text(const config *c, config_key_id k) { return c->values[k].text; }

void config_write(const config *c, FILE *out) {
    const cfg_key *k = config_keys();
    for (int i = 0; i < config_key_count(); i++) {
        if (i == 0 || strcmp(k[i].section, k[i - 1].section))
            fprintf(out, "%s[%s]\n", i ? "\n" : "", k[i].section);
        fprintf(out, "%s = %s\n", k[i].name, c->values[i].text);
    }
}

static const char *type_name(const cfg_key *k) {
    switch (k->type) {
    case CFG_STRING: return "string";
    case CFG_INT: return "integer";
    case CFG_DOUBLE: return "number";
    case CFG_BOOL: return "boolean";
    case CFG_CHOICE: return "choice";
    }
    return "?";
}

void config_write_reference(FILE *out) {
    const cfg_key *k = config_keys();
    for (int i = 0; i < config_key_count(); i++) {
        if (i == 0 || strcmp(k[i].section, k[i - 1].section))
            fprintf(out, "%s#### `[%s]`\n\n| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n",
                    i ? "\n" : "", k[i].section);
        char allowed[256] = "";
        if (k[i].type == CFG_CHOICE) key_choices(&k[i], allowed, sizeof allowed);
        else if (k[i].type == CFG_INT || k[i].type == CFG_DOUBLE) snprintf(allowed, sizeof allowed, "%.6g .. %.6g", k[i].min, k[i].max);
        else if (k[i].type == CFG_BOOL) snprintf(allowed, sizeof allowed, "true, false");
        fprintf(out, "| `%s` | %s | `%s` | %s | %s |\n", k[i].name, type_name(&k[i]), k[i].def, allowed, k[i].help);
    }
}
