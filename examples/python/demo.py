"""The demo from Python: DivShare vs AD-PSGD vs Swift on 16 Fashion-MNIST
nodes, 4 of them stragglers, in divshare's simulator; the results as
DataFrames and a matplotlib plot.

    PYTHONPATH=python /usr/bin/python3 examples/python/demo.py [OUT_DIR] [--quick]"""
import os
import sys

import divshare

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    quick = "--quick" in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = args[0] if args else "runs/python-demo"
    runs = divshare.run(os.path.join(HERE, "..", "fmnist-stragglers.ini"), out=out,
                        set={"experiment.duration": 10 if quick else 40})
    print(divshare.compare(runs, baseline="adpsgd"))
    for name, run in runs.items():
        m = run.metrics
        print("%-9s final accuracy %.2f%% after %.0f simulated s, %.1f MB sent" %
              (name, m["accuracy_mean"][len(m) - 1], m["time_s"][len(m) - 1], m["bytes_sent"][len(m) - 1] / 1e6))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no plot: python3-matplotlib is not installed")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, run in runs.items():
        ax.plot(run.metrics["time_s"], run.metrics["accuracy_mean"], marker="o", label=name)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("test accuracy (%), mean over nodes")
    ax.legend()
    path = os.path.join(out, "accuracy.png")
    fig.savefig(path, dpi=100)
    print("plot:", path)


if __name__ == "__main__":
    main()
