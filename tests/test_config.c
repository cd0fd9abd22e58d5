/* test_config.c: INI loading, validation messages (file:line, value,
 * allowed range), overrides and the resolved-config round trip. */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "exp/compare.h"
#include "exp/config.h"
#include "exp/run.h"

static char path[64];

static void write_ini(const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* Loads text into a fresh config; returns the load result. */
static int load(const char *text, ds_err *err) {
    config c;
    config_init(&c, err);
    write_ini(text);
    int rc = config_load(&c, path, err);
    config_free(&c);
    return rc;
}

int main(void) {
    snprintf(path, sizeof path, "/tmp/divshare-test-config-%d.ini", (int)getpid());
    ds_err err;
    config c;
    CHECK(config_init(&c, &err) == 0, "init");
    CHECK(c.v.train.batch_size == 8 && c.v.train.lr == 0.05,
          "defaults");
    CHECK(!strcmp(c.v.dataset.name, "fashion-mnist"), "default dataset");
    write_ini("; comment\n[train]\nbatch_size = 32\nlr=0.1\n\n[model]\nname = mf\nbias = yes\n");
    CHECK(config_load(&c, path, &err) == 0, "load: %s", err.msg);
    CHECK(c.v.train.batch_size == 32 && c.v.train.lr == 0.1, "values");
    CHECK(c.v.model.bias == 1 && config_is_set_id(&c, CK_model_name), "bool and set");
    char want[128];
    snprintf(want, sizeof want, "%s:7", path);
    CHECK(!strcmp(config_origin_of(&c, CK_model_name), want), "origin %s", config_origin_of(&c, CK_model_name));
    CHECK(config_set(&c, "train.lr=0.5", &err) == 0 && c.v.train.lr == 0.5, "--set");
    CHECK(config_set(&c, "train.lr", &err) != 0 && strstr(err.msg, "section.key=value"), "--set syntax: %s", err.msg);
    CHECK(config_set(&c, "train.lr=-1", &err) != 0 && strstr(err.msg, "--set") && strstr(err.msg, "out of range"),
          "--set range: %s", err.msg);

    /* Round trip: the resolved config loads back to the same values. */
    FILE *f = fopen(path, "w");
    config_write(&c, f);
    fclose(f);
    config d;
    config_init(&d, &err);
    CHECK(config_load(&d, path, &err) == 0, "resolved config reloads: %s", err.msg);
    CHECK(d.v.train.lr == 0.5 && !strcmp(d.v.model.name, "mf"), "round trip");
    config_free(&d);
    config_free(&c);

    /* Errors name file and line, the value and what is allowed. */
    CHECK(load("[train]\nlr = 0.1\n[trian]\nx = 1\n", &err) != 0 && strstr(err.msg, ":3:") &&
          strstr(err.msg, "unknown section [trian]") && strstr(err.msg, "[train]"), "unknown section: %s", err.msg);
    CHECK(load("[train]\nbatchsize = 8\n", &err) != 0 && strstr(err.msg, ":2:") &&
          strstr(err.msg, "unknown key 'batchsize'") && strstr(err.msg, "batch_size"), "unknown key: %s", err.msg);
    CHECK(load("[train]\nbatch_size = 0\n", &err) != 0 && strstr(err.msg, ":2:") &&
          strstr(err.msg, "batch_size = 0 is out of range [1, 65536]"), "int range: %s", err.msg);
    CHECK(load("[train]\nbatch_size = 8x\n", &err) != 0 && strstr(err.msg, "not an integer"), "int syntax: %s", err.msg);
    CHECK(load("[train]\nlr = fast\n", &err) != 0 && strstr(err.msg, "not a number"), "double syntax: %s", err.msg);
    CHECK(load("[train]\nlr = nan\n", &err) != 0 && strstr(err.msg, "not a number"), "nan rejected: %s", err.msg);
    CHECK(load("[model]\nname = resnet\n", &err) != 0 && strstr(err.msg, "'resnet' is not allowed") &&
          strstr(err.msg, "gnlenet"), "choice: %s", err.msg);
    CHECK(load("[model]\nbias = maybe\n", &err) != 0 && strstr(err.msg, "not a boolean"), "bool: %s", err.msg);
    CHECK(load("[train]\nlr 0.1\n", &err) != 0 && strstr(err.msg, ":2: syntax error"), "syntax: %s", err.msg);
    CHECK(load("x = 1\n", &err) != 0 && strstr(err.msg, ":1: key 'x' before any [section]"), "key outside section: %s", err.msg);
    /* Long values are fine up to CONFIG_MAX_VALUE - 1 characters. */
    char longline[1200] = "[dataset]\npath = ";
    memset(longline + strlen(longline), 'a', 300);
    strcat(longline, "\n[train]\nlr = 0.1\n");
    CHECK(load(longline, &err) == 0, "300-character value: %s", err.msg);
    strcpy(longline, "[dataset]\npath = ");
    memset(longline + strlen(longline), 'a', 600);
    strcat(longline, "\n");
    CHECK(load(longline, &err) != 0 && strstr(err.msg, ":2: [dataset] path: value longer than 511"), "600-character value: %s", err.msg);
    /* Strict where INI readers are lenient (issue 12). */
    CHECK(load("[train\nlr = 0.1\n", &err) != 0 && strstr(err.msg, ":1: missing ']' in section header '[train'"),
          "missing ]: %s", err.msg);
    CHECK(load("[train]\nlr = 0.1\nlr = 0.2\n", &err) != 0 && strstr(err.msg, ":3: [train] lr given twice (first on line 2)"),
          "duplicate key: %s", err.msg);
    CHECK(load("[dataset]\npath = /a\n  /b\n", &err) != 0 && strstr(err.msg, ":3: syntax error: '/b'"),
          "no continuation lines: %s", err.msg);
    CHECK(load("[train] x\n", &err) != 0 && strstr(err.msg, ":1: unexpected text after the section header"),
          "text after header: %s", err.msg);
    {
        static const char nul[] = "[train]\nlr = 0.1\n[dataset]\npath = a\0b\n";
        FILE *nf = fopen(path, "w");
        fwrite(nul, 1, sizeof nul - 1, nf);
        fclose(nf);
        config n;
        config_init(&n, &err);
        CHECK(config_load(&n, path, &err) != 0 && strstr(err.msg, ":4: NUL byte"), "NUL byte in a value: %s", err.msg);
        write_ini("[dataset]\npath = a;b # c\n");
        CHECK(config_load(&n, path, &err) == 0 && !strcmp(n.v.dataset.path, "a;b # c"),
              "; and # are part of a value: %s", n.v.dataset.path);
        config_free(&n);
    }
    /* Values that cannot be written to a config file are refused. */
    CHECK(config_set(&c, "dataset.path=a\nb", &err) != 0 && strstr(err.msg, "control character"), "newline in --set: %s", err.msg);
    CHECK(config_set(&c, "dataset.path= a", &err) != 0 && strstr(err.msg, "white space around a value"), "leading blank: %s", err.msg);
    /* Round trip: config_write's output reads back to the same values. */
    {
        config w, r;
        config_init(&w, &err);
        config_init(&r, &err);
        char v[CONFIG_MAX_VALUE];
        memset(v, 'p', sizeof v - 1);
        v[sizeof v - 1] = 0;
        memcpy(v, "/x;y = #z [", 11);
        char set[CONFIG_MAX_VALUE + 32];
        snprintf(set, sizeof set, "dataset.path=%s", v);
        CHECK(config_set(&w, set, &err) == 0, "511-character value: %s", err.msg);
        CHECK(config_set(&w, "algorithm.algorithms=divshare ; swift", &err) == 0, "value with ' ; ': %s", err.msg);
        f = fopen(path, "w");
        config_write(&w, f);
        fclose(f);
        CHECK(config_load(&r, path, &err) == 0, "written config reads back: %s", err.msg);
        int same = 1;
        for (int i = 0; i < config_key_count(); i++) same &= !strcmp(w.values[i].text, r.values[i].text);
        CHECK(same, "every value reads back identically");
        config_free(&w);
        config_free(&r);
    }
    CHECK(config_load(&c, "/tmp", &err) != 0 && strstr(err.msg, "/tmp: is a directory"), "directory: %s", err.msg);
    CHECK(config_load(&c, "/dev/zero", &err) != 0 && strstr(err.msg, "larger than the limit"), "/dev/zero: %s", err.msg);
    CHECK(config_load(&c, "/nonexistent/x.ini", &err) != 0 && strstr(err.msg, "/nonexistent/x.ini"), "missing file");
    /* [experiment] seeds, and the confidence interval of a mean: for
     * 1..5, mean 3, sd sqrt(2.5), t(0.975, 4) = 2.776, half-width
     * 2.776 * sqrt(2.5) / sqrt(5) = 1.9629. */
    {
        config sc;
        config_init(&sc, &err);
        uint64_t seeds[RUN_MAX_SEEDS];
        int n;
        CHECK(config_set(&sc, "experiment.seeds=1-3, 7,9-10", &err) == 0 && run_parse_seeds(&sc, seeds, &n, &err) == 0 &&
                  n == 6 && seeds[0] == 1 && seeds[2] == 3 && seeds[3] == 7 && seeds[5] == 10,
              "seeds list: %s", err.msg);
        config_set(&sc, "experiment.seeds=3-1", &err);
        CHECK(run_parse_seeds(&sc, seeds, &n, &err) != 0 && strstr(err.msg, "range 3-1 is empty"), "empty range: %s", err.msg);
        config_set(&sc, "experiment.seeds=1,1", &err);
        CHECK(run_parse_seeds(&sc, seeds, &n, &err) != 0 && strstr(err.msg, "seed 1 given twice"), "duplicate seed: %s", err.msg);
        config_set(&sc, "experiment.seeds=1-x", &err);
        CHECK(run_parse_seeds(&sc, seeds, &n, &err) != 0 && strstr(err.msg, "expected seeds or ranges"), "bad seeds: %s", err.msg);
        config_set(&sc, "experiment.seeds=0-200", &err);
        CHECK(run_parse_seeds(&sc, seeds, &n, &err) != 0 && strstr(err.msg, "more than 100 seeds"), "too many seeds: %s", err.msg);
        config_free(&sc);
        double v[5] = {1, 2, 3, 4, 5}, m, h;
        compare_mean_ci(v, 5, &m, &h);
        CHECK(m == 3 && fabs(h - 1.9629) < 1e-3, "95%% CI of 1..5: %g +- %g", m, h);
        compare_mean_ci(v, 1, &m, &h);
        CHECK(m == 1 && isnan(h), "one value: no interval");
    }
    unlink(path);
    return check_done("test_config");
}
