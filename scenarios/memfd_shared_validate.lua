-- memfd_shared_validate: MAP_SHARED_VALIDATE mappings of a memfd.  The
-- kernel checks every flag of such a mapping and supports no flag beyond
-- the legacy ones for shmem: MAP_FIXED_NOREPLACE with it is EOPNOTSUPP,
-- while the same call without it, and MAP_FIXED, succeed and place the
-- mapping as MAP_SHARED would (top-down, right below the last one; at a
-- free hint).  Anonymous memory takes no MAP_SHARED_VALIDATE (EINVAL).
-- mm/mmap.c (do_mmap); observed on 6.18.
local P = mm.PAGE_SIZE
local p = mm.spawn()

local function try(name, want, t)
	local ok, r = pcall(p.mmap, p, t)
	local got = ok and "ok" or r:match("^%u+") or r
	mm.observe(name, got)
	mm.expect_eq(got, want, name)
	return ok and r or nil
end

local fd = p:memfd("validate", 8 * P)
local pte0 = p:status().VmPTE
local a = p:mmap{len = 4 * P}
local b = try("shared_validate", "ok", {len = 4 * P, fd = fd, flags = "shared_validate"})
mm.observe("below_the_last", b + 4 * P == a)
mm.expect_eq(b + 4 * P, a, "placed as MAP_SHARED would be")
p:write(b, "through validate")
local s = p:mmap{len = 4 * P, fd = fd, flags = "shared"}
mm.observe("same_file", p:read(s, 16))
mm.observe("below_again", s + 4 * P == b)
local hint = a - 64 * P
local h = try("at_free_hint", "ok", {len = 4 * P, fd = fd, flags = "shared_validate",
				     addr = hint})
mm.observe("hint_taken", h == hint)
try("fixed_noreplace", "EOPNOTSUPP", {len = 4 * P, fd = fd, addr = hint - 16 * P,
				       flags = "shared_validate,fixed_noreplace"})
try("fixed_noreplace_plain_shared", "ok", {len = 4 * P, fd = fd, addr = hint - 16 * P,
					    flags = "shared,fixed_noreplace"})
try("fixed", "ok", {len = 4 * P, fd = fd, addr = hint - 16 * P,
		    flags = "shared_validate,fixed"})
try("populate", "ok", {len = 4 * P, fd = fd, flags = "shared_validate,populate"})
try("anonymous", "EINVAL", {len = 4 * P, flags = "shared_validate,anonymous"})
mm.observe("vmpte_delta_kb", p:status().VmPTE - pte0)
