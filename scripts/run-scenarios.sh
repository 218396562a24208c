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
# The selftest catalogue, scenarios/selftests/<file>/<case>.lua (named
# selftests/<file>/<case>), runs after the library, two scenarios at a
# time, on a 256 MiB model (a scenario that needs a larger machine says so
# in a line "-- run with: --mem SIZE", one that needs memory nodes
# "-- run with: --nodes N").  As root it runs `mmlab diff` only: the diff's
# model run checks the scenario's expectations too (the diff fails when
# they fail), so a separate model run would add nothing.  Each case's
# verdict goes to the results file ($MMLAB_SELFTESTS_RESULTS, default
# selftests.results beside MMLAB) that scripts/selftests-table.sh reads:
# "file<TAB>case<TAB>verdict<TAB>detail", verdict one of agree (the diff
# found no difference), host-skip (the linux side was skipped: detail is
# the reason), differ (a difference or a failed expectation), error,
# model-pass / model-fail / model-skip (not root: model runs only).
#
# The host is probed once (`mmlab host --save`) and every run takes the
# profile from there ($MMLAB_HOST_PROFILE).  Scenarios run two at a
# time; the linux run of a diff that changes the host (mm.set, mm.swapon,
# khugepaged scans) or reads machine-wide counters (mm.vmstat, mm.get),
# in the scenario or in a helper it includes, holds /tmp/mmlab-diff.lock
# alone (the diff takes it: $MMLAB_DIFF_HOST_LOCK); the other linux runs
# and every model run share it (the model's memory is a host mapping whose
# THPs move the host's counters).
#
# usage: scripts/run-scenarios.sh [-v] [MMLAB] [SCENARIO|DIRECTORY...]
#   MMLAB (an executable file) defaults to build/mmlab; a DIRECTORY stands
#   for the scenarios in it; -v shows the output of failures.
# diff_env S: the environment a diff of S runs with ($RS_LOCK set): the
# diff locks $RS_LOCK around what reads or changes the host, and its linux
# run holds it alone when S or a helper it includes changes the host
# (mm.set, mm.swapon, khugepaged scans, the debugfs split) or reads
# machine-wide counters (mm.vmstat, mm.get, mm.settle); else shared
diff_env() {
	[ -n "$RS_LOCK" ] || return 0
	files=$1
	for l in $(sed -n 's/.*mm\.include("\([^"]*\)".*/\1/p' "$1"); do
		files="$files $(dirname "$1")/$l"
	done
	if cat $files 2>/dev/null |
	   grep -qE 'mm\.(set|get|swapon|khugepaged_scan|vmstat|settle|split_huge_pages)[ (]|mm\.parallel'; then
		echo "MMLAB_DIFF_HOST_LOCK=$RS_LOCK MMLAB_DIFF_HOST_LOCK_SHARED=0"
	else
		echo "MMLAB_DIFF_HOST_LOCK=$RS_LOCK MMLAB_DIFF_HOST_LOCK_SHARED=1"
	fi
}

# skip_reason FILE: the reason of the first "... skipped: " or "SKIP " line
skip_reason() {
	sed -n -e 's/^linux side skipped: //p' -e 's/^SKIP //p' "$1" | head -1
}

if [ "$1" = "--lib" ]; then
	# internal: one library scenario ($3): its line ($2/NAME.line) and
	# output ($2/NAME.out).  As root `mmlab diff` alone: it runs the model
	# too and fails on a failed expectation; the model runs again by
	# itself only when the linux side was skipped (to count what the
	# model checked).
	s=$3
	name=$(basename "$s" .lua)
	out=$2/$name.out
	dout=$2/$name.model
	verdict=PASS
	note=
	held=0
	if [ "$RS_ROOT" = 1 ]; then
		env $(diff_env "$s") "$RS_MMLAB" diff --timeout 300 "$s" >"$out" 2>&1
		rc=$?
		if [ $rc = 77 ] && grep -q '^model side skipped: ' "$out"; then
			sed -i 's/^model side skipped: /SKIP /' "$out"
		elif [ $rc = 77 ]; then
			note=$(skip_reason "$out")
			"$RS_MMLAB" run --timeout 300 "$s" >"$dout" 2>&1 || verdict=FAIL
			held=$(sed -n 's/^\([0-9]*\) expectations\{0,1\} held$/\1/p' "$dout" | tail -1)
			rc=0
		fi
	else
		"$RS_MMLAB" run --timeout 300 "$s" >"$out" 2>&1
		rc=$?
		held=$(sed -n 's/^\([0-9]*\) expectations\{0,1\} held$/\1/p' "$out" | tail -1)
		[ $rc = 0 ] && note="not root: mmlab diff needs root"
	fi
	[ $rc = 0 ] || [ $rc = 77 ] || verdict=FAIL
	held=${held:-0}
	if [ $rc = 77 ]; then
		line="SKIP $name: model: $(skip_reason "$out")"
	elif [ $verdict = PASS ] && [ -n "$note" ]; then
		if [ "$held" -gt 0 ]; then
			line="PASS $name (model only, $held expectations; linux not compared: $note)"
		else
			line="SKIP $name: nothing checked: linux not compared: $note"
		fi
	else
		line="$verdict $name"
	fi
	echo "$line" >"$2/$name.line"
	exit 0
