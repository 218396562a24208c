#!/bin/sh
# cli_run.sh MMLAB SRCDIR: what `mmlab run` and `mmlab diff` tell a user.
# A run whose stale-TLB detector reported ends with exit 1 and a summary
# line; `mmlab diff` names the script line of each differing observation,
# shows both sides side by side with -v, keeps a side's error under its
# header and says "1 observation".  The diff cases need root (the linux
# side); without it they are skipped (the rest still runs).
. "$(dirname "$0")/cli_lib.sh"

# 16 pages read through stale TLB entries (every flush dropped): with
# --check a failure (exit 1, a summary line); without, the detector is off
cat >"$tmp/stale.lua" <<'LUA'
mm.set("/sys/kernel/mm/mmlab/debug/skip_flush", 1)
local P = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 16 * P}
p:fill(a, 16 * P, 1)
p:munmap(a, 16 * P)
local b = p:mmap{len = 16 * P}
p:fill(b, 16 * P, 2)
pcall(p.touch, p, a, 16 * P, "r")
LUA
out=$("$mmlab" run --check --mem 64M "$tmp/stale.lua" 2>/dev/null)
st=$?
[ $st = 1 ] || no "stale-TLB reports under --check: exit $st, want 1"
echo "$out" | grep -q '^stale-TLB detector: 16 accesses through a stale TLB entry$' ||
	no "stale-TLB reports: no summary line: $out"
# the detector off (make test turns it on for every run through the environment)
MMLAB_STALE_CHECK=0 "$mmlab" run --mem 64M "$tmp/stale.lua" >/dev/null 2>&1 || no "without --check: exit $?"

# the README's quick start is scenarios/quickstart.lua without its comment
# lines, and prints what the README says
awk '/^## Quick start/ { q = 1 } q && /^```lua$/ { on = 1; next } on && /^```$/ { exit } on' \
	"$src/README.md" >"$tmp/readme.lua"
grep -v '^--' "$src/scenarios/quickstart.lua" | cmp -s - "$tmp/readme.lua" ||
	no "README quick start differs from scenarios/quickstart.lua"
out=$("$mmlab" run --mem 64M "$src/scenarios/quickstart.lua")
[ "$out" = "vmpte_delta_kb = 0" ] || no "quickstart: $out"
out=$("$mmlab" run --mem 64M --set /sys/kernel/mm/mmlab/pt_reclaim/scan=always \
	--set /sys/kernel/mm/mmlab/pt_reclaim/scan_delay_ms=0 "$src/scenarios/quickstart.lua")
[ "$out" = "vmpte_delta_kb = -4" ] || no "quickstart with the scanner: $out"

# mm.skip ends the run as skipped (exit 77) at the caller's line, or, with
# level 2, at its caller's (the line of the scenario that called a helper)
printf 'mm.observe("x", 1)\nmm.skip("no THP")\nmm.observe("y", 2)\n' >"$tmp/skip.lua"
out=$("$mmlab" run --mem 64M "$tmp/skip.lua" 2>&1)
st=$?
[ $st = 77 ] || no "mm.skip: exit $st, want 77"
echo "$out" | grep -q "^SKIP $tmp/skip.lua:2: no THP\$" || no "mm.skip: no SKIP line: $out"
echo "$out" | grep -q '^y = ' && no "mm.skip: the run went on: $out"
printf 'local function need(ok) if not ok then mm.skip("helper", 2) end end\n\nneed(false)\n' \
	>"$tmp/skip2.lua"
out=$("$mmlab" run --mem 64M "$tmp/skip2.lua" 2>&1)
echo "$out" | grep -q "^SKIP $tmp/skip2.lua:3: helper\$" || no "mm.skip level 2: $out"

# an uncaught error inside a function carries the Lua traceback
printf 'local p = mm.spawn()\nlocal function f() p:munmap(1, 4096) end\nf()\n' >"$tmp/tb.lua"
out=$("$mmlab" run --mem 64M "$tmp/tb.lua" 2>&1)
[ $? = 2 ] || no "uncaught error: exit not 2"
printf '%s\n' "$out" | sed -n 1p | grep -q "tb.lua:2: EINVAL: munmap(0x1, 4096)$" &&
printf '%s\n' "$out" | grep -q "tb.lua:2: in local 'f'" &&
printf '%s\n' "$out" | grep -q "tb.lua:3: in main chunk" || no "no traceback: $out"

# mm.settle: after memory pressure, kswapd is idle: its counters stand still
cat >"$tmp/settle.lua" <<'LUA'
mm.swapon(256 * mm.MB)
local p = mm.spawn()
local n = 96 * mm.MB
local a = p:mmap{len = n}
p:madvise(a, n, "nohugepage")
p:fill(a, n, 1)
mm.settle()
local v1 = mm.vmstat().pgscan_kswapd
p:touch(a, mm.PAGE_SIZE, "r")
local t = mm.now_ns()
while mm.now_ns() - t < 20e6 do end
mm.expect(v1 > 0, "kswapd ran")
mm.expect_eq(mm.vmstat().pgscan_kswapd, v1, "idle after mm.settle")
LUA
out=$("$mmlab" run --mem 64M "$tmp/settle.lua" 2>&1) || no "mm.settle: $out"

# --nodes as a list: a slower second node costs the reading CPU more
# simulated cycles; a bad item is refused with what is expected
w=$src/scenarios/numa_migration_workload.lua
fast=$("$mmlab" run --nodes 128M,128M "$w" 2 | sed -n 's/.*cpu1 \([0-9]*\)$/\1/p')
slow=$("$mmlab" run --nodes 128M,128M:slow=400 "$w" 2 | sed -n 's/.*cpu1 \([0-9]*\)$/\1/p')
[ -n "$fast" ] && [ -n "$slow" ] && [ "$slow" -gt "$fast" ] ||
	no "--nodes with a slow node: cpu1 cycles $slow, fast $fast"
out=$("$mmlab" run --nodes 1G:fast "$w" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q 'expected N (1 to 8) or a list of SIZE\[:slow\[=NS\]\]' ||
	no "--nodes 1G:fast: $out"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the diff cases need root (the linux backend)"
	exit $fail
fi
s=$src/scenarios/vmpte_dontneed_reclaim.lua
out=$(MMLAB_SET=/sys/kernel/mm/mmlab/pt_reclaim/zap=0 COLUMNS=100 "$mmlab" diff -v "$s" 2>&1)
echo "$out" | grep -q '^whole_dontneed_delta: model=0 linux=-4 (vmpte_dontneed_reclaim.lua:18)$' ||
	no "diff: no script line: $out"
echo "$out" | grep -q '^--- model ---  *| --- linux ---$' || no "diff -v: not side by side: $out"
echo "$out" | grep -q '^partial_dontneed_delta = 0  *| mmlab run: MMLAB_SET' ||
	no "diff -v: the columns do not line up: $out"

cat >"$tmp/e.lua" <<'LUA'
mm.observe("a", 1)
if mm.backend == "linux" then error("boom") end
LUA
"$mmlab" diff "$tmp/e.lua" >"$tmp/out" 2>&1
st=$?
[ $st = 2 ] || no "diff with a failing linux side: exit $st"
awk '/^--- linux ---$/ { h = NR } /e.lua:2: boom/ { e = NR } END { exit !(h && e > h) }' "$tmp/out" ||
	no "diff: the linux error is not under its header: $(cat "$tmp/out")"
grep -q '^1 observation, 0 differ$' "$tmp/out" || no "diff: not '1 observation': $(cat "$tmp/out")"
exit $fail
