#!/bin/sh
# replay.sh MMLAB N EXPECT [--load] -- RUN-ARGS...: `mmlab run RUN-ARGS` N
# times (deterministic mode: RUN-ARGS carry --deterministic --seed ...);
# every run must exit EXPECT ("fail": non-zero; else that status) and print
# exactly the same stdout and stderr (a failure at the same schedule step,
# the same schedule line).  --load keeps both host CPUs busy meanwhile.
# The model's debug lines print host heap pointers (a VMA, an mm): those
# are masked (0xPTR) before the comparison.
set -u
mmlab=$1 n=$2 expect=$3
shift 3
load=
if [ "$1" = "--load" ]; then
	load=1
	shift
fi
[ "$1" = "--" ] && shift
tmp=$(mktemp -d)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
if [ -n "$load" ]; then
	for i in 1 2; do
		sh -c 'while :; do :; done' &
		pids="$pids $!"
	done
fi
i=0
while [ $i -lt "$n" ]; do
	setarch "$(uname -m)" -R "$mmlab" run "$@" >"$tmp/raw" 2>&1
	rc=$?
	sed -E 's/0x5[0-9a-f]{11}\b/0xPTR/g' "$tmp/raw" >"$tmp/out"
	if [ "$expect" = fail ]; then
		[ $rc -ne 0 ] || { echo "run $i: exit 0, expected a failure"; exit 1; }
	elif [ $rc -ne "$expect" ]; then
		echo "run $i: exit $rc, expected $expect"; cat "$tmp/out"; exit 1
	fi
	if [ $i -eq 0 ]; then
		cp "$tmp/out" "$tmp/first"
	elif ! cmp -s "$tmp/first" "$tmp/out"; then
		echo "run $i differs from run 0:"
		diff "$tmp/first" "$tmp/out" | head -20
		exit 1
	fi
	i=$((i + 1))
done
grep -E 'schedule|FAIL|stale TLB: cpu|BUG' "$tmp/first" | head -4
echo "$n runs, identical output, exit $rc each"
