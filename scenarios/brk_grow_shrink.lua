-- brk_grow_shrink: the raw brk(2) returns the new break, or the old one
-- when it refuses (never an errno): brk(0) reads it; growing maps the
-- pages up to the page-aligned break as anonymous memory ("rd wr mr mw me
-- ac", merged into the heap VMA below); a break inside the same page only
-- changes the value; shrinking unmaps what lies above the new break.  A
-- break below the heap's start, or past the top of the address space, is
-- refused.  The heap keeps a page free below the next mapping.  Observed
-- on 6.18 (the real process's heap already holds its C library's arena,
-- so sizes are observed as differences).
local P = mm.PAGE_SIZE
local KB = P // 1024
local p = mm.spawn()

local b0 = p:brk(0)
local anon0 = p:status().RssAnon
mm.expect_eq(b0 % P, 0, "a fresh break is page-aligned")
local function vma_pages(addr)
	local s = p:smaps(addr)
	return (s["end"] - s.start) // P
end

-- grow by an unaligned amount: the exact value comes back
local b1 = p:brk(b0 + 3 * P + 5)
mm.observe("grow_returns_request", b1 == b0 + 3 * P + 5)
mm.expect_eq(b1, b0 + 3 * P + 5, "brk returns the break asked for")
local s = p:smaps(b1)
mm.observe("heap_flags", s.VmFlags)
mm.observe("grow_rss_anon_delta_kb", p:status().RssAnon - anon0)
mm.expect_eq(p:status().RssAnon - anon0, 0, "brk does not populate")
local base = vma_pages(b1) - 4		-- pages of the heap below b0
p:fill(b0, 4 * P, 7)
mm.observe("heap_readable", p:verify(b0, 4 * P, 7) == true)

-- same page: only the value changes
mm.observe("same_page", p:brk(b0 + 3 * P + 9) == b0 + 3 * P + 9)
mm.observe("same_page_vma_pages", vma_pages(b0) - base)
-- grow again: the heap VMA grows (merged)
local b2 = p:brk(b0 + 8 * P)
mm.observe("grow_merged_pages", vma_pages(b0) - base)
mm.expect_eq(vma_pages(b0) - base, 8, "the heap VMA grows in place")
-- shrink: the pages above the new break go
local rss = p:status().RssAnon
local b3 = p:brk(b0 + 2 * P + 1)
mm.observe("shrink_returns_request", b3 == b0 + 2 * P + 1)
mm.observe("shrink_vma_pages", vma_pages(b0) - base)
mm.observe("shrink_rss_anon_delta_kb", p:status().RssAnon - rss)
mm.expect_eq(vma_pages(b0) - base, 3, "shrinking unmaps above the break")
local ok = pcall(p.touch, p, b0 + 4 * P, 1, "r")
mm.observe("above_break_unmapped", not ok)

-- refused: below the start, past the top, nothing to shrink by
mm.observe("below_start", p:brk(b0 - P) == b3)
mm.observe("past_top", p:brk(0x7ffffffff000 + 16 * P) == b3)
mm.observe("huge", p:brk(1 << 62) == b3)
mm.expect_eq(p:brk(b0 - P), b3, "below the heap's start: the old break")

-- the next mapping: the heap keeps one page free below it
local top = p:mmap{addr = b0 + 16 * P, len = P, flags = "private,anonymous,fixed"}
mm.observe("onto_mapping", p:brk(b0 + 16 * P) == b3)
mm.observe("one_page_below_mapping", p:brk(b0 + 15 * P + 1) == b3)
mm.observe("gap_of_one_page", p:brk(b0 + 15 * P) == b0 + 15 * P)
mm.expect_eq(p:brk(b0 + 15 * P), b0 + 15 * P, "a page free below the next VMA is enough")
p:munmap(top, P)

-- a heap VMA with other flags: growing makes a new VMA beside it
p:brk(b0 + 4 * P)
p:mprotect(b0, 4 * P, "r")
p:brk(b0 + 8 * P)
mm.observe("after_mprotect_new_vma_pages", vma_pages(b0 + 5 * P))
mm.observe("after_mprotect_new_vma_flags", p:smaps(b0 + 5 * P).VmFlags)
mm.observe("mprotected_part_flags", p:smaps(b0).VmFlags)
-- the heap unmapped by munmap: shrinking is refused, growing maps anew
p:munmap(b0, 8 * P)
mm.observe("shrink_after_munmap", p:brk(b0 + 2 * P) == b0 + 8 * P)
mm.observe("grow_after_munmap", p:brk(b0 + 10 * P) == b0 + 10 * P)
mm.observe("grow_after_munmap_vma_pages", vma_pages(b0 + 9 * P))
mm.expect_eq(vma_pages(b0 + 9 * P), 2, "growing maps only the new part")
