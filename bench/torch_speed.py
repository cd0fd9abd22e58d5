#!/usr/bin/python3
"""PyTorch side of bench/nn_speed: GN-LeNet training or evaluation speed.

usage: torch_speed.py train|eval BATCH THREADS SECONDS  ->  prints images/s
Run with OMP_NUM_THREADS equal to THREADS (nn_speed does). Exit 77 if torch
is missing, 2 on bad arguments."""
import os
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
    if len(sys.argv) != 5 or sys.argv[1] not in ("train", "eval"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    mode, batch, threads, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    if os.environ.get("OMP_NUM_THREADS") != str(threads):
        print(f"torch_speed: OMP_NUM_THREADS is {os.environ.get('OMP_NUM_THREADS')}, not {threads}",
              file=sys.stderr)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = LeNet(3, 32, 32, 10)
    x = torch.randn(batch, 3, 32, 32)
    if mode == "train":
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        y = torch.randint(0, 10, (batch,))

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    else:
        def step():
            with torch.no_grad():
                model(x)

    print(f"{rate(step, batch, seconds):.1f}")


if __name__ == "__main__":
    main()
