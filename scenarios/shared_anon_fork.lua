-- shared_anon_fork: MAP_SHARED|MAP_ANONYMOUS memory is shmem: parent and
-- child see each other's writes after fork; its pages count as RssShmem,
-- pagemap reports them as file pages, exclusive only while mapped once.
local PAGE = mm.PAGE_SIZE
local p = mm.spawn()
local s0 = p:status()
local a = p:mmap{len = 4 * PAGE, flags = "shared,anonymous"}
p:touch(a, 4 * PAGE, "w")
local s1 = p:status()
mm.observe("rss_shmem_delta_kb", s1.RssShmem - s0.RssShmem)
mm.observe("rss_anon_delta_kb", s1.RssAnon - s0.RssAnon)
mm.observe("file_bit", p:pagemap(a).file)
mm.observe("excl_alone", p:pagemap(a).exclusive)
mm.expect_eq(s1.RssShmem - s0.RssShmem, 16, "shmem pages")
mm.expect_eq(s1.RssAnon - s0.RssAnon, 0, "not anonymous pages")
mm.expect(p:pagemap(a).file, "pagemap: file/shared page")

local c = p:fork()
mm.observe("excl_after_fork", p:pagemap(a).exclusive)
c:write(a + 10, "from child")
mm.observe("parent_reads_child", p:read(a + 10, 10))
mm.expect_eq(p:read(a + 10, 10), "from child", "the parent sees the child's write")
p:write(a + PAGE, "from parent")
mm.observe("child_reads_parent", c:read(a + PAGE, 11))
mm.expect_eq(c:read(a + PAGE, 11), "from parent", "the child sees the parent's write")
mm.expect_eq(p:pagemap(a).pfn, c:pagemap(a).pfn, "the same frame in both")
