#!/bin/bash
# Run every test: the unit and stress tests in the normal build, again under
# ASan+UBSan, the concurrency tests under ThreadSanitizer, and the scenario
# library (on the model; `mmlab diff` against this kernel when root).
# Ends with one line: "N passed, N failed, N skipped"; every skip says why
# above it.
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
skipped=0
failures=()
digest=()	# per failed test: "group: name" and the lines that say why

# failed_digest BUILD_DIR LABEL: the failed tests of the last meson run in
# BUILD_DIR, each with the few lines of its output that name the failure
# (CI shows only the end of this script's output).
failed_digest() {
	python3 - "$1/meson-logs/testlog.json" "$2" <<'PY'
import json, re, sys
path, label = sys.argv[1], sys.argv[2]
want = re.compile(r'FAIL|ERROR|error|assert|WARNING: ThreadSanitizer|SUMMARY|'
                  r'watchdog|stale|BUG|leak|timed? ?out|Abort|Segmentation|^\s+#[0-2] ', re.I)
try:
    lines = open(path).read().splitlines()
except OSError:
    sys.exit(0)
for line in lines:
    try:
        t = json.loads(line)
    except ValueError:
        continue
    if t.get('result') in ('OK', 'SKIP', 'EXPECTEDFAIL'):
        continue
    print(f"  {label}: {t.get('name')} {t.get('result')} ({t.get('duration', 0):.0f} s)")
    out = (t.get('stdout') or '') + (t.get('stderr') or '')
    hits = [l for l in out.splitlines() if want.search(l)]
    for l in (hits[:14] if hits else out.splitlines()[-8:]):
        print('    ' + l[:200])
PY
}

# skipped_why BUILD_DIR LABEL: each skipped test of the last meson run in
# BUILD_DIR with the lines of its output that say why.
skipped_why() {
	python3 - "$1/meson-logs/testlog.json" "$2" <<'PY'
import json, re, sys
path, label = sys.argv[1], sys.argv[2]
try:
    lines = open(path).read().splitlines()
except OSError:
    sys.exit(0)
for line in lines:
    try:
        t = json.loads(line)
    except ValueError:
        continue
    if t.get('result') != 'SKIP':
        continue
    out = (t.get('stdout') or '') + (t.get('stderr') or '')
    why = [l.strip() for l in out.splitlines() if re.search(r'skip', l, re.I)]
    print(f"SKIP {label}: {t.get('name')}: " + ('; '.join(why[:3]) or 'no reason given'))
PY
}

export MMLAB_STALE_CHECK=1

# meson_suite BUILD_DIR LABEL [meson test args...]
meson_suite() {
	local dir=$1 label=$2
	shift 2
	echo "== $label (at ${SECONDS} s)"
	local out
	out=$(meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" 2>&1)
	echo "$out" | grep -E '^ *[0-9]+/[0-9]+ ' || true
	local ok fail to skip
	ok=$(echo "$out" | sed -n 's/^Ok: *\([0-9]*\).*/\1/p' | tail -1)
	fail=$(echo "$out" | sed -n 's/^Fail: *\([0-9]*\).*/\1/p' | tail -1)
	to=$(echo "$out" | sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' | tail -1)
	skip=$(echo "$out" | sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' | tail -1)
	ok=${ok:-0}; fail=${fail:-0}; to=${to:-0}; skip=${skip:-0}
	if [ -z "$(echo "$out" | grep -E '^Ok:')" ]; then
		# meson itself failed (no summary): count it as one failure
		echo "$out" | tail -20
		fail=1
	fi
	if [ $((fail + to)) -gt 0 ]; then
		echo "$out" | grep -E 'FAIL|TIMEOUT' | head -20
		failures+=("$label")
		local d
		d=$(failed_digest "$dir" "$label")
		[ -n "$d" ] && digest+=("$d")
	fi
	if [ "$skip" -gt 0 ]; then
		skipped_why "$dir" "$label"
	fi
	passed=$((passed + ok))
	failed=$((failed + fail + to))
	skipped=$((skipped + skip))
}

# stress tests run MMLAB_STRESS_SECONDS each (their own default is 10;
# longer runs: set it, or `mmlab bench`).  The stress tests' replays under
# the deterministic scheduler (suite "deterministic") run in the ASan
# build, which checks more than the release build would on the same
# schedule; TSan gets only those that are also in "concurrency": a
# deterministic run hands the CPU from thread to thread through the
# scheduler's own locks, so TSan sees every access ordered and has nothing
# to find.
MMLAB_STRESS_SECONDS=${MMLAB_STRESS_SECONDS_RELEASE:-6} \
	meson_suite build "unit and stress tests (release build)" --no-suite deterministic
MMLAB_STRESS_SECONDS=${MMLAB_STRESS_SECONDS_ASAN:-5} \
	ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson_suite build-asan "unit and stress tests (ASan+UBSan)"
MMLAB_STRESS_SECONDS=${MMLAB_STRESS_SECONDS_TSAN:-3} \
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	meson_suite build-tsan "concurrency tests (ThreadSanitizer)" --suite concurrency

if [ -x scripts/run-scenarios.sh ]; then
	echo "== scenarios (at ${SECONDS} s)"
	out=$(scripts/run-scenarios.sh -v build/mmlab 2>&1)
	# a failing scenario's output follows its FAIL line, indented
	echo "$out" | grep -E '^(PASS|FAIL|SKIP|    )' || true
	sp=$(echo "$out" | grep -c '^PASS' || true)
	sf=$(echo "$out" | grep -c '^FAIL' || true)
	ss=$(echo "$out" | grep -c '^SKIP' || true)
	skipped=$((skipped + ss))
	if ! echo "$out" | grep -qE '^[0-9]+ passed, [0-9]+ failed'; then
		echo "$out" | tail -20
		sf=$((sf + 1))
	fi
	[ "$sf" -gt 0 ] && failures+=("scenarios")
	passed=$((passed + sp))
	failed=$((failed + sf))
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed groups: ${failures[*]}"
	for d in "${digest[@]}"; do echo "$d"; done
fi
echo "tests took ${SECONDS} s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
