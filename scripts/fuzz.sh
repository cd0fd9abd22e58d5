#!/bin/sh
# Fuzzes every harness of tests/fuzz with clang's libFuzzer (ASan + UBSan),
# each for SECONDS (default 20), two at a time, starting from its seed
# corpus (tests/fuzz/corpus/NAME; what a run finds new goes to
# build-fuzz/corpus/NAME, kept between runs). Prints executions per
# harness; exits 1 on a crash, leak or sanitizer report (the input is
# saved as build-fuzz/crash-NAME-*). Skips (exit 77) without clang.
# usage: scripts/fuzz.sh [SECONDS]
set -u
cd "$(dirname "$0")/.."
secs=${1:-20}
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: clang not installed (Debian clang); fuzzing skipped"
  exit 77
fi
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DDIVSHARE_FUZZ=ON >/dev/null || exit 1
cmake --build build-fuzz -j"$(nproc)" >/dev/null || exit 1
names="wire config hosts movielens idx cifar trace graph zip"
one() {
  n=$1
  mkdir -p "build-fuzz/corpus/$n"
  ASAN_OPTIONS=detect_leaks=1 "build-fuzz/tests/fuzz/fuzz_$n" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
    -max_len=65536 -artifact_prefix="build-fuzz/crash-$n-" "build-fuzz/corpus/$n" "tests/fuzz/corpus/$n" \
    >"build-fuzz/fuzz-$n.log" 2>&1
  echo $? >"build-fuzz/fuzz-$n.rc"
}
set -- $names
while [ $# -gt 0 ]; do
  one "$1" &
  [ $# -gt 1 ] && one "$2" &
  wait
  shift; [ $# -gt 0 ] && shift
done
bad=0 total=0
for n in $names; do
  runs=$(grep -o 'Done [0-9]* runs' "build-fuzz/fuzz-$n.log" | awk '{ print $2 }')
  rc=$(cat "build-fuzz/fuzz-$n.rc")
  if [ "$rc" = 0 ] && [ -n "$runs" ]; then
    printf 'fuzz %-10s %9s executions in %s s, corpus %s inputs\n' "$n" "$runs" "$secs" "$(ls "build-fuzz/corpus/$n" | wc -l)"
    total=$((total + runs))
  else
    echo "NOT OK: fuzz_$n failed (exit $rc); see build-fuzz/fuzz-$n.log:"
    grep -m3 'ERROR\|SUMMARY\|Test unit written' "build-fuzz/fuzz-$n.log" | sed 's/^/    /'
    bad=$((bad + 1))
  fi
done
echo "fuzz: $total executions in all"
echo "fuzz: $((9 - bad)) passed, $bad failed"
[ "$bad" = 0 ]
