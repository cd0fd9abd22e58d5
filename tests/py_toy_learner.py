"""A toy learner for tests/python_node.sh: node k pulls its vector toward
k - (nodes - 1) / 2, so that the nodes' mean target is 0."""
import numpy as np

import divshare


class Toy(divshare.Learner):
    name = "toy"
    n_params = 64
    lower_is_better = True

    def setup(self, config):
        self.nodes = int(config["partition.nodes"])

    def train(self, node, params, steps):
        target = np.float32(node - (self.nodes - 1) / 2)
        for _ in range(steps):
            params -= np.float32(0.05) * (params - target)
        return float(steps)

    def evaluate(self, node, params):
        rmse = float(np.sqrt(np.mean(params.astype(np.float64) ** 2)))
        return {"rmse": rmse, "loss": rmse * rmse}


def make():
    return Toy()
