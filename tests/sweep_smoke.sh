#!/bin/sh
# scripts/sweep.sh end to end on a tiny synthetic experiment: one run per
# distinct configuration, one Markdown and one CSV table, resumable.
# usage: sweep_smoke.sh PATH/TO/divshare SOURCE_DIR
set -u
ds=$1 src=$2
. "$(dirname "$0")/lib.sh"
cat >"$tmp/exp.ini" <<'INI'
[experiment]
name = tiny
duration = 1
[dataset]
name = synthetic
synthetic_train = 300
synthetic_test = 50
synthetic_size = 8
[partition]
nodes = 5
[model]
name = mlp
hidden = 8
[algorithm]
degree = 2
local_steps = 4
chunk_fraction = 0.5
[network]
up = 1e6
down = 1e6
stragglers = 1
straggler_up = 1e5
straggler_down = 1e5
[eval]
interval = 0.5
targets = 20
INI
export DIVSHARE="$ds" OMEGAS="1 2" DEGREES="2 3" STRAGGLERS="0 1"
sh "$src/scripts/sweep.sh" "$tmp/exp.ini" "$tmp/out" --set eval.targets=20,30 >"$tmp/log" 2>&1 || bad "sweep failed: $(cat "$tmp/log")"
# distinct configurations: o1_d2_s1 o2_d2_s1 o2_d3_s1 o2_d2_s0 -> 4 runs
n=$(ls -d "$tmp/out"/o*_d*_s*/divshare | wc -l)
[ "$n" = 4 ] && ok || bad "expected 4 runs, got $n"
[ "$(grep -c '^| o' "$tmp/out/sweep.md")" = 4 ] && ok || bad "sweep.md: $(cat "$tmp/out/sweep.md")"
[ "$(wc -l <"$tmp/out/sweep.csv")" = 5 ] && grep -q 'time_to_30' "$tmp/out/sweep.csv" && ok || bad "sweep.csv"
grep -q '^| o2_d2_s1/divshare |.*1 (baseline) |$' "$tmp/out/sweep.md" && ok || bad "baseline is not the experiment's own settings"
# A second call finds every run complete and only rebuilds the tables.
sh "$src/scripts/sweep.sh" "$tmp/exp.ini" "$tmp/out" --set eval.targets=20,30 >"$tmp/log2" 2>&1 &&
  [ "$(grep -c 'done already' "$tmp/log2")" = 4 ] && ok || bad "resume: $(cat "$tmp/log2")"
finish sweep_smoke
