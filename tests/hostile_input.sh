#!/bin/sh
# Hostile and broken input through the command line (issue 12): files that
# are directories or endless devices, config values that must read back,
# reruns into a used output folder, divergence, misleading messages. Every
# case must end with a clear message and the documented exit code.
# usage: hostile_input.sh PATH/TO/divshare
set -u
ds=$1
. "$(dirname "$0")/lib.sh"
# expect CODE PATTERN ARGS...: divshare ARGS exits CODE, stderr has PATTERN.
expect() {
  code=$1 pattern=$2
  shift 2
  timeout 60 "$ds" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" = "$code" ] && grep -qF -- "$pattern" "$tmp/err"; then ok; else
    bad "divshare $* -> exit $rc (want $code), stderr: $(head -c 400 "$tmp/err") (wanted: $pattern)"
  fi
}
small="--set dataset.name=synthetic --set dataset.synthetic_train=300 --set dataset.synthetic_test=50
 --set dataset.synthetic_size=8 --set model.name=logreg --set partition.nodes=4 --set algorithm.degree=2
 --set algorithm.local_steps=5 --set experiment.duration=1 --set eval.interval=0.5 --quiet"

# Directories and devices where a file belongs.
mkdir -p "$tmp/d"
expect 2 "$tmp/d: is a directory" check "$tmp/d"
expect 2 "larger than the limit" check /dev/zero
# shellcheck disable=SC2086
expect 2 "trace: $tmp/d: is a directory" run $small --set "network.trace=$tmp/d" --out "$tmp/r0"
# shellcheck disable=SC2086
expect 2 "larger than the limit" run $small --set network.trace=/dev/zero --out "$tmp/r0"
# shellcheck disable=SC2086
expect 2 "graph file: /dev/zero: larger than the limit" run $small --set algorithm.algorithms=dpsgd --set algorithm.graph=/dev/zero --out "$tmp/r0"
expect 2 "hosts file: /dev/zero: larger than the limit" node --set partition.nodes=2 --set algorithm.degree=1 --id 0 --hosts /dev/zero

# Config files: strict syntax with the line; values that read back.
printf '[train\nlr = 0.1\n' >"$tmp/bracket.ini"
expect 2 "bracket.ini:1: missing ']'" check "$tmp/bracket.ini"
printf '[train]\nlr = 0.1\nlr = 0.2\n' >"$tmp/dup.ini"
expect 2 "dup.ini:3: [train] lr given twice (first on line 2)" check "$tmp/dup.ini"
printf '[dataset]\npath = /a\n  /b\n' >"$tmp/cont.ini"
expect 2 "cont.ini:3: syntax error" check "$tmp/cont.ini"
long=$(printf '%0300d' 0)
# shellcheck disable=SC2086
"$ds" run $small --set "dataset.path=/x;y=$long" --set algorithm.algorithms=swift --out "$tmp/long" >/dev/null 2>"$tmp/err" ||
  bad "run with a 300-character value: $(cat "$tmp/err")"
"$ds" check "$tmp/long/swift/config.ini" >/dev/null 2>"$tmp/err" && grep -q "^path = /x;y=$long\$" "$tmp/long/swift/config.ini" &&
  ok || bad "the written config.ini does not read back: $(cat "$tmp/err")"
expect 2 "control character" check /dev/null --set "dataset.path=a
[network]"

# Every algorithm of a run is validated before the first starts: an odd
# nodes x degree for D-PSGD stops the run before DivShare writes anything.
# shellcheck disable=SC2086
expect 2 "dpsgd: no 3-regular graph on 5 nodes exists" run $small --set partition.nodes=5 --set algorithm.degree=3 \
  --set algorithm.algorithms=divshare,dpsgd --out "$tmp/odd"
[ ! -e "$tmp/odd/divshare/metrics.csv" ] && ok || bad "divshare ran before dpsgd's settings were checked"

# No experiment file at all.
expect 2 "no experiment file given" run
expect 2 "no experiment file given" launch --quiet

# Reruns: a run's folders hold only its own results.
# shellcheck disable=SC2086
"$ds" run $small --set algorithm.algorithms=swift,divshare --set eval.trace_messages=true --out "$tmp/re" >/dev/null 2>&1 || bad "first run"
[ -f "$tmp/re/swift/messages.csv" ] && [ -f "$tmp/re/plots/plots.gp" ] && ok || bad "first run wrote no trace or plots"
# shellcheck disable=SC2086
"$ds" run $small --set algorithm.algorithms=swift --set experiment.seed=2 --out "$tmp/re" >/dev/null 2>&1 || bad "rerun"
[ ! -f "$tmp/re/swift/messages.csv" ] && ok || bad "a rerun left the previous run's messages.csv"
grep -q "^seed = 2" "$tmp/re/swift/config.ini" && ok || bad "rerun config"
"$ds" compare "$tmp/re/swift" "$tmp/re/divshare" >"$tmp/cmp" 2>&1
grep -q "note: the runs differ in \[experiment\] seed: swift = 2; divshare = 1" "$tmp/cmp" && ok ||
  bad "compare of runs with other settings says nothing: $(cat "$tmp/cmp")"
