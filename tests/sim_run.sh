#!/bin/sh
# 'divshare run' end to end on a small synthetic setup: every algorithm
# writes its files; the same seed gives byte-identical result files; the
# thread count does not change results; bytes received never exceed bytes
# sent; bad experiment values fail with exit code 2.
# usage: sim_run.sh PATH/TO/divshare
set -u
ds=$1
. "$(dirname "$0")/lib.sh"
common="--set dataset.name=synthetic --set dataset.synthetic_train=600 --set dataset.synthetic_test=100
 --set dataset.synthetic_size=8 --set model.name=mlp --set model.hidden=16 --set partition.nodes=6
 --set partition.name=kshard --set algorithm.algorithms=divshare,adpsgd,swift,dpsgd,el --set algorithm.degree=2
 --set algorithm.local_steps=5 --set experiment.duration=3 --set eval.interval=0.5 --set eval.targets=30,60
 --set network.up=2e6 --set network.down=2e6 --set network.stragglers=2 --set network.straggler_up=2e5
 --set network.straggler_down=2e5 --quiet"
# shellcheck disable=SC2086
"$ds" run $common --threads 2 --out "$tmp/a" || bad "run a"
# shellcheck disable=SC2086
"$ds" run $common --threads 2 --out "$tmp/b" || bad "run b"
# shellcheck disable=SC2086
"$ds" run $common --threads 1 --out "$tmp/c" || bad "run c"
for alg in divshare adpsgd swift dpsgd el; do
  for f in metrics.csv nodes.csv summary.json config.ini; do
    [ -s "$tmp/a/$alg/$f" ] && ok || bad "$alg/$f missing"
  done
  for f in metrics.csv nodes.csv; do
    cmp -s "$tmp/a/$alg/$f" "$tmp/b/$alg/$f" && ok || bad "$alg/$f differs between two runs with the same seed"
    cmp -s "$tmp/a/$alg/$f" "$tmp/c/$alg/$f" && ok || bad "$alg/$f differs between 1 and 2 threads"
  done
  # bytes: received <= sent, over the whole network at the last evaluation
  awk -F, 'NR > 1 { t = $1 } NR > 1 && $1 == t { s[t] += $7; r[t] += $8 } END { exit !(r[t] <= s[t] && s[t] > 0) }' \
    "$tmp/a/$alg/nodes.csv" && ok || bad "$alg: bytes received exceed bytes sent"
done
# Seeds: every algorithm once per seed, a table of means with intervals.
# shellcheck disable=SC2086
"$ds" run $common --set algorithm.algorithms=divshare,adpsgd --seeds 1-3 --out "$tmp/seeds" >/dev/null 2>&1 || bad "run --seeds"
[ -f "$tmp/seeds/seed-3/adpsgd/summary.json" ] && grep -q "^seed = 2" "$tmp/seeds/seed-2/divshare/config.ini" && ok ||
  bad "seed folders"
cmp -s "$tmp/seeds/seed-1/divshare/metrics.csv" "$tmp/a/divshare/metrics.csv" && ok || bad "seed 1 of --seeds differs from a seed-1 run"
"$ds" compare "$tmp/seeds" >"$tmp/cmp" 2>&1 && grep -q "^3 seeds (1,2,3): mean ± half-width of the 95% confidence interval" "$tmp/cmp" &&
  grep -q "^divshare .*x" "$tmp/cmp" && ok || bad "compare over seeds: $(cat "$tmp/cmp")"
# summary.json names the stragglers and their links (2 of 6 at 2e5 bit/s).
/usr/bin/python3 -c "
import json, sys
s = json.load(open('$tmp/a/divshare/summary.json'))['stragglers']
ids = [x['node'] for x in s]
sys.exit(0 if len(s) == 2 and ids == sorted(set(ids)) and all(0 <= i < 6 and x['up_bps'] == 2e5 for i, x in zip(ids, s)) else 1)" &&
  ok || bad "summary.json stragglers: $(grep -A12 stragglers "$tmp/a/divshare/summary.json" | head -14)"
