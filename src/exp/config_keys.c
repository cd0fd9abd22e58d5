/* config_keys.c: the table of every configuration key, made from
 * config_keys.def: add a key there and it is parsed, validated, typed
 * (config.h's cfg_values), written into resolved configs and documented. */
#include "exp/config.h"

#include <stdio.h>
#include <string.h>

#include "algo/algo.h"
#include "data/partition.h"
#include "exp/setup.h"
#include "nn/models.h"

#define BIG 1e18

/* [algorithm] name: the algorithm registry's names. */
static void algorithm_choices(char *buf, size_t n) { algo_names(buf, n, ","); }

/* [partition] name: the partitioner registry's names. */
static void partition_choices(char *buf, size_t n) { partition_names(buf, n, ","); }

/* [dataset] name: the dataset registry's names. */
static void dataset_choices(char *buf, size_t n) { exp_dataset_names(buf, n, ","); }

/* [model] name: the nn model registry's names, and the synthetic learner. */
static void model_choices(char *buf, size_t n) {
    nn_model_names(buf, n, ",");
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, ",quadratic");
}

static const cfg_key KEYS[] = {
#define SECTION(s)
#define END(s)
#define KEY(sec, nm, ty, df, mn, mx, ch, chf, hp) \
    {.section = #sec, .name = #nm, .type = CFG_##ty, .def = df, .min = mn, .max = mx, .choices = ch, \
     .choices_of = chf, .help = hp},
#include "exp/config_keys.def"
#undef SECTION
#undef END
#undef KEY
};

const cfg_key *config_keys(void) { return KEYS; }
int config_key_count(void) { return (int)(sizeof KEYS / sizeof KEYS[0]); }

_Static_assert(sizeof KEYS / sizeof KEYS[0] == CONFIG_KEYS, "one key id per key");
