"""divshare from Python: run decentralized-learning experiments in
divshare's deterministic simulator, with its built-in models or your own
learner (a PyTorch model through divshare.torch.TorchLearner), and read
the results as DataFrames.

    import divshare
    runs = divshare.run("examples/fmnist-stragglers.ini", set={"experiment.duration": 20}, out="runs/py")
    runs["divshare"].metrics          # pandas DataFrame (numpy record array without pandas)
    print(divshare.compare(runs))

The package is a thin layer over libdivshare.so (include/divshare.h),
through ctypes: importing it compiles nothing."""
import ctypes
import json
import os
import threading

import numpy as np

from . import _api
from ._api import lib

__all__ = ["Config", "Run", "DivshareError", "run", "node", "load", "compare", "partition", "Learner", "Algorithm",
           "__version__"]
__version__ = lib.ds_version().decode()


class DivshareError(Exception):
    """A failure reported by libdivshare: .code (DS_EINVAL = 1 bad input,
    DS_ERUN = 2 the run failed, DS_EINTR = 3 stopped) and the message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _check(rc, err):
    if rc:
        raise DivshareError(err.code or rc, err.message.decode(errors="replace"))


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value)
    return str(value)


class Config:
    """An experiment configuration: Config("file.ini"), Config({"train.lr":
    0.1, ...}), Config({"train": {"lr": 0.1}}) or Config() for the defaults;
    `set` overrides keys after the file. Keys are "section.name"."""

    def __init__(self, source=None, set=None):
        err = _api.Error()
        if source is None or isinstance(source, dict):
            self._h = lib.ds_config_new(ctypes.byref(err))
        else:
            self._h = lib.ds_config_load(os.fsencode(os.fspath(source)), ctypes.byref(err))
        if not self._h:
            raise DivshareError(err.code, err.message.decode(errors="replace"))
        if isinstance(source, dict):
            self.update(source)
        if set:
            self.update(set)

    def update(self, values):
        for key, value in values.items():
            if isinstance(value, dict):
                for name, v in value.items():
                    self[key + "." + name] = v
            else:
                self[key] = value

    def __setitem__(self, key, value):
        err = _api.Error()
        _check(lib.ds_config_set(self._h, key.encode(), _text(value).encode(), ctypes.byref(err)), err)

    def __getitem__(self, key):
        err = _api.Error()
        buf = ctypes.create_string_buffer(1024)
        _check(lib.ds_config_get(self._h, key.encode(), buf, len(buf), ctypes.byref(err)), err)
        return buf.value.decode()

    def validate(self):
        err = _api.Error()
        _check(lib.ds_config_validate(self._h, ctypes.byref(err)), err)

    def write(self, path):
        err = _api.Error()
        _check(lib.ds_config_write(self._h, os.fsencode(os.fspath(path)), ctypes.byref(err)), err)

    def __del__(self):
        if getattr(self, "_h", None):
            lib.ds_config_free(self._h)
            self._h = None


# ---- results -----------------------------------------------------------------


def _read_csv(path):
    try:
        import pandas
        return pandas.read_csv(path)
    except ImportError:
        return np.genfromtxt(path, delimiter=",", names=True, dtype=None, encoding="utf-8")


class Run:
    """One algorithm's results folder: .metrics (one row per evaluation),
    .nodes (per evaluation and node), .summary (summary.json), .config_path."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(os.path.join(self.path, "metrics.csv")):
            raise DivshareError(_api.DS_EINVAL, "%s: no metrics.csv (is it a run folder?)" % self.path)
        self.name = os.path.basename(os.path.normpath(self.path))
        self.config_path = os.path.join(self.path, "config.ini")
        self._metrics = self._nodes = self._summary = None

    @property
    def metrics(self):
        if self._metrics is None:
            # The library's own reader checks the file against its schema
            # first (a cut or foreign file is an error with file:line).
            err = _api.Error()
            h = lib.ds_results_open(os.fsencode(self.path), ctypes.byref(err))
            if not h:
                raise DivshareError(err.code, err.message.decode(errors="replace"))
            lib.ds_results_free(h)
            self._metrics = _read_csv(os.path.join(self.path, "metrics.csv"))
        return self._metrics

    @property
    def nodes(self):
        if self._nodes is None:
            self._nodes = _read_csv(os.path.join(self.path, "nodes.csv"))
        return self._nodes

    @property
    def summary(self):
        if self._summary is None:
            with open(os.path.join(self.path, "summary.json")) as f:
                self._summary = json.load(f)
        return self._summary

    def __repr__(self):
        return "divshare.Run(%r)" % self.path


