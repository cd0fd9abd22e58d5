#!/bin/sh
# Regenerates every table of docs/reproduction.md from the shipped
# experiment files, into OUT_DIR/tables/<name>.md (default OUT_DIR:
# runs/reproduce):
#   demo       the demo (Fashion-MNIST, 16 nodes, 4 stragglers) over seeds
#              1-5: means with 95% confidence intervals
#   cifar10    CIFAR-10, 60 nodes (examples/cifar10-60-stragglers.ini);
#              data: CIFAR10_DIR (default cache/cifar-10-batches-bin)
#   movielens  MovieLens, 60 nodes, evaluated on all users' test ratings and
#              on each node's own users' (decentralizepy's way); data:
#              MOVIELENS_ZIP (default cache/ml-latest-small.zip)
#   sweep      DivShare's knobs Omega, J and stragglers (scripts/sweep.sh)
#   agree      real processes against the simulator (divshare agree, 8 nodes)
# A table whose data is missing is skipped, saying so.
#
# usage: scripts/reproduce.sh [--short] [--update-doc] [--only NAME] [OUT_DIR]
#   --short       minutes instead of about an hour: every run cut short
#                 (CI runs this; its tables are not the document's)
#   --update-doc  put the new tables into docs/reproduction.md, between its
#                 <!-- reproduce:NAME:begin --> and :end --> markers
#   --only NAME   one table (repeatable)
#   DIVSHARE=path/to/divshare (default build/divshare); REPRODUCE_DOC: another
#   document to update
set -eu
short=0 update=0 only="" out=runs/reproduce
while [ $# -gt 0 ]; do
  case $1 in
    --short) short=1 ;;
    --update-doc) update=1 ;;
    --only) only="$only $2"; shift ;;
    -h|--help) sed -n '2,/^set -eu$/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "reproduce: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) out=$1 ;;
  esac
  shift
done
root=$(cd "$(dirname "$0")/.." && pwd)
ds=${DIVSHARE:-$root/build/divshare}
[ -x "$ds" ] || { echo "reproduce: $ds not found: build first (cmake --build build) or set DIVSHARE" >&2; exit 2; }
cifar=${CIFAR10_DIR:-$root/cache/cifar-10-batches-bin}
movielens=${MOVIELENS_ZIP:-$root/cache/ml-latest-small.zip}
mkdir -p "$out/tables"
wanted() { [ -z "$only" ] || case " $only " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
say() { echo "reproduce: $*"; }
started=$(date +%s)
# table NAME: stdin -> OUT_DIR/tables/NAME.md, with how it was made.
table() {
  { cat; printf '\n(`scripts/reproduce.sh%s`, %s, divshare %s)\n' "$([ $short = 1 ] && echo ' --short')" \
      "$(date -u +%Y-%m-%d)" "$("$ds" version | cut -d' ' -f2)"; } >"$out/tables/$1.md"
  say "table $1 -> $out/tables/$1.md"
}
# The text of a seeded or agree table as a Markdown code block.
block() { printf '```\n'; cat; printf '```\n'; }

if wanted demo; then
  if [ $short = 1 ]; then d="--seeds 1-2 --set experiment.duration=4 --set eval.interval=2"
  else d="--seeds 1-5"; fi
  say "demo over seeds ($d)"
  # shellcheck disable=SC2086
  "$ds" run "$root/examples/fmnist-stragglers.ini" $d --quiet --out "$out/demo"
  "$ds" compare "$out/demo" | block | table demo
fi

if wanted cifar10; then
  if [ -f "$cifar/test_batch.bin" ]; then
    if [ $short = 1 ]; then
      d="--set experiment.duration=1 --set algorithm.local_steps=16 --set eval.interval=0.5 --set dataset.train_subset=3000"
    else d=""; fi
    say "CIFAR-10, 60 nodes"
    # shellcheck disable=SC2086
    "$ds" run "$root/examples/cifar10-60-stragglers.ini" --set "dataset.path=$cifar" $d --quiet --out "$out/cifar10"
    "$ds" compare --markdown "$out/cifar10"/*/ | table cifar10
  else
    say "CIFAR-10 skipped: $cifar/test_batch.bin not found (set CIFAR10_DIR; docs/reproduction.md says where to get it)"
  fi
fi

if wanted movielens; then
  if [ -f "$movielens" ]; then
    if [ $short = 1 ]; then d="--set experiment.duration=20"; else d=""; fi
    for scope in all own_users; do
      say "MovieLens, 60 nodes, [eval] scope = $scope"
      # shellcheck disable=SC2086
      "$ds" run "$root/examples/movielens-60.ini" --set "dataset.path=$movielens" --set "eval.scope=$scope" $d \
        --quiet --out "$out/movielens-$scope"
    done
    { echo "Every node tested on all users' test ratings (\`[eval] scope = all\`):"; echo
      "$ds" compare --markdown "$out/movielens-all"/*/; echo
      echo "Every node tested on its own users' test ratings (\`[eval] scope = own_users\`, decentralizepy's way):"; echo
      "$ds" compare --markdown "$out/movielens-own_users"/*/; } | table movielens
  else
    say "MovieLens skipped: $movielens not found (set MOVIELENS_ZIP; docs/reproduction.md says where to get it)"
  fi
fi

if wanted sweep; then
  if [ $short = 1 ]; then
    OMEGAS="1 10" DEGREES="" STRAGGLERS="" DIVSHARE=$ds "$root/scripts/sweep.sh" "$root/examples/fmnist-stragglers.ini" \
      "$out/sweep" --set experiment.duration=4 --set eval.interval=2 >/dev/null
  else
    STRAGGLERS="0 4 8 12" DIVSHARE=$ds "$root/scripts/sweep.sh" "$root/examples/fmnist-stragglers.ini" "$out/sweep" >/dev/null
  fi
  table sweep <"$out/sweep/sweep.md"
fi

if wanted agree; then
  # 8 nodes: on 2 cores 16 real processes per algorithm oversubscribe the
  # machine so far that compute speed varies from node to node.
  a="--set partition.nodes=8 --set network.stragglers=2 --set partition.shards=8"
  [ $short = 1 ] && a="$a --set partition.nodes=4 --set network.stragglers=1 --set experiment.duration=4 --set eval.interval=2 --set algorithm.degree=2"
  say "real processes against the simulator"
  # shellcheck disable=SC2086
  "$ds" agree "$root/examples/fmnist-stragglers.ini" $a --quiet --out "$out/agree" >"$out/agree.txt"
  block <"$out/agree.txt" | table agree
fi

if [ $update = 1 ]; then
  doc=${REPRODUCE_DOC:-$root/docs/reproduction.md}
  for t in "$out"/tables/*.md; do
    name=$(basename "$t" .md)
    grep -q "<!-- reproduce:$name:begin -->" "$doc" || { say "no marker for $name in $doc"; continue; }
    awk -v name="$name" -v file="$t" '
      $0 == "<!-- reproduce:" name ":begin -->" { print; while ((getline l < file) > 0) print l; skip = 1; next }
      $0 == "<!-- reproduce:" name ":end -->" { skip = 0 }
      !skip { print }' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
    say "updated $name in $doc"
  done
fi
say "done in $(( $(date +%s) - started )) s; tables in $out/tables/"
