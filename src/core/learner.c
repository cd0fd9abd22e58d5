/* learner.c: what every learner shares: step-time calibration. */
#include "core/learner.h"

#include <stdlib.h>

#include "util/clock.h"

int learner_step_time(learner *l, double *out, ds_err *err) {
    float *p = malloc(sizeof(float) * l->n_params);
    if (!p) return ds_fail(err, "out of memory for %zu parameters", l->n_params);
    l->ops->init_params(l->self, p, 1);
    double times[5];
    int rc = 0;
    for (int rep = -1; rep < 5 && rc == 0; rep++) { /* rep -1: warm-up */
        learner_train_stats st = {0};
        double t0 = clock_now();
        rc = l->ops->train(l->self, 0, 0, p, 10, &st, err);
        if (rep >= 0) times[rep] = (clock_now() - t0) / 10;
    }
    free(p);
    if (rc) return -1;
    for (int i = 1; i < 5; i++) /* insertion sort for the median */
        for (int j = i; j > 0 && times[j] < times[j - 1]; j--) {
            double t = times[j];
            times[j] = times[j - 1];
            times[j - 1] = t;
        }
    *out = times[2];
    return 0;
}
