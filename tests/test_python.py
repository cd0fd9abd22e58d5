"""The Python package over libdivshare.so: configuration, runs with the
built-in model and with a Python learner (zero-copy numpy views), results,
comparison, partitions, errors raised where they happened, determinism,
and Ctrl-C keeping what was evaluated."""
import os
import signal
import sys
import tempfile
import threading

import numpy as np

import divshare

passed = failed = 0


def check(cond, label):
    global passed, failed
    if cond:
        passed += 1
        print("ok     " + label)
    else:
        failed += 1
        print("NOT OK " + label)


SMALL = {"model.name": "quadratic", "model.dim": 100, "train.lr": 0.1, "partition.nodes": 8,
         "algorithm.degree": 2, "experiment.duration": 4, "eval.interval": 1,
         "algorithm.algorithms": "swift,divshare", "eval.targets": 0.5}


class Toy(divshare.Learner):
    """Node k pulls its vector toward k - 3.5 (the nodes' mean target is 0)."""
    name = "toy"
    n_params = 20
    lower_is_better = True

    def __init__(self):
        self.views = set()
        self.begins = []

    def begin(self, algorithm, nodes):
        self.begins.append((algorithm, nodes))

    def train(self, node, params, steps):
        self.views.add(params.ctypes.data)
        for _ in range(steps):
            params -= np.float32(0.1) * (params - np.float32(node - 3.5))
        return float(steps)

    def evaluate(self, node, params):
        rmse = float(np.sqrt(np.mean(params.astype(np.float64) ** 2)))
        return {"rmse": rmse, "loss": rmse * rmse}


