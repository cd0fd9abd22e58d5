/* compare.c: the side-by-side table of run directories (summary.json). */
#include "exp/compare.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"

static cJSON *load_summary(const char *dir, ds_err *err) {
    char path[4096 + 32];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    unsigned char *data;
    size_t len;
    if (file_read_all(path, &data, &len, err)) return NULL;
    cJSON *j = cJSON_Parse((const char *)data);
    free(data);
    if (!j) ds_fail(err, "%s: not valid JSON", path);
    return j;
}

int run_compare(char **dirs, int n, FILE *out, ds_err *err) {
    cJSON *s[64];
    if (n > 64) return ds_fail(err, "compare: at most 64 runs");
    for (int i = 0; i < n; i++)
        if (!(s[i] = load_summary(dirs[i], err))) {
            for (int k = 0; k < i; k++) cJSON_Delete(s[k]);
            return -1;
        }
    /* The first run is the baseline for speed-ups. */
    cJSON *t0 = cJSON_GetObjectItem(s[0], "time_to_target");
    int nt = cJSON_GetArraySize(t0);
    const char *metric = cJSON_GetStringValue(cJSON_GetObjectItem(s[0], "metric"));
    int acc = metric && !strcmp(metric, "accuracy");
    fprintf(out, "%-28s", "run");
    for (int k = 0; k < nt; k++) {
        char h[32];
        snprintf(h, sizeof h, "t(%g%s)", cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(t0, k), "target")), acc ? "%" : "");
        fprintf(out, " %10s", h);
    }
    fprintf(out, " %10s %10s %9s  speed-up*\n", acc ? "final acc" : "final rmse", "MB sent", "dropped");
    for (int i = 0; i < n; i++) {
        const char *name = dirs[i];
        const char *slash = strrchr(name, '/');
        if (slash && slash[1]) name = slash + 1;
        fprintf(out, "%-28.28s", name);
        cJSON *tt = cJSON_GetObjectItem(s[i], "time_to_target");
        double last_ratio = NAN;
        for (int k = 0; k < nt; k++) {
            cJSON *v = cJSON_GetObjectItem(cJSON_GetArrayItem(tt, k), "time_s");
            cJSON *b = cJSON_GetObjectItem(cJSON_GetArrayItem(t0, k), "time_s");
            if (cJSON_IsNumber(v)) {
                fprintf(out, " %9.0fs", v->valuedouble);
                if (cJSON_IsNumber(b) && v->valuedouble > 0) last_ratio = b->valuedouble / v->valuedouble;
            } else {
                fprintf(out, " %10s", "-");
            }
        }
        cJSON *fin = cJSON_GetObjectItem(s[i], "final"), *tot = cJSON_GetObjectItem(s[i], "totals");
        double fv = cJSON_GetNumberValue(cJSON_GetObjectItem(fin, acc ? "accuracy_mean" : "rmse_mean"));
        fprintf(out, " %9.2f%s %10.1f %9.0f", fv, acc ? "%" : " ",
                cJSON_GetNumberValue(cJSON_GetObjectItem(tot, "bytes_sent")) / 1e6,
                cJSON_GetNumberValue(cJSON_GetObjectItem(tot, "messages_dropped_stale")));
        if (i > 0 && !isnan(last_ratio)) fprintf(out, "  %.2fx", last_ratio);
        fprintf(out, "\n");
    }
    fprintf(out, "* time of the first run (%s) / time of this run, at the highest target both reached\n", dirs[0]);
    for (int i = 0; i < n; i++) cJSON_Delete(s[i]);
    return 0;
}
