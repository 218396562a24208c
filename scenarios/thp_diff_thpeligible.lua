-- thp_diff_thpeligible: smaps THPeligible for several VMAs and knob settings.
mm.require("thp")
mm.require("mthp")
local PAGE, PMD = mm.PAGE_SIZE, mm.PMD_SIZE
local THP = "/sys/kernel/mm/transparent_hugepage/"
local p = mm.spawn()
local function el(name, a) local v = p:smaps(a).THPeligible; mm.observe(name, v == nil and "absent" or v) end
mm.set(THP .. "enabled", "madvise")
mm.set(THP .. "hugepages-2048kB/enabled", "inherit")
local a = p:mmap{len = 4 * PMD}
el("madvise_plain", a)
p:madvise(a, 4 * PMD, "hugepage")
el("madvise_hugepage", a)
local b = p:mmap{len = 4 * PMD}
p:madvise(b, 4 * PMD, "nohugepage")
el("madvise_nohugepage", b)
mm.set(THP .. "enabled", "always")
local c = p:mmap{len = 4 * PMD}
el("always_plain", c)
el("always_nohugepage", b)
local d = p:mmap{len = 64 * PAGE}
el("always_small_vma", d)
mm.set(THP .. "enabled", "never")
el("never_hugepage", a)
mm.set(THP .. "hugepages-64kB/enabled", "always")
el("never_m64_plain", c)
el("never_m64_small", d)
mm.set(THP .. "hugepages-64kB/enabled", "never")
mm.set(THP .. "hugepages-2048kB/enabled", "always")
el("size_always_plain", c)
local fd = p:memfd("x", 4 * PMD)
local e = p:mmap{len = 4 * PMD, flags = "shared", fd = fd}
el("memfd", e)
