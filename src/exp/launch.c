/* launch.c: starting, watching and collecting the node processes of a
 * real run on one machine. */
#define _POSIX_C_SOURCE 200809L
#include "exp/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exp/results.h"
#include "exp/run.h"
#include "net/auth.h"
#include "exp/collect.h"
#include "exp/setup.h"
#include "net/hosts.h"
#include "net/netem.h"
#include "util/clock.h"
#include "util/fileio.h"
#include "util/progress.h"

/* Seconds a run may exceed its duration (start-up, data loading and the
 * time evaluations pause the training clock) before nodes are killed. */
#define LAUNCH_GRACE_S 300.0
/* Seconds to wait for every node to be ready before starting them anyway. */
#define LAUNCH_READY_TIMEOUT_S 300.0


/* The last line of a node's log, for error messages. */
static void last_line(const char *path, char *buf, size_t cap) {
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (line[0] != '\n') snprintf(buf, cap, "%s", line);
    fclose(f);
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n') buf[n - 1] = 0;
}

/* Starts node `id` (inside namespace ns, when given, via ip netns exec). */
/* Python nodes run under Debian's interpreter (the one with its packages). */
#define LAUNCH_PYTHON "/usr/bin/python3"

static pid_t start_node(const launch_options *o, const char *dir, int id, const char *ns, int with_delay) {
    char cfg[4200], hosts_file[4200], log[4200], ids[16];
    snprintf(cfg, sizeof cfg, "%s/config.ini", dir);
    snprintf(hosts_file, sizeof hosts_file, "%s/hosts.txt", dir);
    snprintf(log, sizeof log, "%s/node-%d.log", dir, id);
    snprintf(ids, sizeof ids, "%d", id);
    pid_t pid = fork();
    if (pid != 0) return pid;
    /* child */
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    signal(SIGINT, SIG_IGN); /* the launcher decides when nodes stop */
    setenv("DIVSHARE_LAUNCH_SYNC", "1", 1); /* start on the launcher's signal */
    signal(SIGUSR1, SIG_IGN); /* until the node installs its handler */
    /* divshare node ..., or with a learner written in Python the same node
     * as python3 -m divshare node --learner MODULE:FACTORY ... */
    char *args[24] = {(char *)o->exe, "node"};
    int k = 2;
    if (o->learner) {
        char *py[] = {LAUNCH_PYTHON, "-m", "divshare", "node", "--learner", (char *)o->learner};
        for (k = 0; k < 6; k++) args[k] = py[k];
    }
    char *tail[] = {"--config", cfg, "--id", ids, "--hosts", hosts_file, "--out", (char *)dir,
                    ns ? "--shaping" : NULL, with_delay ? "none" : "latency", NULL};
    for (int t = 0; t < 11; t++) args[k++] = tail[t];
    if (ns) { /* ip netns exec NS divshare node ... (ip execs in place: same pid) */
        char *argv[32] = {"ip", "netns", "exec", (char *)ns};
        for (int j = 0; args[j]; j++) argv[4 + j] = args[j];
        execvp("ip", argv);
    } else {
        execv(args[0], args);
    }
    fprintf(stderr, "divshare launch: cannot start %s: %s\n", ns ? "ip netns exec" : args[0], strerror(errno));
    _exit(127);
}

/* Runs one algorithm's nodes. *failed: how many did not finish (killed,
 * or failed), the first of them described in *fail. */
