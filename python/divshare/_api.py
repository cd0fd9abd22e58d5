"""ctypes bindings of include/divshare.h (libdivshare.so). Nothing is
compiled: the library is found next to this package once installed, in the
build tree when run from a checkout, or at $DIVSHARE_LIBRARY."""
import ctypes
import os

c_float_p = ctypes.POINTER(ctypes.c_float)
c_double_p = ctypes.POINTER(ctypes.c_double)


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * 1024)]


DS_OK, DS_EINVAL, DS_ERUN, DS_EINTR, DS_ENOMEM = 0, 1, 2, 3, 4

BEGIN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(Error))
INIT = ctypes.CFUNCTYPE(None, ctypes.c_void_p, c_float_p, ctypes.c_uint64)
TRAIN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, c_float_p, ctypes.c_int,
                         c_double_p, ctypes.POINTER(Error))
EVALUATE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, c_float_p, c_double_p,
                            c_double_p, ctypes.POINTER(Error))
END = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class Learner(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("n_params", ctypes.c_size_t), ("lower_is_better", ctypes.c_int),
                ("max_workers", ctypes.c_int), ("ctx", ctypes.c_void_p), ("begin", BEGIN), ("init", INIT),
                ("train", TRAIN), ("evaluate", EVALUATE), ("end", END)]


class Report(ctypes.Structure):
    _fields_ = [("time", ctypes.c_double), ("wall", ctypes.c_double), ("lower_is_better", ctypes.c_int),
                ("metric_mean", ctypes.c_double), ("metric_min", ctypes.c_double), ("metric_max", ctypes.c_double),
                ("test_loss", ctypes.c_double), ("train_loss", ctypes.c_double), ("consensus", ctypes.c_double),
                ("mean_round", ctypes.c_double), ("bytes_sent", ctypes.c_uint64), ("msgs_sent", ctypes.c_uint64),
                ("msgs_dropped", ctypes.c_uint64), ("msgs_received", ctypes.c_uint64), ("events", ctypes.c_uint64),
                ("nodes", ctypes.c_int)]


NODE_NEW = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                            ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(Error))
NODE_FREE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
ON_NODE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
ON_MESSAGE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


class Algorithm(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("ctx", ctypes.c_void_p), ("node_new", NODE_NEW),
                ("node_free", NODE_FREE), ("on_start", ON_NODE), ("on_train_done", ON_NODE),
                ("on_message", ON_MESSAGE)]


ON_EVAL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Report))


class RunOptions(ctypes.Structure):
    _fields_ = [("out_dir", ctypes.c_char_p), ("verbose", ctypes.c_int), ("learner", ctypes.POINTER(Learner)),
                ("algorithm", ctypes.POINTER(Algorithm)), ("on_eval", ON_EVAL), ("ctx", ctypes.c_void_p),
                ("stop", ctypes.POINTER(ctypes.c_int))]


class NodeOptions(ctypes.Structure):
    _fields_ = [("hosts", ctypes.c_char_p), ("id", ctypes.c_int), ("key", ctypes.c_char_p),
                ("out_dir", ctypes.c_char_p), ("verbose", ctypes.c_int), ("learner", ctypes.POINTER(Learner)),
                ("stop", ctypes.POINTER(ctypes.c_int)), ("go", ctypes.POINTER(ctypes.c_int)),
                ("shaping", ctypes.c_int)]


def _candidates():
    env = os.environ.get("DIVSHARE_LIBRARY")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    # Installed: <prefix>/lib/python3/dist-packages/divshare -> <prefix>/lib*/libdivshare.so.0
    prefix = os.path.normpath(os.path.join(here, "..", "..", "..", ".."))
    for libdir in ("lib", "lib64", os.path.join("lib", "x86_64-linux-gnu")):
        yield os.path.join(prefix, libdir, "libdivshare.so.0")
    # A checkout: python/divshare -> build/
    yield os.path.normpath(os.path.join(here, "..", "..", "build", "libdivshare.so.0"))
    yield "libdivshare.so.0"


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("divshare: libdivshare.so.0 not found; build it (cmake --build build) or set "
                      "DIVSHARE_LIBRARY. Tried: " + "; ".join(tried))


lib = _load()
lib.ds_version.restype = ctypes.c_char_p
lib.ds_config_new.restype = ctypes.c_void_p
lib.ds_config_new.argtypes = [ctypes.POINTER(Error)]
lib.ds_config_load.restype = ctypes.c_void_p
lib.ds_config_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(Error)]
lib.ds_config_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(Error)]
lib.ds_config_get.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                              ctypes.POINTER(Error)]
lib.ds_config_validate.argtypes = [ctypes.c_void_p, ctypes.POINTER(Error)]
lib.ds_config_write.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Error)]
lib.ds_config_free.argtypes = [ctypes.c_void_p]
lib.ds_config_free.restype = None
lib.ds_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(RunOptions), ctypes.POINTER(Error)]
lib.ds_compare.restype = ctypes.c_void_p
lib.ds_compare.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                           ctypes.POINTER(Error)]
lib.ds_free.argtypes = [ctypes.c_void_p]
lib.ds_free.restype = None
lib.ds_partition_new.restype = ctypes.c_void_p
lib.ds_partition_new.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32), ctypes.c_size_t,
                                 ctypes.POINTER(Error)]
lib.ds_partition_nodes.argtypes = [ctypes.c_void_p]
lib.ds_partition_count.restype = ctypes.c_size_t
lib.ds_partition_count.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.ds_partition_indices.restype = ctypes.POINTER(ctypes.c_uint32)
lib.ds_partition_indices.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.ds_partition_free.argtypes = [ctypes.c_void_p]
lib.ds_partition_free.restype = None
lib.ds_node_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(NodeOptions), ctypes.POINTER(Error)]
lib.ds_rt_now.restype = ctypes.c_double
lib.ds_rt_now.argtypes = [ctypes.c_void_p]
lib.ds_rt_train.restype = None
lib.ds_rt_train.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
lib.ds_rt_params.restype = c_float_p
lib.ds_rt_params.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.ds_rt_send_model.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_uint32]
lib.ds_rt_cancel_unsent.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.ds_rt_fail.restype = None
lib.ds_rt_fail.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.ds_msg_src.argtypes = [ctypes.c_void_p]
lib.ds_msg_round.restype = ctypes.c_uint32
lib.ds_msg_round.argtypes = [ctypes.c_void_p]
lib.ds_msg_count.restype = ctypes.c_size_t
lib.ds_msg_count.argtypes = [ctypes.c_void_p]
lib.ds_msg_value.restype = ctypes.c_float
lib.ds_msg_value.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
lib.ds_msg_copy.restype = None
lib.ds_msg_copy.argtypes = [ctypes.c_void_p, c_float_p]
lib.ds_rt_n_params.restype = ctypes.c_size_t
lib.ds_rt_n_params.argtypes = [ctypes.c_void_p]
lib.ds_results_open.restype = ctypes.c_void_p
lib.ds_results_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(Error)]
lib.ds_results_count.argtypes = [ctypes.c_void_p]
lib.ds_results_free.restype = None
lib.ds_results_free.argtypes = [ctypes.c_void_p]
