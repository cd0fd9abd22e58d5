"""python3 -m divshare node --config EXP.ini --hosts HOSTS [--id K] [--out DIR]
       [--key FILE] [--set SECTION.KEY=VALUE]... --learner MODULE:FACTORY [--quiet]

One node of a real run with a learner written in Python, over divshare's
ZeroMQ transport; under mpirun or srun the id comes from the rank:

    mpirun -np 16 python3 -m divshare node --config exp.ini --hosts hosts.txt --learner mylearners:cnn

FACTORY is called with the run's divshare.Config (or with nothing, if it
takes no argument) and returns the learner. `divshare collect OUT` then
merges the nodes' files into metrics.csv and nodes.csv."""
import argparse
import ctypes
import importlib
import os
import inspect
import signal
import sys

import divshare


def load_factory(spec):
    module, _, attr = spec.partition(":")
    if not module or not attr:
        raise SystemExit("--learner %r: expected MODULE:FACTORY, e.g. mylearners:make" % spec)
    sys.path.insert(0, ".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as e:
        raise divshare.DivshareError(1, "cannot load the learner '%s': %s" % (spec, e)) from None


def main(argv):
    p = argparse.ArgumentParser(prog="python3 -m divshare", description=__doc__.split("\n\n")[1])
    sub = p.add_subparsers(dest="command", required=True)
    n = sub.add_parser("node", help="one node of a real run, with a Python learner")
    n.add_argument("--config", required=True)
    n.add_argument("--hosts", required=True)
    n.add_argument("--id", type=int, default=-1)
    n.add_argument("--out")
    n.add_argument("--key")
    n.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    n.add_argument("--learner", help="MODULE:FACTORY (default: the configured model)")
    n.add_argument("--shaping", choices=["all", "latency", "none"], default="all")
    n.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    try:
        cfg = divshare.Config(a.config)
        for s in a.set:
            key, eq, value = s.partition("=")
            if not eq:
                raise SystemExit("--set %r: expected SECTION.KEY=VALUE" % s)
            cfg[key] = value
        learner = None
        if a.learner:
            factory = load_factory(a.learner)
            learner = factory(cfg) if len(inspect.signature(factory).parameters) else factory()
        # SIGTERM (from a launcher or a batch system) finishes like Ctrl-C.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        go = None
        if os.environ.get("DIVSHARE_LAUNCH_SYNC") == "1":  # divshare launch: start on its SIGUSR1
            go = ctypes.c_int(0)
            signal.signal(signal.SIGUSR1, lambda *_: setattr(go, "value", 1))
        divshare.node(cfg, a.hosts, id=a.id, out=a.out, key=a.key, learner=learner, verbose=not a.quiet, go=go,
                      shaping=a.shaping)
    except divshare.DivshareError as e:
        print("divshare node: %s" % e, file=sys.stderr)
        return 2 if e.code == 1 else 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
