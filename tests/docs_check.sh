#!/bin/sh
# Documentation cannot drift from the code: the README's config reference
# must equal `divshare config-reference`, every example file must load
# (unknown keys or bad values fail) and pass `divshare check`, every
# command's --help exits 0, and the man page documents every command.
# usage: docs_check.sh PATH/TO/divshare SOURCE_DIR
set -u
ds=$1 src=$2
. "$(dirname "$0")/lib.sh"

"$ds" config-reference >"$tmp/ref"
sed -n '/<!-- config-reference:begin -->/,/<!-- config-reference:end -->/p' "$src/README.md" | sed '1d;$d' >"$tmp/readme"
if cmp -s "$tmp/ref" "$tmp/readme"; then ok; else
  bad "README config reference is out of date: run scripts/update-readme-reference.sh"
  diff "$tmp/ref" "$tmp/readme" | head -20
fi
for f in "$src"/examples/*.ini; do
  # 'partition' loads the config fully; only data absence may fail it.
  out=$("$ds" partition --config "$f" 2>&1 >/dev/null)
  case "$out" in
    ""|*"not found"*|*"cannot open"*|*"absent"*|*"no ratings"*|*"neither"*) ok ;;
    *) bad "$f: $out" ;;
  esac
done
# 'check' validates the simulator settings too (algorithms, stragglers...).
# (A dataset that is not on this machine is the one failure allowed.)
for f in "$src"/examples/*.ini; do
  if "$ds" check "$f" >/dev/null 2>"$tmp/err" || grep -q "\[dataset\] path = .*: not found" "$tmp/err"; then ok; else
    bad "divshare check $f: $(cat "$tmp/err")"
  fi
done
for cmd in "" run launch node keygen collect compare plot check train partition config-reference version; do
  if "$ds" $cmd --help >/dev/null 2>&1; then ok; else bad "divshare $cmd --help"; fi
done
for cmd in run launch node keygen collect compare plot check train partition config-reference version; do
  grep -q "^\\fB$cmd\\fR\|^\.B $cmd\|^\.SS $cmd" "$src/docs/divshare.1" && ok || bad "docs/divshare.1 does not document '$cmd'"
done
finish docs_check
