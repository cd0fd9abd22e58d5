/* main.c: the divshare command line. Parses arguments, runs a command,
 * prints errors and decides exit codes: 0 success, 1 runtime failure,
 * 2 bad usage or bad input (config, dataset), 130 interrupted. */
#include <cblas.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "algo/algo.h"
#include "cli_help.h"
#include "exp/agree.h"
#include "exp/compare.h"
#include "exp/config.h"
#include "exp/plot.h"
#include "exp/run.h"
#include "exp/setup.h"
#include "exp/train.h"
#include "net/auth.h"
#include "exp/collect.h"
#include "exp/launch.h"
#include "exp/node.h"
#include "util/fileio.h"

static volatile sig_atomic_t stop_requested;

static volatile sig_atomic_t go_received;
static void on_sigusr1(int sig) {
    (void)sig;
    go_received = 1;
}

static void on_sigint(int sig) {
    (void)sig;
    if (stop_requested) _exit(130); /* second Ctrl-C: leave now */
    stop_requested = 1;
}











static int is_help(const char *a) { return !strcmp(a, "-h") || !strcmp(a, "--help"); }

/* Applies --config / --set / shortcut flags shared by the commands. Returns
 * the index of the first unparsed argument, or -1 on error (printed). */
typedef struct cli_common {
    config cfg;
    const char *out_dir;
    int quiet;
    int node_options;      /* accept --id, --hosts, --shaping (divshare node) */
    const char *shaping;
    int netem;             /* launch --netem */
    const char *hosts;
    const char *id;
    const char *key;
    const char *learner;   /* launch --learner MODULE:FACTORY */
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
        } else if (help == LAUNCH_HELP && !strcmp(a, "--netem")) {
            cc->netem = 1;
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
        } else if (!strcmp(a, "--seeds")) {
            snprintf(buf, sizeof buf, "experiment.seeds=%s", next);
            rc = config_set(&cc->cfg, buf, &err);
        } else if (!strcmp(a, "--threads")) {
            snprintf(buf, sizeof buf, "train.threads=%s", next);
            rc = config_set(&cc->cfg, buf, &err);
        } else if (!strcmp(a, "--out")) {
            cc->out_dir = next;
        } else if (cc->node_options && !strcmp(a, "--hosts")) {
            cc->hosts = next;
        } else if (cc->node_options && !strcmp(a, "--id")) {
            cc->id = next;
        } else if (cc->node_options && !strcmp(a, "--key")) {
            cc->key = next;
        } else if (cc->node_options && !strcmp(a, "--shaping")) {
            cc->shaping = next;
        } else if (help == LAUNCH_HELP && !strcmp(a, "--learner")) {
            cc->learner = next;
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
        return res.epochs_done > 0 || res.diverged ? 1 : 2;
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

/* run (simulated) and launch (real processes): the same experiment file,
 * the same outputs, then the comparison table (vs AD-PSGD when it ran) and
 * the plots. */
/* The algorithm registry's names and help lines. */
static void print_algorithms(FILE *out) {
    char help[4096];
    algo_help(help, sizeof help);
    fprintf(out, "\nalgorithms ([algorithm] algorithms):\n");
    for (char *save, *line = strtok_r(help, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        fprintf(out, "  %s\n", line);
}

/* What one seed's experiment needs from the command line. */
typedef struct experiment_ctx {
    const cli_common *cc;
    const char *argv0;
    int nodes_failed;
    ds_err node_failure;
} experiment_ctx;

static int simulate_one(void *ctx, config *c, const char *out, int *interrupted, int *bad, ds_err *err) {
    const experiment_ctx *ex = ctx;
    run_options o = {
        .out_dir = out,
        .log = ex->cc->quiet ? NULL : stdout,
        .progress = ex->cc->quiet ? NULL : stderr,
        .stop = &stop_requested,
    };
    return run_experiment(c, &o, interrupted, bad, err);
}

static int launch_one(void *ctx, config *c, const char *out, int *interrupted, int *bad, ds_err *err) {
    experiment_ctx *ex = ctx;
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) exe[len] = 0;
    else snprintf(exe, sizeof exe, "%s", ex->argv0);
    launch_options o = {
        .out_dir = out,
        .exe = exe,
        .log = ex->cc->quiet ? NULL : stdout,
        .progress = ex->cc->quiet ? NULL : stderr,
        .stop = &stop_requested,
        .netem = ex->cc->netem,
        .learner = ex->cc->learner,
    };
    int failed = 0;
    int rc = launch_experiment(c, &o, interrupted, bad, &failed, err);
    if (failed && !ex->nodes_failed) ex->node_failure = *err;
    ex->nodes_failed += failed;
    return rc;
}

/* argv with a bare experiment file as its first argument given as
 * --config FILE, into args[256]; returns the count. */
static int with_config_flag(int argc, char **argv, char **args) {
    int n = 0;
    args[n++] = argv[0];
    int i = 1;
    if (argc > 1 && argv[1][0] != '-') {
        args[n++] = "--config";
        args[n++] = argv[1];
        i = 2;
    }
    for (; i < argc && n < 255; i++) args[n++] = argv[i];
    return n;
}

static int cmd_experiment(int argc, char **argv, int real) {
    const char *cmd = real ? "launch" : "run";
    char *args[256];
    int n = with_config_flag(argc, argv, args);
    int has_file = 0;
    for (int i = 1; i < n; i++) {
        if (is_help(args[i])) {
            fputs(real ? LAUNCH_HELP : RUN_HELP, stdout);
            print_algorithms(stdout);
            return 0;
        }
        has_file |= !strcmp(args[i], "--config");
    }
    cli_common cc = {0};
    if (parse_common(n, args, &cc, real ? LAUNCH_HELP : RUN_HELP)) {
        config_free(&cc.cfg);
        return 2;
    }
    /* An experiment wholly from --set is fine; none at all is a mistake. */
    if (!has_file && !config_is_set_id(&cc.cfg, CK_partition_nodes)) {
        fprintf(stderr, "divshare %s: no experiment file given (and no --set partition.nodes=N)\n\n%s", cmd,
                real ? LAUNCH_HELP : RUN_HELP);
        config_free(&cc.cfg);
        return 2;
    }
    /* Where the runs will be, before the launcher rewrites the config. */
    char base[4096], names[CONFIG_MAX_VALUE];
    run_base_dir(&cc.cfg, cc.out_dir, base, sizeof base);
    char *algs[RUN_MAX_ALGORITHMS], *dirs[RUN_MAX_ALGORITHMS];
    ds_err err;
    int nd = run_algorithm_list(&cc.cfg, names, sizeof names, algs, RUN_MAX_ALGORITHMS, &err);
    compare_options copt = {COMPARE_TEXT, NULL};
    for (int i = 0; i < nd; i++) {
        dirs[i] = malloc(strlen(base) + strlen(algs[i]) + 48); /* room for /seed-<s> */
        if (!dirs[i]) {
            nd = i;
            break;
        }
        sprintf(dirs[i], "%s/%s", base, algs[i]);
        if (!strcmp(algs[i], "adpsgd")) copt.baseline = dirs[i];
    }
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    int interrupted = 0, bad = 0, nodes_failed = 0, rc;
    ds_err node_failure = {{0}};
    if (!strcmp(cc.cfg.v.experiment.runtime, "real")) {
        real = 1; /* `divshare run` of a runtime = real experiment launches it */
        cmd = "launch";
    }
    /* [experiment] seeds: the whole experiment once per seed, into
     * <base>/seed-<s>/; the table then aggregates over the seeds. */
    uint64_t seeds[RUN_MAX_SEEDS];
    int n_seeds = 0;
    experiment_ctx ex = {.cc = &cc, .argv0 = argv[0]};
    if (real) rc = run_over_seeds(&cc.cfg, cc.out_dir, cc.quiet ? NULL : stdout, launch_one, &ex, seeds, &n_seeds,
                                  &interrupted, &bad, &err);
    else rc = run_over_seeds(&cc.cfg, cc.out_dir, cc.quiet ? NULL : stdout, simulate_one, &ex, seeds, &n_seeds,
                             &interrupted, &bad, &err);
    nodes_failed = ex.nodes_failed;
    if (nodes_failed) node_failure = ex.node_failure;
    if (n_seeds) /* the table and plots read the seeds' folders */
        for (int i = 0; i < nd; i++)
            sprintf(dirs[i], "%s/seed-%llu/%s", base, (unsigned long long)seeds[0], algs[i]);
    if (rc) {
        fprintf(stderr, "divshare %s: %s\n", cmd, err.msg);
    } else {
        if (!cc.quiet && nd > 0 && !interrupted) {
            printf("\n");
            int crc = n_seeds ? run_compare_seeds(base, seeds, n_seeds, algs, nd, "adpsgd", stdout, &err)
                              : run_compare(dirs, nd, &copt, stdout, &err);
            if (crc) fprintf(stderr, "divshare %s: %s\n", cmd, err.msg);
        }
        if (nd > 0 && !interrupted) {
            char plots[4096 + 16];
            snprintf(plots, sizeof plots, "%s/plots", base);
            if (n_seeds ? run_plot_seeds(base, seeds, n_seeds, algs, nd, plots, &err) : run_plot(dirs, nd, plots, &err))
                fprintf(stderr, "divshare %s: no plots: %s\n", cmd, err.msg);
            else if (!cc.quiet)
                printf("plots: %s/{accuracy_time,accuracy_bytes,spread}.{png,svg}%s\n", plots,
                       n_seeds ? " (means over the seeds with 95% confidence bands; curves in seeds-<algorithm>.csv)"
                               : "");
        }
        if (!cc.quiet && !interrupted) printf("results in %s/\n", base);
        if (interrupted) printf("interrupted; results so far in %s/\n", base);
    }
    for (int i = 0; i < nd; i++) free(dirs[i]);
    config_free(&cc.cfg);
    if (rc) return bad ? 2 : 1;
    if (nodes_failed) { /* results are written, but the run is not whole */
        fprintf(stderr, "divshare %s: %s\n", cmd, node_failure.msg);
        return 1;
    }
    return interrupted ? 130 : 0;
}

/* divshare agree: the experiment as real processes, then in the simulator
 * paced at the real run's measured step time, side by side. */
static int cmd_agree(int argc, char **argv) {
    char *args[256];
    int n = with_config_flag(argc, argv, args);
    for (int i = 1; i < n; i++)
        if (is_help(args[i])) {
            fputs(AGREE_HELP, stdout);
            return 0;
        }
    cli_common cc = {0};
    ds_err err;
    int rc = 2;
    if (parse_common(n, args, &cc, AGREE_HELP)) goto done;
    if (*cc.cfg.v.experiment.seeds) {
        fprintf(stderr, "divshare agree: %s: [experiment] seeds: agree runs one seed (set [experiment] seed)\n",
                config_origin_of(&cc.cfg, CK_experiment_seeds));
        goto done;
    }
    if (run_check_for(&cc.cfg, 1, &err)) {
        fprintf(stderr, "divshare agree: %s\n", err.msg);
        goto done;
    }
    char base[4096], names[CONFIG_MAX_VALUE], real_dir[4096 + 8], sim_dir[4096 + 8];
    run_base_dir(&cc.cfg, cc.out_dir, base, sizeof base);
    snprintf(real_dir, sizeof real_dir, "%s/real", base);
    snprintf(sim_dir, sizeof sim_dir, "%s/sim", base);
    char *algs[RUN_MAX_ALGORITHMS];
    int nd = run_algorithm_list(&cc.cfg, names, sizeof names, algs, RUN_MAX_ALGORITHMS, &err);
    if (nd < 0) {
        fprintf(stderr, "divshare agree: %s\n", err.msg);
        goto done;
    }
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    experiment_ctx ex = {.cc = &cc, .argv0 = argv[0]};
    int interrupted = 0, bad = 0;
    rc = 1;
    if (!cc.quiet) printf("agree, 1 of 2: real processes -> %s/\n", real_dir);
    config run_cfg;
    if (config_copy(&run_cfg, &cc.cfg, &err)) {
        fprintf(stderr, "divshare agree: %s\n", err.msg);
        goto done;
    }
    int lrc = launch_one(&ex, &run_cfg, real_dir, &interrupted, &bad, &err);
    config_free(&run_cfg);
    if (lrc || interrupted || ex.nodes_failed) {
        fprintf(stderr, "divshare agree: the real run %s: %s\n", interrupted ? "was interrupted" : "failed",
                lrc || ex.nodes_failed ? (ex.nodes_failed ? ex.node_failure.msg : err.msg) : "no comparison");
        rc = bad ? 2 : 1;
        goto done;
    }
    double pace[RUN_MAX_ALGORITHMS];
    for (int i = 0; i < nd; i++) {
        char dir[4096 + 300];
        snprintf(dir, sizeof dir, "%s/%s", real_dir, algs[i]);
        const algo_ops *ops = algo_find(algs[i]);
        if (agree_step_time(dir, ops && ops->synchronous, &pace[i], &err)) {
            fprintf(stderr, "divshare agree: %s\n", err.msg);
            goto done;
        }
    }
    if (!cc.quiet) printf("\nagree, 2 of 2: the simulator at the real run's pace -> %s/\n", sim_dir);
    for (int i = 0; i < nd; i++) {
        char value[64];
        snprintf(value, sizeof value, "%.17g", pace[i]);
        int src = config_copy(&run_cfg, &cc.cfg, &err);
        if (src == 0) {
            src = config_put(&run_cfg, "algorithm", "algorithms", algs[i], "divshare agree", &err) ||
                  config_put(&run_cfg, "train", "step_time", value, "divshare agree (the real run's pace)", &err) ||
                  simulate_one(&ex, &run_cfg, sim_dir, &interrupted, &bad, &err);
            config_free(&run_cfg);
        }
        if (src || interrupted) {
            fprintf(stderr, "divshare agree: the simulation of %s %s\n", algs[i],
                    interrupted ? "was interrupted" : err.msg);
            goto done;
        }
    }
    char csv[4096 + 16], plots[4096 + 16], *dirs[2 * RUN_MAX_ALGORITHMS];
    char dir_text[2 * RUN_MAX_ALGORITHMS][4096 + 300];
    snprintf(csv, sizeof csv, "%s/agree.csv", base);
    if (!cc.quiet) printf("\n");
    if (agree_table(real_dir, sim_dir, algs, nd, pace, csv, stdout, &err)) {
        fprintf(stderr, "divshare agree: %s\n", err.msg);
        goto done;
    }
    for (int i = 0; i < nd; i++) {
        snprintf(dir_text[2 * i], sizeof dir_text[0], "%s/%s", real_dir, algs[i]);
        snprintf(dir_text[2 * i + 1], sizeof dir_text[0], "%s/%s", sim_dir, algs[i]);
        dirs[2 * i] = dir_text[2 * i];
        dirs[2 * i + 1] = dir_text[2 * i + 1];
    }
    snprintf(plots, sizeof plots, "%s/plots", base);
    if (run_plot(dirs, 2 * nd, plots, &err)) fprintf(stderr, "divshare agree: no plots: %s\n", err.msg);
    else if (!cc.quiet) printf("plots: %s/{accuracy_time,accuracy_bytes,spread}.{png,svg}\n", plots);
    if (!cc.quiet) printf("table: %s; results in %s/\n", csv, base);
    rc = 0;
done:
    config_free(&cc.cfg);
    return rc;
}

static int cmd_node(int argc, char **argv) {
    cli_common cc = {.node_options = 1};
    if (parse_common(argc, argv, &cc, NODE_HELP)) {
        config_free(&cc.cfg);
        return 2;
    }
    ds_err err;
    int explicit_id = -1;
    if (cc.id) {
        char *end;
        long v = strtol(cc.id, &end, 10);
        if (*end || v < 0 || v > 1000000) {
            fprintf(stderr, "divshare node: --id '%s' is not a node id\n", cc.id);
            config_free(&cc.cfg);
            return 2;
        }
        explicit_id = (int)v;
    }
    int id = node_id_from_env(explicit_id, &err);
    if (id < 0 || !cc.hosts) {
        fprintf(stderr, "divshare node: %s\n\n%s", id < 0 ? err.msg : "--hosts FILE is required", NODE_HELP);
        config_free(&cc.cfg);
        return 2;
    }
    char out[4096];
    snprintf(out, sizeof out, "%s/%s/%s", cc.cfg.v.experiment.output,
             cc.cfg.v.experiment.name, cc.cfg.v.algorithm.name);
    if (cc.out_dir) snprintf(out, sizeof out, "%s", cc.out_dir);
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    /* Started by `divshare launch`: wait for its go signal (SIGUSR1). */
    const char *launched = getenv("DIVSHARE_LAUNCH_SYNC");
    if (launched && !strcmp(launched, "1")) signal(SIGUSR1, on_sigusr1);
    int shaping = NODE_SHAPING_ALL;
    if (cc.shaping && !strcmp(cc.shaping, "latency")) shaping = NODE_SHAPING_LATENCY;
    else if (cc.shaping && !strcmp(cc.shaping, "none")) shaping = NODE_SHAPING_NONE;
    else if (cc.shaping && strcmp(cc.shaping, "all")) {
        fprintf(stderr, "divshare node: --shaping '%s': expected all, latency or none\n", cc.shaping);
        config_free(&cc.cfg);
        return 2;
    }
    /* Connections from peers (and from anyone, until the handshake time-out
     * closes them) each take a descriptor: allow as many as the system does. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    node_options o = {.id = id,
                      .hosts_path = cc.hosts,
                      .key_path = cc.key,
                      .out_dir = out,
                      .log = cc.quiet ? NULL : stdout,
                      .stop = &stop_requested,
                      .go = launched && !strcmp(launched, "1") ? &go_received : NULL,
                      .shaping = shaping};
    int bad = 0;
    int rc = node_run(&cc.cfg, &o, &bad, &err);
    config_free(&cc.cfg);
    if (rc) {
        fprintf(stderr, "divshare node %d: %s\n", id, err.msg);
        return bad ? 2 : 1;
    }
    return stop_requested ? 130 : 0;
}

static int cmd_keygen(int argc, char **argv) {
    const char *hosts_path = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(KEYGEN_HELP, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-' || hosts_path) {
            fprintf(stderr, "divshare keygen: unexpected argument: %s\n\n%s", argv[i], KEYGEN_HELP);
            return 2;
        } else {
            hosts_path = argv[i];
        }
    }
    if (!hosts_path) {
        fprintf(stderr, "divshare keygen: no hosts file given\n\n%s", KEYGEN_HELP);
        return 2;
    }
    ds_err err;
    keygen_result res;
    if (keygen_hosts(hosts_path, out, &res, &err)) {
        fprintf(stderr, "divshare keygen: %s\n", err.msg);
        return res.bad_input ? 2 : 1;
    }
    printf("%d keypairs: public keys in %s, secret keys in %s/node-K.key (give node K only its own)\n",
           res.nodes, hosts_path, res.key_dir);
    return 0;
}

static int cmd_collect(int argc, char **argv) {
    if (argc < 2 || is_help(argv[1])) {
        fputs(COLLECT_HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        char path[4096 + 16];
        snprintf(path, sizeof path, "%s/config.ini", argv[i]);
        config c;
        ds_err err;
        int missing = 0;
        int rc = config_init(&c, &err) || config_load(&c, path, &err);
        if (!rc) rc = collect_run(&c, argv[i], c.v.algorithm.name, NULL, 0, &missing, &err);
        if (rc) {
            fprintf(stderr, "divshare collect: %s\n", err.msg);
            bad = 1;
        } else {
            printf("%s: metrics.csv, nodes.csv, summary.json written", argv[i]);
            if (missing) printf(" (%d node%s without results)", missing, missing == 1 ? "" : "s");
            printf("\n");
        }
        config_free(&c);
    }
    return bad ? 2 : 0;
}

/* compare and plot take run directories and a few flags; the directories
 * are gathered in place at the front of argv. A plots directory of ours
 * (plots.gp, no summary.json) is skipped, so a shell glob over an experiment directory works. */
static int is_plot_dir(const char *dir) {
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/plots.gp", dir);
    snprintf(b, sizeof b, "%s/summary.json", dir);
    return path_exists(a) && !path_exists(b);
}

static int cmd_compare(int argc, char **argv) {
    compare_options opt = {COMPARE_TEXT, NULL};
    char **dirs = argv + 1;
    int nd = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(COMPARE_HELP, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--markdown")) {
            opt.format = COMPARE_MARKDOWN;
        } else if (!strcmp(argv[i], "--csv")) {
            opt.format = COMPARE_CSV;
        } else if (!strcmp(argv[i], "--baseline") && i + 1 < argc) {
            opt.baseline = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "divshare compare: unknown option or missing value: %s\n\n%s", argv[i], COMPARE_HELP);
            return 2;
        } else if (!is_plot_dir(argv[i])) {
            dirs[nd++] = argv[i];
        }
    }
    if (nd == 0) {
        fprintf(stderr, "divshare compare: no run directories given\n\n%s", COMPARE_HELP);
        return 2;
    }
    ds_err err;
    /* An experiment run over seeds: its table of means and intervals. */
    if (nd == 1 && compare_is_seeded(dirs[0])) {
        if (run_compare_seed_dir(dirs[0], opt.baseline, stdout, &err)) {
            fprintf(stderr, "divshare compare: %s\n", err.msg);
            return 2;
        }
        return 0;
    }
    if (run_compare(dirs, nd, &opt, stdout, &err)) {
        fprintf(stderr, "divshare compare: %s\n", err.msg);
        return 2;
    }
    return 0;
}

static int cmd_plot(int argc, char **argv) {
    const char *out = NULL;
    char **dirs = argv + 1;
    int nd = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(PLOT_HELP, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "divshare plot: unknown option or missing value: %s\n\n%s", argv[i], PLOT_HELP);
            return 2;
        } else if (!is_plot_dir(argv[i])) {
            dirs[nd++] = argv[i];
        }
    }
    if (nd == 0) {
        fprintf(stderr, "divshare plot: no run directories given\n\n%s", PLOT_HELP);
        return 2;
    }
    char def[4096];
    if (!out) {
        plot_default_dir(dirs, nd, def, sizeof def);
        out = def;
    }
    ds_err err;
    /* An experiment run over seeds: means with confidence bands. */
    int seeded = nd == 1 && compare_is_seeded(dirs[0]);
    if (seeded && out == def) snprintf(def, sizeof def, "%s/plots", dirs[0]);
    if (seeded ? run_plot_seed_dir(dirs[0], out, &err) : run_plot(dirs, nd, out, &err)) {
        fprintf(stderr, "divshare plot: %s\n", err.msg);
        return 2;
    }
    printf("plots: %s/{accuracy_time,accuracy_bytes,spread}.{png,svg} (script: %s/plots.gp)\n", out, out);
    return 0;
}

