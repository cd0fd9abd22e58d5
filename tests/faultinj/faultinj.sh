#!/bin/sh
# Fault injection over the command line: for each scenario below, count
# the allocations divshare's own code makes (DIVSHARE_FAIL_AT=0), then run
# it again with allocation k failing, for every k up to 250 and then
# evenly spaced ones (at most 500 runs per scenario). Every run must end
# with a clean error: exit 1 or 2 with a message, never a signal, no
# sanitizer or leak report (in the ASan build); or exit 0 with exactly the
# results of the run without a failure (a failure absorbed must not change
# them: metrics.csv, nodes.csv, curve.csv and standard output compared).
# usage: faultinj.sh PATH/TO/divshare_faultinj
set -u
ds=$1
. "$(dirname "$0")/../lib.sh"
cd "$tmp" || exit 1
tiny="--set dataset.name=synthetic --set dataset.synthetic_train=200 --set dataset.synthetic_test=40
 --set dataset.synthetic_size=8 --set model.name=logreg --set partition.nodes=4 --set algorithm.degree=2
 --set algorithm.local_steps=3 --set experiment.duration=0.6 --set eval.interval=0.3 --set train.threads=2 --quiet"
printf '[partition]\nnodes = 6\n[algorithm]\nalgorithms = divshare, adpsgd, swift, dpsgd, el\ndegree = 2\n' >exp.ini
# shellcheck disable=SC2086
"$ds" run $tiny --set algorithm.algorithms=divshare,swift --out ref >/dev/null 2>&1 || bad "reference run"
export ASAN_OPTIONS=detect_leaks=1
runs=0
# What a run produced: its standard output and result tables.
produced() {
  { cat out.txt; find out -name metrics.csv -o -name nodes.csv -o -name curve.csv 2>/dev/null | sort | xargs cat 2>/dev/null; } | cksum
}
scenario() { # scenario NAME ARGS...
  name=$1
  shift
  rm -rf out
  total=$(DIVSHARE_FAIL_AT=0 "$ds" "$@" 2>&1 >out.txt | sed -n 's/^faultinj: \([0-9]*\) allocations$/\1/p')
  want=$(produced)
  [ -n "$total" ] && [ "$total" -gt 0 ] || { bad "$name: no allocation count"; return; }
  step=1
  [ "$total" -gt 500 ] && step=$(((total - 250) / 250 + 1))
  k=1
  while [ "$k" -le "$total" ]; do
    rm -rf out
    DIVSHARE_FAIL_AT=$k "$ds" "$@" >out.txt 2>err.txt
    rc=$?
    runs=$((runs + 1))
    if [ "$rc" -gt 2 ] || grep -q "Sanitizer\|runtime error" err.txt; then
      bad "$name: allocation $k of $total failing: exit $rc: $(grep -m2 'ERROR\|SUMMARY\|runtime error' err.txt) $(tail -c 300 err.txt)"
    elif [ "$rc" != 0 ] && [ ! -s err.txt ]; then
      bad "$name: allocation $k of $total failing: exit $rc without a message"
    elif [ "$rc" = 0 ] && [ "$(produced)" != "$want" ]; then
      bad "$name: allocation $k of $total failing: exit 0 but other results than without the failure"
    else
      ok
    fi
    if [ "$k" -lt 250 ]; then k=$((k + 1)); else k=$((k + step)); fi
  done
  echo "faultinj: $name: $total allocations, failed each of $runs so far"
}
scenario check check exp.ini
# shellcheck disable=SC2086
scenario run run $tiny --set algorithm.algorithms=divshare,adpsgd,swift,dpsgd,el --out out
# shellcheck disable=SC2086
scenario train train $tiny --set train.epochs=1 --out out
printf 'userId,movieId,rating,timestamp\n' >ratings.csv
awk 'BEGIN { for (u = 1; u <= 12; u++) for (i = 1; i <= 8; i++) printf "%d,%d,%.1f,0\n", u, (u * i) % 15 + 1, 0.5 + (u + i) % 10 / 2 }' >>ratings.csv
scenario movielens train --set dataset.name=movielens --set dataset.path=ratings.csv --set model.name=mf \
  --set model.factors=4 --set train.threads=1 --quiet --out out
scenario compare compare ref/divshare ref/swift
finish faultinj
