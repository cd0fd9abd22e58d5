"""divshare.torch: any torch.nn.Module as a divshare learner.

    from divshare.torch import TorchLearner
    learner = TorchLearner(lambda: MyNet(), train_set, test_set, batch_size=8, lr=0.05)
    divshare.run("examples/fmnist-stragglers.ini", learner=learner)

The module's parameters, in parameters() order, are divshare's flat vector:
the algorithm's averaging and DivShare's fragments act on the real model.
Node k trains on divshare's partition of train_set (the config's
[partition], as divshare.partition computes it) unless a partition is
given. Determinism: node k's batches come from a torch.Generator seeded by
(seed, k, round), and the model starts from torch.manual_seed(seed) (the
seed the simulator hands to init), so the same config and seed give the
same results."""
import numpy as np
import torch

from . import Learner, partition as _partition


def _tensors(ds):
    """(X, Y) tensors of a dataset: a (X, Y) pair, or a torch Dataset of (x, y)."""
    if isinstance(ds, (tuple, list)) and len(ds) == 2 and torch.is_tensor(ds[0]):
        return ds[0], torch.as_tensor(ds[1])
    xs, ys = zip(*[ds[i] for i in range(len(ds))])
    return torch.stack([torch.as_tensor(x) for x in xs]), torch.as_tensor(ys)


def _seed(*parts):
    return int(np.random.SeedSequence([int(p) & 0xFFFFFFFF for p in parts]).generate_state(1)[0])


class TorchLearner(Learner):
    """model_fn() -> torch.nn.Module; train_set / test_set: (X, Y) tensors or
    a torch Dataset of (x, y). SGD as torch.optim.SGD (lr, momentum,
    weight_decay), per node. loss_fn defaults to cross-entropy, the metric
    to accuracy; for regression give loss_fn (e.g. MSE) and
    lower_is_better=True (the metric is then the RMSE)."""

    def __init__(self, model_fn, train_set, test_set, batch_size=8, lr=0.05, momentum=0.0, weight_decay=0.0,
                 loss_fn=None, lower_is_better=False, partition=None, eval_batch_size=256, eval_samples=None,
                 name=None):
        self.model = model_fn()
        self.params = [p for p in self.model.parameters()]
        self.n_params = int(sum(p.numel() for p in self.params))
        self.name = name or type(self.model).__name__
        self.X, self.Y = _tensors(train_set)
        self.TX, self.TY = _tensors(test_set)
        if eval_samples:
            self.TX, self.TY = self.TX[:eval_samples], self.TY[:eval_samples]
        self.batch_size = batch_size
        self.eval_batch_size = eval_batch_size
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.loss_fn = loss_fn or torch.nn.functional.cross_entropy
        self.lower_is_better = lower_is_better
        self.parts = partition
        self.seed = 1

    # ---- the divshare learner protocol ----
    def setup(self, config):
        self.seed = int(config["experiment.seed"])
        if self.parts is None:
            self.parts = _partition(config, self.Y.numpy().astype(np.int32))

    def begin(self, algorithm, nodes):
        if self.parts is None or len(self.parts) != nodes:
            raise ValueError("the partition has %s nodes, the run %d" % (None if self.parts is None else len(self.parts), nodes))
        self.state = [{"round": 0, "order": None, "pos": 0, "epoch": 0, "momentum": None} for _ in range(nodes)]

    def init(self, params, seed):
        torch.manual_seed(seed & 0x7FFFFFFFFFFFFFFF)
        for m in self.model.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()
        params[:] = self._vector()

    def train(self, node, params, steps):
        self._load(params)
        st = self.state[node]
        g = torch.Generator().manual_seed(_seed(self.seed, node, st["round"]))
        st["round"] += 1
        idx = self.parts[node]
        total = 0.0
        self.model.train()
        for _ in range(steps):
            if st["order"] is None or st["pos"] >= len(idx):
                st["order"] = torch.as_tensor(idx.astype(np.int64))[torch.randperm(len(idx), generator=g)]
                st["pos"] = 0
            b = st["order"][st["pos"]:st["pos"] + self.batch_size]
            st["pos"] += len(b)
            for p in self.params:
                p.grad = None
            loss = self.loss_fn(self.model(self.X[b]), self.Y[b])
            loss.backward()
            self._sgd_step(st)
            total += float(loss)
        params[:] = self._vector()
        return total

    def evaluate(self, node, params):
        self._load(params)
        self.model.eval()
        loss_sum, hits, n = 0.0, 0, len(self.TY)
        with torch.no_grad():
            for i in range(0, n, self.eval_batch_size):
                out = self.model(self.TX[i:i + self.eval_batch_size])
                y = self.TY[i:i + self.eval_batch_size]
                loss_sum += float(self.loss_fn(out, y, reduction="sum"))
                if not self.lower_is_better:
                    hits += int((out.argmax(1) == y).sum())
        loss = loss_sum / max(n, 1)
        metric = loss ** 0.5 if self.lower_is_better else hits / max(n, 1)
        return {"metric": metric, "loss": loss}

    # ---- helpers ----
    def _vector(self):
        return torch.nn.utils.parameters_to_vector(self.params).detach().numpy()

    def _load(self, params):
        # Copy in: vector_to_parameters would make the module's parameters
        # views of divshare's buffer, which the run frees when it ends.
        vec = torch.from_numpy(params)
        offset = 0
        with torch.no_grad():
            for p in self.params:
                n = p.numel()
                p.copy_(vec[offset:offset + n].view_as(p))
                offset += n

    def _sgd_step(self, st):
        with torch.no_grad():
            if self.momentum and st["momentum"] is None:
                st["momentum"] = [None] * len(self.params)
            for i, p in enumerate(self.params):
                d = p.grad
                if self.weight_decay:
                    d = d.add(p, alpha=self.weight_decay)
                if self.momentum:
                    buf = st["momentum"][i]
                    buf = d.clone() if buf is None else buf.mul_(self.momentum).add_(d)
                    st["momentum"][i] = buf
                    d = buf
                p.add_(d, alpha=-self.lr)
