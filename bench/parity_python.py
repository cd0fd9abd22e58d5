"""Parity of the Python path (issue 11): GN-LeNet written in PyTorch,
through divshare's Python learner, against divshare's built-in C GN-LeNet,
on the same experiment file, seeds, partition (divshare.partition),
network and algorithm, in the simulator. For each seed it checks and
reports:

- the message traces: messages.csv of the two runs must be identical (the
  schedule depends on the model's size and the step time, not its values);
- the accuracy curves: the two start from different random weights and
  draw batches differently, so they are compared with the seed-to-seed
  spread: the torch run's mean curve must lie within the C runs' range
  widened by that spread;
- the Python path's overhead: the wall time of the learner's training
  calls in the run against torch training the same number of steps alone
  (goal <= 10%); the simulator's own work (averaging, messages) is shown
  beside it, with the C learner's for comparison.

    PYTHONPATH=python OMP_NUM_THREADS=1 /usr/bin/python3 bench/parity_python.py [DURATION_S] [OUT_DIR] [SEEDS]"""
import os
import sys

import numpy as np
import torch

import divshare
from divshare.data import idx as read_idx
from divshare.torch import TorchLearner

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_torch import LeNet  # noqa: E402 - decentralizepy's LeNet with GroupNorm

DATA = "/usr/share/datasets/fashion-mnist"
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def idx(name):
    try:
        return read_idx(os.path.join(DATA, name))
    except FileNotFoundError:
        print("skipped: no Fashion-MNIST in %s (Debian package dataset-fashion-mnist)" % DATA)
        sys.exit(77)


def torch_alone(learner, steps, reps=3):
    """Wall time of `steps` SGD steps of the learner's model in a plain torch
    loop (same batch size, data and optimiser step): the baseline."""
    import time
    model = learner.model
    x, y = learner.X, learner.Y
    g = torch.Generator().manual_seed(0)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        model.train()
        for _ in range(steps):
            b = torch.randint(0, len(y), (learner.batch_size,), generator=g)
            for p in learner.params:
                p.grad = None
            loss = learner.loss_fn(model(x[b]), y[b])
            loss.backward()
            with torch.no_grad():
                for p in learner.params:
                    p.add_(p.grad, alpha=-learner.lr)
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 4
    out = sys.argv[2] if len(sys.argv) > 2 else "runs/parity-python"
    seeds = [int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "1,2,3").split(",")]
    torch.set_num_threads(1)
    config = os.path.join(SRC, "examples", "fmnist-stragglers.ini")
    # The same normalisation as divshare's: (p / 255 - 0.5) / 0.5, per channel.
    x = (torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32)) / 255 - 0.5) / 0.5
    tx = (torch.from_numpy(idx("t10k-images-idx3-ubyte")[:2000].astype(np.float32)) / 255 - 0.5) / 0.5
    y = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
    ty = torch.from_numpy(idx("t10k-labels-idx1-ubyte")[:2000].astype(np.int64))
    curves = {"C": [], "torch": []}
    same_trace, overheads, times = True, [], None
    for seed in seeds:
        keys = {"model.name": "gnlenet", "algorithm.algorithms": "divshare", "experiment.duration": duration,
                "eval.interval": duration / 4, "eval.test_samples": 2000, "train.threads": 1,
                "experiment.seed": seed, "eval.trace_messages": "true"}
        c_run = divshare.run(config, set=keys, out=os.path.join(out, "c-%d" % seed))["divshare"]
        learner = TorchLearner(lambda: LeNet(1, 28, 28, 10), (x.unsqueeze(1), y), (tx.unsqueeze(1), ty), batch_size=8,
                               lr=0.05, name="torch-gnlenet")
        t_run = divshare.run(config, set=keys, out=os.path.join(out, "torch-%d" % seed), learner=learner)["divshare"]
        with open(os.path.join(c_run.path, "messages.csv")) as f1, open(os.path.join(t_run.path, "messages.csv")) as f2:
            identical = f1.read() == f2.read()
        same_trace &= identical
        cm, tm = c_run.metrics, t_run.metrics
        times = [float(v) for v in cm["time_s"]]
        curves["C"].append([float(v) for v in cm["accuracy_mean"]])
        curves["torch"].append([float(v) for v in tm["accuracy_mean"]])
        cfg = divshare.Config(config)
        steps = int(round(float(tm["mean_round"][len(tm) - 1]) * int(cfg["partition.nodes"]) *
                          int(cfg["algorithm.local_steps"])))
        split, c_split = t_run.summary["wall_time_split_s"], c_run.summary["wall_time_split_s"]
        alone = torch_alone(learner, steps)
        overheads.append(split["training"] / alone - 1)
        print("seed %d: message traces %s; %d SGD steps through the Python learner %.2f s, torch alone %.2f s: "
              "overhead %+.1f%%; the simulator's own work %.2f s (%.2f s with the C learner)" % (
                  seed, "identical" if identical else "DIFFER", steps, split["training"], alone, 100 * overheads[-1],
                  split["other"], c_split["other"]))
    c = np.array(curves["C"])
    t = np.array(curves["torch"])
    spread = c.max(0) - c.min(0)
    print("\n%8s %22s %22s %8s %8s" % ("time_s", "C acc % (min-max)", "torch acc % (min-max)", "diff", "C range"))
    within = True
    for i, ts in enumerate(times):
        d = t[:, i].mean() - c[:, i].mean()
        ok = c[:, i].min() - spread[i] <= t[:, i].mean() <= c[:, i].max() + spread[i]
        within &= ok or i == 0
        print("%8.1f %9.2f (%5.2f-%5.2f) %9.2f (%5.2f-%5.2f) %+8.2f %8.2f%s" % (
            ts, c[:, i].mean(), c[:, i].min(), c[:, i].max(), t[:, i].mean(), t[:, i].min(), t[:, i].max(), d,
            spread[i], "" if ok or i == 0 else "  <- outside"))
    print("\nseeds %s: message traces %s; torch curve %s the C runs' seed spread; Python-path overhead median %+.1f%% "
          "(range %+.1f%% to %+.1f%%, goal <= 10%%)" % (",".join(map(str, seeds)), "identical" if same_trace else "DIFFER",
                                                       "within" if within else "OUTSIDE", 100 * np.median(overheads),
                                                       100 * min(overheads), 100 * max(overheads)))
    print("torch GN-LeNet parameters: %d (the C model on 1x28x28: 83,754)" % learner.n_params)
    sys.exit(0 if same_trace and within else 1)


if __name__ == "__main__":
    main()
