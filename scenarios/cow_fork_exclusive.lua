-- cow_fork_exclusive: after fork() parent and child map the same anonymous
-- pages, which are then exclusive to neither (selftests/mm/cow.c).  The
-- child's write gives it a copy: its page is exclusive, and the parent's
-- page, mapped once again, reads as exclusive too.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 4 * PAGE}
p:fill(a, 4 * PAGE, 11)
local pfn = p:pagemap(a).pfn
local c = p:fork()
mm.observe("parent_excl_after_fork", p:pagemap(a).exclusive)
mm.observe("child_excl_after_fork", c:pagemap(a).exclusive)
mm.observe("child_present_after_fork", c:pagemap(a).present)
mm.expect(not p:pagemap(a).exclusive, "shared with the child")
mm.expect(not c:pagemap(a).exclusive, "shared with the parent")
mm.expect(c:pagemap(a).present, "fork copied the PTEs of anonymous memory")
mm.expect_eq(c:pagemap(a).pfn, pfn, "the child maps the parent's frame")

c:touch(a, PAGE, "w")
mm.observe("child_excl_after_cow", c:pagemap(a).exclusive)
mm.observe("parent_excl_after_child_cow", p:pagemap(a).exclusive)
mm.observe("child_new_frame", c:pagemap(a).pfn ~= pfn)
mm.expect(c:pagemap(a).exclusive, "the child's copy is exclusive")
mm.expect(c:pagemap(a).pfn ~= pfn, "the child got a new frame")
mm.expect(p:pagemap(a).exclusive, "the parent's page is mapped once again")
mm.expect_eq(p:pagemap(a).pfn, pfn, "the parent keeps its frame")
mm.observe("page2_still_shared", not p:pagemap(a + PAGE).exclusive)
mm.expect(not p:pagemap(a + PAGE).exclusive, "untouched pages stay shared")