def load(path):
    """A run folder as a Run, or an experiment's folder as {name: Run} (its
    algorithms, or "seed-<s>/<algorithm>" over seeds)."""
    path = os.fspath(path)
    if os.path.exists(os.path.join(path, "metrics.csv")):
        return Run(path)
    runs = {}
    for root, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        if "metrics.csv" in files:
            runs[os.path.relpath(root, path)] = Run(root)
    if not runs:
        raise DivshareError(_api.DS_EINVAL, "%s: no run folders (metrics.csv) in it" % path)
    return runs


def compare(runs, baseline=None, format="text"):
    """The comparison table of runs (Run objects, folders, or a {name: Run}
    dict) as `divshare compare` prints it; format "text", "markdown" or "csv"."""
    if isinstance(runs, dict):
        runs = list(runs.values())
    if isinstance(runs, (str, os.PathLike, Run)):
        runs = [runs]
    paths = [os.fsencode(r.path if isinstance(r, Run) else os.fspath(r)) for r in runs]
    arr = (ctypes.c_char_p * len(paths))(*paths)
    if isinstance(baseline, Run):
        baseline = baseline.path
    err = _api.Error()
    fmt = {"text": 0, "markdown": 1, "csv": 2}[format]
    p = lib.ds_compare(arr, len(paths), baseline.encode() if baseline else None, fmt, ctypes.byref(err))
    if not p:
        raise DivshareError(err.code, err.message.decode(errors="replace"))
    try:
        return ctypes.string_at(p).decode()
    finally:
        lib.ds_free(p)


def partition(config, labels):
    """Node k's sample indices (a list of numpy uint32 arrays), as divshare's
    partitioner of the config ([partition] name, nodes, shards, alpha and the
    experiment seed) splits a dataset with these labels (ints in 0..255)."""
    cfg = config if isinstance(config, Config) else Config(config)
    lab = np.ascontiguousarray(np.asarray(labels), dtype=np.int32)
    err = _api.Error()
    h = lib.ds_partition_new(cfg._h, lab.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), lab.size, ctypes.byref(err))
    if not h:
        raise DivshareError(err.code, err.message.decode(errors="replace"))
    try:
        out = []
        for k in range(lib.ds_partition_nodes(h)):
            n = lib.ds_partition_count(h, k)
            ptr = lib.ds_partition_indices(h, k)
            out.append(np.ctypeslib.as_array(ptr, shape=(n,)).copy() if n else np.zeros(0, np.uint32))
        return out
    finally:
        lib.ds_partition_free(h)


# ---- learners written in Python -------------------------------------------------


class Learner:
    """The protocol of a learner written in Python (subclass it, or write any
    object with these attributes):

      n_params                 parameters of a node's model (a flat float32 vector)
      lower_is_better          True if the metric is an error (RMSE), False for an accuracy
      setup(config)            optional: once, with the run's Config (e.g. to partition data)
      init(params, seed)       optional: the initial model, the same on every node
      begin(algorithm, nodes)  optional: before each algorithm's run (fresh per-node state)
      train(node, params, steps) -> float   steps of training in place; the sum of the
                                            steps' mean losses (or None)
      evaluate(node, params) -> {"metric": .., "loss": ..}   ("accuracy" or "rmse" for "metric")
      end()                    optional: after each run

    params is a numpy view of divshare's own vector: no copy is made."""

    name = "python"
    lower_is_better = False
    n_params = 0


