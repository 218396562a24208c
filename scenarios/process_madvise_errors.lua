-- process_madvise_errors: process_madvise(2) through a pidfd of another
-- process (p:process_madvise(target, ...)).  6.18 lets one process give
-- another only cold, pageout, willneed and collapse (EINVAL for the rest:
-- process_madvise_remote_valid), but any advice about its own memory.
-- Flags must be 0, at most 1024 ranges; each range is checked as madvise
-- checks it (EINVAL unaligned, ENOMEM over a hole); a vector stops at the
-- first range that fails and returns the bytes advised before it (the
-- error only when there are none).  mm/madvise.c; observed on 6.18.
local P = mm.PAGE_SIZE
local p = mm.spawn()

local function call(name, want, caller, ...)
	local ok, r = pcall(caller.process_madvise, caller, ...)
	local got = ok and r or r:match("^%u+") or r
	mm.observe(name, got)
	mm.expect_eq(got, want, name)
end

local function try(name, want, ...)
	call(name, want, p, ...)
end

local m = p:mmap{len = 64 * P}
p:munmap(m, 64 * P)
local a = p:mmap{addr = m, len = 8 * P, flags = "private,anonymous,fixed"}
p:madvise(a, 8 * P, "nohugepage")
local hole = m + 32 * P
local c = p:fork()
c:fill(a, 8 * P, 7)			-- the child's own copies

try("cold", 8 * P, c, a, 8 * P, "cold")
try("pageout", P, c, a, P, "pageout")
try("willneed", 8 * P, c, a, 8 * P, "willneed")
try("collapse_vma_too_small", "EINVAL", c, a, 8 * P, "collapse")
for _, adv in ipairs{"normal", "random", "sequential", "dontneed", "free", "remove",
		     "dontfork", "dofork", "mergeable", "unmergeable", "hugepage",
		     "nohugepage", "dontdump", "dodump", "wipeonfork", "keeponfork",
		     "populate_read", "populate_write", "dontneed_locked",
		     "guard_install", "guard_remove"} do
	try("remote_" .. adv, "EINVAL", c, a, P, adv)
end
try("flags", "EINVAL", c, a, P, "cold", 1)
local many = {}
for i = 1, 1025 do many[i] = {a, P} end
try("ranges_1025", "EINVAL", c, many, "cold")
try("no_range", 0, c, {}, "cold")
try("no_range_not_remote", "EINVAL", c, {}, "dontneed")
try("unaligned", "EINVAL", c, a + 1, P, "cold")
try("len_0", 0, c, a, 0, "cold")
try("hole", "ENOMEM", c, hole, P, "cold")
try("hole_pageout", "ENOMEM", c, hole, P, "pageout")
try("hole_collapse", "ENOMEM", c, hole, P, "collapse")
try("into_hole", "ENOMEM", c, a, 16 * P, "cold")
try("vec_ok_hole_ok", 2 * P, c, {{a, 2 * P}, {hole, P}, {a + 4 * P, P}}, "cold")
try("vec_ok_unaligned_ok", 2 * P, c, {{a, 2 * P}, {a + 3, P}, {a + 4 * P, P}}, "cold")
try("vec_ok_empty_ok", 3 * P, c, {{a, 2 * P}, {a + 2 * P, 0}, {a + 4 * P, P}}, "cold")
try("vec_hole_first", "ENOMEM", c, {{hole, P}, {a, P}}, "cold")
mm.observe("child_data", c:verify(a, 8 * P, 7) == true)
mm.expect_eq(c:verify(a, 8 * P, 7), true, "advice lost nothing")

-- about oneself: any advice
p:fill(a, 8 * P, 3)
try("self_dontneed", 8 * P, p, a, 8 * P, "dontneed")
local present = 0
for _, e in ipairs(p:pagemap(a, 8)) do
	if e.present then present = present + 1 end
end
mm.observe("self_dontneed_present", present)
mm.expect_eq(present, 0, "zapped")
try("self_populate_write", 8 * P, p, a, 8 * P, "populate_write")
try("self_remove_anon", "EINVAL", p, a, P, "remove")
call("child_about_parent", "EINVAL", c, p, a, P, "dontneed")
call("child_about_parent_cold", P, c, p, a, P, "cold")
