#!/bin/sh
# experiments.sh SRCDIR MMLAB: docs/experiments.md's LUF sweep, small (LUF
# off/on x 2, 4 CPUs x 2 seeds, 16 pages x 2 rounds): run it, interrupt it
# and resume it; its database's schema is the one the document shows and
# its numbers make the curve (IPIs grow with the CPUs with LUF off, none
# with LUF on); bad grids and databases exit 2; `run --json`, `--repeat`,
# `diff --json`, `bench --db`;
# then the report: each plot has one series per LUF value, and headless
# Chromium renders the page (a screenshot that is not blank, every series
# in the rendered SVG).
set -eu
src=$1 mmlab=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/luf.db
script=$src/scenarios/experiments/luf_shootdowns.lua
set -- --db "$db" --jobs 2 --mem 64M --cpus 2,4 --set luf/enabled=0,1 --seeds 1-2 \
	"$script" 16 2
fail() { echo "experiments: $*"; exit 1; }
q() { sqlite3 "$db" "$1"; }

# 1. interrupted once at least one point is stored (leaving no temporary
# file behind), then resumed
mkdir "$tmp/t"
TMPDIR=$tmp/t "$mmlab" sweep "$@" >"$tmp/out1" 2>&1 &
pid=$!
n=0
while [ "$n" -lt 1 ]; do
	sleep 0.1
	kill -0 "$pid" 2>/dev/null || break
	n=$(q "SELECT count(*) FROM points" 2>/dev/null || echo 0)
done
kill -INT "$pid" 2>/dev/null || true
rc=0; wait "$pid" || rc=$?
cat "$tmp/out1"
[ -z "$(ls -A "$tmp/t")" ] || fail "the interrupted sweep left $(ls -A "$tmp/t") behind"
stored=$(q "SELECT count(*) FROM points")
if [ "$rc" = 130 ]; then
	[ "$stored" -ge 1 ] && [ "$stored" -lt 8 ] || fail "interrupted: $stored points stored"
	grep -q "the same command resumes" "$tmp/out1" || fail "no resume hint"
else
	[ "$rc" = 0 ] || fail "first run exit $rc"	# it finished first
fi
"$mmlab" sweep "$@" >"$tmp/out2" 2>&1 || fail "resume: exit $?: $(cat "$tmp/out2")"
cat "$tmp/out2"
grep -q "^sweep: 8 points: $((8 - stored)) run (0 failed), $stored stored before" "$tmp/out2" ||
	fail "resume did not run just the missing points"
"$mmlab" sweep "$@" | grep -q "0 run (0 failed), 8 stored before" || fail "a third run ran points"

# 2. the schema is the documented one; the metadata is there
sqlite3 "$db" .schema >"$tmp/schema"
sed -n '/<!-- schema begin -->/,/<!-- schema end -->/p' "$src/docs/experiments.md" |
	grep -v -e '^<!--' -e '^```' >"$tmp/doc_schema"
diff -u "$tmp/doc_schema" "$tmp/schema" || fail "schema differs from docs/experiments.md"
[ "$(q 'PRAGMA user_version')" = 1 ] || fail "user_version"
[ "$(q "SELECT count(*) FROM points WHERE git_commit != '' AND mmlab_version != ''
	AND command LIKE 'mmlab run %--seed%' AND sim_seconds > 0")" = 8 ] || fail "metadata"
[ "$(q "SELECT count(DISTINCT point_id) FROM knobs WHERE path LIKE '%luf/enabled'
	AND value = '1'")" = 4 ] || fail "non-default knobs"
[ "$(q "SELECT count(DISTINCT point_id) FROM vmstat WHERE name = 'pgfault'")" = 8 ] ||
	fail "vmstat deltas"
[ "$(q "SELECT count(*) FROM hosts WHERE profile LIKE '[{%'")" -ge 1 ] || fail "host profile"

# 3. the curve: mean shootdown IPIs per (LUF, CPUs)
ipis() {
	q "SELECT avg(o.num) FROM observations o
	   JOIN params c ON c.point_id = o.point_id AND c.name = 'cpus' AND c.value = '$2'
	   JOIN params l ON l.point_id = o.point_id AND l.name LIKE '%luf/enabled' AND l.value = '$1'
	   WHERE o.name = 'shootdown_ipis'"
}
off2=$(ipis 0 2) off4=$(ipis 0 4) on2=$(ipis 1 2) on4=$(ipis 1 4)
echo "shootdown_ipis: LUF off: 2 CPUs $off2, 4 CPUs $off4; LUF on: $on2, $on4"
awk -v a="$off2" -v b="$off4" -v c="$on2" -v d="$on4" \
	'BEGIN { exit !(a > 0 && b > a && c < a && d < b) }' || fail "not the LUF curve"

# 4. bad input: exit 2 with what is wrong
bad() {
	want=$1; shift
	rc=0; out=$("$mmlab" "$@" 2>&1) || rc=$?
	[ "$rc" = 2 ] && echo "$out" | grep -q -- "$want" ||
		fail "'$*': exit $rc, '$out' (want 2 and '$want')"
}
bad "expected KNOB=v1,v2" sweep --db "$db" --set luf/enabled "$script"
bad "an empty value" sweep --db "$db" --set luf/enabled=0,,1 "$script"
bad "'nosuch': unknown knob" sweep --db "$db" --set nosuch=1 "$script"
bad "'x': a number from 1 to 64" sweep --db "$db" --cpus 2,x "$script"
echo junk >"$tmp/junk.db"
bad "not an SQLite database" sweep --db "$tmp/junk.db" "$script"
bad "not an SQLite database" report "$tmp/junk.db" -o "$tmp/r.html"
printf 'return { scenario = "x.lua", cpu = 2 }\n' >"$tmp/grid.lua"
bad "unknown field 'cpu'" sweep --db "$db" --grid "$tmp/grid.lua"

