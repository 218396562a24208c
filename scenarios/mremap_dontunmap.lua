-- mremap_dontunmap: MREMAP_DONTUNMAP moves the pages and leaves the old
-- range mapped and empty: a write there faults in a fresh page, the moved
-- data is at the new place.  The old VMA keeps its flags; moved whole it
-- loses its anon_vma (a new write gets a new one).  Works on shared and
-- file mappings too (5.13+).  Observed on 6.18.
local P = mm.PAGE_SIZE
local p = mm.spawn()

local d = p:mmap{len = 4 * P}
p:fill(d, 4 * P, 1)
local data = p:read(d, 2 * P)
local st0 = p:status()
local nd = p:mremap(d, 2 * P, 2 * P, "maymove,dontunmap")
local st1 = p:status()
mm.observe("part_moved", nd ~= d)
mm.observe("part_data", p:read(nd, 2 * P) == data)
mm.observe("part_rss_delta", st1.RssAnon - st0.RssAnon)
mm.observe("part_old_vma_kb", p:smaps(d).Size)
mm.observe("part_old_flags", p:smaps(d).VmFlags)
mm.observe("part_new_flags", p:smaps(nd).VmFlags)
mm.observe("part_old_present", p:pagemap(d).present)
mm.expect_eq(p:pagemap(d).present, false, "the old range is empty")
mm.observe("part_old_rest_present", p:pagemap(d + 2 * P).present)
mm.observe("part_rest_data", p:verify(d + 2 * P, 2 * P, 1) == true)
p:fill(d, 2 * P, 2)
mm.observe("part_old_refilled_rss", p:status().RssAnon - st0.RssAnon)
mm.observe("part_new_untouched", p:read(nd, 2 * P) == data)

-- the whole VMA, with a hint where to go
local w = p:mmap{len = 4 * P}
p:fill(w, 4 * P, 3)
data = p:read(w, 4 * P)
local hint = w - 64 * P
local nw = p:mremap(w, 4 * P, 4 * P, "maymove,dontunmap", hint)
mm.observe("whole_at_hint", nw == hint)
mm.observe("whole_data", p:read(nw, 4 * P) == data)
mm.observe("whole_old_kb", p:smaps(w).Size)
mm.observe("whole_old_rss", p:smaps(w).Rss)
p:touch(w, 4 * P, "w")
mm.observe("whole_old_written_rss", p:smaps(w).Rss)
mm.observe("whole_new_still", p:read(nw, 4 * P) == data)

-- fixed, shared anonymous memory: both ranges show the same pages after
-- a fault in the old one
local s = p:mmap{len = 4 * P, flags = "shared,anonymous"}
p:fill(s, 4 * P, 4)
local dst = p:mmap{len = 4 * P}
local ns = p:mremap(s, 4 * P, 4 * P, "maymove,dontunmap,fixed", dst)
mm.observe("shared_at_dst", ns == dst)
mm.observe("shared_old_present", p:pagemap(s).present)
mm.observe("shared_same_data", p:read(s, 4 * P) == p:read(ns, 4 * P))
