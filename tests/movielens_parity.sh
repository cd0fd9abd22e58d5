#!/bin/sh
# divshare's MovieLens matrix factorisation against PyTorch on the same
# split, init, batch size, learning rate and epochs: test RMSE must agree
# within 2% at every epoch. Skips (77) without the data or python3-torch.
# usage: movielens_parity.sh BUILD_DIR SOURCE_DIR MOVIELENS_ZIP
set -eu
build=$1 src=$2 zip=$3
[ -f "$zip" ] || { echo "SKIP: $zip absent"; exit 77; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "SKIP: python3-torch not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/divshare" train --config "$src/examples/train-movielens.ini" --set "dataset.path=$zip" \
  --threads 1 --out "$tmp/run" --quiet
"$build/bench/export_data" "$src/examples/train-movielens.ini" "$tmp/export" --set "dataset.path=$zip" >/dev/null
/usr/bin/python3 "$src/bench/movielens_torch.py" "$tmp/export" "$tmp/run/curve.csv"
