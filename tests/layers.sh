#!/bin/sh
# The layers of docs/design.md, as CMakeLists.txt declares them (DS_LAYERS,
# DS_USES_<layer>): a layer's sources include only its own headers and
# those of the layers it uses, and its library needs no symbol that only a
# layer it may not use defines (a back-edge).
# usage: layers.sh SOURCE_DIR BUILD_DIR
src=$1
build=$2
. "$(dirname "$0")/lib.sh"
layers=$(sed -n 's/^set(DS_LAYERS \(.*\))$/\1/p' "$src/CMakeLists.txt")
[ -n "$layers" ] && ok || bad "no DS_LAYERS in CMakeLists.txt"
uses() { sed -n "s/^set(DS_USES_$1 *\(.*\))$/\1/p" "$src/CMakeLists.txt"; }
# Symbols each layer's library defines.
for l in $layers; do
  nm --defined-only -g "$build/libds_$l.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/def.$l"
done
for l in $layers; do
  allowed=" $l $(uses "$l") "
  # Headers.
  for f in "$src/src/$l"/*.c "$src/src/$l"/*.h; do
    [ -f "$f" ] || continue
    for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
      case "$allowed" in
        *" $inc "*) ok ;;
        *) bad "$(basename "$f") ($l) includes a header of $inc, which $l may not use (uses: $(uses "$l"))" ;;
      esac
    done
  done
  # Symbols.
  nm --undefined-only "$build/libds_$l.a" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u >"$tmp/undef.$l"
  for other in $layers; do
    case "$allowed" in *" $other "*) continue ;; esac
    comm -12 "$tmp/undef.$l" "$tmp/def.$other" >"$tmp/edge"
    [ -s "$tmp/edge" ] && bad "$l calls into $other: $(head -3 "$tmp/edge" | tr '\n' ' ')" || ok
  done
done
finish layers
