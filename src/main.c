/* main.c: the divshare command line. Parses arguments, runs a command,
 * prints errors and decides exit codes: 0 success, 1 runtime failure,
 * 2 bad usage or bad input (config, dataset), 130 interrupted. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exp/compare.h"
#include "exp/config.h"
#include "exp/run.h"
#include "exp/setup.h"
#include "exp/train.h"

#define DIVSHARE_VERSION "0.1.0"

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig) {
    (void)sig;
    if (stop_requested) _exit(130); /* second Ctrl-C: leave now */
    stop_requested = 1;
}

static const char *MAIN_HELP =
    "divshare " DIVSHARE_VERSION " - asynchronous decentralized learning under stragglers\n"
    "\n"
    "usage: divshare COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run               simulate decentralized learning: every node trains, messages\n"
    "                    share a simulated network; one run per configured algorithm\n"
    "  compare           side-by-side table of runs (time to targets, accuracy, bytes)\n"
    "  train             train one model centrally (single node) from a config file\n"
    "  partition         print how a config splits the training data over nodes\n"
    "  config-reference  print every config key (section, type, default, range) as Markdown\n"
    "  version           print the version\n"
    "\n"
    "Run 'divshare COMMAND --help' for the options of a command.\n";

static const char *TRAIN_HELP =
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

static const char *RUN_HELP =
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
    "  --quiet            no progress bar or per-evaluation lines\n"
    "  -h, --help         this help\n";

static const char *COMPARE_HELP =
    "usage: divshare compare RUN_DIR...\n"
    "\n"
    "Prints, for each run directory (holding summary.json), the simulated time\n"
    "to each accuracy target, the final accuracy (or RMSE), megabytes sent and\n"
    "stale messages dropped, and the speed-up relative to the first run.\n";

static const char *PARTITION_HELP =
    "usage: divshare partition --config FILE.ini [--set SEC.KEY=VAL]...\n"
    "\n"
    "Loads the [dataset], splits its training set per [partition] and prints,\n"
    "per node, the number of samples and the label histogram (or user range).\n";

/* Applies --config / --set / shortcut flags shared by the commands. Returns
 * the index of the first unparsed argument, or -1 on error (printed). */
typedef struct cli_common {
    config cfg;
    const char *out_dir;
    int quiet;
} cli_common;

