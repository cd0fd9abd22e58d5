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

/* Every key as a typed field, config.v.<section>.<name>, made from
 * config_keys.def: a misspelt key is a compile error. Strings point into
 * the config's values (valid while the config lives, until the key is
 * set again). */
typedef const char *cfg_STRING_t;
typedef const char *cfg_CHOICE_t;
typedef long cfg_INT_t;
typedef double cfg_DOUBLE_t;
typedef int cfg_BOOL_t;

#define SECTION(s) typedef struct cfg_##s {
#define KEY(sec, nm, ty, ...) cfg_##ty##_t nm;
#define END(s) } cfg_##s;
#include "exp/config_keys.def"
#undef SECTION
#undef KEY
#undef END

typedef struct cfg_values {
#define SECTION(s) cfg_##s s;
#define KEY(...)
#define END(s)
#include "exp/config_keys.def"
#undef SECTION
#undef KEY
#undef END
} cfg_values;

/* Key ids, CK_<section>_<name>, in table order. */
typedef enum config_key_id {
#define SECTION(s)
#define KEY(sec, nm, ...) CK_##sec##_##nm,
#define END(s)
#include "exp/config_keys.def"
#undef SECTION
#undef KEY
#undef END
    CONFIG_KEYS
} config_key_id;

typedef struct config {
    cfg_value *values; /* [CONFIG_KEYS], owned */
    cfg_values v;      /* the same, typed; kept in step by every setter */
} config;

/* The origin of a key's value ("file.ini:12", "--set", "default"), for messages. */
const char *config_origin_of(const config *c, config_key_id k);
/* Was the key given by the user? */
int config_is_set_id(const config *c, config_key_id k);

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

/* A key's value as written (for generic tools: the API's get, messages). */
const char *config_text(const config *c, config_key_id k);

/* Writes every key as an INI file (the resolved configuration). */
void config_write(const config *c, FILE *out);
/* Writes the reference of all keys as Markdown tables. */
void config_write_reference(FILE *out);

#endif