class _LearnerAdapter:
    """A Python learner as a ds_learner; remembers the first exception."""

    def __init__(self, learner):
        self.learner = learner
        self.exc = None
        n = int(learner.n_params)
        if n <= 0:
            raise ValueError("learner.n_params must be > 0")
        self.n = n

        def view(ptr):
            return np.ctypeslib.as_array(ptr, shape=(n,))

        def guard(fn, err, *args):
            try:
                return fn(*args)
            except BaseException as e:  # noqa: B902 - handed back to the caller of run()
                if self.exc is None:
                    self.exc = e
                err.contents.code = _api.DS_ERUN
                err.contents.message = ("%s: %s" % (type(e).__name__, e)).encode()[:1000]
                return None

        def begin(ctx, algorithm, nodes, err):
            fn = getattr(learner, "begin", None)
            if fn is None:
                return 0
            guard(fn, err, algorithm.decode(), nodes)
            return 1 if self.exc is not None else 0

        def init(ctx, params, seed):
            fn = getattr(learner, "init", None)
            if fn is None:
                view(params)[:] = 0
                return
            try:
                fn(view(params), seed)
            except BaseException as e:  # noqa: B902
                if self.exc is None:
                    self.exc = e

        def train(ctx, worker, node, params, steps, loss, err):
            r = guard(learner.train, err, node, view(params), steps)
            if self.exc is not None:
                return 1
            loss[0] += float(r) if r is not None else float("nan")
            return 0

        def evaluate(ctx, worker, node, params, metric, loss, err):
            r = guard(learner.evaluate, err, node, view(params))
            if self.exc is not None:
                return 1
            m = r.get("metric", r.get("accuracy", r.get("rmse")))
            metric[0] = float("nan") if m is None else float(m)
            loss[0] = float(r.get("loss", float("nan")))
            return 0

        def end(ctx):
            fn = getattr(learner, "end", None)
            if fn is not None:
                try:
                    fn()
                except BaseException as e:  # noqa: B902
                    if self.exc is None:
                        self.exc = e

        # The callbacks must live as long as the struct.
        self._cbs = (_api.BEGIN(begin), _api.INIT(init), _api.TRAIN(train), _api.EVALUATE(evaluate), _api.END(end))
        self._name = str(getattr(learner, "name", type(learner).__name__)).encode()
        self.struct = _api.Learner(name=self._name, n_params=n,
                                   lower_is_better=1 if getattr(learner, "lower_is_better", False) else 0,
                                   max_workers=1, ctx=None, begin=self._cbs[0], init=self._cbs[1],
                                   train=self._cbs[2], evaluate=self._cbs[3], end=self._cbs[4])


# ---- algorithms written in Python -----------------------------------------------


class Runtime:
    """What an algorithm's callbacks may do (valid during the callback)."""

    def __init__(self, ptr):
        self._rt = ptr

    def now(self):
        return lib.ds_rt_now(self._rt)

    def train(self, node, steps):
        """Starts `steps` local steps; on_train_done follows."""
        lib.ds_rt_train(self._rt, node, steps)

    def params(self, node):
        """The node's model, a writable numpy view (between trainings)."""
        n = lib.ds_rt_n_params(self._rt)
        return np.ctypeslib.as_array(lib.ds_rt_params(self._rt, node), shape=(n,))

    def send_model(self, src, dst, round=0):
        """Queues a copy of src's model for dst."""
        lib.ds_rt_send_model(self._rt, src, dst, round)

    def cancel_unsent(self, node):
        return lib.ds_rt_cancel_unsent(self._rt, node)

    def fail(self, why):
        lib.ds_rt_fail(self._rt, str(why).encode())


class Message:
    """A received model: .src, .round, .values (a numpy copy)."""

    def __init__(self, ptr):
        self.src = lib.ds_msg_src(ptr)
        self.round = lib.ds_msg_round(ptr)
        self.values = np.empty(lib.ds_msg_count(ptr), np.float32)
        lib.ds_msg_copy(ptr, self.values.ctypes.data_as(_api.c_float_p))


