/* config_keys.c: the table of every configuration key. Add a key here and
 * it is parsed, validated, written into resolved configs and documented. */
#include "exp/config.h"

#define BIG 1e18

static const cfg_key KEYS[] = {
    {"experiment", "name", CFG_STRING, "divshare", 0, 0, NULL,
     "Name of the run; output goes to `<output>/<name>`."},
    {"experiment", "seed", CFG_INT, "1", 0, 4e18, NULL,
     "Seed of every random choice (init, partition, batches): same seed, same run."},
    {"experiment", "output", CFG_STRING, "runs", 0, 0, NULL, "Directory for results."},
    {"experiment", "runtime", CFG_CHOICE, "sim", 0, 0, "sim, real",
     "divshare run: sim = the discrete-event simulator; real = as divshare launch (one process per node)."},
    {"experiment", "duration", CFG_DOUBLE, "300", 1e-3, 1e9, NULL,
     "Seconds to run: simulated (sim), or of training time per node (real)."},

    {"dataset", "name", CFG_CHOICE, "fashion-mnist", 0, 0,
     "fashion-mnist,mnist,cifar10,movielens,synthetic,synthetic-ratings", "Dataset to train on."},
    {"dataset", "path", CFG_STRING, "", 0, 0, NULL,
     "Dataset location. fashion-mnist: directory of IDX files (default "
     "/usr/share/datasets/fashion-mnist, Debian package dataset-fashion-mnist); mnist: IDX "
     "directory; cifar10: directory with data_batch_1..5.bin and test_batch.bin; movielens: "
     "ratings.csv / u.data / ratings.dat, a directory holding one, or the official .zip."},
    {"dataset", "train_fraction", CFG_DOUBLE, "0.7", 0.01, 0.99, NULL,
     "MovieLens: fraction of each user's ratings used for training (rest: test)."},
    {"dataset", "train_subset", CFG_INT, "0", 0, BIG, NULL,
     "Use only the first N training samples (0 = all); for quick runs."},
    {"dataset", "test_subset", CFG_INT, "0", 0, BIG, NULL,
     "Evaluate on only the first N test samples (0 = all)."},
    {"dataset", "synthetic_train", CFG_INT, "2000", 1, 1e8, NULL, "Synthetic datasets: training samples (synthetic-ratings: users)."},
    {"dataset", "synthetic_test", CFG_INT, "500", 1, 1e8, NULL, "Synthetic images: test samples."},
    {"dataset", "synthetic_classes", CFG_INT, "10", 2, 256, NULL, "Synthetic images: classes."},
    {"dataset", "synthetic_size", CFG_INT, "16", 8, 512, NULL, "Synthetic images: height and width."},
    {"dataset", "synthetic_channels", CFG_INT, "1", 1, 4, NULL, "Synthetic images: channels."},

    {"partition", "name", CFG_CHOICE, "iid", 0, 0, "iid,kshard,dirichlet,user",
     "How training data is split over nodes (user: MovieLens users in contiguous blocks)."},
    {"partition", "nodes", CFG_INT, "1", 1, 1e6, NULL, "Number of nodes."},
    {"partition", "shards", CFG_INT, "2", 1, 1e6, NULL, "kshard: label-sorted segments per node."},
    {"partition", "alpha", CFG_DOUBLE, "0.5", 1e-6, 1e6, NULL,
     "dirichlet: concentration (lower = more heterogeneous)."},

    {"model", "name", CFG_CHOICE, "gnlenet", 0, 0, "gnlenet,mlp,logreg,mf",
     "Model: GN-LeNet (decentralizepy's LeNet), MLP, logistic regression, matrix factorisation."},
    {"model", "hidden", CFG_INT, "128", 1, 1e6, NULL, "mlp: hidden units."},
    {"model", "factors", CFG_INT, "20", 1, 4096, NULL, "mf: embedding size."},
    {"model", "bias", CFG_BOOL, "false", 0, 0, NULL, "mf: add user and item biases."},

    {"train", "batch_size", CFG_INT, "8", 1, 65536, NULL, "Mini-batch size."},
    {"train", "lr", CFG_DOUBLE, "0.05", 1e-12, 1e6, NULL, "SGD learning rate."},
    {"train", "momentum", CFG_DOUBLE, "0", 0, 0.999999, NULL, "SGD momentum (0 = plain SGD, the artifact's)."},
    {"train", "weight_decay", CFG_DOUBLE, "0", 0, 1e3, NULL, "L2 weight decay."},
    {"train", "epochs", CFG_INT, "1", 1, 1e6, NULL, "divshare train: passes over the training set."},
    {"train", "threads", CFG_INT, "0", 0, 1024, NULL, "Compute threads (0 = all cores)."},
    {"train", "step_time", CFG_STRING, "0.01", 0, 0, NULL,
     "divshare run: simulated seconds per SGD step of a node with slowdown 1 (a number in "
     "(0, 1e6]), or `calibrate`: measured on this machine at start (one thread, the "
     "configured model and batch size)."},

    {"algorithm", "name", CFG_CHOICE, "divshare", 0, 0, "divshare,adpsgd,swift,dpsgd,el",
     "Learning algorithm (divshare run)."},
    {"algorithm", "algorithms", CFG_STRING, "", 0, 0, NULL,
     "Comma-separated algorithms to run one after the other into sibling folders "
     "(overrides name), e.g. divshare,adpsgd,swift."},
    {"algorithm", "degree", CFG_INT, "6", 1, 1e6, NULL,
     "Peers per round (DivShare: per fragment; AD-PSGD pings degree/2); < nodes."},
    {"algorithm", "graph", CFG_STRING, "", 0, 0, NULL,
     "dpsgd: graph file in decentralizepy's edges format (node count, then 'x y' per line); "
     "empty = a seeded random degree-regular graph."},
    {"algorithm", "local_steps", CFG_INT, "128", 1, 1e9, NULL, "SGD steps per round."},
    {"algorithm", "chunk_fraction", CFG_DOUBLE, "0.1", 1e-9, 1, NULL,
     "DivShare: fragment size as a fraction of the model (Omega = round(1/chunk_fraction))."},
    {"algorithm", "flush_stale", CFG_BOOL, "true", 0, 0, NULL,
     "DivShare: drop fragments still unsent from the previous round."},
    {"algorithm", "redraw", CFG_BOOL, "false", 0, 0, NULL,
     "DivShare: draw a new fragment permutation every round (seeded by node and round) "
     "instead of one fixed permutation."},

    {"network", "up", CFG_DOUBLE, "60e6", 1, 1e15, NULL, "Uplink capacity of every node, bit/s."},
    {"network", "down", CFG_DOUBLE, "60e6", 1, 1e15, NULL, "Downlink capacity of every node, bit/s."},
    {"network", "latency", CFG_DOUBLE, "0.001", 0, 1e3, NULL,
     "One-way access latency of every node, s (a message takes sender's + receiver's)."},
    {"network", "max_inflight", CFG_INT, "0", 0, 1e6, NULL,
     "Streams a node transmits on at once, one message per destination at a time (as "
     "ZeroMQ's per-peer pipes); 0 = no limit. Queued messages wait, and DivShare's flush "
     "drops them."},
    {"network", "sharing", CFG_CHOICE, "maxmin", 0, 0, "maxmin,rtt",
     "How flows share a bottleneck: max-min fair, or in proportion to 1/RTT (as Kollaps "
     "emulates TCP)."},
    {"network", "trace", CFG_STRING, "", 0, 0, NULL,
     "Bandwidth trace file: lines 'time node up down' (s, 0-based id, bit/s, bit/s) setting a "
     "node's link capacities from that simulated time on; # starts a comment."},
    {"network", "stragglers", CFG_DOUBLE, "0", 0, 1e9, NULL,
     "Straggler nodes: a count (>= 1) or a fraction of the nodes (< 1), chosen at random (seeded)."},
    {"network", "straggler_up", CFG_DOUBLE, "10e6", 1, 1e15, NULL, "Straggler uplink, bit/s (lower end of the range)."},
    {"network", "straggler_up_max", CFG_DOUBLE, "0", 0, 1e15, NULL,
     "If > straggler_up: each straggler's up and down link drawn uniformly in [straggler_up, this]."},
    {"network", "straggler_down", CFG_DOUBLE, "10e6", 1, 1e15, NULL, "Straggler downlink, bit/s."},
    {"network", "straggler_latency", CFG_DOUBLE, "0.001", 0, 1e3, NULL, "Straggler one-way latency, s."},
    {"network", "auth", CFG_CHOICE, "curve", 0, 0, "curve,none",
     "Real runtime: curve = peers authenticate with CURVE keypairs (launch makes them; divshare keygen for mpirun/srun/ssh) and all traffic is encrypted; none = any process that can reach a node's port and is on a listed host may speak as any node."},
    {"network", "straggler_slowdown", CFG_DOUBLE, "1", 1, 1e6, NULL,
     "Straggler compute time multiplier (1 = communication straggler only)."},

    {"eval", "batch_size", CFG_INT, "128", 1, 65536, NULL, "Batch size for evaluation."},
    {"eval", "interval", CFG_DOUBLE, "10", 1e-6, 1e9, NULL, "divshare run: simulated seconds between evaluations."},
    {"eval", "nodes", CFG_INT, "0", 0, 1e6, NULL, "divshare run: nodes evaluated, a fixed random sample (0 = all)."},
    {"eval", "test_samples", CFG_INT, "0", 0, 1e9, NULL, "divshare run: test samples used (0 = all; the first N)."},
    {"eval", "trace_messages", CFG_BOOL, "false", 0, 0, NULL,
     "divshare run: write messages.csv, one row per message (queued, delivered or dropped)."},
    {"eval", "targets", CFG_STRING, "", 0, 0, NULL,
     "Accuracy targets in % (RMSE for MovieLens) for time-to-target, e.g. 50,60,70."},
};

const cfg_key *config_keys(void) { return KEYS; }
int config_key_count(void) { return (int)(sizeof KEYS / sizeof KEYS[0]); }
