#!/bin/sh
# The main job: install dependencies, build, and run DivShare vs AD-PSGD vs
# Swift on Fashion-MNIST with 16 simulated nodes, 4 of them on slow links
# (examples/fmnist-stragglers.ini), for seeds 1, 2 and 3 (about 3 minutes
# on 2 cores). Prints progress, the comparison table (means with 95%
# confidence intervals) and where the plots are. Extra arguments go to
# 'divshare run' and win, e.g.
#   scripts/demo.sh --set network.stragglers=8
#   scripts/demo.sh --seeds 1        # one seed, about a minute
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
# AD-PSGD and Swift keep every queued message's model (up to 800 MB here);
# with malloc on transparent huge pages their memory costs 2 MB page faults
# instead of 4 KB ones (about 1 s less per run; results are the same).
GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}
export GLIBC_TUNABLES
exec ./build/divshare run examples/fmnist-stragglers.ini --seeds 1-3 "$@"