static int parse_common(int argc, char **argv, cli_common *cc, const char *help) {
    ds_err err;
    if (config_init(&cc->cfg, &err)) {
        fprintf(stderr, "divshare: %s\n", err.msg);
        return -1;
    }
    /* The config file first, so --set and flags override it in any order. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "divshare: --config needs a file\n");
                return -1;
            }
            if (config_load(&cc->cfg, argv[i + 1], &err)) {
                fprintf(stderr, "divshare: %s\n", err.msg);
                return -1;
            }
            i++;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        char buf[600];
        int rc = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            exit(0);
        } else if (!strcmp(a, "--config")) {
            i++;
            continue;
        } else if (!strcmp(a, "--quiet")) {
            cc->quiet = 1;
            continue;
        }
        if (!next) {
            fprintf(stderr, "divshare: unknown option or missing value: %s\n\n%s", a, help);
            return -1;
        }
        if (!strcmp(a, "--set")) {
            rc = config_set(&cc->cfg, next, &err);
        } else if (!strcmp(a, "--epochs")) {
            snprintf(buf, sizeof buf, "train.epochs=%s", next);
            rc = config_set(&cc->cfg, buf, &err);
        } else if (!strcmp(a, "--threads")) {
            snprintf(buf, sizeof buf, "train.threads=%s", next);
            rc = config_set(&cc->cfg, buf, &err);
        } else if (!strcmp(a, "--out")) {
            cc->out_dir = next;
        } else {
            fprintf(stderr, "divshare: unknown option: %s\n\n%s", a, help);
            return -1;
        }
        if (rc) {
            fprintf(stderr, "divshare: %s\n", err.msg);
            return -1;
        }
        i++;
    }
    return 0;
}

static int cmd_train(int argc, char **argv) {
    cli_common cc = {0};
    if (parse_common(argc, argv, &cc, TRAIN_HELP)) {
        config_free(&cc.cfg);
        return 2;
    }
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    train_options opt = {.out_dir = cc.out_dir,
                         .log = cc.quiet ? NULL : stdout,
                         .progress = cc.quiet ? NULL : stderr,
                         .stop = &stop_requested};
    train_result res;
    ds_err err;
    int rc = train_run(&cc.cfg, &opt, &res, &err);
    config_free(&cc.cfg);
    if (rc) {
        fprintf(stderr, "divshare train: %s\n", err.msg);
        return res.epochs_done > 0 ? 1 : 2;
    }
    if (res.interrupted) {
        printf("interrupted after %d complete epoch%s; results so far in %s\n", res.epochs_done,
               res.epochs_done == 1 ? "" : "s", res.out_dir);
        return 130;
    }
    if (!cc.quiet) {
        if (res.test_rmse > 0 && res.test_accuracy == 0)
            printf("final test RMSE %.4f after %d epochs (%.1f s); results in %s\n", res.test_rmse,
                   res.epochs_done, res.wall_time, res.out_dir);
        else
            printf("final test accuracy %.2f%% after %d epochs (%.1f s); results in %s\n",
                   100 * res.test_accuracy, res.epochs_done, res.wall_time, res.out_dir);
    }
    return 0;
}

static int cmd_run(int argc, char **argv) {
    /* The experiment file may be given bare as the first argument. */
    char *args[256];
    int n = 0;
    args[n++] = argv[0];
    if (argc > 1 && argv[1][0] != '-') {
        args[n++] = "--config";
        args[n++] = argv[1];
        argv++;
        argc--;
    }
    for (int i = 1; i < argc && n < 255; i++) args[n++] = argv[i];
    cli_common cc = {0};
    if (parse_common(n, args, &cc, RUN_HELP)) {
        config_free(&cc.cfg);
        return 2;
    }
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    run_options o = {cc.out_dir, cc.quiet ? NULL : stdout, cc.quiet ? NULL : stderr, &stop_requested};
    int interrupted = 0, bad = 0;
    ds_err err;
    int rc = run_experiment(&cc.cfg, &o, &interrupted, &bad, &err);
    if (rc) {
        fprintf(stderr, "divshare run: %s\n", err.msg);
        config_free(&cc.cfg);
        return bad ? 2 : 1;
    }
    /* Comparison of the runs just made. */
    char base[4096], names[CONFIG_MAX_VALUE];
    snprintf(base, sizeof base, "%s/%s", config_str(&cc.cfg, "experiment", "output"),
             config_str(&cc.cfg, "experiment", "name"));
    if (cc.out_dir) snprintf(base, sizeof base, "%s", cc.out_dir);
    const char *list = config_str(&cc.cfg, "algorithm", "algorithms");
    snprintf(names, sizeof names, "%s", *list ? list : config_str(&cc.cfg, "algorithm", "name"));
    char *dirs[16];
    int nd = 0;
    for (char *tok = strtok(names, ", "); tok && nd < 16; tok = strtok(NULL, ", ")) {
        dirs[nd] = malloc(strlen(base) + strlen(tok) + 2);
        if (dirs[nd]) sprintf(dirs[nd++], "%s/%s", base, tok);
    }
    if (!cc.quiet && nd > 0 && !interrupted) {
        printf("\n");
        if (run_compare(dirs, nd, stdout, &err)) fprintf(stderr, "divshare run: %s\n", err.msg);
        printf("results in %s/\n", base);
    }
    for (int i = 0; i < nd; i++) free(dirs[i]);
    config_free(&cc.cfg);
    if (interrupted) {
        printf("interrupted; results so far in %s/\n", base);
        return 130;
    }
    return 0;
}

static int cmd_compare(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(COMPARE_HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    ds_err err;
    if (run_compare(argv + 1, argc - 1, stdout, &err)) {
        fprintf(stderr, "divshare compare: %s\n", err.msg);
        return 2;
    }
    return 0;
}

static int cmd_partition(int argc, char **argv) {
    cli_common cc = {0};
    if (parse_common(argc, argv, &cc, PARTITION_HELP)) {
        config_free(&cc.cfg);
        return 2;
    }
    exp_data d;
    partition p;
    ds_err err;
    if (exp_load_data(&cc.cfg, &d, &err)) {
        fprintf(stderr, "divshare partition: %s\n", err.msg);
        config_free(&cc.cfg);
        return 2;
    }
    if (exp_partition(&cc.cfg, &d, &p, &err)) {
        fprintf(stderr, "divshare partition: %s\n", err.msg);
        exp_data_free(&d);
        config_free(&cc.cfg);
        return 2;
    }
    printf("%s partition of %zu %s training samples over %d nodes:\n",
           config_str(&cc.cfg, "partition", "name"), d.train.n, config_str(&cc.cfg, "dataset", "name"),
           p.nodes);
    partition_print_summary(&d.train, &p, stdout);
    partition_free(&p);
    exp_data_free(&d);
    config_free(&cc.cfg);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        fputs(MAIN_HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "train")) return cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "partition")) return cmd_partition(argc - 1, argv + 1);
    if (!strcmp(cmd, "config-reference")) {
        if (argc > 2 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
            puts("usage: divshare config-reference\n\nPrints every experiment-file key as Markdown tables.");
            return 0;
        }
        config_write_reference(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        puts("divshare " DIVSHARE_VERSION);
        return 0;
    }
    fprintf(stderr, "divshare: unknown command '%s'\n\n%s", cmd, MAIN_HELP);
    return 2;
}
