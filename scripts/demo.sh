#!/bin/sh
# The main job: install dependencies, build, and run DivShare vs AD-PSGD vs
# Swift on Fashion-MNIST with 16 simulated nodes, 4 of them on slow links
# (examples/fmnist-stragglers.ini). Prints progress, the comparison table
# and where the plots are. Extra arguments go to 'divshare run', e.g.
#   scripts/demo.sh --set network.stragglers=8
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec ./build/divshare run examples/fmnist-stragglers.ini "$@"
