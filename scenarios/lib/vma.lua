-- lib/vma.lua: helpers for scenarios about VMAs, pages and system-call
-- results, shared through mm.include("…/lib/vma.lua") (a scenario does not
-- define its own; mm.errno names an error).
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
--   vma.result(ok, err)      what pcall gave, as a word: "ok", or the
--                             error's leading name ("EPERM", "SIGSEGV")
--   vma.fixed(p, addr, n[, prot])  maps n private anonymous pages at addr
--                             (MAP_FIXED), prot "rw" unless given
--   vma.pages_at(p, addr)     the size in pages of the VMA that starts at
--                             addr, or 0 (none starts there)
--   vma.present(pm)           how many entries of the pagemap list pm are
--                             present
--   vma.count_if(pm, f)       how many entries e of pm have f(e)
--   vma.contiguous(pm[, first, n])  whether the n entries of pm from index
--                             first (all of them) are present and map
--                             consecutive PFNs
--   vma.thp_or_skip(got, what)  on the linux side, ends the run as skipped
--                             when got is false (the kernel gave no THP:
--                             the selftest skips the case then); on the
--                             model a missing THP is a bug and is left to
--                             the scenario's expectation.  Returns got
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

function M.result(ok, err)
	return ok and "ok" or err:match("^%u+") or err
end

function M.fixed(p, addr, n, prot)
	return p:mmap{addr = addr, len = n * P, prot = prot or "rw",
		      flags = "private,anonymous,fixed"}
end

function M.pages_at(p, addr)
	local s = p:smaps(addr)
	return (s and s.start == addr) and (s["end"] - s.start) // P or 0
end

function M.count_if(pm, f)
	local n = 0
	for _, e in ipairs(pm) do
		if f(e) then n = n + 1 end
	end
	return n
end

function M.present(pm)
	return M.count_if(pm, function(e) return e.present end)
end

function M.contiguous(pm, first, n)
	first = first or 1
	n = n or #pm - first + 1
	for i = first + 1, first + n - 1 do
		if not pm[i].present or pm[i].pfn ~= pm[first].pfn + i - first then
			return false
		end
	end
	return pm[first].present
end

function M.thp_or_skip(got, what)
	if not got and mm.backend == "linux" then
		mm.skip("the kernel populated " .. (what or "no THP") ..
			" here (the selftest skips the case then)", 2)
	end
	return got
end

return M
