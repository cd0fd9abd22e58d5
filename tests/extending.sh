#!/bin/sh
# docs/extending.md's worked examples, end to end: the gossip algorithm, the
# cnn model and the csv dataset, each built into the binary and run as the
# page shows; and the page's registry lines are the source's.
# usage: extending.sh PATH/TO/divshare SOURCE_DIR
ds=$1
src=$2
. "$(dirname "$0")/lib.sh"
doc="$src/docs/extending.md"
# The registry lines quoted in the page are in the source, as written.
for pair in "src/algo/algo.c:#define ALGO_REGISTRY(X)" "src/nn/models.c:    {.name = \"cnn\", .build = build_cnn" \
            "src/exp/setup.c:    {.name = \"csv\", .load = load_csv}," "src/exp/config_keys.def:KEY(dataset, shape, STRING"; do
  file=${pair%%:*}
  line=${pair#*:}
  quoted=$(grep -F -- "$line" "$doc" | head -1)
  [ -n "$quoted" ] && grep -qxF -- "$quoted" "$src/$file" && ok || bad "docs/extending.md quotes a line of $file that is not there: $line"
done
# 1. The algorithm, against two others, on small synthetic data.
small="--set dataset.name=synthetic --set dataset.synthetic_train=800 --set partition.nodes=8 --set algorithm.degree=2 --set experiment.duration=4 --set eval.interval=2"
# shellcheck disable=SC2086
"$ds" run "$src/examples/fmnist-stragglers.ini" $small --set algorithm.algorithms=divshare,swift,gossip --set model.name=logreg \
  --quiet --out "$tmp/alg" 2>"$tmp/err" && [ -f "$tmp/alg/gossip/summary.json" ] && ok || bad "gossip run: $(cat "$tmp/err")"
received=$(tail -1 "$tmp/alg/gossip/metrics.csv" | cut -d, -f12)
[ "${received:-0}" -gt 0 ] && ok || bad "gossip delivered no message"
# 2. The model.
"$ds" train --set dataset.name=synthetic --set dataset.synthetic_size=12 --set model.name=cnn --epochs 2 --quiet \
  --out "$tmp/cnn" 2>"$tmp/err" && grep -q '"model":.*"cnn"' "$tmp/cnn/summary.json" && ok || bad "cnn train: $(cat "$tmp/err")"
# 3. The dataset: 2 classes of 8x8 images (bright left or right half) in CSV.
mkdir -p "$tmp/csv"
for part in train test; do
  n=200
  [ $part = test ] && n=60
  awk -v n=$n -v seed=$n 'BEGIN { srand(seed); print "label," ; for (i = 0; i < n; i++) { y = i % 2; line = y;
    for (r = 0; r < 8; r++) for (c = 0; c < 8; c++) { v = ((c < 4) == (y == 0)) ? 200 : 30; v += int(rand() * 40); line = line "," v }
    print line } }' >"$tmp/csv/$part.csv"
done
"$ds" train --set dataset.name=csv --set "dataset.path=$tmp/csv" --set dataset.shape=1x8x8 --set model.name=cnn \
  --epochs 3 --quiet --out "$tmp/csvt" 2>"$tmp/err" && ok || bad "csv train: $(cat "$tmp/err")"
acc=$(sed -n 's/.*"test_accuracy":[[:space:]]*\([0-9.]*\).*/\1/p' "$tmp/csvt/summary.json" | tail -1)
awk -v a="${acc:-0}" 'BEGIN { exit !(a > 90) }' && ok || bad "csv: the cnn should separate the halves (accuracy $acc)"
# shellcheck disable=SC2086
"$ds" run "$src/examples/fmnist-stragglers.ini" $small --set dataset.name=csv --set "dataset.path=$tmp/csv" \
  --set dataset.shape=1x8x8 --set model.name=cnn --set algorithm.algorithms=gossip --quiet --out "$tmp/csvrun" 2>"$tmp/err" &&
  ok || bad "csv run: $(cat "$tmp/err")"
finish extending
