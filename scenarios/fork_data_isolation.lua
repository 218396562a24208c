-- fork_data_isolation: private memory is copied on write: what the child
-- writes is invisible to the parent and the other way round.
local MB = mm.MB
local p = mm.spawn()
local a = p:mmap{len = MB}
p:fill(a, MB, 100)
local c = p:fork()
c:fill(a, MB // 2, 200)
p:fill(a + MB // 2, MB // 2, 300)
mm.observe("parent_low", p:verify(a, MB // 2, 100) == true)
mm.observe("parent_high", p:verify(a + MB // 2, MB // 2, 300) == true)
mm.observe("child_low", c:verify(a, MB // 2, 200) == true)
mm.observe("child_high", c:verify(a + MB // 2, MB // 2, 100) == true)
mm.expect_eq(p:verify(a, MB // 2, 100), true, "parent keeps its low half")
mm.expect_eq(p:verify(a + MB // 2, MB // 2, 300), true, "parent's write")
mm.expect_eq(c:verify(a, MB // 2, 200), true, "child's write")
mm.expect_eq(c:verify(a + MB // 2, MB // 2, 100), true, "child keeps the old high half")
