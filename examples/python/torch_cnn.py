"""A PyTorch CNN on Fashion-MNIST, trained by DivShare and by AD-PSGD in
divshare's simulator: 16 nodes, 4 of them on 5 Mbit/s links (the demo's
network), each on its k-shard partition of the data.

    PYTHONPATH=python /usr/bin/python3 examples/python/torch_cnn.py [OUT_DIR] [--quick]

Exits 77 (skipped) where torch or the dataset is absent."""
import os
import sys

try:
    import torch
except ImportError:
    print("skipped: python3-torch is not installed")
    sys.exit(77)

import numpy as np

import divshare
from divshare.data import idx as read_idx
from divshare.torch import TorchLearner

DATA = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))


def idx(name):
    try:
        return read_idx(os.path.join(DATA, name))
    except FileNotFoundError:
        print("skipped: no Fashion-MNIST in %s (Debian package dataset-fashion-mnist)" % DATA)
        sys.exit(77)


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.fc = torch.nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def images(name, n):
    x = torch.from_numpy(idx(name)[:n].astype(np.float32) / 255.0).unsqueeze(1)
    return (x - 0.5) / 0.5


def main():
    quick = "--quick" in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = args[0] if args else "runs/torch-cnn"
    torch.set_num_threads(1)
    n_train, n_test = (2000, 500) if quick else (60000, 10000)
    train = (images("train-images-idx3-ubyte", n_train), torch.from_numpy(idx("train-labels-idx1-ubyte")[:n_train].astype(np.int64)))
    test = (images("t10k-images-idx3-ubyte", n_test), torch.from_numpy(idx("t10k-labels-idx1-ubyte")[:n_test].astype(np.int64)))
    learner = TorchLearner(CNN, train, test, batch_size=16, lr=0.05)
    duration = 2 if quick else 40
    runs = divshare.run(os.path.join(HERE, "..", "fmnist-stragglers.ini"), out=out, learner=learner,
                        set={"algorithm.algorithms": "divshare,adpsgd", "experiment.duration": duration,
                             "eval.interval": duration / 4, "eval.targets": "30,50,70"},
                        on_eval=lambda alg, r: print("%-9s t=%5.1fs  accuracy %5.2f%%" % (alg, r["time"], 100 * r["metric_mean"])))
    print(divshare.compare(runs, baseline="adpsgd"))
    final = {name: run.summary["final"]["accuracy_mean"] for name, run in runs.items()}
    print("final accuracy:", final)


if __name__ == "__main__":
    main()
