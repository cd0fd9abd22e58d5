#!/bin/sh
# Bad input through the command line: every case must exit with code 2 and
# print one clear message naming the file (and line) or value at fault.
# usage: cli_errors.sh PATH/TO/divshare
set -u
ds=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# expect CODE PATTERN -- ARGS...: runs divshare ARGS, checks exit code and
# that stderr contains PATTERN (fixed string).
expect() {
  code=$1 pattern=$2
  shift 3
  "$ds" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" = "$code" ] && grep -qF -- "$pattern" "$tmp/err"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "NOT OK: divshare $* -> exit $rc (want $code), stderr:"
    sed 's/^/    /' "$tmp/err"
    echo "    (wanted: $pattern)"
  fi
}

printf '[dataset]\nname = mnist\npath = %s/nowhere\n' "$tmp" >"$tmp/missing.ini"
expect 2 "$tmp/nowhere" -- train --config "$tmp/missing.ini" --quiet

expect 2 "missing.ini:3: [dataset] path = $tmp/nowhere: not found" -- check "$tmp/missing.ini"

printf '[dataset]\nname = cifar10\n' >"$tmp/nopath.ini"
expect 2 "needs [dataset] path" -- train --config "$tmp/nopath.ini" --quiet

mkdir -p "$tmp/trunc"
printf 'x' >"$tmp/trunc/data_batch_1.bin"
printf '[dataset]\nname = cifar10\npath = %s/trunc\n' "$tmp" >"$tmp/trunc.ini"
expect 2 "data_batch_1.bin: size 1 bytes is not a multiple of 3073" -- train --config "$tmp/trunc.ini" --quiet

mkdir -p "$tmp/magic"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  printf 'not an idx file at all' >"$tmp/magic/$f"
done
printf '[dataset]\nname = mnist\npath = %s/magic\n' "$tmp" >"$tmp/magic.ini"
expect 2 "train-images-idx3-ubyte: not an IDX image file" -- train --config "$tmp/magic.ini" --quiet

printf 'userId,movieId,rating,timestamp\n1,10,4.0,0\n2,oops,3.0,0\n' >"$tmp/ratings.csv"
printf '[dataset]\nname = movielens\npath = %s/ratings.csv\n[model]\nname = mf\n' "$tmp" >"$tmp/ml.ini"
expect 2 "ratings.csv:3: malformed row" -- train --config "$tmp/ml.ini" --quiet

printf '[train]\nlr = 0.1\n[optimizer]\nname = adam\n' >"$tmp/section.ini"
expect 2 "section.ini:3: unknown section [optimizer]" -- train --config "$tmp/section.ini" --quiet

printf '[train]\nlearning_rate = 0.1\n' >"$tmp/key.ini"
expect 2 "key.ini:2: unknown key 'learning_rate' in [train]" -- train --config "$tmp/key.ini" --quiet

printf '[train]\nbatch_size = -4\n' >"$tmp/range.ini"
expect 2 "range.ini:2: [train] batch_size = -4 is out of range [1, 65536]" -- train --config "$tmp/range.ini" --quiet

expect 2 "[train] lr = 0 is out of range" -- train --set train.lr=0 --quiet
expect 2 "cannot open config" -- train --config "$tmp/none.ini"
expect 2 "unknown option: --bogus" -- train --bogus 1
expect 2 "unknown command 'trian'" -- trian

printf '[dataset]\nname = synthetic\n[model]\nname = mf\n' >"$tmp/mismatch.ini"
expect 2 "[model] name = mf does not fit [dataset] name = synthetic" -- train --config "$tmp/mismatch.ini" --quiet

for cmd in train partition config-reference; do
  if "$ds" $cmd --help >/dev/null 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "NOT OK: $cmd --help"; fi
done

echo "cli_errors: $pass passed, $fail failed"
[ "$fail" = 0 ]
