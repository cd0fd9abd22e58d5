#!/bin/sh
# A small recorded run, byte for byte: every algorithm on the demo's
# network with the quadratic learner (no data, no BLAS, so the bytes do not
# depend on the CPU's kernels), at 1 and 2 threads, with the network
# re-solved after every event (the default) and once per instant
# ([network] resolve = instant, recorded in GOLDEN_INSTANT). A change that is meant
# to alter results updates GOLDEN here and says so, with the size of the
# change, in its commit; any other change must leave it alone.
# usage: golden.sh PATH/TO/divshare SOURCE_DIR
ds=$1
src=$2
. "$(dirname "$0")/lib.sh"
GOLDEN=c08f72d34180a7efcad203775a480b26d99668d900e1c7cef8d68b77dbe4f23e
GOLDEN_INSTANT=27f205889a0ea71cef5612fca3c3b0d372fd04d0381308811671cd6862ab33f4
for resolve in event instant; do
  want=$GOLDEN
  [ $resolve = instant ] && want=$GOLDEN_INSTANT
  for threads in 1 2; do
    out="$tmp/$resolve$threads"
    "$ds" run "$src/examples/fmnist-stragglers.ini" --set model.name=quadratic --set model.dim=300 --set train.lr=0.1 \
      --set experiment.duration=6 --set eval.interval=2 --set algorithm.algorithms=divshare,adpsgd,swift,el,dpsgd,gossip \
      --set algorithm.degree=4 --set eval.trace_messages=true --set eval.targets=0.5 --set network.resolve=$resolve \
      --threads $threads --quiet --out "$out" 2>"$tmp/err" || bad "run: $(cat "$tmp/err")"
    sum=$(cd "$out" && sha256sum */metrics.csv */nodes.csv */messages.csv | sha256sum | cut -d' ' -f1)
    [ "$sum" = "$want" ] && ok ||
      bad "resolve = $resolve, $threads thread(s): results changed: $sum, recorded $want (per file: $(cd "$out" && sha256sum */metrics.csv | cut -c1-12 | tr '\n' ' '))"
  done
done
finish golden
