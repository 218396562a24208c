-- lib/vma.lua: helpers for scenarios about VMAs and system-call results,
-- shared through mm.include("…/lib/vma.lua").
--
--   vma.try(f, ...)           "ok" and f's first result, or the errno
--                             name of the error f raised ("EEXIST", ...)
--   vma.span(p, base, addr)   the VMA of p holding addr as "first..end",
--                             in pages from base, or "none"
--   vma.flags(p, addr)        that VMA's VmFlags as a set: flags.lo, ...
--   vma.count(p, a, n, bit)   how many of the n pages from a have the
--                             pagemap bit ("present", "soft_dirty", ...)
--   vma.holds(p, a, len, c)   whether every byte of [a, a + len) is the
--                             character c ("\0", "a", ...)
--   vma.set(p, a, len, c)     writes c over [a, a + len)
local P = mm.PAGE_SIZE
local M = {}

function M.try(f, ...)
	local ok, r = pcall(f, ...)
	if ok then return "ok", r end
	local name = tostring(r):match("^E%u+") or tostring(r):match("(SIG%u+)")
	if not name then error(r, 2) end
	return name
end

function M.span(p, base, addr)
	local sm = p:smaps(addr)
	if not sm then return "none" end
	return string.format("%d..%d", (sm.start - base) // P, (sm["end"] - base) // P)
end

function M.flags(p, addr)
	local sm = p:smaps(addr)
	local set = {}
	for f in (sm and sm.VmFlags or ""):gmatch("%S+") do set[f] = true end
	return set
end

function M.count(p, a, n, bit)
	local c = 0
	for _, e in ipairs(p:pagemap(a, n)) do
		if e[bit] then c = c + 1 end
	end
	return c
end

function M.holds(p, a, len, c)
	return p:read(a, len) == string.rep(c, len)
end

function M.set(p, a, len, c)
	p:write(a, string.rep(c, len))
end

return M
