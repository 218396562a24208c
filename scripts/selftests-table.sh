#!/bin/sh
# selftests-table.sh - docs/selftests.md, the table of the kernel's mm
# selftests (tools/testing/selftests/mm of Linux 6.18) as mmlab scenarios,
# generated from the tree: scenarios/selftests/<file>/SCOPE lists every
# case of <file>.c, each "scenario" (scenarios/selftests/<file>/
# <case>.lua), "not-modelled" with the mechanism the model lacks yet (a
# part of the memory manager to build), or "out-of-scope" with the reason
# (not the memory manager, or what the model leaves out by design),
# tab-separated; a line
# starting with "#" is a comment (how the cases were counted, say).
#
# The static columns (cases, expressed, not modelled, out of scope) and the out-of-scope
# list come from the SCOPE files; what agrees with this host and what the
# host cannot show come from the results file scripts/run-scenarios.sh
# writes (build/selftests.results: file, case, verdict, detail).
#
# usage: scripts/selftests-table.sh [--run] [--results FILE] [--check] [OUT]
#   OUT        where the page goes (default docs/selftests.md; - for stdout)
#   --run      run the catalogue first (scripts/run-scenarios.sh), which
#              writes the results file
#   --results  the results file (default build/selftests.results)
#   --check    write nothing: exit 1 unless every SCOPE agrees with its
#              directory and OUT's static columns and out-of-scope list are
#              what the tree gives (make test runs this)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
out=docs/selftests.md
results=$top/build/selftests.results
check=0
run=0
while [ $# -gt 0 ]; do
	case $1 in
	--check) check=1 ;;
	--run) run=1 ;;
	--results) results=$2; shift ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-?*) echo "selftests-table.sh: unknown option '$1'" >&2; exit 2 ;;
	*) out=$1 ;;
	esac
	shift
done

# Every selftest file of the catalogue, in the order of the table.
FILES="merge guard-regions cow madv_populate map_populate map_fixed_noreplace
mremap_test mremap_dontunmap mlock2-tests mkdirty soft-dirty pagemap_ioctl
uffd-unit-tests khugepaged migration process_madv rmap prctl_thp_disable
split_huge_page_test droppable mseal_test"
dir=$top/scenarios/selftests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $run = 1 ]; then
	MMLAB_SELFTESTS_RESULTS=$results "$top/scripts/run-scenarios.sh" \
		"$top/build/mmlab" "$dir"/*/*.lua >/dev/null
fi

# consistency of SCOPE against the files: one problem a line on stdout
consistency() {
	for d in "$dir"/*/; do
		[ -d "$d" ] || continue
		f=$(basename "$d")
		# FILES spans lines: flattened to words
		case " $(echo $FILES) " in
		*" $f "*) ;;
		*) echo "scenarios/selftests/$f: not a selftest file of the catalogue" ;;
		esac
		if [ ! -f "$d/SCOPE" ]; then
			echo "scenarios/selftests/$f/SCOPE: missing"
			continue
		fi
		for l in "$d"*.lua; do
			[ -f "$l" ] && basename "$l" .lua
		done >"$tmp/lua"
		# each scenario's first line, in one pass
		set -- "$d"*.lua
		[ -f "$1" ] && awk -v f="$f" 'FNR == 1 {
			c = FILENAME; sub(/.*\//, "", c); sub(/\.lua$/, "", c)
			if (index($0, "-- selftest " f ".c " c ": ") != 1 ||
			    length($0) <= length("-- selftest " f ".c " c ": "))
				printf "scenarios/selftests/%s/%s.lua:1: first line is not \047-- selftest %s.c %s: <what it checks>\047\n", f, c, f, c
			nextfile
		}' "$@"
		awk -F '\t' -v f="$f" -v luas="$tmp/lua" '
			BEGIN { while ((getline l < luas) > 0) lua[l] = 1 }
			/^#/ { next }
			{
				where = "scenarios/selftests/" f "/SCOPE:" NR
				if ($1 == "") { print where ": empty case name"; next }
				if ($1 in seen) print where ": " $1 " listed twice"
				seen[$1] = 1
				if ($2 == "scenario") {
					if (NF != 2) print where ": a scenario row has two fields"
					if (!($1 in lua)) print where ": " $1 ".lua is missing"
				} else if ($2 == "out-of-scope" || $2 == "not-modelled") {
					if (NF != 3 || $3 == "") print where ": " $2 " needs a reason"
					if ($1 in lua) print where ": " $1 " is " $2 " but has a scenario"
				} else {
					print where ": second field is \"" $2 "\", not scenario, not-modelled or out-of-scope"
				}
			}
			END {
				for (l in lua)
					if (!(l in seen))
						print "scenarios/selftests/" f "/" l ".lua: no row in SCOPE"
			}' "$d/SCOPE"
	done
}

