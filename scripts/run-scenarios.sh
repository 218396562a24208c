#!/bin/sh
# run-scenarios.sh - run every scenario in scenarios/ on the model
# (`mmlab run`), and, when root, compare it with the real kernel
# (`mmlab diff`, which runs it on both backends, the model in this host's
# profile).  One line per scenario: "PASS name", "FAIL name" or
# "SKIP name: reason", then "N passed, N failed, N skipped"; exit 0 only if
# none failed.
#
# A scenario whose diff could not run (not root, or mm.require names what
# this host lacks) passes on its own expectations when it has some (the
# line says "model only" and why); with none, nothing was checked and it
# is skipped.  A scenario the model cannot pass yet is a failure.
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
skip=0
out=$(mktemp)
dout=$(mktemp)
trap 'rm -f "$out" "$dout"' EXIT

# skip_reason FILE: the reason of the first "... skipped: " or "SKIP " line
skip_reason() {
	sed -n -e 's/^linux side skipped: //p' -e 's/^SKIP //p' "$1" | head -1
}

for s in $list; do
	name=$(basename "$s" .lua)
	"$mmlab" run --timeout 300 "$s" >"$out" 2>&1
	rc=$?
	held=$(sed -n 's/^\([0-9]*\) expectations\{0,1\} held$/\1/p' "$out" | tail -1)
	held=${held:-0}
	if [ $rc = 77 ]; then
		echo "SKIP $name: model: $(skip_reason "$out")"
		skip=$((skip + 1))
		continue
	fi
	verdict=PASS
	note=
	[ $rc = 0 ] || verdict=FAIL
	if [ $verdict = PASS ] && [ $root = 1 ]; then
		# one diff at a time on this host: it changes sysfs knobs
		$lock "$mmlab" diff --timeout 300 "$s" >"$dout" 2>&1
		drc=$?
		if [ $drc = 77 ]; then
			note=$(skip_reason "$dout")
		elif [ $drc != 0 ]; then
			verdict=FAIL
			cp "$dout" "$out"
		fi
	elif [ $verdict = PASS ]; then
		note="not root: mmlab diff needs root"
	fi
	if [ $verdict = PASS ] && [ -n "$note" ]; then
		if [ "$held" -gt 0 ]; then
			echo "PASS $name (model only, $held expectations; linux not compared: $note)"
		else
			echo "SKIP $name: nothing checked: linux not compared: $note"
			skip=$((skip + 1))
			continue
		fi
	else
		echo "$verdict $name"
	fi
	if [ $verdict = PASS ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		[ $verbose = 1 ] && sed 's/^/    /' "$out"
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
