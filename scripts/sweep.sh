#!/bin/sh
# DivShare's sensitivity to its knobs, one knob at a time around the
# experiment's own settings (as in the paper's ablations): the number of
# fragments Omega, the fan-out J (degree) and the number of straggler nodes.
# Every distinct configuration is run once (DivShare only), then one table
# of all runs is written as Markdown and CSV, with speed-ups relative to the
# experiment's own settings.
#
# usage: scripts/sweep.sh EXPERIMENT.ini OUT_DIR [--set SEC.KEY=VAL]... [--threads N]
#   (--set values without spaces)
#   OMEGAS="1 2 5 10 20" DEGREES="3 6 9 12" STRAGGLERS="0 7 15 30" (defaults)
#   set any of them to "" to skip that knob; DIVSHARE=path/to/divshare.
# Output: OUT_DIR/o<Omega>_d<degree>_s<stragglers>/divshare/ per run,
#         OUT_DIR/sweep.md, OUT_DIR/sweep.csv, OUT_DIR/plots/.
# A finished run (summary.json with "complete": true) is not run again, so
# an interrupted sweep resumes where it stopped.
set -eu
if [ $# -lt 2 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '2,/^set -eu$/p' "$0" | sed '$d; s/^# \{0,1\}//'
  [ $# -ge 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; } && exit 0
  exit 2
fi
exp=$1 out=$2
shift 2
ds=${DIVSHARE:-$(dirname "$0")/../build/divshare}
[ -x "$ds" ] || { echo "sweep: $ds not found: build first (cmake --build build) or set DIVSHARE" >&2; exit 2; }
omegas=${OMEGAS-1 2 5 10 20}
degrees=${DEGREES-3 6 9 12}
stragglers=${STRAGGLERS-0 7 15 30}
# The experiment's own values, after any --set given to this script.
sets=""
prev=""
for a in "$@"; do
  [ "$prev" = --set ] && sets="$sets --set $a"
  prev=$a
done
# shellcheck disable=SC2086
resolved=$("$ds" check "$exp" $sets --print)
get() { echo "$resolved" | awk -F' = ' -v s="[$1]" -v k="$2" '$0 == s { in_s = 1; next } /^\[/ { in_s = 0 } in_s && $1 == k { print $2; exit }'; }
frac0=$(get algorithm chunk_fraction)
deg0=$(get algorithm degree)
str0=$(get network stragglers)
[ -n "$frac0" ] && [ -n "$deg0" ] && [ -n "$str0" ] || { echo "sweep: cannot read the resolved config of $exp" >&2; exit 2; }
omega0=$(awk -v f="$frac0" 'BEGIN { printf "%d", 1 / f + 0.5 }')

mkdir -p "$out"
runs=""
run() { # run OMEGA DEGREE STRAGGLERS [divshare run options...]
  o=$1 d=$2 st=$3
  shift 3
  name="o${o}_d${d}_s${st}"
  case " $runs " in *" $name "*) return 0 ;; esac
  runs="$runs $name"
  if grep -q '"complete":[[:space:]]*true' "$out/$name/divshare/summary.json" 2>/dev/null; then
    echo "sweep: $name done already"
    return 0
  fi
  frac=$(awk -v o="$o" 'BEGIN { printf "%.10g", 1 / o }')
  echo "sweep: $name (chunk_fraction $frac, degree $d, stragglers $st)"
  "$ds" run "$exp" "$@" --set algorithm.algorithms=divshare --set "algorithm.chunk_fraction=$frac" \
    --set "algorithm.degree=$d" --set "network.stragglers=$st" --quiet --out "$out/$name"
}
# "$@" is the user's options; keep them by running in this order.
base="o${omega0}_d${deg0}_s${str0}"
for x in $omegas; do run "$x" "$deg0" "$str0" "$@"; done
for x in $degrees; do run "$omega0" "$x" "$str0" "$@"; done
for x in $stragglers; do run "$omega0" "$deg0" "$x" "$@"; done
run "$omega0" "$deg0" "$str0" "$@"

dirs=""
for r in $runs; do dirs="$dirs $out/$r/divshare"; done
# shellcheck disable=SC2086
"$ds" compare --markdown --baseline "$out/$base/divshare" $dirs >"$out/sweep.md.tmp" && mv "$out/sweep.md.tmp" "$out/sweep.md"
# shellcheck disable=SC2086
"$ds" compare --csv --baseline "$out/$base/divshare" $dirs >"$out/sweep.csv.tmp" && mv "$out/sweep.csv.tmp" "$out/sweep.csv"
# shellcheck disable=SC2086
"$ds" plot --out "$out/plots" $dirs >/dev/null || echo "sweep: no plots (see above)" >&2
# shellcheck disable=SC2086
"$ds" compare --baseline "$out/$base/divshare" $dirs
echo "sweep: tables in $out/sweep.md and $out/sweep.csv, plots in $out/plots/"
