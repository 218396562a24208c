# cli_lib.sh: sourced by the CLI tests (cli_*.sh MMLAB SRCDIR): their
# arguments, `no MESSAGE` to record a failure, a temporary directory $tmp
# removed at exit.  The test ends with `exit $fail`.
set -u
mmlab=$1 src=$2
fail=0
no() { echo "FAIL: $*"; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
