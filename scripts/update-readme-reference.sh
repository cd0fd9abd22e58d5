#!/bin/sh
# Regenerates the README's config reference from the code's key table
# (`divshare config-reference`). usage: scripts/update-readme-reference.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
ds=${1:-build}/divshare
tmp=$(mktemp)
"$ds" config-reference >"$tmp"
awk -v ref="$tmp" '
  /<!-- config-reference:begin -->/ { print; while ((getline line < ref) > 0) print line; skip = 1; next }
  /<!-- config-reference:end -->/ { skip = 0 }
  !skip { print }' README.md >README.md.new
mv README.md.new README.md
rm -f "$tmp"
