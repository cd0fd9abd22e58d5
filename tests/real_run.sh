#!/bin/sh
# The real runtime end to end on loopback, as a user runs it:
#  1. 'divshare launch': 8 node processes, Fashion-MNIST subset, DivShare,
#     AD-PSGD and Swift for SECONDS (default 30) of training each, 2
#     straggler nodes: every node writes complete results; bytes sent by
#     all nodes = bytes received by all nodes (nobody lost anything); no
#     invalid message; the run-level files and the table are there.
#  2. kill -9 of one of 8 nodes at half time: the other 7 finish and write
#     complete results, the launcher reports the dead node; the node,
#     restarted by hand, rejoins (sends and receives models).
#  3. mpirun (if installed): 4 nodes started by Open MPI, ids from
#     OMPI_COMM_WORLD_RANK, then 'divshare collect'.
#  4. bad hosts files and ids: exit 2 with the reason.
# usage: real_run.sh PATH/TO/divshare [SECONDS]
set -u
ds=$1
secs=${2:-30}
. "$(dirname "$0")/lib.sh"
fm=/usr/share/datasets/fashion-mnist
if [ ! -d "$fm" ]; then
  echo "real_run: $fm absent (Debian package dataset-fashion-mnist); skipped"
  exit 77
fi
cat >"$tmp/exp.ini" <<INI
[experiment]
name = real
duration = $secs
[dataset]
name = fashion-mnist
train_subset = 16000
[partition]
name = kshard
nodes = 8
shards = 4
[model]
name = mlp
hidden = 64
[train]
batch_size = 8
lr = 0.05
[algorithm]
algorithms = divshare, adpsgd, swift
degree = 3
local_steps = 32
[network]
up = 20e6
down = 20e6
latency = 0.001
stragglers = 2
straggler_up = 4e6
straggler_down = 4e6
[eval]
interval = 5
test_samples = 1000
targets = 40, 60
INI
py() { /usr/bin/python3 -c "$@"; }

