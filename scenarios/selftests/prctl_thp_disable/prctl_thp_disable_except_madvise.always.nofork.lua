-- selftest prctl_thp_disable.c prctl_thp_disable_except_madvise.always.nofork: THP off except where advised (MADV_HUGEPAGE, MADV_COLLAPSE) under enabled=always; clearing it restores the global policy
mm.require("thp")
mm.include("thp_disable.inc", "always", true, false)
