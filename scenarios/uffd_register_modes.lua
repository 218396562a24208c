-- uffd_register_modes: registering a range again replaces its modes unless
-- it has all the modes asked for already (then it keeps its own): "wp"
-- over "missing" leaves no missing faults there, "missing" over
-- "missing,wp" keeps wp; only the part registered anew is split off.
local P, check = mm.PAGE_SIZE, mm.check
mm.require("uffd_wp")
local p = mm.spawn()
local a = p:mmap{len = 4 * P}
p:uffd_register(a, 4 * P, "missing")
check("wp_over_missing", p:uffd_register(a, 2 * P, "wp"),
      "wake,copy,zeropage,move,writeprotect,poison")
p:touch(a, P, "r")
check("missing_after_wp", #p:uffd_events(), 0)
check("split", p:smaps(a)["end"] - a, 2 * P)
p:uffd_register(a + 2 * P, 2 * P, "missing,wp")
p:uffd_register(a + 2 * P, P, "missing")
check("subset_keeps_wp", mm.errno(p.uffd_wp, p, a + 2 * P, P, true), "ok")
check("subset_no_split", p:smaps(a + 2 * P)["end"] - (a + 2 * P), 2 * P)