# 1. three algorithms, 8 nodes each
"$ds" launch "$tmp/exp.ini" --out "$tmp/a" >"$tmp/a.log" 2>&1 || bad "launch failed: $(tail -5 "$tmp/a.log")"
for alg in divshare adpsgd swift; do
  d="$tmp/a/$alg"
  n=$(grep -l '"complete":[[:space:]]*true' "$d"/node-*.json 2>/dev/null | wc -l)
  [ "$n" = 8 ] && ok || bad "$alg: $n of 8 nodes complete"
  for f in metrics.csv nodes.csv summary.json config.ini; do [ -s "$d/$f" ] && ok || bad "$alg: $f missing"; done
  # bytes: sent by all = received by all; invalid = 0
  summary=$(py "
import json
s = r = inv = unr = 0
for i in range(8):
    j = json.load(open('$d/node-%d.json' % i))
    s += j['bytes_sent']; r += j['bytes_received']; inv += j['messages_invalid'] + j['messages_foreign']
print(s, r, inv)")
  set -- $summary
  [ "$1" -gt 0 ] && [ "$1" = "$2" ] && ok || bad "$alg: bytes sent $1 != received $2"
  [ "$3" = 0 ] && ok || bad "$alg: $3 invalid messages"
  echo "real_run: $alg: $(tail -1 "$d/metrics.csv" | cut -d, -f1,3), $1 bytes sent = received"
done
grep -q "speed-up vs adpsgd" "$tmp/a.log" && ok || bad "no comparison table"
dropped=$(py "
import json; print(sum(json.load(open('$tmp/a/divshare/node-%d.json' % i))['messages_dropped_stale'] for i in range(8)))")
[ "$dropped" -gt 0 ] && ok || bad "DivShare dropped no stale fragment"

# 2. kill -9 one node at half time
half=$((secs / 2))
"$ds" launch "$tmp/exp.ini" --set algorithm.algorithms=divshare --out "$tmp/k" >"$tmp/k.log" 2>&1 &
lpid=$!
sleep $((half + 2))
victim=$(pgrep -f "node --config $tmp/k/divshare/config.ini --id 3 " | head -1)
[ -n "$victim" ] && kill -9 "$victim" && ok || bad "could not find node 3 to kill"
# ... and a restarted node 3 rejoins: it exchanges models with the others.
sleep 1
"$ds" node --config "$tmp/k/divshare/config.ini" --id 3 --hosts "$tmp/k/divshare/hosts.txt" \
  --set experiment.duration=$((half / 2)) --out "$tmp/k3" --quiet >"$tmp/k3.log" 2>&1 || bad "restarted node 3 failed: $(tail -2 "$tmp/k3.log")"
wait $lpid
lrc=$?
[ "$lrc" = 1 ] && grep -q "divshare launch: 1 node did not finish; the first: divshare: node 3 was killed by signal 9" "$tmp/k.log" &&
  ok || bad "launch after a node died: exit $lrc (want 1 and a closing line): $(tail -3 "$tmp/k.log")"
py "
import json, sys
j = json.load(open('$tmp/k3/node-3.json'))
sys.exit(0 if j['complete'] and j['messages_received'] > 0 and j['messages_sent'] > 0 else 1)" && ok ||
  bad "restarted node did not exchange messages: $(cat "$tmp/k3/node-3.json" 2>/dev/null)"
n=$(grep -l '"complete":[[:space:]]*true' "$tmp/k/divshare"/node-*.json 2>/dev/null | wc -l)
[ "$n" = 7 ] && ok || bad "after kill -9: $n of 7 surviving nodes complete"
grep -q "node 3 was killed by signal 9" "$tmp/k.log" && ok || bad "launcher did not report the dead node: $(cat "$tmp/k.log")"
[ -s "$tmp/k/divshare/summary.json" ] && ok || bad "no results after a node died"

# 3. mpirun
if command -v mpirun >/dev/null 2>&1; then
  mkdir -p "$tmp/m"
  "$ds" check "$tmp/exp.ini" --set partition.nodes=4 --set algorithm.name=divshare --set algorithm.algorithms= \
    --set experiment.duration=8 --print >"$tmp/m/config.ini"
  i=0
  : >"$tmp/m/hosts.txt"
  for port in $(py "
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in ss))"); do
    echo "$i 127.0.0.1 $port" >>"$tmp/m/hosts.txt"
    i=$((i + 1))
  done
  # Without keys, a CURVE node says what to do; keygen adds them.
  "$ds" node --config "$tmp/m/config.ini" --hosts "$tmp/m/hosts.txt" --id 0 --out "$tmp/m" --quiet 2>"$tmp/err"
  [ $? = 2 ] && grep -q "node-0.key: cannot read the node's secret key" "$tmp/err" && ok || bad "node without a key: $(cat "$tmp/err")"
  "$ds" keygen "$tmp/m/hosts.txt" >/dev/null && [ "$(awk 'NF == 4' "$tmp/m/hosts.txt" | wc -l)" = 4 ] && ok || bad "keygen"
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 mpirun --oversubscribe -np 4 \
    "$ds" node --config "$tmp/m/config.ini" --hosts "$tmp/m/hosts.txt" --out "$tmp/m" --quiet >"$tmp/m.log" 2>&1 ||
    bad "mpirun failed: $(tail -5 "$tmp/m.log")"
  n=$(grep -l '"complete":[[:space:]]*true' "$tmp/m"/node-*.json 2>/dev/null | wc -l)
  [ "$n" = 4 ] && ok || bad "mpirun: $n of 4 nodes complete"
  "$ds" collect "$tmp/m" >/dev/null && [ -s "$tmp/m/summary.json" ] && ok || bad "collect after mpirun"
else
  echo "real_run: mpirun not installed (Debian openmpi-bin); mpirun check skipped"
fi

# 3b. divshare agree: the same experiment real and simulated at the real
# pace, side by side; the two runs' bytes agree within a factor of 1.5.
"$ds" agree "$tmp/exp.ini" --set experiment.duration=6 --set algorithm.algorithms=divshare,swift --quiet \
  --out "$tmp/agree" >"$tmp/agree.log" 2>&1 || bad "agree failed: $(tail -5 "$tmp/agree.log")"
grep -q "^divshare: simulator paced at .* ms per SGD step" "$tmp/agree.log" && grep -q "^  MB sent " "$tmp/agree.log" &&
  ok || bad "agree: no table: $(head -5 "$tmp/agree.log")"
for alg in divshare swift; do
  [ -s "$tmp/agree/real/$alg/node-0.json" ] && [ -s "$tmp/agree/sim/$alg/metrics.csv" ] && ok || bad "agree: $alg runs missing"
  awk -F, -v a=$alg '$1 == a && $2 == "MB sent" { r = $3; s = $4 } END { exit !(r > 0 && s / r < 1.5 && r / s < 1.5) }' \
    "$tmp/agree/agree.csv" && ok || bad "agree: $alg bytes apart: $(grep "^$alg,MB" "$tmp/agree/agree.csv")"
done
grep "^step_time = " "$tmp/agree/sim/swift/config.ini" | grep -qv "= 0.01$" && ok || bad "agree: the simulator was not paced"
"$ds" agree "$tmp/exp.ini" --seeds 1-2 --out "$tmp/agree2" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "agree runs one seed" "$tmp/err" && ok || bad "agree --seeds: $(cat "$tmp/err")"

# 3c. churn: the same availability trace as the simulator's, on each
# node's training clock: node 1 is down from 1 s to 4 s of 6.
printf '1.0 1 down\n4.0 1 up\n' >"$tmp/churn.txt"
"$ds" launch "$tmp/exp.ini" --set partition.nodes=4 --set network.stragglers=0 --set algorithm.degree=2 \
  --set experiment.duration=6 --set eval.interval=3 --set algorithm.algorithms=swift --set "churn.file=$tmp/churn.txt" \
  --quiet --out "$tmp/churn" >"$tmp/churn.log" 2>&1 || bad "launch with churn: $(tail -3 "$tmp/churn.log")"
py "
import json, sys
n = [json.load(open('$tmp/churn/swift/node-%d.json' % i)) for i in range(4)]
s = json.load(open('$tmp/churn/swift/summary.json'))['totals']
ok = n[1]['rounds'] < 0.8 * n[0]['rounds'] and n[1]['messages_dropped_offline'] > 0 and s['messages_dropped_offline'] > 0
sys.exit(0 if ok else 1)" && ok || bad "churn: node 1 not held back or no offline drops"

# 4. bad input
mkdir -p "$tmp/t"
cp "$tmp/a/divshare/config.ini" "$tmp/t/"
head -c 300 "$tmp/a/divshare/node-0.csv" >"$tmp/t/node-0.csv"
printf 'x' >>"$tmp/t/node-0.csv" # never ends in a newline
"$ds" collect "$tmp/t" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "node-0.csv: truncated" "$tmp/err" && ok || bad "truncated node file: $(cat "$tmp/err")"
printf '0 127.0.0.1 7000\n1 127.0.0.1 7001\n' >"$tmp/h2.txt"
"$ds" node --config "$tmp/exp.ini" --id 0 --hosts "$tmp/h2.txt" --set algorithm.name=divshare --out "$tmp/x" 2>"$tmp/err"
[ $? = 2 ] && grep -q "node 2 is missing" "$tmp/err" && ok || bad "short hosts file: $(cat "$tmp/err")"
printf '0 127.0.0.1 7000\n0 127.0.0.1 7001\n' >"$tmp/h3.txt"
"$ds" node --config "$tmp/exp.ini" --id 0 --hosts "$tmp/h3.txt" --set partition.nodes=2 --set algorithm.degree=1 \
  --set algorithm.name=divshare --out "$tmp/x" 2>"$tmp/err"
[ $? = 2 ] && grep -q "h3.txt:2: node id 0 listed twice" "$tmp/err" && ok || bad "duplicate id: $(cat "$tmp/err")"
"$ds" node --config "$tmp/exp.ini" --id 9 --hosts "$tmp/h2.txt" --out "$tmp/x" 2>"$tmp/err"
[ $? = 2 ] && grep -q "node id 9 outside \[0, 7\]" "$tmp/err" && ok || bad "id out of range: $(cat "$tmp/err")"
env -u OMPI_COMM_WORLD_RANK -u SLURM_PROCID -u PMI_RANK "$ds" node --config "$tmp/exp.ini" --hosts "$tmp/h2.txt" 2>"$tmp/err"
[ $? = 2 ] && grep -q "no node id" "$tmp/err" && ok || bad "no id: $(cat "$tmp/err")"
finish real_run