# the rows of the table's static part and the out-of-scope list
static_part() {
	for f in $FILES; do
		s=$dir/$f/SCOPE
		if [ -f "$s" ]; then
			awk -F '\t' -v f="$f" '
				/^#/ { next } { n++ } $2 == "scenario" { e++ } $2 == "out-of-scope" { o++ }
				$2 == "not-modelled" { m++ }
				END { printf "%s\t%d\t%d\t%d\t%d\n", f, n, e, m, o }' "$s"
		else
			printf '%s\t0\t0\t0\t0\n' "$f"
		fi
	done
}

if [ $check = 1 ]; then
	consistency >"$tmp/problems"
	if [ ! -f "$out" ]; then
		echo "$out: missing (scripts/selftests-table.sh writes it)" >>"$tmp/problems"
	else
		static_part >"$tmp/want"
		# the table's rows: | `file.c` | cases | expressed | ... | out of scope |
		awk -F '|' '/^\| `[^`]*\.c` \|/ {
			f = $2; gsub(/[ `]/, "", f); sub(/\.c$/, "", f)
			g = $3; e = $4; m = $8; o = $9
			gsub(/ /, "", g); gsub(/ /, "", e); gsub(/ /, "", m); gsub(/ /, "", o)
			printf "%s\t%s\t%s\t%s\t%s\n", f, g, e, m, o
		}' "$out" >"$tmp/have"
		if ! cmp -s "$tmp/want" "$tmp/have"; then
			echo "$out: the table's cases / expressed / not-modelled / out-of-scope columns are not the tree's (file, cases, expressed, not modelled, out of scope; - the page, + the tree):" >>"$tmp/problems"
			diff "$tmp/have" "$tmp/want" | sed -n 's/^</  -/p; s/^>/  +/p' >>"$tmp/problems"
		fi
		for f in $FILES; do
			[ -f "$dir/$f/SCOPE" ] || continue
			awk -F '\t' -v f="$f" '$2 == "out-of-scope" || $2 == "not-modelled" {
				printf "- `%s` %s: %s\n", f ".c", $1, $3 }' "$dir/$f/SCOPE"
		done | sort >"$tmp/oos_want"
		sed -n '/^## Not modelled yet/,$p' "$out" | grep '^- ' | sort >"$tmp/oos_have"
		cmp -s "$tmp/oos_want" "$tmp/oos_have" ||
			echo "$out: the out-of-scope list is not the SCOPE files' (scripts/selftests-table.sh rewrites it)" >>"$tmp/problems"
	fi
	if [ -s "$tmp/problems" ]; then
		cat "$tmp/problems"
		echo "selftests-table.sh --check: failed (above: what does not match)"
		exit 1
	fi
	echo "selftests-table.sh --check: SCOPE files, scenarios and $(basename "$out") agree"
	exit 0
fi

consistency >"$tmp/problems"
if [ -s "$tmp/problems" ]; then
	cat "$tmp/problems" >&2
	echo "selftests-table.sh: fix SCOPE first" >&2
	exit 1
fi
[ -f "$results" ] || : >"$tmp/noresults"
# the results of cases that are scenarios now (a renamed case's old
# verdict stays out)
for f in $FILES; do
	[ -f "$dir/$f/SCOPE" ] &&
		awk -F '\t' -v f="$f" '$2 == "scenario" { print f "\t" $1 }' "$dir/$f/SCOPE"
done >"$tmp/known"
if [ -f "$results" ]; then
	awk -F '\t' 'FNR == NR { k[$0] = 1; next } ($1 "\t" $2) in k' \
		"$tmp/known" "$results" >"$tmp/results"
else
	: >"$tmp/results"
fi
static_part >"$tmp/static"

{
	echo "# The kernel's mm selftests as scenarios"
	echo
	echo "Generated by \`scripts/selftests-table.sh\` from \`scenarios/selftests/*/SCOPE\`"
	echo "and the results of the last \`scripts/run-scenarios.sh\` run; do not edit."
	echo "\`make test\` checks that the cases, expressed, not-modelled and out-of-scope"
	echo "columns and the two lists at the end match the tree."
	echo
	echo "Each case of a selftest file of \`tools/testing/selftests/mm\` (Linux 6.18)"
	echo "is a scenario \`scenarios/selftests/<file>/<case>.lua\` that checks the same"
	echo "behaviour on the model and on this kernel (\`mmlab diff\`); or it needs a"
	echo "mechanism of the memory manager the model does not have yet (*not"
	echo "modelled*, with what is missing); or it is out of scope with the reason."
	echo "*Agree* counts the scenarios whose diff found no"
	echo "difference on this host; *host cannot show* those whose linux side was"
	echo "skipped because this host lacks what they need (the model side still"
	echo "ran and passed); *do not agree* those whose diff failed."
	if [ -f "$tmp/noresults" ]; then
		echo
		echo "No results file was found: the host columns are empty (run"
		echo "\`scripts/selftests-table.sh --run\` as root)."
	elif grep -qE '	model-(pass|fail|skip)	' "$tmp/results"; then
		echo
		echo "Some results were taken without root: those cases ran on the model"
		echo "alone and count in no host column."
	fi
	echo
	echo "| selftest | cases | expressed | agree | host cannot show | do not agree | not modelled | out of scope |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk -F '\t' -v res="$tmp/results" '
		BEGIN { while ((getline l < res) > 0) { split(l, r, "\t"); v[r[1]] = v[r[1]] " " r[3] } }
		{
			a = 0; h = 0; d = 0
			n = split(v[$1], x, " ")
			for (i = 1; i <= n; i++) {
				if (x[i] == "agree") a++
				else if (x[i] == "host-skip") h++
				else if (x[i] == "differ" || x[i] == "error" || x[i] == "model-fail") d++
			}
			printf "| `%s.c` | %d | %d | %d | %d | %d | %d | %d |\n", $1, $2, $3, a, h, d, $4, $5
			for (i = 2; i <= 5; i++) t[i] += $i
			ta += a; th += h; td += d
		}
		END { printf "| all | %d | %d | %d | %d | %d | %d | %d |\n", t[2], t[3], ta, th, td, t[4], t[5] }
	' "$tmp/static"

	echo
	echo "## Cases this host cannot show"
	echo
	awk -F '\t' '$3 == "host-skip" { sub(/^[^ ]*:[0-9]+: /, "", $4)
			printf "- `%s.c` %s: %s\n", $1, $2, $4; n++ }
		END { if (!n) print "None." }' "$tmp/results"
	echo
	echo "## Cases that do not agree"
	echo
	awk -F '\t' '$3 == "differ" || $3 == "error" || $3 == "model-fail" {
			printf "- `%s.c` %s: %s%s\n", $1, $2, $3, $4 == "" ? "" : " (" $4 ")"; n++ }
		END { if (!n) print "None." }' "$tmp/results"
	echo
	for kind in not-modelled out-of-scope; do
		if [ $kind = not-modelled ]; then
			echo "## Not modelled yet"
		else
			echo
			echo "## Out of scope"
		fi
		echo
		for f in $FILES; do
			[ -f "$dir/$f/SCOPE" ] || continue
			awk -F '\t' -v f="$f" -v k=$kind '$2 == k {
				printf "- `%s` %s: %s\n", f ".c", $1, $3 }' "$dir/$f/SCOPE"
		done >"$tmp/oos"
		if [ -s "$tmp/oos" ]; then cat "$tmp/oos"; else echo "None."; fi
	done
} >"$tmp/page"
if [ "$out" = - ]; then cat "$tmp/page"; else cp "$tmp/page" "$out"; fi
