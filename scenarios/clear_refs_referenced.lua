-- clear_refs_referenced: writing 1 to /proc/PID/clear_refs clears the
-- accessed bits of the process's pages: smaps Referenced falls to 0; pages
-- faulted afterwards are referenced.  Re-reading an old page need not set
-- its accessed bit again: clear_refs does not flush the TLB for this type
-- (only for soft-dirty), so a cached translation skips the page walk.
-- (Soft-dirty, value 4, needs CONFIG_MEM_SOFT_DIRTY, which this host lacks.)
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 8 * PAGE}
p:touch(a, 8 * PAGE, "w")
mm.observe("referenced_after_fault_kb", p:smaps(a).Referenced)
mm.expect_eq(p:smaps(a).Referenced, 32, "faulted pages are referenced")
p:clear_refs(1)
mm.observe("referenced_after_clear_kb", p:smaps(a).Referenced)
mm.expect_eq(p:smaps(a).Referenced, 0, "cleared")
p:touch(a, 3 * PAGE, "r")
mm.expect(p:smaps(a).Referenced <= 12, "at most the three pages read again")
-- a separate VMA (a gap below a), faulted after the clear
local b = p:mmap{len = 8 * PAGE, addr = a - 64 * PAGE,
		 flags = "private,anonymous,fixed"}
p:touch(b, 3 * PAGE, "w")
mm.observe("referenced_new_faults_kb", p:smaps(b).Referenced)
mm.expect_eq(p:smaps(b).Referenced, 12, "new faults are referenced")
mm.expect_eq(p:smaps(a).Rss, 32, "clear_refs leaves the pages mapped")