static int run_one(config *c, const launch_options *o, const char *alg, const char *dir, int *interrupted,
                   int *failed_out, ds_err *fail, ds_err *err) {
    const int N = (int)c->v.partition.nodes;
    char set[256];
    snprintf(set, sizeof set, "algorithm.name=%s", alg);
    if (config_set(c, set, err) || config_set(c, "algorithm.algorithms=", err)) return -1;
    char note[256];
    snprintf(note, sizeof note, "resolved configuration of this run (divshare launch, algorithm %s)", alg);
    if (results_write_config(c, dir, note, err)) return -1;
    int *ports = malloc(sizeof(int) * (size_t)N);
    pid_t *pid = calloc((size_t)N, sizeof(pid_t));
    int *status = calloc((size_t)N, sizeof(int));
    if (!ports || !pid || !status) {
        free(ports);
        free(pid);
        free(status);
        return ds_fail(err, "out of memory");
    }
    char hosts_path[4200];
    snprintf(hosts_path, sizeof hosts_path, "%s/hosts.txt", dir);
    int rc = 0, with_delay = 0;
    netem *em = NULL;
    const char **addr = NULL;
    if (o->netem) { /* every node in its own namespace: one port for all */
        node_spec *spec = malloc(sizeof *spec * (size_t)N);
        addr = malloc(sizeof(char *) * (size_t)N);
        if (!spec || !addr) rc = ds_fail(err, "out of memory");
        if (!rc && exp_node_specs(c, N, spec, err)) rc = -1;
        if (!rc && netem_available(&with_delay, err)) rc = -1;
        if (!rc && !(em = netem_setup(N, spec, with_delay, err))) rc = -1;
        for (int i = 0; !rc && i < N; i++) {
            addr[i] = netem_address(em, i);
            ports[i] = 7000;
        }
        free(spec);
    } else {
        rc = hosts_free_ports(N, ports, err);
    }
    /* A fresh keypair per node and run: public keys in hosts.txt, each
     * secret key in node-K.key (0600), where the node looks for it. */
    char (*pub)[AUTH_KEY_CHARS + 1] = NULL;
    const char **pubs = NULL;
    if (!rc && !strcmp(c->v.network.auth, "curve")) {
        pub = calloc((size_t)N, sizeof *pub);
        pubs = calloc((size_t)N, sizeof *pubs);
        if (!pub || !pubs) rc = ds_fail(err, "out of memory");
        for (int i = 0; !rc && i < N; i++) {
            char sec[AUTH_KEY_CHARS + 1], kp[4200];
            snprintf(kp, sizeof kp, "%s/node-%d.key", dir, i);
            rc = auth_keypair(pub[i], sec, err);
            if (!rc) rc = auth_write_secret(kp, sec, err);
            pubs[i] = pub[i];
        }
    }
    if (!rc) rc = hosts_write(hosts_path, N, addr, ports, pubs, err);
    free(pubs);
    free(pub);
    free(addr);
    free(ports);
    const double duration = c->v.experiment.duration;
    if (o->log && rc == 0) {
        fprintf(o->log, "%s: %d node processes, %s, %g s of training time, links emulated %s -> %s\n", alg, N,
                c->v.dataset.name, duration,
                em ? (with_delay ? "by the kernel (htb + netem)" : "by the kernel (htb; latency in-process: no netem qdisc)")
                   : "in-process", dir);
        fflush(o->log);
    }
    int running = 0;
    for (int i = 0; i < N && rc == 0; i++) {
        pid[i] = start_node(o, dir, i, em ? netem_namespace(em, i) : NULL, with_delay);
        if (pid[i] < 0) {
            rc = ds_fail(err, "cannot fork node %d: %s", i, strerror(errno));
            break;
        }
        running++;
    }
    /* Start together: when every node is ready (or after a time-out, or
     * when some node already exited), signal them all. */
    double w0 = clock_now();
    for (int ready = 0; rc == 0 && running > 0 && ready < N && clock_now() - w0 < LAUNCH_READY_TIMEOUT_S;) {
        if (o->stop && *o->stop) break;
        ready = 0;
        for (int i = 0; i < N; i++) {
            char p[4200];
            snprintf(p, sizeof p, "%s/node-%d.ready", dir, i);
            ready += path_exists(p);
        }
        int exited = 0;
        for (int i = 0; i < N && !exited; i++) {
            siginfo_t info = {0};
            exited = pid[i] > 0 && waitid(P_PID, (id_t)pid[i], &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                     info.si_pid != 0;
        }
        if (exited) break; /* some node exited early: it will not get ready */
        if (ready < N) clock_sleep(0.02);
    }
    for (int i = 0; i < N; i++)
        if (pid[i] > 0) kill(pid[i], SIGUSR1);
    progress pb;
    if (o->progress) progress_begin(&pb, o->progress, alg, duration);
    double t0 = clock_now(), term_at = 0;
    int stopping = rc != 0;
    while (running > 0) {
        int reaped = 0;
        for (int i = 0; i < N; i++) { /* our own children only, never waitpid(-1) */
            int st;
            if (pid[i] > 0 && waitpid(pid[i], &st, WNOHANG) == pid[i]) {
                status[i] = st;
                pid[i] = 0;
                running--;
                reaped = 1;
            }
        }
        if (reaped) continue;
        double el = clock_now() - t0;
        if (!stopping && ((o->stop && *o->stop) || el > duration + LAUNCH_GRACE_S)) {
            if (o->stop && *o->stop) *interrupted = 1;
            else if (!rc) rc = ds_fail(err, "%s: nodes still running %.0f s after the duration; stopped them", alg,
                                       LAUNCH_GRACE_S);
            stopping = 1;
            term_at = clock_now();
            for (int i = 0; i < N; i++)
                if (pid[i] > 0) kill(pid[i], SIGTERM);
        }
        if (stopping && term_at > 0 && clock_now() - term_at > 20) /* ignored SIGTERM */
            for (int i = 0; i < N; i++)
                if (pid[i] > 0) kill(pid[i], SIGKILL);
        if (o->progress) {
            char s[64];
            snprintf(s, sizeof s, "%d of %d nodes running", running, N);
            progress_update(&pb, el < duration ? el : duration, s);
        }
        clock_sleep(0.1);
    }
    if (o->progress) progress_end(&pb);
    int failed = 0;
    for (int i = 0; i < N; i++) {
        int st = status[i];
        int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        int stopped_by_us = *interrupted && WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 130);
        if (ok || stopped_by_us) continue;
        char lp[4200], line[512];
        snprintf(lp, sizeof lp, "%s/node-%d.log", dir, i);
        last_line(lp, line, sizeof line);
        ds_err why;
        if (WIFSIGNALED(st))
            ds_fail(&why, "%s: node %d was killed by signal %d (%s)", alg, i, WTERMSIG(st), lp);
        else
            ds_fail(&why, "%s: node %d failed with exit code %d: %s", alg, i, WEXITSTATUS(st), *line ? line : lp);
        if (o->log) fprintf(o->log, "%s\n", why.msg);
        if (failed == 0 && *failed_out == 0) *fail = why;
        failed++;
    }
    *failed_out += failed;
    free(pid);
    free(status);
    netem_teardown(em);
    if (rc) return rc;
    int missing;
    if (collect_run(c, dir, alg, NULL, *interrupted, &missing, err)) {
        if (failed == N) return ds_fail(err, "%s: every node failed; see %s/node-0.log", alg, dir);
        return -1;
    }
    if (o->log) {
        fprintf(o->log, "%s: done in %.1f s wall", alg, clock_now() - t0);
        if (failed) fprintf(o->log, "; %d of %d nodes did not finish", failed, N);
        fprintf(o->log, "\n");
        fflush(o->log);
    }
    return 0;
}