# DivShare drops stale fragments on these slow links; the baselines never do.
dropped=$(tail -1 "$tmp/a/divshare/metrics.csv" | cut -d, -f11)
[ "${dropped:-0}" -gt 0 ] && ok || bad "divshare dropped no stale fragment ($dropped)"
[ "$(tail -1 "$tmp/a/adpsgd/metrics.csv" | cut -d, -f11)" = 0 ] && ok || bad "adpsgd dropped messages"
"$ds" compare "$tmp/a/adpsgd" "$tmp/a/divshare" "$tmp/a/swift" >"$tmp/cmp" && grep -q divshare "$tmp/cmp" && ok || bad "compare"
# Markdown and CSV: one row per run; the baseline's speed-up is 1.
"$ds" compare --markdown --baseline adpsgd "$tmp/a/divshare" "$tmp/a/adpsgd" >"$tmp/md" &&
  [ "$(grep -c '^| ' "$tmp/md")" = 3 ] && grep -q '^| adpsgd |.*1 (baseline) |$' "$tmp/md" && ok || bad "compare --markdown: $(cat "$tmp/md")"
"$ds" compare --csv --baseline "$tmp/a/swift" "$tmp/a/divshare" "$tmp/a/swift" >"$tmp/csv" &&
  [ "$(wc -l <"$tmp/csv")" = 3 ] && grep -q '^"swift",.*,"swift",1,,0$' "$tmp/csv" && ok || bad "compare --csv: $(cat "$tmp/csv")"