static int cmd_check(int argc, char **argv) {
    const char *sets[64];
    int ns = 0, nfiles = 0, bad = 0, print = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(CHECK_HELP, stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--print")) {
            print = 1;
        } else if (!strcmp(argv[i], "--set") && i + 1 < argc && ns < 64) {
            sets[ns++] = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "divshare check: unknown option or missing value: %s\n\n%s", argv[i], CHECK_HELP);
            return 2;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--set")) {
            i++;
            continue;
        }
        if (!strcmp(argv[i], "--print")) continue;
        nfiles++;
        config c;
        ds_err err;
        int rc = config_init(&c, &err) || config_load(&c, argv[i], &err);
        for (int k = 0; k < ns && !rc; k++) rc = config_set(&c, sets[k], &err);
        /* One node: a 'divshare train' file; the run checks do not apply. */
        int single = !rc && c.v.partition.nodes == 1;
        if (!rc && !single) rc = run_check(&c, &err);
        if (!rc) rc = exp_check_data_path(&c, &err);
        if (rc) {
            fprintf(stderr, "divshare check: %s\n", err.msg);
            bad = 1;
        } else if (print) {
            config_write(&c, stdout);
        } else {
            printf("%s: ok%s\n", argv[i], single ? " (one node: a 'divshare train' file)" : "");
        }
        config_free(&c);
    }
    if (nfiles == 0) {
        fprintf(stderr, "divshare check: no experiment files given\n\n%s", CHECK_HELP);
        return 2;
    }
    return bad ? 2 : 0;
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
           cc.cfg.v.partition.name, d.train.n, cc.cfg.v.dataset.name,
           p.nodes);
    partition_print_summary(&d.train, &p, stdout);
    partition_free(&p);
    exp_data_free(&d);
    config_free(&cc.cfg);
    return 0;
}

