-- knob_defaults: every kernel tunable the model's knob table shares with
-- the kernel reads the same on both backends at their defaults: THP
-- enabled/defrag/use_zero_page and the per-size hugepages-*kB/enabled,
-- shmem_enabled (top level and per size, 8 KiB to 2 MiB: shmem THPs are
-- not modelled, so the model takes only never/deny/inherit), shrink_underused,
-- hpage_pmd_size, the khugepaged tunables, swappiness, watermark_scale_factor, NUMA
-- demotion and NUMA balancing.  The model's defaults are this machine's
-- kernel's (a machine with different settings shows up here first).
-- khugepaged/full_scans and pages_collapsed are machine-wide counters, not
-- tunables: they are read (the path must exist on both) but not compared.
-- Then each writable knob is set to a new value and back, and must read
-- what was written, as the kernel prints it.
mm.require("thp")
mm.require("mthp")
local THP = "/sys/kernel/mm/transparent_hugepage/"
local knobs = {
	THP .. "enabled",
	THP .. "defrag",
	THP .. "use_zero_page",
	THP .. "shmem_enabled",
	THP .. "shrink_underused",
	THP .. "hpage_pmd_size",
	THP .. "khugepaged/defrag",
	THP .. "khugepaged/max_ptes_none",
	THP .. "khugepaged/max_ptes_swap",
	THP .. "khugepaged/max_ptes_shared",
	THP .. "khugepaged/pages_to_scan",
	THP .. "khugepaged/scan_sleep_millisecs",
	THP .. "khugepaged/alloc_sleep_millisecs",
	"/proc/sys/vm/swappiness",
	"/proc/sys/vm/watermark_scale_factor",
	"/sys/kernel/mm/numa/demotion_enabled",
	"/proc/sys/kernel/numa_balancing",
}
for _, kb in ipairs{16, 32, 64, 128, 256, 512, 1024, 2048} do
	knobs[#knobs + 1] = THP .. "hugepages-" .. kb .. "kB/enabled"
end
for _, kb in ipairs{8, 16, 32, 64, 128, 256, 512, 1024, 2048} do
	knobs[#knobs + 1] = THP .. "hugepages-" .. kb .. "kB/shmem_enabled"
end
-- the per-size statistics exist on both (counters: read, not compared)
for _, kb in ipairs{8, 64, 2048} do
	for _, st in ipairs{"split", "split_failed", "swpout", "swpout_fallback",
			    "swpin", "zswpout", "shmem_alloc"} do
		local path = THP .. "hugepages-" .. kb .. "kB/stats/" .. st
		mm.expect(tonumber(mm.get(path)) ~= nil, path .. " is a number")
	end
end

for _, path in ipairs(knobs) do
	mm.observe(path, mm.get(path))
end
for _, path in ipairs{THP .. "khugepaged/full_scans",
		      THP .. "khugepaged/pages_collapsed"} do
	mm.expect(tonumber(mm.get(path)) ~= nil, path .. " is a number")
end

-- Set and read back (the linux backend restores each at the end).
local function roundtrip(path, value, want)
	local old = mm.get(path)
	mm.set(path, value)
	mm.observe(path .. " <- " .. value, mm.get(path))
	mm.expect_eq(mm.get(path), want, path .. " after set " .. value)
	mm.set(path, old:match("%[(.-)%]") or old)
	mm.expect_eq(mm.get(path), old, path .. " restored")
end
roundtrip(THP .. "enabled", "never", "always madvise [never]")
roundtrip(THP .. "defrag", "defer+madvise",
	  "always defer [defer+madvise] madvise never")
roundtrip(THP .. "hugepages-64kB/enabled", "madvise",
	  "always inherit [madvise] never")
roundtrip(THP .. "khugepaged/max_ptes_none", "255", "255")
roundtrip(THP .. "shrink_underused", "0", "0")
roundtrip(THP .. "shmem_enabled", "deny", "always within_size advise never [deny] force")
roundtrip("/proc/sys/vm/swappiness", "100", "100")
roundtrip("/proc/sys/vm/watermark_scale_factor", "20", "20")

-- Values the kernel refuses are EINVAL on both backends.
for _, bad in ipairs{
	{ THP .. "enabled", "sometimes" },
	{ THP .. "khugepaged/max_ptes_none", "512" },
	{ "/proc/sys/vm/swappiness", "201" },
} do
	local ok, err = pcall(mm.set, bad[1], bad[2])
	mm.observe("set " .. bad[1] .. "=" .. bad[2],
		   ok and "ok" or err:match("^(%u+)"))
	mm.expect(not ok, bad[1] .. "=" .. bad[2] .. " refused")
end
