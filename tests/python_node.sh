#!/bin/sh
# The real runtime with a learner written in Python: 4 processes of
# `python3 -m divshare node --learner MODULE:FACTORY` over loopback, merged
# by `divshare collect`.
# usage: python_node.sh PATH/TO/divshare SOURCE_DIR
ds=$1
src=$2
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { echo "SKIP: no python3-numpy"; exit 77; }
: >"$tmp/hosts.txt"
ports=$(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
i=0
for port in $ports; do echo "$i 127.0.0.1 $port" >>"$tmp/hosts.txt"; i=$((i + 1)); done
cat >"$tmp/exp.ini" <<INI
[experiment]
name = pynode
duration = 3
[partition]
nodes = 4
[algorithm]
name = divshare
degree = 2
local_steps = 4
[network]
auth = none
[eval]
interval = 1
INI
mkdir -p "$tmp/run"
"$ds" check "$tmp/exp.ini" --print >"$tmp/run/config.ini" 2>"$tmp/err" || bad "check --print: $(cat "$tmp/err")"
for id in 0 1 2 3; do
  (cd "$src/tests" && /usr/bin/python3 -m divshare node --config "$tmp/run/config.ini" --hosts "$tmp/hosts.txt" --id $id \
     --out "$tmp/run" --learner py_toy_learner:make --quiet >"$tmp/node$id.log" 2>&1; echo $? >"$tmp/rc$id") &
done
wait
for id in 0 1 2 3; do
  [ "$(cat "$tmp/rc$id")" = 0 ] && [ -f "$tmp/run/node-$id.csv" ] && ok || bad "node $id: exit $(cat "$tmp/rc$id"): $(tail -3 "$tmp/node$id.log")"
done
"$ds" collect "$tmp/run" >"$tmp/collect.log" 2>&1 && [ -f "$tmp/run/metrics.csv" ] && ok || bad "collect: $(cat "$tmp/collect.log")"
first=$(sed -n 2p "$tmp/run/metrics.csv" | cut -d, -f3)
last=$(tail -1 "$tmp/run/metrics.csv" | cut -d, -f3)
received=$(tail -1 "$tmp/run/metrics.csv" | cut -d, -f12)
head -1 "$tmp/run/metrics.csv" | grep -q rmse_mean && awk -v l="$last" 'BEGIN { exit !(l > 0 && l < 1.5) }' &&
  [ "${received:-0}" -gt 0 ] && ok || bad "python nodes: rmse $first -> $last, $received messages received"
# Under mpirun (if installed): ids from the ranks.
if command -v mpirun >/dev/null 2>&1; then
  mkdir -p "$tmp/mpi"
  cp "$tmp/run/config.ini" "$tmp/mpi/config.ini"
  (cd "$src/tests" && OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 mpirun --oversubscribe -np 4 \
     -x PYTHONPATH -x DIVSHARE_LIBRARY /usr/bin/python3 -m divshare node --config "$tmp/mpi/config.ini" \
     --hosts "$tmp/hosts.txt" --out "$tmp/mpi" --learner py_toy_learner:make --quiet >"$tmp/mpi.log" 2>&1) &&
    "$ds" collect "$tmp/mpi" >/dev/null 2>&1 && [ "$(ls "$tmp"/mpi/node-*.csv | wc -l)" = 4 ] && ok ||
    bad "mpirun python3 -m divshare node: $(tail -5 "$tmp/mpi.log")"
fi
# divshare launch --learner: the launcher starts Python nodes (CURVE keys,
# the start signal, collection), one run per algorithm.
(cd "$src/tests" && timeout 120 "$ds" launch --set partition.nodes=4 --set algorithm.degree=2 --set experiment.duration=2 \
   --set eval.interval=1 --set algorithm.algorithms=divshare,swift --learner py_toy_learner:make --out "$tmp/launch" \
   --quiet >"$tmp/launch.log" 2>&1) && [ -f "$tmp/launch/divshare/metrics.csv" ] && [ -f "$tmp/launch/swift/metrics.csv" ] &&
  head -1 "$tmp/launch/swift/metrics.csv" | grep -q rmse_mean && ok || bad "launch --learner: $(tail -5 "$tmp/launch.log")"
# A learner that is not there: a clear error, exit 2 or 1, no hang.
(cd "$src/tests" && timeout 20 /usr/bin/python3 -m divshare node --config "$tmp/exp.ini" --hosts "$tmp/hosts.txt" --id 0 \
   --out "$tmp/bad" --learner py_toy_learner:nosuch >/dev/null 2>"$tmp/err")
grep -q "nosuch" "$tmp/err" && ok || bad "missing factory: $(cat "$tmp/err")"
(cd "$src/tests" && timeout 20 /usr/bin/python3 -m divshare node --config "$tmp/exp.ini" --hosts "$tmp/hosts.txt" --id 0 \
   --out "$tmp/bad" --learner nomodule:make >/dev/null 2>"$tmp/err")
[ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "cannot load the learner 'nomodule:make': No module named 'nomodule'" "$tmp/err" && ok ||
  bad "missing module: want one line and exit 2: $(cat "$tmp/err")"
finish python_node