echo "mine" >"$tmp/re/swift/notes.txt"
# shellcheck disable=SC2086
expect 2 "holds 'notes.txt', which divshare did not write" run $small --set algorithm.algorithms=swift --out "$tmp/re"
[ -f "$tmp/re/swift/notes.txt" ] && [ -f "$tmp/re/swift/metrics.csv" ] && ok || bad "a refused rerun removed files"

# Ctrl-C, SIGTERM and kill -9 mid-run lose nothing evaluated: the result
# files are whole (written atomically) and say the run did not finish.
for sig in INT TERM KILL; do
  # shellcheck disable=SC2086
  "$ds" run $small --set experiment.duration=100000 --set algorithm.algorithms=swift --out "$tmp/sig$sig" >/dev/null 2>&1 &
  pid=$!
  sleep 2
  kill -$sig $pid
  { wait $pid; } 2>/dev/null
  rc=$?
  m="$tmp/sig$sig/swift/metrics.csv"
  rows=$(($(wc -l <"$m") - 1))
  fields=$(awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { print bad ? "ragged" : "whole" }' "$m")
  want=130
  [ $sig = KILL ] && want=137
  [ "$rc" = $want ] && [ "$rows" -ge 2 ] && [ "$fields" = whole ] && ok ||
    bad "SIG$sig mid-run: exit $rc (want $want), $rows evaluations, $fields metrics.csv"
  if [ $sig != KILL ]; then
    grep -q '"complete":[[:space:]]*false' "$tmp/sig$sig/swift/summary.json" && ok || bad "SIG$sig: summary.json does not say incomplete"
  fi
done
"$ds" compare "$tmp/sigINT/swift" >"$tmp/cmp" 2>&1 && grep -q "note: swift did not finish" "$tmp/cmp" && ok ||
  bad "compare of an interrupted run says nothing: $(cat "$tmp/cmp")"
# shellcheck disable=SC2086
"$ds" run $small --set algorithm.algorithms=swift --out "$tmp/sigKILL" >/dev/null 2>&1 && ! ls "$tmp/sigKILL/swift" | grep -q tmp &&
  ok || bad "a rerun after kill -9 failed or left temporary files: $(ls "$tmp/sigKILL/swift")"

# Divergence: train exits 1 like run.
expect 1 "training diverged in epoch 1" train --set dataset.name=synthetic --set model.name=mlp --set train.lr=1e5 \
  --quiet --out "$tmp/div"

# An empty IDX test set names its file.
mkdir -p "$tmp/idx"
/usr/bin/python3 - "$tmp/idx" <<'PY' || bad "cannot write IDX files"
import struct, sys
d = sys.argv[1]
def w(name, magic, dims, body):
    with open(f"{d}/{name}", "wb") as f:
        f.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", x) for x in dims) + body)
w("train-images-idx3-ubyte", 0x803, [2, 2, 2], bytes(8))
w("train-labels-idx1-ubyte", 0x801, [2], bytes(2))
w("t10k-images-idx3-ubyte", 0x803, [0, 2, 2], b"")
w("t10k-labels-idx1-ubyte", 0x801, [0], b"")
PY
expect 2 "t10k-images-idx3-ubyte: holds no images" train --set dataset.name=mnist --set "dataset.path=$tmp/idx" --quiet --out "$tmp/i"

# A long bandwidth trace loads in O(n log n) (80,000 lines took 9.6 s).
awk 'BEGIN { for (i = 80000; i > 0; i--) printf "%d %d 1e6 1e6\n", i, i % 4 }' >"$tmp/trace.txt"
t0=$(date +%s)
"$ds" check /dev/null --set partition.nodes=4 --set algorithm.degree=2 --set "network.trace=$tmp/trace.txt" >/dev/null 2>"$tmp/err" || bad "long trace: $(cat "$tmp/err")"
[ $(($(date +%s) - t0)) -le 3 ] && ok || bad "an 80,000-line trace took $(($(date +%s) - t0)) s to check"
printf '0 4294967297 1e6 1e6\n' >"$tmp/wrap.txt"
expect 2 "wrap.txt:1: expected 'time node up down'" check /dev/null --set partition.nodes=4 --set algorithm.degree=2 --set "network.trace=$tmp/wrap.txt"
finish hostile_input
