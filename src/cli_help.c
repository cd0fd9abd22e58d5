/* cli_help.c: the text of `divshare --help` and of every command's --help. */
#include "cli_help.h"

const char *const MAIN_HELP =
    "divshare " DIVSHARE_VERSION " - asynchronous decentralized learning under stragglers\n"
    "\n"
    "usage: divshare COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run               simulate decentralized learning: every node trains, messages\n"
    "                    share a simulated network; one run per configured algorithm\n"
    "  launch            the same experiment as real processes on this machine (one per\n"
    "                    node, ZeroMQ over TCP, emulated links)\n"
    "  node              one node of a real run (for mpirun, srun or ssh across machines)\n"
    "  keygen            CURVE keys for the nodes of a hosts file (real runs across machines)\n"
    "  collect           merge the per-node files of a real run into run results\n"
    "  compare           side-by-side table of runs (time to targets, accuracy, bytes)\n"
    "  plot              PNG and SVG plots of runs, overlaid (needs gnuplot)\n"
    "  check             validate experiment files without running them\n"
    "  train             train one model centrally (single node) from a config file\n"
    "  partition         print how a config splits the training data over nodes\n"
    "  config-reference  print every config key (section, type, default, range) as Markdown\n"
    "  version           print the version\n"
    "\n"
    "Run 'divshare COMMAND --help' for the options of a command.\n";

const char *const TRAIN_HELP =
    "usage: divshare train --config FILE.ini [options]\n"
    "\n"
    "Trains the [model] on the [dataset] with the [train] settings of FILE.ini,\n"
    "evaluates on the test set after every epoch, and writes curve.csv,\n"
    "summary.json and config.ini into the output directory.\n"
    "\n"
    "options:\n"
    "  --config FILE      experiment file (INI); without it, defaults are used\n"
    "  --set SEC.KEY=VAL  override one key, e.g. --set train.lr=0.1 (repeatable)\n"
    "  --epochs N         same as --set train.epochs=N\n"
    "  --threads N        same as --set train.threads=N (0 = all cores)\n"
    "  --out DIR          output directory (default: <experiment.output>/<experiment.name>)\n"
    "  --quiet            no progress bar or per-epoch lines\n"
    "  -h, --help         this help\n";

const char *const RUN_HELP =
    "usage: divshare run EXPERIMENT.ini [options]\n"
    "\n"
    "Simulates N nodes training on their data partitions and exchanging models\n"
    "over a network with bandwidth sharing and stragglers, in simulated time.\n"
    "Runs each algorithm of [algorithm] algorithms (or name) into\n"
    "<output>/<name>/<algorithm>/ (metrics.csv, nodes.csv, summary.json,\n"
    "config.ini), then prints a comparison table.\n"
    "\n"
    "options:\n"
    "  --set SEC.KEY=VAL  override one key, e.g. --set algorithm.name=swift (repeatable)\n"
    "  --threads N        same as --set train.threads=N (0 = all cores)\n"
    "  --out DIR          output directory (default: <experiment.output>/<experiment.name>)\n"
    "  --quiet            no progress bar, per-evaluation lines or comparison table\n"
    "  -h, --help         this help\n";

const char *const LAUNCH_HELP =
    "usage: divshare launch EXPERIMENT.ini [options]\n"
    "\n"
    "Runs the experiment for real on this machine: for each algorithm, N\n"
    "'divshare node' processes exchange their models over ZeroMQ TCP on\n"
    "loopback, with each node's [network] bandwidth and latency emulated in\n"
    "the process, for [experiment] duration seconds of training time (time\n"
    "spent evaluating is not counted). Results go to <output>/<name>/<algorithm>/\n"
    "in the simulator's layout (plus node-K.csv/.json/.log per node), then the\n"
    "comparison table and plots. Ctrl-C stops every node and keeps the results.\n"
    "\n"
    "options:\n"
    "  --set SEC.KEY=VAL  override one key (repeatable)\n"
    "  --out DIR          output directory (default: <experiment.output>/<experiment.name>)\n"
    "  --netem            emulate the links in the kernel instead (Linux, root): one\n"
    "                     network namespace per node on a private bridge, tc htb\n"
    "                     (bandwidth) + netem (latency) per direction\n"
    "  --quiet            no progress bar, per-run lines or comparison table\n"
    "  -h, --help         this help\n";

