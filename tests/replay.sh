#!/bin/sh
# Replayable traces: every algorithm's messages.csv and links.csv are
# enough for an independent max-min replay (bench/replay_trace.py, its own
# progressive filling in Python) to put every message's last bit within
# 1e-9 of the run's sent_s; a run stopped mid-transfer lists what was
# still queued and in flight.
# usage: replay.sh PATH/TO/divshare SOURCE_DIR [PATH/TO/net_replay]
ds=$1
src=$2
replay=${3:-}
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
"$ds" run "$src/examples/fmnist-stragglers.ini" --set model.name=quadratic --set model.dim=3000 --set train.lr=0.1 \
  --set experiment.duration=3 --set eval.interval=1 --set algorithm.algorithms=divshare,adpsgd,swift,el,dpsgd,gossip \
  --set eval.trace_messages=true --quiet --out "$tmp/r" >/dev/null 2>"$tmp/err" || bad "run: $(cat "$tmp/err")"
for a in divshare adpsgd swift el dpsgd gossip; do
  out=$($py "$src/bench/replay_trace.py" "$tmp/r/$a" 1e-9) && ok || bad "$a: $out"
done
# Re-solved once per instant, the schedule is as faithful; so is the C
# replay of bench/net_replay (divshare's model alone, as replay_compare.sh
# times it against SimGrid).
"$ds" run "$src/examples/fmnist-stragglers.ini" --set model.name=quadratic --set model.dim=3000 --set train.lr=0.1 \
  --set experiment.duration=3 --set eval.interval=1 --set algorithm.algorithms=divshare,adpsgd --set network.resolve=instant \
  --set eval.trace_messages=true --quiet --out "$tmp/ri" >/dev/null 2>"$tmp/err" || bad "run: $(cat "$tmp/err")"
for a in divshare adpsgd; do
  out=$($py "$src/bench/replay_trace.py" "$tmp/ri/$a" 1e-9) && ok || bad "resolve = instant, $a: $out"
done
if [ -x "$replay" ]; then
  out=$("$replay" "$tmp/r/divshare") && echo "$out" | awk '{ for (i = 1; i < NF; i++) if ($i == "difference") exit !($(i + 1) + 0 <= 1e-9) }' &&
    ok || bad "net_replay: $out"
fi
"$ds" run "$src/examples/fmnist-stragglers.ini" --set model.name=quadratic --set model.dim=30000 --set train.lr=0.1 \
  --set experiment.duration=0.33 --set eval.interval=1 --set algorithm.algorithms=divshare --set eval.trace_messages=true \
  --quiet --out "$tmp/cut" >/dev/null 2>"$tmp/err" || bad "cut run: $(cat "$tmp/err")"
grep -q ',in_flight,' "$tmp/cut/divshare/messages.csv" && grep -q ',queued,' "$tmp/cut/divshare/messages.csv" && ok ||
  bad "no in_flight/queued rows at the end"
[ "$(awk -F, 'NR > 1 && $6 == "in_flight" && $3 != "" && $4 == "" { n++ } END { print n + 0 }' "$tmp/cut/divshare/messages.csv")" -gt 0 ] &&
  ok || bad "in_flight rows need started_s and no sent_s"
# Bad input: a missing run, a cut trace.
$py "$src/bench/replay_trace.py" "$tmp/none" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "none/links.csv: No such file" "$tmp/err" && ok || bad "missing run: $(cat "$tmp/err")"
head -c 300 "$tmp/r/divshare/messages.csv" >"$tmp/cut/divshare/messages.csv"
$py "$src/bench/replay_trace.py" "$tmp/cut/divshare" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "messages.csv:3: a cut or malformed row" "$tmp/err" && ok || bad "cut trace: $(cat "$tmp/err")"
finish replay
