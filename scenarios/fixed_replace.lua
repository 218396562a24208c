-- fixed_replace: MAP_FIXED over an existing mapping replaces it: the old
-- pages are freed and the new mapping reads zeros; fixed_noreplace refuses
-- with EEXIST.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 4 * PAGE}
p:fill(a, 4 * PAGE, 8)
local s0 = p:status()
local ok, err = pcall(p.mmap, p, {len = PAGE, addr = a + PAGE,
				flags = "private,anonymous,fixed_noreplace"})
mm.observe("noreplace", ok and "ok" or err:match("^E%u+"))
mm.expect(not ok and err:match("^EEXIST"), "fixed_noreplace refuses")
local b = p:mmap{len = 2 * PAGE, addr = a + PAGE, flags = "private,anonymous,fixed"}
mm.expect_eq(b, a + PAGE, "placed over the old pages")
local freed = p:status().RssAnon - s0.RssAnon	-- before any read: a read
mm.observe("rss_anon_delta_kb", freed)		-- may allocate (no zero page)
mm.observe("new_reads_zero", p:read(b, 8) == string.rep("\0", 8))
mm.observe("edges_kept", p:verify(a, PAGE, 8) == true and
	   p:verify(a + 3 * PAGE, PAGE, 8) == true)
mm.expect_eq(freed, -8, "old pages freed")
mm.expect_eq(p:read(b, 8), string.rep("\0", 8), "fresh memory")
mm.expect_eq(p:verify(a + 3 * PAGE, PAGE, 8), true, "outside the range: kept")
