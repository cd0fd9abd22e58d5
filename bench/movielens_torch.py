#!/usr/bin/python3
"""PyTorch reference for divshare's MovieLens matrix factorisation.

Trains decentralizepy's MatrixFactorization (user and item embeddings, dot
product, MSE) in PyTorch on the exact split and initial weights exported by
bench/export_data, with the same batch size, learning rate and epochs
(plain SGD, shuffled batches), and prints the test RMSE after each epoch.
If a divshare curve.csv is given, prints both side by side and exits 0 iff
every epoch's RMSE agrees within 2%.

usage: movielens_torch.py EXPORT_DIR [divshare/curve.csv]
"""
import csv
import json
import os
import sys

try:
    import numpy as np
    import torch
except ImportError:
    print("movielens_torch: SKIP: python3-torch not installed")
    sys.exit(77)


def main(d, curve=None):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    meta = json.load(open(os.path.join(d, "meta.json")))
    raw = lambda n, t: torch.from_numpy(np.fromfile(os.path.join(d, n), dtype=t).copy())
    tu, ti, tr = raw("train_user.i32", np.int32).long(), raw("train_item.i32", np.int32).long(), raw("train_rating.f32", np.float32)
    eu, ei, er = raw("test_user.i32", np.int32).long(), raw("test_item.i32", np.int32).long(), raw("test_rating.f32", np.float32)
    users, items, k = meta["users"], meta["items"], meta["factors"]
    p0 = raw("params0.f32", np.float32)
    U = torch.nn.Embedding(users, k)
    V = torch.nn.Embedding(items, k)
    with torch.no_grad():
        U.weight.copy_(p0[: users * k].view(users, k))
        V.weight.copy_(p0[users * k: (users + items) * k].view(items, k))
    opt = torch.optim.SGD(list(U.parameters()) + list(V.parameters()), lr=meta["lr"])
    b = meta["batch"]
    ours = []
    if curve:
        with open(curve) as f:
            ours = [float(r["test_rmse"]) for r in csv.DictReader(f)]
    print(f"{'epoch':>5} {'pytorch rmse':>12} {'divshare rmse':>13} {'diff':>7}")
    worst = 0.0
    for e in range(meta["epochs"]):
        perm = torch.randperm(tr.numel())
        for s in range(0, tr.numel(), b):
            idx = perm[s: s + b]
            opt.zero_grad()
            pred = (U(tu[idx]) * V(ti[idx])).sum(1)
            torch.nn.functional.mse_loss(pred, tr[idx]).backward()
            opt.step()
        with torch.no_grad():
            rmse = torch.sqrt(((U(eu) * V(ei)).sum(1) - er).pow(2).mean()).item()
        if e < len(ours):
            diff = abs(ours[e] - rmse) / rmse
            worst = max(worst, diff)
            print(f"{e + 1:5d} {rmse:12.4f} {ours[e]:13.4f} {100 * diff:6.2f}%")
        else:
            print(f"{e + 1:5d} {rmse:12.4f}")
    if ours:
        print(f"max relative RMSE difference: {100 * worst:.2f}% ({'OK' if worst <= 0.02 else 'NOT OK'}, limit 2%)")
        return 0 if worst <= 0.02 else 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