class Algorithm:
    """An algorithm written in Python (subclass it): a state per node, made
    by node(node, nodes), and three callbacks that act through the runtime:

      on_start(state, rt)           e.g. rt.train(node, steps)
      on_train_done(state, rt)      a round ended: send, average, train again
      on_message(state, rt, msg)    msg.src, msg.round, msg.values

    Its results go to <out>/<name>/. run(..., algorithm=A()) runs it alone."""

    name = "python"

    def node(self, node, nodes):
        return node

    def on_start(self, state, rt):
        pass

    def on_train_done(self, state, rt):
        pass

    def on_message(self, state, rt, msg):
        pass


class _AlgorithmAdapter:
    def __init__(self, alg):
        self.alg = alg
        self.states = {}
        self.exc = None
        self._name = str(alg.name).encode()

        def keep(e):
            if self.exc is None:
                self.exc = e

        def node_new(ctx, node, nodes, state, err):
            try:
                self.states[node + 1] = alg.node(node, nodes)
                state[0] = node + 1  # a handle, never NULL
                return 0
            except BaseException as e:  # noqa: B902
                keep(e)
                err.contents.code = _api.DS_ERUN
                err.contents.message = ("%s: %s" % (type(e).__name__, e)).encode()[:1000]
                return 1

        def node_free(ctx, state):
            self.states.pop(state, None)

        def call(fn, state, rt, *extra):
            if self.exc is not None:
                return
            try:
                fn(self.states[state], Runtime(rt), *extra)
            except BaseException as e:  # noqa: B902
                keep(e)
                lib.ds_rt_fail(rt, ("%s: %s" % (type(e).__name__, e)).encode()[:200])

        self._cbs = (_api.NODE_NEW(node_new), _api.NODE_FREE(node_free),
                     _api.ON_NODE(lambda st, rt: call(alg.on_start, st, rt)),
                     _api.ON_NODE(lambda st, rt: call(alg.on_train_done, st, rt)),
                     _api.ON_MESSAGE(lambda st, rt, m: call(alg.on_message, st, rt, Message(m))))
        self.struct = _api.Algorithm(name=self._name, ctx=None, node_new=self._cbs[0], node_free=self._cbs[1],
                                     on_start=self._cbs[2], on_train_done=self._cbs[3], on_message=self._cbs[4])


# ---- runs ---------------------------------------------------------------------


def _base_dir(cfg, out):
    if out is not None:
        return os.fspath(out)
    return os.path.join(cfg["experiment.output"], cfg["experiment.name"])


def _call_stoppable(call, stop):
    """call() in a thread, so that Ctrl-C reaches Python at once and stops
    it through the library's stop flag; returns (its result, interrupted).
    (An Event, not Thread.join: a join interrupted by Ctrl-C can report a
    running thread as finished.)"""
    done = threading.Event()
    result = {}

    def work():
        try:
            result["rc"] = call()
        finally:
            done.set()

    t = threading.Thread(target=work, name="divshare")
    t.start()
    interrupted = False
    while not done.is_set():
        try:
            done.wait(0.1)
        except KeyboardInterrupt:
            stop.value = 1
            interrupted = True
    t.join()
    return result.get("rc", 1), interrupted