fi

if [ "$1" = "--one" ]; then
	# internal: one catalogue scenario ($3), its line and its result
	# under the directory $2; the rest comes from the environment
	s=$3
	res=$2/$(echo "$s" | sed 's|.*/selftests/||; s|/|__|g')
	rel=${s##*/selftests/}
	file=${rel%%/*}
	case=$(basename "$rel" .lua)
	name=selftests/$file/$case
	out=$res.out
	mem=$(sed -n 's/^-- run with: --mem \([0-9]*[KMG]\).*/\1/p' "$s" | head -1)
	mem=${mem:-256M}
	# "-- run with: --nodes N": a model of N memory nodes
	nodes=$(sed -n 's/^-- run with:.*--nodes \([0-9]*\).*/--nodes \1/p' "$s" | head -1)
	if [ "$RS_ROOT" = 1 ]; then
		env $(diff_env "$s") "$RS_MMLAB" diff -v --mem "$mem" $nodes --timeout 300 "$s" >"$out" 2>&1
		rc=$?
		# the model's part of the verbose output
		# -v puts the sides side by side: the model's is the left column
		held=$(sed -n 's/^\([0-9]*\) expectations\{0,1\} held\( *|.*\)\{0,1\}$/\1/p' "$out" | head -1)
		why=$(sed -n 's/^linux side skipped: //p' "$out" | head -1)
		case $rc in
		0) verdict=agree ;;
		77) verdict=host-skip ;;
		1) verdict=differ ;;
		*) verdict=error ;;
		esac
		# what a failure was: the first difference, failed expectation
		# or script error
		if [ $rc != 0 ] && [ $rc != 77 ]; then
			why=$(grep -m1 -E ': model=.* linux=|^FAIL line|\.lua:[0-9]+: ' "$out" |
			      sed 's|^[^ ]*/scenarios/|scenarios/|')
		fi
	else
		"$RS_MMLAB" run --mem "$mem" $nodes --timeout 300 "$s" >"$out" 2>&1
		rc=$?
		held=$(sed -n 's/^\([0-9]*\) expectations\{0,1\} held$/\1/p' "$out" | tail -1)
		why=$(sed -n 's/^SKIP //p' "$out" | head -1)
		case $rc in
		0) verdict=model-pass; why="not root: mmlab diff needs root" ;;
		77) verdict=model-skip ;;
		*) verdict=model-fail ;;
		esac
	fi
	held=${held:-0}
	case $verdict in
	agree) line="PASS $name" ;;
	host-skip | model-pass)
		if [ "$held" -gt 0 ]; then
			line="PASS $name (model only, $held expectations; linux not compared: $why)"
		else
			line="SKIP $name: nothing checked: linux not compared: $why"
		fi ;;
	model-skip) line="SKIP $name: model: $why" ;;
	*) line="FAIL $name" ;;
	esac
	echo "$line" >"$res.line"
	printf '%s\t%s\t%s\t%s\n' "$file" "$case" "$verdict" "$why" >"$res.result"
	exit 0
fi

verbose=0
if [ "$1" = "-v" ]; then verbose=1; shift; fi
top=$(cd "$(dirname "$0")/.." && pwd)
self=$top/scripts/$(basename "$0")
mmlab=$top/build/mmlab
if [ $# -gt 0 ] && [ -f "$1" ] && [ -x "$1" ]; then
	mmlab=$1
	shift
fi
if [ ! -x "$mmlab" ]; then
	echo "run-scenarios.sh: $mmlab is not built (make build)" >&2
	exit 2
fi
case $mmlab in /*) ;; *) mmlab=$(pwd)/$mmlab ;; esac
if [ $# -gt 0 ]; then
	list=
	catalogue=
	for s in $(for a in "$@"; do
			if [ -d "$a" ]; then ls "${a%/}"/*.lua; else echo "$a"; fi
		   done); do
		case $s in
		*/selftests/*/*.lua) catalogue="$catalogue $s" ;;
		*) list="$list $s" ;;
		esac
	done
else
	list=$(ls "$top"/scenarios/*.lua)
	catalogue=$(ls "$top"/scenarios/selftests/*/*.lua 2>/dev/null)