# 5. single runs
"$mmlab" run --json --mem 64M --cpus 2 "$script" 16 2 >"$tmp/run.json"
python3 - "$tmp/run.json" <<'PY' || fail "run --json"
import json, sys
d = json.load(open(sys.argv[1]))
m = d["metadata"]
assert d["exit_status"] == 0 and d["observations"]["shootdown_ipis"] > 0, d
assert m["git_commit"] and m["mmlab_version"] and m["seed"] == 1 and m["host_profile"], m
assert d["vmstat"]["pgfault"] > 0 and d["sim_seconds"] > 0
PY
"$mmlab" run --repeat 2 --mem 64M --cpus 2 "$script" 16 2 >"$tmp/rep"
grep -Eq '^ +[0-9.e+-]+ \+- [0-9.e+-]+ +\( *[0-9.]+%\) +[0-9.e+-]+ +[0-9.e+-]+  shootdown_ipis$' "$tmp/rep" ||
	{ cat "$tmp/rep"; fail "run --repeat"; }

rc=0; "$mmlab" diff --json "$src/scenarios/zero_page_read.lua" >"$tmp/diff.json" || rc=$?
case $rc in 0|1|77) ;; *) fail "diff --json: exit $rc" ;; esac
python3 - "$tmp/diff.json" "$rc" <<'PY' || fail "diff --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_status"] == int(sys.argv[2]) and d["metadata"]["git_commit"], d
assert d["model"]["exit_status"] == 0 and d["model"]["observations"]["present"] > 0, d
assert isinstance(d["differ"], list) and "linux" in d
PY

# bench --db: the records of a benchmark run, one point in the same schema
"$mmlab" bench tlb --model-only --reps 1 --size 4M --db "$db" >/dev/null || fail "bench --db"
[ "$(q "SELECT count(*) FROM bench_records b JOIN points p ON p.id = b.point_id
	WHERE p.kind = 'bench' AND p.target = 'tlb' AND b.field = 'model_ipis'
	AND b.num IS NOT NULL")" = 3 ] || fail "bench --db records"
q "DELETE FROM points WHERE kind = 'bench'"

# 6. the report: a plot per metric, two series each (LUF off, on)
"$mmlab" report "$db" -o "$tmp/report.html"
plots=$(grep -c '<figure class="plot"' "$tmp/report.html")
[ "$plots" -ge 4 ] || fail "$plots plots"
[ "$(grep -c 'data-series="2"' "$tmp/report.html")" = "$plots" ] || fail "series per plot"
python3 "$src/tests/report_check.py" "$tmp/report.html" source 2 || fail "report's SVG"

# 6b. a recorded program's replay as the points (where mmlab record is
# built): LUF off and on x 1, 2 CPUs, stored as records, resumed
if "$mmlab" record --quiet --no-native -o "$tmp/sort.mmt" -- sort "$src/README.md" \
	-o "$tmp/sorted" >/dev/null 2>&1; then
	"$mmlab" sweep --db "$tmp/replay.db" --jobs 2 --cpus 1,2 --set luf/enabled=0,1 \
		--replay "$tmp/sort.mmt" >/dev/null 2>&1 || fail "replay sweep"
	[ "$(sqlite3 "$tmp/replay.db" "select count(*) from points where kind = 'replay' and exit_status = 0")" = 4 ] ||
		fail "replay sweep: 4 replay points wanted"
	[ "$(sqlite3 "$tmp/replay.db" "select count(distinct point_id) from bench_records where record = 1 and field = 'pgfault' and num > 0")" = 4 ] ||
		fail "replay sweep: every point's page faults stored"
	"$mmlab" sweep --db "$tmp/replay.db" --jobs 2 --cpus 1,2 --set luf/enabled=0,1 \
		--replay "$tmp/sort.mmt" 2>&1 | grep -q "0 run" || fail "replay sweep: not resumed"
	echo "experiments: replay sweep: ok"
else
	echo "experiments: mmlab record is not built here: no replay sweep"
fi

# 7. the page in headless Chromium
command -v chromium >/dev/null || fail "chromium is not installed (scripts/deps.sh)"
cd "$tmp"
# one launch: the screenshot, and the DOM as rendered (serialized by
# Chromium: inline SVG parsed into elements)
timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--user-data-dir="$tmp/chrome" --window-size=1280,1600 \
	--screenshot="$tmp/shot.png" --dump-dom "file://$tmp/report.html" \
	>"$tmp/dom.html" 2>"$tmp/chrome.log" || { tail "$tmp/chrome.log"; fail "chromium failed"; }
grep -q '></path>' "$tmp/dom.html" || fail "chromium's DOM is not a rendered page"
python3 "$src/tests/report_check.py" "$tmp/dom.html" rendered 2 "$tmp/shot.png" ||
	fail "the rendered report"
echo "experiments: sweep, resume, schema, curve, bad input, single runs, report: ok"
