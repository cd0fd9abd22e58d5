"""Replays a simulated run's network schedule from its outputs alone, as
another simulator would: every message of messages.csv becomes a flow of
8 x bytes bits from started_s on, across its sender's uplink and its
receiver's downlink (links.csv), sharing bandwidth max-min fairly by
progressive filling, written here from scratch and independently of
divshare's solvers. Prints how far the replay's end of transmission lands
from the run's sent_s, and exits 1 if any message is more than TOL
(relative to its transmission time) off.

    /usr/bin/python3 bench/replay_trace.py RUN_DIR/ALGORITHM [TOL]

The run must use [network] sharing = maxmin and no bandwidth trace
(links.csv holds the links at the start)."""
import csv
import heapq
import sys


def progressive_filling(flows, up, down):
    """Rates of flows {id: (src, dst)}: max-min fair on uplinks and downlinks."""
    links = {}
    for f, (s, d) in flows.items():
        links.setdefault(("u", s), []).append(f)
        links.setdefault(("d", d), []).append(f)
    cap = {l: (up[l[1]] if l[0] == "u" else down[l[1]]) for l in links}
    unfixed = {l: len(fs) for l, fs in links.items()}
    rate = {}
    heap = [(cap[l] / unfixed[l], l) for l in links]
    heapq.heapify(heap)
    while heap:
        share, l = heapq.heappop(heap)
        if unfixed[l] == 0 or cap[l] / unfixed[l] != share:
            continue
        for f in links[l]:
            if f in rate:
                continue
            rate[f] = max(share, 0.0)
            s, d = flows[f]
            other = ("d", d) if l[0] == "u" else ("u", s)
            cap[other] -= rate[f]
            unfixed[other] -= 1
            if unfixed[other]:
                heapq.heappush(heap, (cap[other] / unfixed[other], other))
        unfixed[l] = 0
    return rate


def fail(msg):
    print("replay_trace: " + msg, file=sys.stderr)
    sys.exit(2)


def rows(path, columns):
    """(line number, row) of a CSV file that must have the given columns;
    a missing file or column is a clear error."""
    try:
        f = open(path, newline="")
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))
    with f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            fail("%s: no column %s (a run's links.csv and messages.csv, written with "
                 "[eval] trace_messages = true, are needed)" % (path, ", ".join(missing)))
        for r in reader:
            yield reader.line_num, r


def main():
    if len(sys.argv) < 2:
        fail("usage: replay_trace.py RUN_DIR/ALGORITHM [TOL]")
    run = sys.argv[1]
    tol = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-9
    up, down = {}, {}
    path = run + "/links.csv"
    for line, r in rows(path, ["node", "up_bps", "down_bps"]):
        try:
            up[int(r["node"])] = float(r["up_bps"])
            down[int(r["node"])] = float(r["down_bps"])
        except (TypeError, ValueError):
            fail("%s:%d: expected node,up_bps,down_bps numbers" % (path, line))
    msgs = []
    path = run + "/messages.csv"
    for line, r in rows(path, ["id", "started_s", "sent_s", "src", "dst", "bytes"]):
        try:
            if r["started_s"]:
                msgs.append((float(r["started_s"]), int(r["id"]), int(r["src"]), int(r["dst"]),
                             8.0 * int(r["bytes"]), float(r["sent_s"]) if r["sent_s"] else None))
        except (TypeError, ValueError):
            fail("%s:%d: a cut or malformed row" % (path, line))
        if msgs and (msgs[-1][2] not in up or msgs[-1][3] not in down):
            fail("%s:%d: node %d or %d is not in links.csv" % (path, line, msgs[-1][2], msgs[-1][3]))
    msgs.sort()
    end = {}
    active = {}  # id -> [src, dst, remaining bits, bits]
    rate = {}
    now = 0.0
    i = 0
    while i < len(msgs) or active:
        t_start = msgs[i][0] if i < len(msgs) else float("inf")
        t_done, done = float("inf"), None
        for f, (s, d, rem, _) in active.items():
            if rate[f] > 0 and now + rem / rate[f] < t_done:
                t_done, done = now + rem / rate[f], f
        t = min(t_start, t_done)
        if t == float("inf"):
            break
        for f in active:
            active[f][2] -= rate[f] * (t - now)
        now = t
        if t_done <= t_start:
            end[done] = now
            del active[done]
            # Others finishing at the same instant (equal shares, equal sizes).
            for f in [f for f, a in active.items() if a[2] <= 1e-12 * a[3]]:
                end[f] = now
                del active[f]
        else:
            while i < len(msgs) and msgs[i][0] == t:
                _, mid, s, d, bits, _ = msgs[i]
                active[mid] = [s, d, bits, bits]
                i += 1
        rate = progressive_filling({f: (a[0], a[1]) for f, a in active.items()}, up, down)
    worst, off, n = 0.0, 0, 0
    for started, mid, s, d, bits, sent in msgs:
        if sent is None or mid not in end:
            continue
        n += 1
        err = abs(end[mid] - sent) / max(sent - started, 1e-300)
        worst = max(worst, err)
        off += err > tol
    print("%s: %d messages replayed from messages.csv and links.csv; worst relative error of the transmission "
          "time %.2e; %d beyond %.0e" % (run, n, worst, off, tol))
    sys.exit(1 if off else 0)


if __name__ == "__main__":
    main()