def main():
    tmp = tempfile.mkdtemp(prefix="divshare-test-python-")
    check(divshare.__version__.count(".") == 2, "version " + divshare.__version__)
    c = divshare.Config(SMALL)
    check(c["model.dim"] == "100" and c["train.lr"] == "0.1", "config from a dict")
    try:
        c["train.lrr"] = 1
        check(False, "unknown key raises")
    except divshare.DivshareError as e:
        check(e.code == 1 and "unknown key 'lrr'" in str(e), "unknown key raises: " + str(e))
    try:
        divshare.Config("/nonexistent.ini")
        check(False, "missing file raises")
    except divshare.DivshareError as e:
        check("nonexistent" in str(e), "missing file raises")

    # The built-in (quadratic) model: results back as tables.
    rows = []
    runs = divshare.run(SMALL, out=os.path.join(tmp, "q"), on_eval=lambda a, r: rows.append((a, r["time"])))
    check(sorted(runs) == ["divshare", "swift"] and len(rows) == 10, "run: both algorithms, on_eval 10 times")
    m = runs["divshare"].metrics
    check(len(m) == 5 and float(m["rmse_mean"][4]) < float(m["rmse_mean"][0]), "metrics table, rmse falls")
    check(runs["divshare"].summary["algorithm"] == "divshare" and len(runs["swift"].nodes) == 5 * 8, "summary and nodes")
    table = divshare.compare(runs, baseline="swift")
    check("divshare" in table and "speed-up vs swift" in table, "compare")
    again = divshare.run(SMALL, out=os.path.join(tmp, "q2"))
    same = open(os.path.join(tmp, "q", "divshare", "metrics.csv")).read() == \
        open(os.path.join(tmp, "q2", "divshare", "metrics.csv")).read()
    check(same, "same config and seed, same metrics.csv")

    # A truncated metrics.csv is an error naming the file and line, not a short table.
    cut = os.path.join(tmp, "cut", "divshare")
    os.makedirs(cut)
    text = open(os.path.join(tmp, "q", "divshare", "metrics.csv")).read()
    open(os.path.join(cut, "metrics.csv"), "w").write(text[:len(text) - 30])
    try:
        divshare.load(cut).metrics
        check(False, "truncated metrics.csv refused")
    except divshare.DivshareError as e:
        check("metrics.csv:6" in str(e), "truncated metrics.csv refused: " + str(e))

    # A learner written in Python, on zero-copy views.
    toy = Toy()
    runs = divshare.run(SMALL, out=os.path.join(tmp, "toy"), learner=toy)
    m = runs["divshare"].metrics
    check(toy.begins == [("swift", 8), ("divshare", 8)], "begin before each algorithm: %s" % toy.begins)
    check(float(m["rmse_mean"][0]) == 0 and 0 < float(m["rmse_mean"][4]) < 3.5, "python learner trains and averages")
    check(len(toy.views) <= 2 * 8 * 2 + 4, "params are views of divshare's vectors (%d buffers)" % len(toy.views))

    # Step time calibrated on the Python learner (a copy made for it).
    toy = Toy()
    # (A toy step takes microseconds: a few milliseconds of simulated time.)
    runs = divshare.run(dict(SMALL, **{"train.step_time": "calibrate", "algorithm.algorithms": "divshare",
                                       "experiment.duration": 0.002, "eval.interval": 0.001}),
                        out=os.path.join(tmp, "cal"), learner=toy)
    check(toy.begins == [("divshare", 8), ("divshare", 8)] and len(runs["divshare"].metrics) == 3,
          "step_time = calibrate times the Python learner, then the run starts afresh: %s" % toy.begins)

    # An exception in the learner comes back as itself.
    class Broken(Toy):
        def train(self, node, params, steps):
            raise RuntimeError("boom at node %d" % node)
    try:
        divshare.run(SMALL, out=os.path.join(tmp, "broken"), learner=Broken())
        check(False, "learner exception raised")
    except RuntimeError as e:
        check("boom at node" in str(e), "learner exception raised: " + str(e))

    # An algorithm written in Python: push-pull averaging with the next node.
    class Ring(divshare.Algorithm):
        name = "ring"

        def node(self, node, nodes):
            return {"id": node, "nodes": nodes, "got": None}

        def on_start(self, st, rt):
            rt.train(st["id"], 4)

        def on_train_done(self, st, rt):
            x = rt.params(st["id"])
            if st["got"] is not None:
                x[:] = 0.5 * (x + st["got"])
                st["got"] = None
            rt.send_model(st["id"], (st["id"] + 1) % st["nodes"])
            rt.train(st["id"], 4)

        def on_message(self, st, rt, msg):
            st["got"] = msg.values
    runs = divshare.run(SMALL, out=os.path.join(tmp, "ring"), algorithm=Ring())
    m = runs["ring"].metrics
    check(list(runs) == ["ring"] and int(m["messages_received"][len(m) - 1]) > 0 and
          float(m["rmse_mean"][len(m) - 1]) < float(m["rmse_mean"][0]),
          "an algorithm written in Python runs, sends and averages")
    again = divshare.run(SMALL, out=os.path.join(tmp, "ring2"), algorithm=Ring())
    check(open(os.path.join(runs["ring"].path, "metrics.csv")).read() ==
          open(os.path.join(again["ring"].path, "metrics.csv")).read(), "a Python algorithm is deterministic")

    class Bad(Ring):
        def on_message(self, st, rt, msg):
            raise ValueError("bad message from %d" % msg.src)
    try:
        divshare.run(SMALL, out=os.path.join(tmp, "bad"), algorithm=Bad())
        check(False, "algorithm exception raised")
    except ValueError as e:
        check("bad message from" in str(e), "algorithm exception raised: " + str(e))

    # Partitions as divshare computes them.
    parts = divshare.partition({"partition.nodes": 4, "partition.name": "kshard"}, np.arange(100) % 10)
    flat = np.concatenate(parts)
    check(len(parts) == 4 and len(flat) == 96 and len(set(flat.tolist())) == 96, "partition: kshard, each sample once")

    # TorchLearner: any torch.nn.Module; the same seed gives the same bytes.
    try:
        import torch
        from divshare.torch import TorchLearner
    except ImportError:
        torch = None
        print("skip   TorchLearner checks: no python3-torch")
    if torch is not None:
        torch.set_num_threads(1)
        g = torch.Generator().manual_seed(0)
        X = torch.randn(400, 1, 6, 6, generator=g)
        Y = (X.mean(dim=(1, 2, 3)) > 0).long()
        small = dict(SMALL, **{"model.name": "gnlenet", "partition.nodes": 4, "algorithm.degree": 2,
                               "algorithm.local_steps": 16, "experiment.duration": 2, "eval.interval": 1})

        def net():
            return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(36, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
        outs = []
        for k in range(2):
            learner = TorchLearner(net, (X[:300], Y[:300]), (X[300:], Y[300:]), batch_size=8, lr=0.1)
            runs = divshare.run(small, out=os.path.join(tmp, "torch%d" % k), learner=learner)
            outs.append(open(os.path.join(runs["divshare"].path, "metrics.csv")).read())
        acc = runs["divshare"].metrics["accuracy_mean"]
        check(learner.n_params == 36 * 8 + 8 + 8 * 2 + 2 and float(acc[len(acc) - 1]) > 60,
              "TorchLearner trains a torch module by DivShare (final accuracy %.1f%%)" % float(acc[len(acc) - 1]))
        check(outs[0] == outs[1], "TorchLearner: same seed, same metrics.csv")

    # Ctrl-C: the run stops, what was evaluated is kept.
    long_run = dict(SMALL, **{"experiment.duration": 100000, "eval.interval": 1, "partition.nodes": 60,
                               "algorithm.algorithms": "divshare"})
    threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    try:
        divshare.run(long_run, out=os.path.join(tmp, "long"))
        check(False, "Ctrl-C stops the run")
    except KeyboardInterrupt:
        r = divshare.load(os.path.join(tmp, "long", "divshare"))
        check(len(r.metrics) >= 1 and r.summary.get("interrupted") is True, "Ctrl-C stops the run and keeps its rows")
    print("test_python: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