# Runs of the same algorithm from two experiments get distinguishable names.
"$ds" compare "$tmp/a/swift" "$tmp/b/swift" | grep -q '^a/swift' && ok || bad "compare labels of same-named runs"
"$ds" compare --baseline nosuch "$tmp/a/swift" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "baseline 'nosuch'" "$tmp/err" && ok || bad "compare --baseline nosuch"
"$ds" compare "$tmp/nothere" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "nothere/summary.json" "$tmp/err" && ok || bad "compare of a missing run"
# Plots: 'run' drew them; 'plot' redraws into another directory.
if command -v gnuplot >/dev/null 2>&1; then
  for f in accuracy_time accuracy_bytes spread; do
    [ -s "$tmp/a/plots/$f.png" ] && [ -s "$tmp/a/plots/$f.svg" ] && ok || bad "run did not draw $f"
  done
  "$ds" plot "$tmp/a/divshare" "$tmp/b/divshare" --out "$tmp/p" >/dev/null && [ -s "$tmp/p/spread.svg" ] &&
    [ -s "$tmp/p/plots.gp" ] && ! ls "$tmp/p"/*.tmp >/dev/null 2>&1 && ok || bad "divshare plot"
  head -c 4 "$tmp/p/accuracy_time.png" | grep -q PNG && ok || bad "accuracy_time.png is not a PNG"
  # A run over seeds plots each algorithm's mean over the seeds with its
  # 95% band; the band is the Student-t interval of the per-seed means.
  [ -s "$tmp/seeds/plots/accuracy_time.png" ] && grep -q "band: its 95% CI" "$tmp/seeds/plots/plots.gp" && ok ||
    bad "seeded run: no confidence-band plots"
  /usr/bin/python3 -c "
import csv, statistics, sys
rows = list(csv.DictReader(open('$tmp/seeds/plots/seeds-divshare.csv')))
last = rows[-1]
v = [float(list(csv.DictReader(open('$tmp/seeds/seed-%d/divshare/metrics.csv' % s)))[len(rows) - 1]['accuracy_mean']) for s in (1, 2, 3)]
m, h = statistics.mean(v), 4.303 * statistics.stdev(v) / 3 ** 0.5
ok = len(rows) > 2 and last['seeds'] == '3' and abs(float(last['accuracy_mean']) - m) < 1e-4 and abs(float(last['accuracy_ci_high']) - m - h) < 1e-4
sys.exit(0 if ok else 1)" && ok || bad "seeds-divshare.csv: mean or interval wrong"
  "$ds" plot "$tmp/seeds" >/dev/null 2>&1 && [ -s "$tmp/seeds/plots/seeds-adpsgd.csv" ] && ok || bad "divshare plot of a seeded run"
else
  echo "sim_run: gnuplot not installed, plot checks skipped (scripts/install-deps.sh installs gnuplot-nox)"
fi
"$ds" plot "$tmp/nothere" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "nothere/metrics.csv" "$tmp/err" && ok || bad "plot of a missing run"
# 'check' catches simulator-level mistakes without loading data.
"$ds" check /dev/null --set partition.nodes=4 --set algorithm.degree=4 >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "degree = 4" "$tmp/err" && ok || bad "check of a bad degree"

# Bad experiment values: exit 2 with the offending value.
expect2() {
  pattern=$1
  shift
  "$ds" run "$@" --quiet >/dev/null 2>"$tmp/err"
  rc=$?
  if [ $rc = 2 ] && grep -qF -- "$pattern" "$tmp/err"; then ok; else bad "run $* -> $rc: $(cat "$tmp/err") (want: $pattern)"; fi
}
s="--set dataset.name=synthetic --set partition.nodes=4"
# shellcheck disable=SC2086
expect2 "unknown algorithm 'nosuch'" $s --set algorithm.algorithms=divshare,nosuch
# shellcheck disable=SC2086
expect2 "degree = 4 must be in [1, nodes - 1] = [1, 3]" $s --set algorithm.degree=4
# shellcheck disable=SC2086
expect2 "chunk_fraction = 1.5 is out of range" $s --set algorithm.chunk_fraction=1.5
# shellcheck disable=SC2086
expect2 "chunk_fraction = 0 is out of range" $s --set algorithm.chunk_fraction=0
# shellcheck disable=SC2086
expect2 "[network] up = -5 is out of range" $s --set network.up=-5
# shellcheck disable=SC2086
expect2 "stragglers = 9 is more than the 4 nodes" $s --set network.stragglers=9 --set algorithm.degree=2
# shellcheck disable=SC2086
expect2 "/nonexistent" $s --set dataset.name=mnist --set dataset.path=/nonexistent --set algorithm.degree=2
# shellcheck disable=SC2086
expect2 "step_time = 'fast': expected seconds in (0, 1e6] or 'calibrate'" $s --set train.step_time=fast --set algorithm.degree=2
# shellcheck disable=SC2086
"$ds" run $s --set algorithm.degree=2 --set model.name=mlp --set train.step_time=calibrate \
  --set experiment.duration=0.2 --out "$tmp/cal" >"$tmp/cal.log" 2>&1 && grep -q "(calibrated)" "$tmp/cal.log" && ok || bad "step_time = calibrate"
# Message trace: one row per delivered or dropped message, agreeing with
# the counters of metrics.csv at the end of the run.
# shellcheck disable=SC2086
"$ds" run $common --set algorithm.algorithms=divshare --set eval.trace_messages=true --out "$tmp/tm" || bad "trace_messages run"
delivered=$(grep -c ',delivered,' "$tmp/tm/divshare/messages.csv")
dropped=$(grep -c ',dropped_stale,' "$tmp/tm/divshare/messages.csv")
last=$(tail -1 "$tmp/tm/divshare/metrics.csv")
[ "$delivered" = "$(echo "$last" | cut -d, -f12)" ] && [ "$dropped" = "$(echo "$last" | cut -d, -f11)" ] && ok ||
  bad "messages.csv ($delivered delivered, $dropped dropped) disagrees with metrics.csv ($last)"

# A bandwidth trace that throttles every node to 20 kbit/s at t = 1 s
# must cut the traffic; a malformed trace line is an input error.
: >"$tmp/trace.txt"
for i in 0 1 2 3 4 5; do echo "1.0 $i 2e4 2e4" >>"$tmp/trace.txt"; done
# shellcheck disable=SC2086
"$ds" run $common --set algorithm.algorithms=swift --set "network.trace=$tmp/trace.txt" --out "$tmp/tr" || bad "trace run"
full=$(tail -1 "$tmp/a/swift/metrics.csv" | cut -d, -f9)
throttled=$(tail -1 "$tmp/tr/swift/metrics.csv" | cut -d, -f9)
[ "$throttled" -lt "$full" ] && ok || bad "trace did not reduce traffic ($throttled vs $full)"
printf '# t node up down\n0.5 1 1e6 1e6\n0.7 99 1e6 1e6\n' >"$tmp/badtrace.txt"
# shellcheck disable=SC2086
expect2 "badtrace.txt:3: expected 'time node up down'" $s --set algorithm.degree=2 --set "network.trace=$tmp/badtrace.txt"
# shellcheck disable=SC2086
# Divergence stops the run with a clear message instead of writing NaN.
"$ds" run $s --set algorithm.degree=2 --set model.name=mlp --set train.lr=1e4 --set experiment.duration=2 \
  --set algorithm.algorithms=swift --quiet --out "$tmp/nan" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "training diverged: node .*(lower \[train\] lr" "$tmp/err" && ok || bad "divergence: $(cat "$tmp/err")"
# The synthetic learner: no data, a step costs microseconds; every
# algorithm brings the mean model toward the consensus optimum.
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=500 --set train.lr=0.1 --set partition.nodes=40 \
  --set algorithm.degree=4 --set experiment.duration=5 --set eval.interval=5 --set eval.targets=0.5 \
  --set algorithm.algorithms=divshare,adpsgd,swift,el,dpsgd,gossip --quiet --out "$tmp/quad" >/dev/null 2>"$tmp/err" || bad "quadratic run: $(cat "$tmp/err")"
for a in divshare adpsgd swift el dpsgd gossip; do
  first=$(sed -n 2p "$tmp/quad/$a/metrics.csv" | cut -d, -f3)
  last=$(tail -1 "$tmp/quad/$a/metrics.csv" | cut -d, -f3)
  awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < f / 2) }' && ok || bad "quadratic $a: rmse $first -> $last"
done
# Topologies: on a ring every algorithm talks to its two neighbours only
# and still converges; a peer sampler reaches more peers over time; bad
# topologies stop the run before anything is written.
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=200 --set train.lr=0.1 --set partition.nodes=20 \
  --set topology.name=ring --set experiment.duration=3 --set eval.interval=3 --set eval.trace_messages=true \
  --set algorithm.algorithms=divshare,adpsgd,swift,el,dpsgd,gossip --out "$tmp/ring" >"$tmp/out" 2>&1 ||
  bad "ring run: $(cat "$tmp/out")"
grep -q "divshare: topology ring, 2 neighbours per node" "$tmp/out" && ok || bad "no topology note: $(head -3 "$tmp/out")"
# Accuracy-like targets on an RMSE run are met at t = 0: the run says so.
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=50 --set algorithm.degree=2 --set experiment.duration=0.5 --set eval.targets=60,0.0001 \
  --set algorithm.algorithms=swift --out "$tmp/t0" >"$tmp/out" 2>&1 || bad "targets run: $(cat "$tmp/out")"
grep -q "60 at 0 s; 0.0001 not reached (at 0 s: met by the initial model; an RMSE target is reached once the RMSE is at most it)" \
  "$tmp/out" && ok || bad "a target met at 0 s not explained: $(grep 'done in' "$tmp/out" | head -1)"
for a in divshare adpsgd swift el dpsgd gossip; do
  awk -F, 'NR > 1 { d = ($7 - $8 + 20) % 20; if (d != 1 && d != 19) bad++; n++ } END { exit !(n > 0 && !bad) }' \
    "$tmp/ring/$a/messages.csv" && ok || bad "ring $a: a message between non-neighbours"
  first=$(sed -n 2p "$tmp/ring/$a/metrics.csv" | cut -d, -f3)
  last=$(tail -1 "$tmp/ring/$a/metrics.csv" | cut -d, -f3)
  awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < f) }' && ok || bad "ring $a: rmse $first -> $last"
done
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=200 --set train.lr=0.1 --set partition.nodes=20 \
  --set topology.name=regular --set topology.degree=3 --set topology.redraw=1 --set algorithm.local_steps=8 --set experiment.duration=2 \
  --set eval.interval=2 --set eval.trace_messages=true --set algorithm.algorithms=swift --quiet --out "$tmp/sampler" \
  >/dev/null 2>&1 || bad "peer sampler run"
[ "$(awk -F, '$7 == 0 { print $8 }' "$tmp/sampler/swift/messages.csv" | sort -u | wc -l)" -gt 6 ] && ok ||
  bad "peer sampler: node 0 talked to too few peers"
# shellcheck disable=SC2086
"$ds" run $s --set topology.name=torus --set partition.nodes=7 --quiet --out "$tmp/torus7" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "7 nodes have no such split" "$tmp/err" && ok || bad "torus of 7: $(cat "$tmp/err")"
# shellcheck disable=SC2086
"$ds" run $s --set partition.nodes=20 --set topology.name=regular --set topology.redraw=2 --set algorithm.algorithms=divshare,el --quiet \
  --out "$tmp/elredraw" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "el: \[topology\] redraw" "$tmp/err" && [ ! -e "$tmp/elredraw/divshare" ] && ok ||
  bad "el with a peer sampler: $(cat "$tmp/err")"
# Compute stragglers: drawn apart from the link stragglers, named in
# links.csv and summary.json, slower rounds; a per-node file overrides.
printf '# node slowdown\n3 2.5\n' >"$tmp/slow.txt"
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=50 --set partition.nodes=12 --set algorithm.degree=2 \
  --set algorithm.local_steps=8 --set experiment.duration=2 --set eval.interval=2 --set network.stragglers=3 \
  --set compute.stragglers=3 --set compute.slowdown=4 --set "compute.file=$tmp/slow.txt" \
  --set algorithm.algorithms=swift --quiet --out "$tmp/cs" >/dev/null 2>&1 || bad "compute stragglers run"
[ "$(awk -F, 'NR > 1 && $7 == 1' "$tmp/cs/swift/links.csv" | wc -l)" -ge 3 ] &&
  [ "$(awk -F, 'NR > 1 && $6 == 1' "$tmp/cs/swift/links.csv" | wc -l)" = 3 ] &&
  awk -F, '$1 == 3 { exit !($5 == 2.5 && $7 == 1) }' "$tmp/cs/swift/links.csv" && ok || bad "links.csv: compute stragglers"
grep -q '"compute_stragglers":' "$tmp/cs/swift/summary.json" && grep -q '"slowdown":	4' "$tmp/cs/swift/summary.json" &&
  ok || bad "summary.json: compute stragglers"
slow=$(awk -F, 'NR > 1 && $7 == 1 { print $1 }' "$tmp/cs/swift/links.csv" | head -1)
awk -F, -v s="$slow" 'NR > 1 && $2 == s { r = $3 } NR > 1 && $2 != s && $3 > m { m = $3 } END { exit !(r < m) }' \
  "$tmp/cs/swift/nodes.csv" && ok || bad "a compute straggler ran as many rounds as the others"
printf '3 2.5\n2 0.5\n' >"$tmp/slowbad.txt"
# shellcheck disable=SC2086
expect2 "slowbad.txt:2: slowdown 0.5 is outside [1, 1e6]" $s --set algorithm.degree=2 --set "compute.file=$tmp/slowbad.txt"
# [eval] scope = own_users: each node is tested on its own users' ratings,
# so the nodes' RMSEs differ where on all users' ratings they coincide.
for sc in all own_users; do
  "$ds" run --set dataset.name=synthetic-ratings --set model.name=mf --set partition.name=user --set partition.nodes=6 \
    --set algorithm.degree=2 --set algorithm.local_steps=8 --set experiment.duration=1 --set eval.interval=1 \
    --set eval.scope=$sc --set algorithm.algorithms=swift --quiet --out "$tmp/scope-$sc" >/dev/null 2>&1 || bad "scope $sc run"
done
awk -F, 'END { exit !($4 == $5) }' "$tmp/scope-all/swift/metrics.csv" &&
  awk -F, 'END { exit !($4 < $5) }' "$tmp/scope-own_users/swift/metrics.csv" && ok || bad "own_users: nodes not tested apart"
# shellcheck disable=SC2086
expect2 "[eval] scope = own_users needs a ratings dataset" $s --set algorithm.degree=2 --set eval.scope=own_users
# Churn: a node that is down neither trains nor receives; what reaches it
# (or was queued when it left) is dropped and counted; a bad trace is an
# input error naming its line.
printf '# t node state\n0.5 3 down\n1.5 3 up\n0.8 4 down\n' >"$tmp/churn.txt"
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=50 --set partition.nodes=12 --set algorithm.degree=3 \
  --set algorithm.local_steps=8 --set experiment.duration=2 --set eval.interval=1 --set eval.trace_messages=true \
  --set "churn.file=$tmp/churn.txt" --set algorithm.algorithms=divshare,swift --quiet --out "$tmp/churn" >/dev/null 2>&1 ||
  bad "churn run"
for a in divshare swift; do
  off=$(awk -F, '$6 == "dropped_offline"' "$tmp/churn/$a/messages.csv" | wc -l)
  bad_dst=$(awk -F, '$6 == "dropped_offline" && $8 != 3 && $8 != 4 && $7 != 3 && $7 != 4' "$tmp/churn/$a/messages.csv" | wc -l)
  grep -q "\"messages_dropped_offline\":[[:space:]]*$off," "$tmp/churn/$a/summary.json" && [ "$off" -gt 0 ] &&
    [ "$bad_dst" = 0 ] && ok || bad "churn $a: $off offline drops, $bad_dst not to or from nodes 3 and 4"
  awk -F, 'NR > 1 && $1 == "2.000" { r[$2] = $3 } END { exit !(r[3] < r[0] && r[4] < r[3]) }' "$tmp/churn/$a/nodes.csv" &&
    ok || bad "churn $a: a node that was down did as many rounds"
done
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=50 --set partition.nodes=12 --set algorithm.degree=3 \
  --set algorithm.local_steps=8 --set experiment.duration=2 --set eval.interval=1 --set algorithm.algorithms=swift \
  --quiet --out "$tmp/nochurn" >/dev/null 2>&1 || bad "run without churn"
grep -q '"messages_dropped_offline":[[:space:]]*0,' "$tmp/nochurn/swift/summary.json" && ok || bad "offline drops without churn"
printf '0.5 3 down\n0.7 3 down\n' >"$tmp/churnbad.txt"
# shellcheck disable=SC2086
expect2 "churnbad.txt:2: node 3 is already down" $s --set algorithm.degree=2 --set "churn.file=$tmp/churnbad.txt"
printf '0.5 9 down\n' >"$tmp/churnbad.txt"
# shellcheck disable=SC2086
expect2 "churnbad.txt:1: expected 'time node down|up'" $s --set algorithm.degree=2 --set "churn.file=$tmp/churnbad.txt"
# Large runs evaluate a seeded sample of 100 nodes by default, and say so;
# the two solvers agree (rates within 1e-12, so the metrics match closely).
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=50 --set partition.nodes=150 --set algorithm.degree=4 \
  --set experiment.duration=0.5 --set eval.interval=0.5 --set algorithm.algorithms=divshare --out "$tmp/big" >"$tmp/out" 2>&1 ||
  bad "150 nodes: $(cat "$tmp/out")"
grep -q "evaluates a seeded sample of 100 of the 150 nodes" "$tmp/out" && ok || bad "no sample note: $(head -3 "$tmp/out")"
[ "$(awk -F, 'NR > 1 && $1 == 0 && $4 != "" { n++ } END { print n }' "$tmp/big/divshare/nodes.csv")" = 100 ] && ok ||
  bad "nodes.csv: not 100 evaluated nodes at t = 0"
# shellcheck disable=SC2086
"$ds" run $s --set model.name=quadratic --set model.dim=50 --set partition.nodes=150 --set algorithm.degree=4 \
  --set experiment.duration=0.5 --set eval.interval=0.5 --set algorithm.algorithms=divshare --set network.solver=component \
  --quiet --out "$tmp/bigc" >/dev/null 2>&1 || bad "component solver run"
a=$(tail -1 "$tmp/big/divshare/metrics.csv" | cut -d, -f1-5,9-12)
c=$(tail -1 "$tmp/bigc/divshare/metrics.csv" | cut -d, -f1-5,9-12)
[ "$a" = "$c" ] && ok || bad "solvers disagree: $a vs $c"
"$ds" train --set model.name=quadratic --quiet >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "quadratic has no data to train on" "$tmp/err" && ok || bad "train quadratic: $(cat "$tmp/err")"
finish sim_run
