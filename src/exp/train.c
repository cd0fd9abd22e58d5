/* train.c: the centralised training loop and its result files. */
#include "exp/train.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/learner.h"
#include "exp/setup.h"
#include "util/clock.h"
#include "util/fileio.h"
#include "util/progress.h"

typedef struct epoch_row {
    int epoch;
    long steps;
    long samples;
    double train_loss, train_acc;
    double test_loss, test_acc, test_rmse;
    double wall;       /* seconds since start, excluding nothing */
    double train_rate; /* training samples per second of training time */
} epoch_row;

static int write_results(const char *dir, const config *c, const nn_arch *a, const exp_data *d,
                         const epoch_row *rows, int n, double wall, int interrupted, ds_err *err) {
    char path[4096 + 32];
    int regress = a->task == NN_TASK_REGRESS;
    /* curve.csv */
    snprintf(path, sizeof path, "%s/curve.csv", dir);
    atomic_file af;
    if (atomic_open(&af, path, err)) return -1;
    fprintf(af.f, "epoch,steps,samples,train_loss,%s,test_loss,%s,wall_time_s,train_samples_per_s\n",
            regress ? "train_rmse" : "train_accuracy", regress ? "test_rmse" : "test_accuracy");
    /* Accuracy in %, as in a run's metrics.csv; RMSE as is. */
    for (int i = 0; i < n; i++) {
        const epoch_row *r = &rows[i];
        if (regress)
            fprintf(af.f, "%d,%ld,%ld,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f\n", r->epoch, r->steps, r->samples,
                    r->train_loss, sqrt(r->train_loss), r->test_loss, r->test_rmse, r->wall, r->train_rate);
        else
            fprintf(af.f, "%d,%ld,%ld,%.6f,%.4f,%.6f,%.4f,%.3f,%.1f\n", r->epoch, r->steps, r->samples,
                    r->train_loss, 100 * r->train_acc, r->test_loss, 100 * r->test_acc, r->wall, r->train_rate);
    }
    if (atomic_commit(&af, err)) return -1;
    /* config.ini */
    snprintf(path, sizeof path, "%s/config.ini", dir);
    if (atomic_open(&af, path, err)) return -1;
    fprintf(af.f, "; resolved configuration of this run (divshare train)\n");
    config_write(c, af.f);
    if (atomic_commit(&af, err)) return -1;
    /* summary.json */
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "command", "train");
    cJSON_AddStringToObject(root, "name", c->v.experiment.name);
    cJSON_AddStringToObject(root, "dataset", c->v.dataset.name);
    cJSON_AddNumberToObject(root, "train_samples", (double)d->train.n);
    cJSON_AddNumberToObject(root, "test_samples", (double)d->test.n);
    cJSON_AddStringToObject(root, "model", a->name);
    cJSON_AddNumberToObject(root, "parameters", (double)a->n_params);
    cJSON_AddNumberToObject(root, "threads", exp_threads(c));
    cJSON_AddBoolToObject(root, "interrupted", interrupted);
    cJSON_AddNumberToObject(root, "wall_time_s", wall);
    cJSON *curve = cJSON_AddArrayToObject(root, "curve");
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "epoch", rows[i].epoch);
        cJSON_AddNumberToObject(o, "steps", (double)rows[i].steps);
        cJSON_AddNumberToObject(o, "train_loss", rows[i].train_loss);
        cJSON_AddNumberToObject(o, "test_loss", rows[i].test_loss);
        if (regress) cJSON_AddNumberToObject(o, "test_rmse", rows[i].test_rmse);
        else cJSON_AddNumberToObject(o, "test_accuracy", 100 * rows[i].test_acc);
        cJSON_AddNumberToObject(o, "wall_time_s", rows[i].wall);
        cJSON_AddNumberToObject(o, "train_samples_per_s", rows[i].train_rate);
        cJSON_AddItemToArray(curve, o);
    }
    if (n > 0) {
        cJSON *fin = cJSON_AddObjectToObject(root, "final");
        cJSON_AddNumberToObject(fin, "epoch", rows[n - 1].epoch);
        cJSON_AddNumberToObject(fin, "test_loss", rows[n - 1].test_loss);
        if (regress) cJSON_AddNumberToObject(fin, "test_rmse", rows[n - 1].test_rmse);
        else cJSON_AddNumberToObject(fin, "test_accuracy", 100 * rows[n - 1].test_acc);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return ds_fail(err, "out of memory writing summary.json");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    int rc = atomic_write_string(path, text, err);
    free(text);
    return rc;
}

