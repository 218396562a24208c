-- selftest prctl_thp_disable.c prctl_thp_disable_except_madvise.never.fork: THP off except where advised (MADV_HUGEPAGE, MADV_COLLAPSE) under enabled=never, in a fork child; clearing it restores the global policy
mm.require("thp")
mm.include("thp_disable.inc", "never", true, true)
