#!/bin/sh
# Installs dependencies, builds, and runs every test: the release build
# (unit, CLI, real-data and PyTorch parity tests), then the unit tests
# (with every fuzz harness replaying its seed corpus) again under
# AddressSanitizer + UndefinedBehaviorSanitizer with the fault-injection
# run (tests/faultinj: the k-th allocation fails), the transport's tests under
# ThreadSanitizer, then 20 s of libFuzzer per harness (scripts/fuzz.sh;
# clang).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" >/dev/null
(cd build && ctest --output-on-failure -j"$jobs")
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DDIVSHARE_SANITIZE=ON >/dev/null
cmake --build build-sanitize -j"$jobs" >/dev/null
(cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs" -L 'unit|faultinj')
# The threaded transport (sender, receiver, ZAP threads) under ThreadSanitizer.
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DDIVSHARE_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs" --target test_net test_auth test_shaping >/dev/null
(cd build-tsan && TSAN_OPTIONS="suppressions=$(pwd)/../tests/tsan.supp halt_on_error=1" \
  ctest --output-on-failure -R '^(net|auth|shaping)$')
rc=0
scripts/fuzz.sh 20 || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 77 ]