def run(config, set=None, out=None, learner=None, on_eval=None, verbose=False, algorithm=None):
    """Runs the experiment in the simulator: every algorithm of
    [algorithm] algorithms (and every seed of [experiment] seeds) into
    `out` (default <experiment.output>/<experiment.name>), and returns
    load(out): {algorithm: Run}.

    config: an INI path, a dict of keys, or a Config; set: keys to override.
    learner: a Python learner (see divshare.Learner), or None for the
    configured model. algorithm: one written in Python (see
    divshare.Algorithm), run instead of [algorithm] algorithms.
    on_eval(algorithm, row) is called at every evaluation
    with a dict; returning True stops the run. Ctrl-C stops the run too:
    what was evaluated is kept, then KeyboardInterrupt is raised."""
    cfg = config if isinstance(config, Config) else Config(config)
    if set:
        cfg.update(set)
    base = _base_dir(cfg, out)
    if learner is not None and hasattr(learner, "setup"):
        learner.setup(cfg)
    adapter = _LearnerAdapter(learner) if learner is not None else None
    alg = _AlgorithmAdapter(algorithm) if algorithm is not None else None
    stop = ctypes.c_int(0)
    state = {"exc": None}

    def eval_cb(ctx, algorithm, report):
        if on_eval is None:
            return 0
        r = report.contents
        row = {name: getattr(r, name) for name, _ in _api.Report._fields_}
        try:
            return 1 if on_eval(algorithm.decode(), row) else 0
        except BaseException as e:  # noqa: B902
            state["exc"] = e
            return 1

    cb = _api.ON_EVAL(eval_cb)
    opts = _api.RunOptions(out_dir=os.fsencode(base), verbose=1 if verbose else 0,
                           learner=ctypes.pointer(adapter.struct) if adapter else None,
                           algorithm=ctypes.pointer(alg.struct) if alg else None, on_eval=cb, ctx=None,
                           stop=ctypes.pointer(stop))
    err = _api.Error()
    rc, interrupted = _call_stoppable(lambda: lib.ds_run(cfg._h, ctypes.byref(opts), ctypes.byref(err)), stop)
    if adapter is not None and adapter.exc is not None:
        raise adapter.exc
    if alg is not None and alg.exc is not None:
        raise alg.exc
    if state["exc"] is not None:
        raise state["exc"]
    if interrupted:
        raise KeyboardInterrupt("divshare.run stopped; the results so far are in %s" % base)
    if rc == _api.DS_EINTR and on_eval is not None:
        return load(base)  # stopped by on_eval: what was evaluated is there
    _check(rc, err)
    return load(base)


def node(config, hosts, id=-1, out=None, key=None, learner=None, set=None, verbose=True, go=None, shaping="all"):
    """Runs one node of a real run ([algorithm] name over ZeroMQ, the peers
    in the hosts file), with a Python learner or the configured model; id
    -1 takes it from mpirun/srun (OMPI_COMM_WORLD_RANK, PMI_RANK,
    SLURM_PROCID). Writes node-<id>.csv and node-<id>.json into out;
    `divshare collect` merges the nodes of a run. Ctrl-C (and SIGTERM
    under python3 -m divshare) finish it cleanly. go: a ctypes.c_int the
    node waits for (set on divshare launch's start signal); shaping: what
    the process emulates of its links, "all", "latency" or "none"."""
    cfg = config if isinstance(config, Config) else Config(config)
    if set:
        cfg.update(set)
    if learner is not None and hasattr(learner, "setup"):
        learner.setup(cfg)
    adapter = _LearnerAdapter(learner) if learner is not None else None
    stop = ctypes.c_int(0)
    opts = _api.NodeOptions(hosts=os.fsencode(os.fspath(hosts)), id=int(id),
                            key=os.fsencode(os.fspath(key)) if key else None,
                            out_dir=os.fsencode(os.fspath(out)) if out else None, verbose=1 if verbose else 0,
                            learner=ctypes.pointer(adapter.struct) if adapter else None, stop=ctypes.pointer(stop),
                            go=ctypes.pointer(go) if go is not None else None,
                            shaping={"all": 0, "latency": 1, "none": 2}[shaping])
    err = _api.Error()
    rc, interrupted = _call_stoppable(lambda: lib.ds_node_run(cfg._h, ctypes.byref(opts), ctypes.byref(err)), stop)
    if adapter is not None and adapter.exc is not None:
        raise adapter.exc
    if interrupted:
        raise KeyboardInterrupt("divshare.node stopped; its rows so far are written")
    _check(rc, err)
