/* config.h: experiment configuration: INI files plus command-line
 * overrides, validated against one table of known keys.
 *
 * The table (config_keys) is the single source of truth: it gives every
 * key's section, type, default, allowed range or choices and help text;
 * the loader rejects unknown sections and keys (with file:line), and the
 * README's reference is generated from it (`divshare config-reference`).
 * A value's origin (file:line, or "--set") is kept for error messages. */
#ifndef DS_CONFIG_H
#define DS_CONFIG_H

#include <stdio.h>

#include "util/err.h"

typedef enum cfg_type { CFG_STRING, CFG_INT, CFG_DOUBLE, CFG_BOOL, CFG_CHOICE } cfg_type;

typedef struct cfg_key {
    const char *section;
    const char *name;
    cfg_type type;
    const char *def;     /* default as text ("" = none) */
    double min, max;     /* allowed range for CFG_INT / CFG_DOUBLE (inclusive) */
    const char *choices; /* CFG_CHOICE: comma-separated */
    const char *help;
    /* CFG_CHOICE whose choices are a registry's names (choices = NULL):
     * writes them, comma-separated, into buf (size n). */
    void (*choices_of)(char *buf, size_t n);
} cfg_key;

#define CONFIG_MAX_VALUE 512
#define CONFIG_MAX_FILE ((size_t)1 << 20) /* bytes of an experiment file */

typedef struct cfg_value {
    char text[CONFIG_MAX_VALUE];
    char origin[300]; /* "file.ini:12", "--set", or "default" */
    int set;          /* 1 if given by the user */
} cfg_value;

typedef struct config {
    cfg_value *values; /* [config_key_count()], owned */
} config;

const cfg_key *config_keys(void);
int config_key_count(void);

/* Starts from the defaults. */
int config_init(config *c, ds_err *err);
void config_free(config *c);
/* dst: a new config with src's values and origins. */
int config_copy(config *dst, const config *src, ds_err *err);

/* Reads an INI file over the current values. Unknown sections or keys,
 * syntax errors and bad values are reported as "file:line: ...". */
int config_load(config *c, const char *path, ds_err *err);

/* Applies "section.key=value" (from --set). */
int config_set(config *c, const char *assignment, ds_err *err);
/* Applies one value programmatically (origin names where it came from). */
int config_put(config *c, const char *section, const char *name, const char *value,
               const char *origin, ds_err *err);

/* Typed getters; the key must exist in the table (asserted). */
const char *config_str(const config *c, const char *section, const char *name);
long config_int(const config *c, const char *section, const char *name);
double config_double(const config *c, const char *section, const char *name);
int config_bool(const config *c, const char *section, const char *name);
int config_is_set(const config *c, const char *section, const char *name);
const char *config_origin(const config *c, const char *section, const char *name);

/* Writes every key as an INI file (the resolved configuration). */
void config_write(const config *c, FILE *out);
/* Writes the reference of all keys as Markdown tables. */
void config_write_reference(FILE *out);

#endif
