-- selftest uffd-unit-tests.c wp-unpopulated.anon: with WP_UNPOPULATED an empty anonymous PTE takes a uffd-wp marker that unprotect and MADV_DONTNEED remove
mm.require("uffd_wp")
local P, N, check = mm.PAGE_SIZE, 4, mm.check
local p = mm.spawn()
p:uffd_api("wp_unpopulated")
local a = p:mmap{len = N * P}
p:uffd_register(a, N * P, "wp")
p:uffd_wp(a, P, true)
check("marker.wp", p:pagemap(a).uffd_wp, true)
check("marker.present", p:pagemap(a).present, false)
p:uffd_wp(a, P, false)
check("unprotected.wp", p:pagemap(a).uffd_wp, false)
p:uffd_wp(a, P, true)
p:madvise(a, P, "dontneed")
check("zapped.wp", p:pagemap(a).uffd_wp, false)
p:touch(a, P, "w")
check("written.wp", p:pagemap(a).uffd_wp, false)
check("written.events", #p:uffd_events(), 0)
p:madvise(a, P, "dontneed")
p:uffd_wp(a, P, true)
p:touch(a, P, "r")			-- a read through the marker
check("read.events", #p:uffd_events(), 0)
check("read.wp", p:pagemap(a).uffd_wp, true)
p:madvise(a, P, "dontneed")
