-- cow_parent_write: after fork() a write by the parent copies the page for
-- the parent; the child keeps the original frame and its data.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 2 * PAGE}
p:fill(a, 2 * PAGE, 1)
local pfn = p:pagemap(a).pfn
local c = p:fork()
p:fill(a, PAGE, 2)
mm.observe("parent_new_frame", p:pagemap(a).pfn ~= pfn)
mm.observe("parent_excl", p:pagemap(a).exclusive)
mm.observe("child_excl", c:pagemap(a).exclusive)
mm.observe("child_verify_old", c:verify(a, PAGE, 1) == true)
mm.observe("parent_verify_new", p:verify(a, PAGE, 2) == true)
mm.expect(p:pagemap(a).pfn ~= pfn, "the writer gets the copy")
mm.expect_eq(c:pagemap(a).pfn, pfn, "the child keeps the frame")
mm.expect(p:pagemap(a).exclusive and c:pagemap(a).exclusive,
	"each page is mapped once now")
mm.expect_eq(c:verify(a, PAGE, 1), true, "the child sees the old data")
mm.expect_eq(p:verify(a, PAGE, 2), true, "the parent sees its write")
