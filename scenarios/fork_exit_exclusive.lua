-- fork_exit_exclusive: when the child exits, the pages it shared with the
-- parent are mapped once again and pagemap reports them exclusive.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local a = p:mmap{len = 8 * PAGE}
p:touch(a, 8 * PAGE, "w")
local c = p:fork()
local shared = 0
for _, e in ipairs(p:pagemap(a, 8)) do if not e.exclusive then shared = shared + 1 end end
mm.observe("shared_while_child_lives", shared)
mm.expect_eq(shared, 8, "all pages shared with the child")
c:exit()
local excl = 0
for _, e in ipairs(p:pagemap(a, 8)) do if e.exclusive then excl = excl + 1 end end
mm.observe("exclusive_after_child_exit", excl)
mm.expect_eq(excl, 8, "exclusive again once the child is gone")
