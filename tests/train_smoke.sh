#!/bin/sh
# End-to-end 'divshare train' on synthetic data: it must learn, write its
# result files atomically (no temp files left), and the MF path must run.
# usage: train_smoke.sh PATH/TO/divshare
set -eu
ds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$ds" train --set dataset.name=synthetic --set dataset.synthetic_train=1500 --set train.batch_size=16 \
  --epochs 2 --threads 1 --out "$tmp/img" --quiet
test -s "$tmp/img/curve.csv" && test -s "$tmp/img/summary.json" && test -s "$tmp/img/config.ini"
! ls "$tmp/img" | grep -q '\.tmp\.'
acc=$(tail -1 "$tmp/img/curve.csv" | cut -d, -f7)
echo "synthetic gnlenet test accuracy after 2 epochs: $acc"
awk -v a="$acc" 'BEGIN { exit !(a > 90 && a <= 100) }'  # in %, as in a run's metrics.csv
lines=$(wc -l <"$tmp/img/curve.csv")
[ "$lines" = 3 ]
"$ds" train --set dataset.name=synthetic-ratings --set model.name=mf --set train.lr=0.5 \
  --set train.batch_size=16 --epochs 3 --threads 1 --out "$tmp/mf" --quiet
rmse=$(tail -1 "$tmp/mf/curve.csv" | cut -d, -f7)
echo "synthetic-ratings mf test rmse after 3 epochs: $rmse"
awk -v r="$rmse" 'BEGIN { exit !(r > 0 && r < 3) }'
# The resolved config reproduces the run.
"$ds" train --config "$tmp/img/config.ini" --out "$tmp/again" --quiet
cmp "$tmp/img/curve.csv" "$tmp/again/curve.csv" >/dev/null 2>&1 || {
  # wall-clock columns differ; compare the metric columns only
  cut -d, -f1-7 "$tmp/img/curve.csv" >"$tmp/a"; cut -d, -f1-7 "$tmp/again/curve.csv" >"$tmp/b"; cmp "$tmp/a" "$tmp/b"
}
echo "train_smoke: 1 passed, 0 failed"
