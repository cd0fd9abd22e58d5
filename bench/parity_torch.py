#!/usr/bin/python3
"""PyTorch parity check for divshare's GN-LeNet.

Runs bench/parity_dump (or reads its output directory), rebuilds the same
model in PyTorch (decentralizepy's LeNet layout), loads divshare's initial
flat parameters, replays the same SGD batches and compares, step by step,
the losses and finally the parameters. Exit 0 iff the maximum relative
difference of both is < 1e-3; exit 77 (skip) if torch is not installed.

usage: parity_torch.py DUMP_DIR            (directory written by parity_dump)
"""
import json
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("parity_torch: SKIP: python3-torch / python3-numpy not installed "
          "(apt-get install python3-torch)")
    sys.exit(77)


class LeNet(nn.Module):
    """decentralizepy's LeNet with GroupNorm, generalised to C x H x W."""

    def __init__(self, c, h, w, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 32, 5, padding=2)
        self.gn1 = nn.GroupNorm(2, 32)
        self.conv2 = nn.Conv2d(32, 32, 5, padding=2)
        self.gn2 = nn.GroupNorm(2, 32)
        self.conv3 = nn.Conv2d(32, 64, 5, padding=2)
        self.gn3 = nn.GroupNorm(2, 64)
        self.pool = nn.MaxPool2d(2, 2)
        for _ in range(3):
            h, w = h // 2, w // 2
        self.fc1 = nn.Linear(64 * h * w, classes)

    def forward(self, x):
        x = self.pool(F.relu(self.gn1(self.conv1(x))))
        x = self.pool(F.relu(self.gn2(self.conv2(x))))
        x = self.pool(F.relu(self.gn3(self.conv3(x))))
        return self.fc1(torch.flatten(x, 1))


def load_flat(model, flat):
    off = 0
    with torch.no_grad():
        for p in model.parameters():
            n = p.numel()
            p.copy_(torch.from_numpy(flat[off:off + n]).view_as(p))
            off += n
    assert off == flat.size, (off, flat.size)


def flatten(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()


def main(d):
    torch.set_num_threads(1)
    meta = json.load(open(os.path.join(d, "meta.json")))
    c, h, w, k = meta["c"], meta["h"], meta["w"], meta["classes"]
    steps, b = meta["steps"], meta["batch"]
    raw = lambda name, dt: np.fromfile(os.path.join(d, name), dtype=dt)
    x = raw("x.f32", np.float32).reshape(steps, b, c, h, w)
    y = raw("y.i32", np.int32).reshape(steps, b).astype(np.int64)
    ours_loss = raw("loss.f32", np.float32)
    model = LeNet(c, h, w, k)
    load_flat(model, raw("params0.f32", np.float32))
    opt = torch.optim.SGD(model.parameters(), lr=meta["lr"])
    worst_loss = 0.0
    print(f"{'step':>4} {'divshare':>10} {'pytorch':>10} {'rel diff':>9}")
    for s in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(torch.from_numpy(x[s])), torch.from_numpy(y[s]))
        loss.backward()
        opt.step()
        rel = abs(loss.item() - ours_loss[s]) / max(abs(loss.item()), 1e-12)
        worst_loss = max(worst_loss, rel)
        print(f"{s:4d} {ours_loss[s]:10.6f} {loss.item():10.6f} {rel:9.2e}")
    final = flatten(model)
    ours = raw("params_final.f32", np.float32)
    rel_params = np.abs(final - ours).max() / np.abs(final).max()
    ok = worst_loss < 1e-3 and rel_params < 1e-3
    print(f"max relative loss difference      {worst_loss:.2e}")
    print(f"max parameter difference / max |p| {rel_params:.2e}")
    print("parity: " + ("OK (< 1e-3)" if ok else "NOT OK (>= 1e-3)"))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
