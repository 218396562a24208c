#!/bin/sh
# cli_knobs.sh MMLAB SRCDIR: `mmlab knobs` and `mmlab vmstat`, and the knob
# errors.  Every model-only knob `mmlab knobs` lists is in README.md's knob
# table (by its path under /sys/kernel/mm/mmlab/, hugepages-<N>kB for the
# per-size ones, or its last component where a row names several), with
# the default the table gives; --set of a bad value lists the accepted
# ones; an unknown path or vmstat name gets the nearest.
. "$(dirname "$0")/cli_lib.sh"

"$mmlab" knobs --json >"$tmp/knobs" || no "mmlab knobs --json exit $?"
n=$(grep -c '"path"' "$tmp/knobs")
[ "$n" -ge 50 ] || no "mmlab knobs lists $n knobs"
grep -q '"path": "/sys/kernel/mm/transparent_hugepage/enabled", "default": "madvise", "accepts": "always, madvise, never", "kind": "kernel"' \
	"$tmp/knobs" || no "THP enabled: default or accepted values wrong"

# the README's table against the list (one awk: README first, then the knobs)
awk '
FNR == NR { if ($0 ~ /^\| `/) table[++nt] = $0; next }
match($0, /"path": "\/sys\/kernel\/mm\/mmlab\/[^"]*"/) {
	path = substr($0, RSTART + 30, RLENGTH - 31)
	match($0, /"default": "[^"]*"/); def = substr($0, RSTART + 12, RLENGTH - 13)
	rel = path; gsub(/hugepages-[0-9]+kB/, "hugepages-<N>kB", rel)
	base = path; sub(/.*\//, "", base)
	row = ""
	for (i = 1; i <= nt && row == ""; i++) if (index(table[i], "`" rel "`")) row = table[i]
	for (i = 1; i <= nt && row == ""; i++) if (index(table[i], "`" base "`")) row = table[i]
	if (row == "") { print "FAIL: README knob table lacks " path; bad = 1; next }
	if (index(row, "| `" rel "` |") == 1) {
		split(row, col, "|"); split(col[3], w, " ")
		if (w[1] !~ /^\(/ && w[1] != def) {
			print "FAIL: README says " rel " defaults to " w[1] ", mmlab knobs " def; bad = 1
		}
	}
}
END { exit bad }' "$src/README.md" "$tmp/knobs" || fail=1

"$mmlab" vmstat --json >"$tmp/vm" || no "mmlab vmstat --json exit $?"
grep -q '"name": "pswpout", "kind": "kernel"' "$tmp/vm" || no "vmstat lacks pswpout"
grep -q '"name": "stale_tlb_reports", "kind": "model"' "$tmp/vm" || no "vmstat: stale_tlb_reports not model-only"
grep '"kind": "model", "meaning": ""' "$tmp/vm" && no "vmstat: model-only counters without a meaning"
grep -v '"name": "mmlab_\|"name": "stale_tlb_reports"' "$tmp/vm" | grep -q '"kind": "model"' &&
	no "vmstat: a model-only counter without the mmlab_ prefix"

s=$src/scenarios/vmpte_dontneed_reclaim.lua
out=$("$mmlab" run --mem 64M --set /sys/kernel/mm/transparent_hugepage/enabled=sometimes "$s" 2>&1)
[ $? = 2 ] || no "--set enabled=sometimes: exit not 2"
echo "$out" | grep -q 'EINVAL (accepted: always, madvise, never)' || no "--set bad value: $out"
out=$("$mmlab" run --mem 64M --set /sys/kernel/mm/transparent_hugepage/enabeld=always "$s" 2>&1)
echo "$out" | grep -q "did you mean '/sys/kernel/mm/transparent_hugepage/enabled'" ||
	no "--set unknown path: $out"

cat >"$tmp/v.lua" <<'LUA'
local ok, err = pcall(mm.set, "/sys/kernel/mm/mmlab/shared_check", "sometimes")
print(err)
local p = mm.spawn()
ok, err = pcall(p.thread, p, 7)
print(err)
local v = mm.vmstat()
print(v.pswpout)
print(v.pswpoutt + 1)
LUA
out=$("$mmlab" run --mem 64M --cpus 2 "$tmp/v.lua" 2>&1)
[ $? = 2 ] || no "vmstat unknown field: exit not 2"
echo "$out" | grep -q "accepted: maybe, likely, precise, always_true, always_false" ||
	no "mm.set bad value: $out"
echo "$out" | grep -q "EINVAL: thread(7): the model backend has 2 CPUs (0..1)" ||
	no "thread(7): $out"
echo "$out" | grep -q "v.lua:8: mm.vmstat(): no counter 'pswpoutt' on the model backend (did you mean 'pswpout'?)" ||
	no "vmstat unknown field: $out"
exit $fail
