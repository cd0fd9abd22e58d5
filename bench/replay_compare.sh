#!/bin/sh
# divshare's network model against SimGrid on the same flow schedule: a
# run's messages.csv and links.csv (made with [eval] trace_messages = true),
# replayed by build/bench/net_replay (divshare's incremental solver, and the
# component solver of 0.2) and build/bench/simgrid_replay (SimGrid's CM02
# max-min, factors 1; needs libsimgrid-dev at configure time). Each is run
# REPEAT times (default 5); prints the median CPU seconds with the range,
# how far each replay lands from the run (a check that both replayed the
# same schedule), and the speed-up.
#
# usage: bench/replay_compare.sh RUN_DIR/ALGORITHM [BUILD_DIR] [REPEAT]
# e.g. the artifact's CIFAR-10 schedule (60 nodes, DivShare, 10 s):
#   build/divshare run examples/cifar10-60-stragglers.ini --set dataset.path=DIR \
#     --set algorithm.algorithms=divshare --set eval.trace_messages=true --out runs/c60
#   bench/replay_compare.sh runs/c60/divshare
set -u
run=${1:?usage: bench/replay_compare.sh RUN_DIR/ALGORITHM [BUILD_DIR] [REPEAT]}
build=${2:-build}
repeat=${3:-5}
for f in links.csv messages.csv; do
  [ -f "$run/$f" ] || { echo "replay_compare: $run/$f is missing (run with --set eval.trace_messages=true)"; exit 1; }
done
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v c="$(nproc)" 'BEGIN { exit !(l > c - 0.5) }'; then
  echo "replay_compare: the machine is busy (load average $load on $(nproc) cores): timings would not mean much; try later"
  exit 1
fi
# median and range of the numbers on stdin
stats() { sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "%.3f s (%.3f-%.3f)", m, v[1], v[NR] }'; }
cpu_times() { # command...: CPU seconds of each of $repeat runs
  i=0
  while [ $i -lt "$repeat" ]; do
    "$@" 2>/dev/null | sed -n 's/.* \([0-9.]*\) s CPU.*/\1/p'
    i=$((i + 1))
  done
}
"$build/bench/net_replay" "$run" | sed 's/^/  /'
inc=$(cpu_times "$build/bench/net_replay" "$run" incremental | stats)
comp=$(cpu_times "$build/bench/net_replay" "$run" component | stats)
echo "divshare incremental: $inc CPU, median of $repeat"
echo "divshare component:   $comp CPU"
if [ ! -x "$build/bench/simgrid_replay" ]; then
  echo "simgrid: not built (install libsimgrid-dev and re-run cmake)"
  exit 0
fi
"$build/bench/simgrid_replay" "$run" 1e-5 check 2>/dev/null | sed 's/^/  /'
sg=$(cpu_times "$build/bench/simgrid_replay" "$run" | stats)
echo "simgrid:              $sg CPU"
echo "$inc $sg" | awk '{ printf "speed-up of divshare incremental over SimGrid (medians): %.1fx\n", $4 / $1 }'