int train_run(const config *c, const train_options *opt, train_result *res, ds_err *err) {
    memset(res, 0, sizeof *res);
    double t0 = clock_now();
    if (opt->out_dir)
        snprintf(res->out_dir, sizeof res->out_dir, "%s", opt->out_dir);
    else
        snprintf(res->out_dir, sizeof res->out_dir, "%s/%s", c->v.experiment.output,
                 c->v.experiment.name);
    if (exp_is_synthetic(c))
        return ds_fail(err, "%s: [model] name = quadratic has no data to train on: it is for divshare run and "
                            "launch", config_origin_of(c, CK_model_name));
    exp_data d;
    nn_arch a;
    if (exp_load_data(c, &d, err)) return -1;
    if (exp_build_arch(c, &d, &a, err)) {
        exp_data_free(&d);
        return -1;
    }
    int threads = exp_threads(c);
    const int batch = (int)c->v.train.batch_size;
    const int epochs = (int)c->v.train.epochs;
    const int regress = a.task == NN_TASK_REGRESS;
    sgd_config sgd = {(float)c->v.train.lr,
                      (float)c->v.train.momentum,
                      (float)c->v.train.weight_decay};
    learner_nn_spec ls = {
        .arch = &a,
        .train = &d.train,
        .test = &d.test,
        .batch_size = batch,
        .sgd = &sgd,
        .batch_seed = exp_seed(c, SEED_BATCHES, 0),
        .workers = 1,
        .threads = threads,
        .eval_batch = (int)c->v.eval.batch_size,
    };
    learner l = {0};
    float *params = malloc(sizeof(float) * a.n_params);
    epoch_row *rows = calloc((size_t)epochs, sizeof *rows);
    int rc = -1;
    if (!rows || !params) {
        ds_fail(err, "out of memory");
        goto done;
    }
    if (make_dirs(res->out_dir, err) || learner_nn_new(&ls, &l, err)) goto done;
    l.ops->init_params(l.self, params, exp_seed(c, SEED_INIT, 0));
    if (opt->log) {
        char desc[4096];
        nn_arch_describe(&a, desc, sizeof desc);
        fprintf(opt->log, "divshare train: %s, %zu train / %zu test samples, %d thread%s\n%s",
                c->v.dataset.name, d.train.n, d.test.n, threads,
                threads > 1 ? "s" : "", desc);
        fprintf(opt->log, "batch %d, lr %g, momentum %g, weight decay %g, %d epoch%s -> %s\n",
                batch, sgd.lr, sgd.momentum, sgd.weight_decay, epochs, epochs > 1 ? "s" : "",
                res->out_dir);
        fflush(opt->log);
    }
    long steps_per_epoch = (long)((d.train.n + (size_t)batch - 1) / (size_t)batch);
    if (opt->steps_per_epoch_limit > 0 && opt->steps_per_epoch_limit < steps_per_epoch)
        steps_per_epoch = opt->steps_per_epoch_limit;
    progress pg;
    progress_begin(&pg, opt->progress, "train", (double)steps_per_epoch * epochs);
    long total_steps = 0, total_samples = 0;
    for (int e = 1; e <= epochs; e++) {
        learner_train_stats st = {0};
        double te0 = clock_now();
        long s;
        for (s = 0; s < steps_per_epoch; s++) {
            if (opt->stop && *opt->stop) break;
            long before = st.samples;
            if (l.ops->train(l.self, 0, 0, params, 1, &st, err)) goto done;
            total_steps++;
            total_samples += st.samples - before;
            if (opt->progress) {
                char status[128];
                double loss = st.samples ? st.loss_sum / st.samples : 0;
                snprintf(status, sizeof status, "epoch %d/%d  loss %.4f", e, epochs, regress ? sqrt(loss) : loss);
                progress_update(&pg, (double)((e - 1) * steps_per_epoch + s + 1), status);
            }
        }
        double epoch_time = clock_now() - te0;
        if (opt->stop && *opt->stop) {
            res->interrupted = 1;
            break;
        }
        learner_eval ts;
        if (l.ops->evaluate(l.self, 0, 0, params, &ts, err)) goto done;
        if (!isfinite(ts.loss)) {
            /* Keep the epochs that were fine (already written), say why. */
            progress_end(&pg);
            res->diverged = 1;
            ds_fail(err, "training diverged in epoch %d: the test loss is not finite (lower [train] lr, now %g)",
                    e, (double)sgd.lr);
            goto done;
        }
        epoch_row *r = &rows[e - 1];
        r->epoch = e;
        r->steps = total_steps;
        r->samples = total_samples;
        r->train_loss = st.samples ? st.loss_sum / st.samples : 0;
        r->train_acc = st.samples ? (double)st.correct / st.samples : 0;
        r->test_loss = ts.loss;
        r->test_acc = regress ? 0 : ts.metric;
        r->test_rmse = regress ? ts.metric : 0;
        r->wall = clock_now() - t0;
        r->train_rate = (double)st.samples / (epoch_time > 0 ? epoch_time : 1e-9);
        res->epochs_done = e;
        progress_end(&pg);
        if (opt->log) {
            if (regress)
                fprintf(opt->log, "epoch %3d  train rmse %.4f  test rmse %.4f  (%.0f samples/s, %.1f s)\n",
                        e, sqrt(r->train_loss), r->test_rmse, r->train_rate, r->wall);
            else
                fprintf(opt->log, "epoch %3d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  (%.0f img/s, %.1f s)\n",
                        e, r->train_loss, 100 * r->train_acc, r->test_loss, 100 * r->test_acc,
                        r->train_rate, r->wall);
            fflush(opt->log);
        }
        if (write_results(res->out_dir, c, &a, &d, rows, e, clock_now() - t0, 0, err)) goto done;
    }
    progress_end(&pg);
    res->wall_time = clock_now() - t0;
    if (res->epochs_done > 0) {
        const epoch_row *last = &rows[res->epochs_done - 1];
        res->test_accuracy = last->test_acc;
        res->test_loss = last->test_loss;
        res->test_rmse = last->test_rmse;
    }
    if (write_results(res->out_dir, c, &a, &d, rows, res->epochs_done, res->wall_time,
                      res->interrupted, err))
        goto done;
    rc = 0;
done:
    free(rows);
    free(params);
    learner_free(&l);
    exp_data_free(&d);
    return rc;
}
