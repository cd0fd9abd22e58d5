#!/bin/sh
# scripts/reproduce.sh --short, as CI runs it: the demo over seeds and,
# where their data is on this machine, CIFAR-10 and MovieLens (both
# evaluation scopes) write their tables; --update-doc fills a document's
# markers. (The sweep and agree tables have their own tests: sweep_smoke,
# real_run.)
# usage: reproduce_short.sh PATH/TO/divshare SOURCE_DIR CIFAR_BIN MOVIELENS_ZIP
set -u
ds=$1 src=$2
. "$(dirname "$0")/lib.sh"
DIVSHARE=$ds CIFAR10_DIR=$3 MOVIELENS_ZIP=$4 sh "$src/scripts/reproduce.sh" --short --only demo --only cifar10 \
  --only movielens "$tmp/r" >"$tmp/log" 2>&1 || bad "reproduce.sh --short: $(tail -5 "$tmp/log")"
grep -q "2 seeds (1,2): mean ± half-width" "$tmp/r/tables/demo.md" && grep -q "reproduce.sh --short" "$tmp/r/tables/demo.md" &&
  ok || bad "demo table: $(head -5 "$tmp/r/tables/demo.md")"
if [ -f "$3/test_batch.bin" ]; then
  grep -q "^| divshare |" "$tmp/r/tables/cifar10.md" && ok || bad "cifar10 table"
else
  grep -q "CIFAR-10 skipped" "$tmp/log" && ok || bad "no CIFAR-10 skip note"
fi
if [ -f "$4" ]; then
  grep -q "scope = own_users" "$tmp/r/tables/movielens.md" && [ "$(grep -c "^| divshare |" "$tmp/r/tables/movielens.md")" = 2 ] &&
    ok || bad "movielens table"
fi
printf '# doc\n<!-- reproduce:demo:begin -->\nold\n<!-- reproduce:demo:end -->\nafter\n' >"$tmp/doc.md"
REPRODUCE_DOC="$tmp/doc.md" DIVSHARE=$ds sh "$src/scripts/reproduce.sh" --short --only none --update-doc "$tmp/r" >/dev/null 2>&1 &&
  ! grep -q "^old$" "$tmp/doc.md" && grep -q "2 seeds (1,2)" "$tmp/doc.md" && grep -q "^after$" "$tmp/doc.md" && ok ||
  bad "--update-doc: $(cat "$tmp/doc.md")"
finish reproduce_short
