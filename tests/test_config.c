/* test_config.c: INI loading, validation messages (file:line, value,
 * allowed range), overrides and the resolved-config round trip. */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "exp/config.h"

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
    CHECK(config_int(&c, "train", "batch_size") == 8 && config_double(&c, "train", "lr") == 0.05,
          "defaults");
    CHECK(!strcmp(config_str(&c, "dataset", "name"), "fashion-mnist"), "default dataset");
    write_ini("; comment\n[train]\nbatch_size = 32\nlr=0.1\n\n[model]\nname = mf\nbias = yes\n");
    CHECK(config_load(&c, path, &err) == 0, "load: %s", err.msg);
    CHECK(config_int(&c, "train", "batch_size") == 32 && config_double(&c, "train", "lr") == 0.1, "values");
    CHECK(config_bool(&c, "model", "bias") == 1 && config_is_set(&c, "model", "name"), "bool and set");
    char want[128];
    snprintf(want, sizeof want, "%s:7", path);
    CHECK(!strcmp(config_origin(&c, "model", "name"), want), "origin %s", config_origin(&c, "model", "name"));
    CHECK(config_set(&c, "train.lr=0.5", &err) == 0 && config_double(&c, "train", "lr") == 0.5, "--set");
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
    CHECK(config_double(&d, "train", "lr") == 0.5 && !strcmp(config_str(&d, "model", "name"), "mf"), "round trip");
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
    CHECK(load("x = 1\n", &err) != 0 && strstr(err.msg, "unknown section []"), "key outside section: %s", err.msg);
    char longline[400] = "[dataset]\npath = ";
    memset(longline + strlen(longline), 'a', 300);
    strcat(longline, "\n[train]\nlr = 0.1\n");
    CHECK(load(longline, &err) != 0 && strstr(err.msg, ":2: line too long"), "long line: %s", err.msg);
    CHECK(config_load(&c, "/nonexistent/x.ini", &err) != 0 && strstr(err.msg, "/nonexistent/x.ini"), "missing file");
    unlink(path);
    return check_done("test_config");
}