int main(int argc, char **argv) {
    /* Process-wide, so decided here and not in the library: divshare's
     * parallelism is its own (nodes, batch slices), and OpenBLAS threading
     * of these small GEMMs mostly spins. */
    openblas_set_num_threads(1);
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        fputs(MAIN_HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "train")) return cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return cmd_experiment(argc - 1, argv + 1, 0);
    if (!strcmp(cmd, "launch")) return cmd_experiment(argc - 1, argv + 1, 1);
    if (!strcmp(cmd, "node")) return cmd_node(argc - 1, argv + 1);
    if (!strcmp(cmd, "agree")) return cmd_agree(argc - 1, argv + 1);
    if (!strcmp(cmd, "keygen")) return cmd_keygen(argc - 1, argv + 1);
    if (!strcmp(cmd, "collect")) return cmd_collect(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot")) return cmd_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "check")) return cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "partition")) return cmd_partition(argc - 1, argv + 1);
    if (!strcmp(cmd, "config-reference")) {
        if (argc > 2 && is_help(argv[2])) {
            puts("usage: divshare config-reference\n\nPrints every experiment-file key as Markdown tables.");
            return 0;
        }
        config_write_reference(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        if (argc > 2 && is_help(argv[2])) {
            puts("usage: divshare version\n\nPrints the version.");
            return 0;
        }
        puts("divshare " DIVSHARE_VERSION);
        return 0;
    }
    fprintf(stderr, "divshare: unknown command '%s'\n\n%s", cmd, MAIN_HELP);
    return 2;
}