fi
root=0
[ "$(id -u)" = 0 ] && root=1
[ $root = 1 ] || echo "run-scenarios.sh: not root: model runs only, no diff" >&2
lock=/tmp/mmlab-diff.lock
pass=0
fail=0
skip=0
out=$(mktemp)
dout=$(mktemp)
work=$(mktemp -d)
trap 'restore_knobs; rm -rf "$out" "$dout" "$work"' EXIT

# The host's THP knobs, saved before the first scenario and compared after
# the last: a diff that dies before it restores what it set (a timeout, a
# kill) would leave them changed for every later run.  A knob found changed
# is named and put back.
knob_files() {
	ls /sys/kernel/mm/transparent_hugepage/enabled \
	   /sys/kernel/mm/transparent_hugepage/defrag \
	   /sys/kernel/mm/transparent_hugepage/shmem_enabled \
	   /sys/kernel/mm/transparent_hugepage/use_zero_page \
	   /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_* \
	   /sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan \
	   /sys/kernel/mm/transparent_hugepage/khugepaged/defrag \
	   /sys/kernel/mm/transparent_hugepage/hugepages-*/enabled \
	   /sys/kernel/mm/transparent_hugepage/hugepages-*/shmem_enabled 2>/dev/null
}
knob_value() {
	v=$(cat "$1" 2>/dev/null)
	case $v in *\[*) v=${v#*[}; v=${v%%]*} ;; esac
	echo "$v"
}
save_knobs() {
	[ "$(id -u)" = 0 ] || return 0
	for f in $(knob_files); do
		printf '%s %s\n' "$f" "$(knob_value "$f")"
	done >"$work/knobs"
}
restore_knobs() {
	[ -f "$work/knobs" ] || return 0
	while read -r f v; do
		now=$(knob_value "$f")
		if [ "$now" != "$v" ]; then
			echo "run-scenarios.sh: a scenario left $f at '$now' (was '$v'): restored" >&2
			echo "$v" >"$f" 2>/dev/null
		fi
	done <"$work/knobs"
	rm -f "$work/knobs"
}
save_knobs

# the host's profile, probed once for every run below
if "$mmlab" host --save "$work/host.profile" 2>/dev/null; then
	MMLAB_HOST_PROFILE=$work/host.profile
	export MMLAB_HOST_PROFILE
fi

# the library, two scenarios at a time (diff_env keeps the linux run of a
# diff that changes the host or reads its counters alone)
RS_MMLAB=$mmlab RS_ROOT=$root RS_LOCK=${lock:+/tmp/mmlab-diff.lock}
export RS_MMLAB RS_ROOT RS_LOCK
mkdir "$work/lib"
for s in $list; do echo "$s"; done | xargs -P 2 -n 1 sh "$self" --lib "$work/lib" 2>/dev/null
for s in $list; do
	name=$(basename "$s" .lua)
	if [ ! -f "$work/lib/$name.line" ]; then
		echo "FAIL $name: no verdict (the runner died)"
		fail=$((fail + 1))
		continue
	fi
	line=$(cat "$work/lib/$name.line")
	echo "$line"
	case $line in
	PASS*) pass=$((pass + 1)) ;;
	SKIP*) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1))
	   [ $verbose = 1 ] && sed 's/^/    /' "$work/lib/$name.out" ;;
	esac
done

# the selftest catalogue, two at a time
if [ -n "$catalogue" ]; then
	mkdir "$work/cat"
	for s in $catalogue; do
		case $s in /*) echo "$s" ;; *) echo "$(pwd)/$s" ;; esac
	done | xargs -P 2 -n 1 sh "$self" --one "$work/cat" 2>/dev/null
	for s in $catalogue; do
		r=$work/cat/$(echo "$s" | sed 's|.*/selftests/||; s|/|__|g')
		if [ ! -f "$r.line" ]; then
			echo "FAIL selftests/${s#*/selftests/}: no verdict (the runner died)"
			fail=$((fail + 1))
			continue
		fi
		line=$(cat "$r.line")
		echo "$line"
		case $line in
		PASS*) pass=$((pass + 1)) ;;
		SKIP*) skip=$((skip + 1)) ;;
		*) fail=$((fail + 1))
		   [ $verbose = 1 ] && sed 's/^/    /' "$r.out" ;;
		esac
	done
	# merge this run's verdicts into the results file
	results=${MMLAB_SELFTESTS_RESULTS:-$(dirname "$mmlab")/selftests.results}
	cat "$work"/cat/*.result >"$work/new" 2>/dev/null
	touch "$results" 2>/dev/null && awk -F '\t' '
		FNR == NR { seen[$1 FS $2] = 1; print; next }
		!(($1 FS $2) in seen) { print }
	' "$work/new" "$results" | sort >"$work/merged" && cp "$work/merged" "$results"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
