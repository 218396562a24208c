-- selftest prctl_thp_disable.c prctl_thp_disable_except_madvise.madvise.nofork: THP off except where advised (MADV_HUGEPAGE, MADV_COLLAPSE) under enabled=madvise; clearing it restores the global policy
mm.require("thp")
mm.include("thp_disable.inc", "madvise", true, false)
