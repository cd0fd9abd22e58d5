#!/bin/sh
# The main job: install dependencies, build, and train GN-LeNet on
# Fashion-MNIST for one epoch, printing the test accuracy.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec ./build/divshare train --config examples/train-fmnist.ini --epochs 1 "$@"
