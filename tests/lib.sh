# lib.sh: the shared harness of the shell tests, sourced by each:
#   . "$(dirname "$0")/lib.sh"
# gives a scratch directory $tmp (removed on exit), ok / bad to count
# checks (bad prints what failed), and finish NAME to print the tally and
# set the exit status.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "NOT OK: $*"; }
finish() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" = 0 ]
}
