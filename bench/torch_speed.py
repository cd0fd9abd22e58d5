#!/usr/bin/python3
"""PyTorch side of bench/nn_speed: GN-LeNet training and evaluation speed.

usage: torch_speed.py BATCH THREADS SECONDS  ->  prints "train_img_s eval_img_s"
Exit 77 if torch is missing."""
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit(77)
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from parity_torch import LeNet  # noqa: E402


def rate(step, batch, seconds):
    step()  # warm-up
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        step()
        n += 1
    return n * batch / (time.perf_counter() - t0)


def main():
    batch, threads, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = LeNet(3, 32, 32, 10)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def train_step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    xe = torch.randn(500, 3, 32, 32)

    def eval_step():
        with torch.no_grad():
            model(xe)

    print(f"{rate(train_step, batch, seconds):.1f} {rate(eval_step, 500, seconds):.1f}")


if __name__ == "__main__":
    main()
