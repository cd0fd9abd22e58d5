#!/bin/sh
# Installs the Debian packages divshare needs to build, test and run its
# demo. Idempotent: quiet and quick when everything is already installed.
# usage: scripts/install-deps.sh [--test]   (--test adds PyTorch, numpy and
#        PIL for the PyTorch parity check and the CIFAR-10 converter, Open
#        MPI and iproute2 for the mpirun and --netem tests of the real
#        runtime, and clang for libFuzzer)
set -eu
pkgs="build-essential cmake pkg-config libopenblas-dev zlib1g-dev libcjson-dev libzmq3-dev gnuplot-nox dataset-fashion-mnist"
if [ "${1:-}" = "--test" ]; then
  pkgs="$pkgs python3-torch python3-numpy python3-pandas python3-matplotlib python3-pil openmpi-bin iproute2 clang libclang-rt-14-dev"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages:$missing; run as root (or: sudo $0 $*)" >&2
  exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
