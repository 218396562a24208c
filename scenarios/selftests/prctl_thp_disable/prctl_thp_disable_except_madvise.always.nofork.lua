-- selftest prctl_thp_disable.c prctl_thp_disable_except_madvise.always.nofork: THP off except where advised (MADV_HUGEPAGE, MADV_COLLAPSE) under enabled=always; clearing it restores the global policy
mm.require("thp")
local MODE, EXCEPT, FORK = "always", true, false
local PMD, check = mm.PMD_SIZE, mm.check
mm.set("/sys/kernel/mm/transparent_hugepage/enabled", MODE)
mm.set("/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled", "inherit")
local parent = mm.spawn()
parent:prctl("thp_disable", 1, EXCEPT and "except_advised" or nil)
local p = FORK and parent:fork() or parent	-- a fork child keeps the setting
-- 1 when a written, PMD-aligned 2 MiB ends up mapped by a THP
local function thp(advice)
	local m = p:mmap{len = 2 * PMD}
	local a = (m + PMD - 1) & ~(PMD - 1)
	if advice == "hugepage" or advice == "nohugepage" then p:madvise(a, PMD, advice) end
	p:touch(a, PMD, "w")
	if advice == "collapse" then pcall(p.madvise, p, a, PMD, "collapse") end
	p:mprotect(a, PMD, "r")		-- its own VMA, so that smaps shows it alone
	local huge = p:smaps(a).AnonHugePages == PMD // 1024 and 1 or 0
	p:munmap(m, 2 * PMD)
	return huge
end
local advised = MODE ~= "never" and 1 or 0
local set = {none = 0, nohugepage = 0, hugepage = EXCEPT and advised or 0, collapse = EXCEPT and 1 or 0}
local cleared = {none = MODE == "always" and 1 or 0, nohugepage = 0, hugepage = advised, collapse = 1}
check("get_thp_disable", p:prctl("get_thp_disable"), EXCEPT and 3 or 1)
for _, adv in ipairs{"none", "nohugepage", "hugepage", "collapse"} do
	check("disabled." .. adv, thp(adv), set[adv])
end
p:prctl("thp_disable", 0)
check("get_after_clear", p:prctl("get_thp_disable"), 0)
for _, adv in ipairs{"none", "nohugepage", "hugepage", "collapse"} do
	check("cleared." .. adv, thp(adv), cleared[adv])
end