const char *const NODE_HELP =
    "usage: divshare node --config EXPERIMENT.ini --hosts HOSTS [--id K] [options]\n"
    "\n"
    "Runs node K of a real run: trains on its partition, exchanges models with\n"
    "the peers listed in HOSTS (lines 'id host port key'; it listens on its own\n"
    "port), and writes node-K.csv / node-K.json into the output directory.\n"
    "The id comes from --id, else OMPI_COMM_WORLD_RANK (mpirun), PMI_RANK or\n"
    "SLURM_PROCID (srun). Algorithm: [algorithm] name. Peers authenticate with\n"
    "CURVE keys ([network] auth = curve): 'divshare keygen HOSTS' adds the public\n"
    "keys to HOSTS and writes each node's secret key beside it. Across machines:\n"
    "  divshare keygen hosts.txt\n"
    "  mpirun -np 8 --hostfile machines divshare node --config exp.ini --hosts hosts.txt --out shared/run\n"
    "then 'divshare collect shared/run' (with the config copied there as config.ini).\n"
    "\n"
    "options:\n"
    "  --config FILE      experiment file (INI)\n"
    "  --hosts FILE       the hosts file\n"
    "  --id K             this node's id\n"
    "  --key FILE         this node's secret key (default: node-K.key beside the hosts file)\n"
    "  --shaping MODE     what this process emulates of the [network] links: all\n"
    "                     (default), latency (bandwidth shaped by the kernel) or none\n"
    "  --set SEC.KEY=VAL  override one key (repeatable)\n"
    "  --out DIR          output directory (default: <experiment.output>/<name>/<algorithm>)\n"
    "  --quiet            no per-evaluation lines\n"
    "  -h, --help         this help\n";

const char *const KEYGEN_HELP =
    "usage: divshare keygen HOSTS [--out DIR]\n"
    "\n"
    "Makes a CURVE keypair for every node of a hosts file (lines 'id host port'):\n"
    "writes each secret key to DIR/node-K.key (readable by its owner only;\n"
    "default DIR: the hosts file's directory) and rewrites HOSTS with the public\n"
    "keys as a 4th column. Give every node its own secret key only (e.g. copy\n"
    "node-K.key to machine K), and every node the same HOSTS. 'divshare launch'\n"
    "does this by itself for each run.\n"
    "\n"
    "options:\n"
    "  --out DIR          where the secret keys go\n"
    "  -h, --help         this help\n";

const char *const COLLECT_HELP =
    "usage: divshare collect RUN_DIR...\n"
    "\n"
    "Merges the node-K.csv files of a real run (each RUN_DIR also holds the\n"
    "run's config.ini) into metrics.csv, nodes.csv and summary.json, as\n"
    "'divshare launch' does; then compare and plot work on RUN_DIR.\n";

const char *const COMPARE_HELP =
    "usage: divshare compare RUN_DIR... [options]\n"
    "\n"
    "Prints, for each run directory (holding summary.json), the simulated time\n"
    "to each accuracy target, the final accuracy (or RMSE), megabytes sent,\n"
    "stale messages dropped, and the time-to-accuracy speed-up relative to a\n"
    "baseline run (at the highest target both reached).\n"
    "\n"
    "options:\n"
    "  --baseline RUN     the run speed-ups are relative to: a directory given or\n"
    "                     its name, e.g. adpsgd (default: the first run)\n"
    "  --markdown         a Markdown table\n"
    "  --csv              CSV (one row per run)\n"
    "  -h, --help         this help\n";

const char *const PLOT_HELP =
    "usage: divshare plot RUN_DIR... [--out DIR]\n"
    "\n"
    "Draws the runs overlaid, as PNG and SVG, with gnuplot (Debian: gnuplot-nox):\n"
    "  accuracy_time   mean test accuracy (or RMSE) over simulated time\n"
    "  accuracy_bytes  the same against megabytes sent by all nodes\n"
    "  spread          mean with the min-max band over the evaluated nodes\n"
    "and keeps the gnuplot script (plots.gp) next to them for restyling.\n"
    "\n"
    "options:\n"
    "  --out DIR          where to write (default: <common parent of the runs>/plots)\n"
    "  -h, --help         this help\n";

const char *const CHECK_HELP =
    "usage: divshare check EXPERIMENT.ini... [--set SEC.KEY=VAL]... [--print]\n"
    "\n"
    "Parses and validates each experiment file (sections, keys, types, ranges;\n"
    "for files of more than one node also algorithm settings, stragglers and\n"
    "the bandwidth trace) without loading data or running anything; prints\n"
    "one line per file. Exit status 2 if any file is invalid.\n"
    "\n"
    "options:\n"
    "  --set SEC.KEY=VAL  override one key (repeatable)\n"
    "  --print            print each valid file's resolved configuration (every\n"
    "                     key, defaults included) instead of 'ok'\n"
    "  -h, --help         this help\n";

const char *const PARTITION_HELP =
    "usage: divshare partition --config FILE.ini [--set SEC.KEY=VAL]...\n"
    "\n"
    "Loads the [dataset], splits its training set per [partition] and prints,\n"
    "per node, the number of samples and the label histogram (or user range).\n";
