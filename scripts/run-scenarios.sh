#!/bin/sh
# run-scenarios.sh - run every scenario in scenarios/ on the model
# (`mmlab run`), and, when root, compare it with the real kernel
# (`mmlab diff`, which runs it on both backends).  One line per scenario,
# "PASS name" or "FAIL name", then "N passed, N failed"; exit 0 only if none
# failed.  A scenario the model cannot pass yet is a failure, not a skip.
#
# usage: scripts/run-scenarios.sh [-v] [MMLAB [SCENARIO...]]
#   MMLAB defaults to build/mmlab; -v shows the output of failures.
verbose=0
if [ "$1" = "-v" ]; then verbose=1; shift; fi
top=$(cd "$(dirname "$0")/.." && pwd)
mmlab=${1:-$top/build/mmlab}
[ $# -gt 0 ] && shift
if [ ! -x "$mmlab" ]; then
	echo "run-scenarios.sh: $mmlab is not built (make build)" >&2
	exit 2
fi
if [ $# -gt 0 ]; then list="$*"; else list=$(ls "$top"/scenarios/*.lua); fi
root=0
[ "$(id -u)" = 0 ] && root=1
[ $root = 1 ] || echo "run-scenarios.sh: not root: model runs only, no diff" >&2
lock=
command -v flock >/dev/null && lock="flock /tmp/mmlab-diff.lock"
pass=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for s in $list; do
	name=$(basename "$s" .lua)
	ok=1
	"$mmlab" run --timeout 300 "$s" >"$out" 2>&1 || ok=0
	if [ $ok = 1 ] && [ $root = 1 ]; then
		# one diff at a time on this host: it changes sysfs knobs
		$lock "$mmlab" diff --timeout 300 "$s" >"$out" 2>&1 || ok=0
	fi
	if [ $ok = 1 ]; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		fail=$((fail + 1))
		[ $verbose = 1 ] && sed 's/^/    /' "$out"
	fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
