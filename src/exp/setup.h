/* setup.h: turning a configuration into the objects a run needs: the
 * datasets, the model architecture, the partition, the thread count.
 * Shared by `train`, the simulator and the node runtime. */
#ifndef DS_SETUP_H
#define DS_SETUP_H

#include "algo/topology.h"
#include "core/learner.h"
#include "data/dataset.h"
#include "data/partition.h"
#include "exp/config.h"
#include "nn/arch.h"
#include "sim/sim.h"

#define FASHION_MNIST_DEFAULT_PATH "/usr/share/datasets/fashion-mnist"

typedef struct exp_data {
    dataset train, test;
} exp_data;

/* A dataset of the registry (setup.c). */
typedef struct exp_dataset_def {
    const char *name;
    int (*load)(const config *c, const char *path, exp_data *d, ds_err *err);
    const char *default_path; /* used when [dataset] path is empty (NULL: a path is required) */
    int no_path;              /* generated: no files */
} exp_dataset_def;

const exp_dataset_def *exp_dataset_find(const char *name); /* NULL if unknown */
/* The dataset names joined by sep into buf (size n). */
void exp_dataset_names(char *buf, size_t n, const char *sep);
/* [dataset] shape as channels, height, width (0, 0, 0 when empty). */
int exp_parse_shape(const config *c, int *ch, int *h, int *w, ds_err *err);

/* Loads [dataset] (applying train_subset / test_subset). */
int exp_load_data(const config *c, exp_data *d, ds_err *err);
/* Does the configured dataset's path exist (without reading it)? */
int exp_check_data_path(const config *c, ds_err *err);
void exp_data_free(exp_data *d);

/* Builds [model] for the loaded data (input shape, classes, users/items). */
int exp_build_arch(const config *c, const exp_data *d, nn_arch *a, ds_err *err);

/* Splits the training set per [partition]. */
int exp_partition(const config *c, const exp_data *d, partition *p, ds_err *err);

/* What a run's learners are made from: the data, the model and the
 * partition; nothing for the synthetic model ([model] name = quadratic). */
typedef struct exp_inputs {
    int synthetic;
    exp_data d;
    nn_arch a;
    partition p;
    int loaded;        /* d and p hold something to free */
} exp_inputs;

int exp_is_synthetic(const config *c);
/* Loads the data, builds the model and partitions the data (or, for the
 * synthetic model, nothing). */
int exp_inputs_load(const config *c, exp_inputs *in, ds_err *err);
void exp_inputs_free(exp_inputs *in);
/* The learner of a run from [model], [train], [eval] and the inputs:
 * hosting nodes[n_nodes] (NULL: all), for `workers` concurrent callers,
 * each call on `threads` threads. */
int exp_learner_new(const config *c, const exp_inputs *in, const int *nodes, int n_nodes, int workers, int threads,
                    learner *out, ds_err *err);
/* The dataset's name, or "none" for the synthetic model. */
const char *exp_dataset_name(const config *c);

/* Every node's link and compute spec from [network]: the defaults, then
 * `stragglers` nodes (a count, or a fraction when < 1) chosen by the seed
 * with the straggler settings. The same on every process of a real run. */
int exp_node_specs(const config *c, int N, node_spec *spec, ds_err *err);
/* exp_node_specs, also naming the link stragglers (link_ids[N], in the
 * order they were drawn) and the compute stragglers ([compute]: drawn, or
 * listed in its file with a multiplier > 1; compute_ids[N], ascending). */
int exp_node_specs_named(const config *c, int N, node_spec *spec, int *link_ids, int *n_link, int *compute_ids,
                         int *n_compute, ds_err *err);

/* The run's topology from [topology] (degree 0: [algorithm] degree); its
 * errors name the config line. The same on every process of a real run. */
int exp_topology(const config *c, topology *t, ds_err *err);

/* [train] threads, with 0 meaning every online core. */
int exp_threads(const config *c);

/* Seeds for independent uses of the experiment seed. */
enum { SEED_INIT = 1, SEED_PARTITION, SEED_BATCHES, SEED_SPLIT, SEED_DATA };
uint64_t exp_seed(const config *c, int use, uint64_t index);

#endif
