#!/bin/sh
# The simulator at scale, on DivShare's own traffic: every algorithm on
# N = 60, 240, 1,000 and 10,000 nodes, with the quadratic learner (a step
# costs microseconds, so the engine is what is measured), the demo's
# network (a quarter of the nodes on 5 Mbit/s links), DivShare at Omega = 10
# fragments and J = 6 peers, local_steps 8, a 2,570-parameter model (the
# size of logistic regression on 16x16 images). Each run has a wall-time
# budget; one that does not reach the end says how far it got.
#
# Every run is made with the default incremental solver, re-solving after
# every event (incremental) and once per simulated instant ([network]
# resolve = instant: incremental/instant), and, in the same invocation,
# with the reference solver ([network] solver = component, progressive
# filling of whole components, the solver up to 0.2), so the speed-ups sit
# side by side; SOLVERS="incremental incremental/instant" skips the
# reference.
#
# Prints, per run: simulated seconds reached, events, messages delivered,
# events per message, wall seconds per simulated second, peak RSS and RSS
# per node.
# usage: [ALGS="divshare swift"] [SOLVERS=...] bench/sim_scale.sh [BUILD_DIR] [BUDGET_S] [NODES...]
set -u
build=${1:-build}
budget=${2:-120}
shift 2 2>/dev/null || shift $#
nodes=${*:-60 240 1000 10000}
src=$(cd "$(dirname "$0")/.." && pwd)
ds="$build/divshare"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v c="$(nproc)" 'BEGIN { exit !(l > c) }'; then
  echo "sim_scale: the machine is busy (load average $load on $(nproc) cores): figures would not mean much; try later"
  exit 1
fi
solvers=${SOLVERS:-incremental incremental/instant component}
algs=${ALGS:-divshare adpsgd swift el dpsgd gossip}
printf '%-9s %6s %-20s %7s %10s %9s %7s %12s %8s %8s\n' algorithm nodes solver "sim s" events messages "ev/msg" \
  "wall s/sim s" "peak MB" "KB/node"
for n in $nodes; do
  for alg in $algs; do
    for mode in $solvers; do
      solver=${mode%/*}
      resolve=event
      [ "$mode" = "${mode#*/}" ] || resolve=${mode#*/}
      out="$tmp/$alg-$n-$solver-$resolve"
      /usr/bin/time -f '%M' -o "$tmp/rss" timeout -s TERM "$budget" "$ds" run "$src/examples/fmnist-stragglers.ini" \
        --set model.name=quadratic --set model.dim=2570 --set train.lr=0.1 --set "partition.nodes=$n" \
        --set network.stragglers=0.25 --set algorithm.degree=6 --set algorithm.chunk_fraction=0.1 \
        --set algorithm.local_steps=8 --set experiment.duration=1 --set eval.interval=0.1 --set eval.nodes=60 \
        --set "network.solver=$solver" --set "network.resolve=$resolve" --set "algorithm.algorithms=$alg" --set train.threads=1 --quiet \
        --out "$out" >/dev/null 2>"$tmp/err"
      last=$(tail -1 "$out/$alg/metrics.csv" 2>/dev/null)
      if [ -z "$last" ]; then
        printf '%-9s %6s %-20s  no result within %s s: %s\n' "$alg" "$n" "$mode" "$budget" "$(head -c 120 "$tmp/err")"
        continue
      fi
      wall=$(sed -n 's/.*"wall_time_s":[[:space:]]*\([0-9.e+-]*\).*/\1/p' "$out/$alg/summary.json" | head -1)
      echo "$last" | awk -F, -v alg="$alg" -v n="$n" -v s="$mode" -v wall="$wall" -v rss="$(tail -1 "$tmp/rss")" '{
        t = $1; ev = $13; msg = $12;
        printf "%-9s %6d %-20s %7.2f %10d %9d %7.1f %12.2f %8.0f %8.0f\n", alg, n, s, t, ev, msg, (msg > 0 ? ev / msg : 0),
               (t > 0 ? wall / t : 0), rss / 1024, rss / n }'
    done
  done
done