int launch_experiment(config *c, const launch_options *o, int *interrupted, int *bad_input, int *nodes_failed,
                      ds_err *err) {
    *interrupted = 0;
    *bad_input = 0;
    *nodes_failed = 0;
    if (run_check_for(c, 1, err)) {
        *bad_input = 1;
        return -1;
    }
    int with_delay;
    if (o->netem && netem_available(&with_delay, err)) {
        *bad_input = 1;
        return -1;
    }
    char names[CONFIG_MAX_VALUE];
    char *algs[RUN_MAX_ALGORITHMS];
    int count = run_algorithm_list(c, names, sizeof names, algs, RUN_MAX_ALGORITHMS, err);
    if (count < 0) {
        *bad_input = 1;
        return -1;
    }
    /* algs point into names, a copy: setting algorithm.name per run below
     * does not disturb them. */
    char base[4096];
    run_base_dir(c, o->out_dir, base, sizeof base);
    if (run_clear_dirs(base, algs, count, err)) {
        *bad_input = 1;
        return -1;
    }
    int rc = 0;
    ds_err fail = {{0}};
    for (int i = 0; i < count && rc == 0 && !*interrupted; i++) {
        char dir[4096 + 80];
        snprintf(dir, sizeof dir, "%s/%s", base, algs[i]);
        rc = run_one(c, o, algs[i], dir, interrupted, nodes_failed, &fail, err);
    }
    if (rc == 0 && *nodes_failed > 0)
        ds_fail(err, "%d node%s did not finish; the first: %s", *nodes_failed, *nodes_failed == 1 ? "" : "s",
                fail.msg);
    return rc;
}
