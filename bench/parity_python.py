"""GN-LeNet written in PyTorch, through divshare's Python learner, against
divshare's built-in C GN-LeNet: the same experiment file, seed, partition
(divshare.partition), network and algorithm, in the simulator. The two
start from different random weights and draw batches differently, so the
curves are compared, not the bytes.

    PYTHONPATH=python OMP_NUM_THREADS=1 /usr/bin/python3 bench/parity_python.py [DURATION_S] [OUT_DIR]"""
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


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 4
    out = sys.argv[2] if len(sys.argv) > 2 else "runs/parity-python"
    torch.set_num_threads(1)
    keys = {"model.name": "gnlenet", "algorithm.algorithms": "divshare", "experiment.duration": duration,
            "eval.interval": duration / 4, "eval.test_samples": 2000, "train.threads": 1}
    config = os.path.join(SRC, "examples", "fmnist-stragglers.ini")
    c_runs = divshare.run(config, set=keys, out=os.path.join(out, "c"))
    # The same normalisation as divshare's: (p / 255 - 0.5) / 0.5, per channel.
    x = (torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32)) / 255 - 0.5) / 0.5
    tx = (torch.from_numpy(idx("t10k-images-idx3-ubyte")[:2000].astype(np.float32)) / 255 - 0.5) / 0.5
    y = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
    ty = torch.from_numpy(idx("t10k-labels-idx1-ubyte")[:2000].astype(np.int64))
    learner = TorchLearner(lambda: LeNet(1, 28, 28, 10), (x.unsqueeze(1), y), (tx.unsqueeze(1), ty), batch_size=8,
                           lr=0.05, name="torch-gnlenet")
    t_runs = divshare.run(config, set=keys, out=os.path.join(out, "torch"), learner=learner)
    cm, tm = c_runs["divshare"].metrics, t_runs["divshare"].metrics
    print("%8s %12s %12s %8s" % ("time_s", "C acc %", "torch acc %", "diff"))
    for i in range(len(cm)):
        a, b = float(cm["accuracy_mean"][i]), float(tm["accuracy_mean"][i])
        print("%8.1f %12.2f %12.2f %8.2f" % (float(cm["time_s"][i]), a, b, b - a))
    print("torch GN-LeNet parameters: %d (the C model on 1x28x28: 83,754)" % learner.n_params)


if __name__ == "__main__":
    main()
