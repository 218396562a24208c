-- file_pagecache: the page cache of a regular file on a disk filesystem
-- (p:file: ext4 on linux).  A read fault that misses the cache reads the
-- file around the page (read_ahead_kb) and fault-around maps the 64 KiB
-- window of cached pages; a write fault maps its page alone.
-- MADV_PAGEOUT unmaps every page; a dirty file folio stays cached, marked
-- for reclaim after writeback, and fault-around leaves it to a fault of
-- its own.  A hole punch zaps
-- the file's pages but leaves a private mapping's copies; truncation
-- removes those too (SIGBUS past the end).  mm/filemap.c (filemap_fault,
-- do_sync_mmap_readahead, filemap_map_pages), mm/vmscan.c
-- (shrink_folio_list), mm/truncate.c; observed on 6.18.
local P = mm.PAGE_SIZE
local N = 512				-- one PMD: the mapping is PMD-aligned
local p = mm.spawn()

local function sig(f, ...)
	local ok, err = pcall(f, p, ...)
	return ok and "ok" or err:match("SIG%u+") or err:match("^%u+") or err
end

-- "f" a mapped file page, "a" a mapped anonymous page, "." none, per page
local function map(a, n)
	local s = {}
	for i, e in ipairs(p:pagemap(a, n)) do
		s[i] = e.present and (e.file and "f" or "a") or "."
	end
	return table.concat(s)
end

local fd = p:file(N * P)
local a = p:mmap{len = N * P, flags = "shared", fd = fd}
mm.check("pmd_aligned", a % mm.PMD_SIZE, 0)
p:write(a + 40 * P, "w")
mm.check("write_maps_one", map(a + 32 * P, 16), "........f.......")
local _ = p:read(a + 3 * P, 1)
mm.check("read_maps_window", map(a, 32), "ffffffffffffffff................")
-- the read read the file around it: a read elsewhere in the window of
-- page 20 finds it cached and maps that window at once
_ = p:read(a + 20 * P, 1)
mm.check("window_of_20", map(a + 16 * P, 32), "ffffffffffffffff........f.......")

-- dirty the even pages of 0..15, then page out 0..15
for i = 0, 14, 2 do p:write(a + i * P, "d") end
p:madvise(a, 16 * P, "pageout")
mm.check("pageout_unmaps", map(a, 16), "................")
-- page 0 is cached (dirty): its fault maps it, but fault-around leaves the
-- other dirty pages alone: reclaim marked them PG_reclaim, PG_readahead's
-- bit.  (What becomes of the clean odd pages depends on the large folios
-- ext4 reads into: the model's page cache has small ones only.)
_ = p:read(a, 1)
local even = map(a, 16):gsub("(.).", "%1")
mm.check("dirty_left_to_their_faults", even, "f.......")
local same = true
for i = 0, 15 do
	local want = i % 2 == 0 and "d" or "\0"
	same = same and p:read(a + i * P, 1) == want
end
mm.check("data", same, true)

-- a private mapping: a copy survives a hole punch, not a truncation
local v = p:mmap{len = 16 * P, flags = "private", fd = fd}
p:write(v + 1 * P, "copy")
_ = p:read(v + 2 * P, 1)
mm.check("private", map(v, 4), ".aff")
p:fallocate(fd, "punch_hole,keep_size", P, 2 * P)
mm.check("punched_shared", map(a, 4), "f..f")
mm.check("copy_survives_punch", p:read(v + P, 4), "copy")
mm.check("hole_reads_zero", p:read(v + 2 * P, 1) .. p:read(a + P, 1), "\0\0")
p:ftruncate(fd, P)
mm.check("copy_gone", sig(p.read, v + P, 1), "SIGBUS")
mm.check("shared_gone", sig(p.read, a + 3 * P, 1), "SIGBUS")
mm.check("first_page_kept", p:read(v, 1), "d")
