"""Small readers for Python learners' data."""
import gzip
import os
import struct

import numpy as np


def idx(path):
    """An IDX file (MNIST, Fashion-MNIST), plain or .gz, as a numpy array of
    its dimensions; path may omit the .gz. FileNotFoundError if absent."""
    for p in (path, path + ".gz"):
        if os.path.exists(p):
            with (gzip.open if p.endswith(".gz") else open)(p, "rb") as f:
                raw = f.read()
            if len(raw) < 4 or raw[0] or raw[1] or raw[2] != 8:
                raise ValueError("%s: not an IDX file of bytes (magic %r)" % (p, raw[:4]))
            n = raw[3]
            dims = struct.unpack(">%dI" % n, raw[4:4 + 4 * n])
            body = np.frombuffer(raw, np.uint8, offset=4 + 4 * n)
            if body.size != int(np.prod(dims)):
                raise ValueError("%s: %d bytes of data for dimensions %s" % (p, body.size, dims))
            return body.reshape(dims)
    raise FileNotFoundError(path + "[.gz]")
