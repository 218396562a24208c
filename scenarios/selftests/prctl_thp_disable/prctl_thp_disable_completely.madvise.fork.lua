-- selftest prctl_thp_disable.c prctl_thp_disable_completely.madvise.fork: THP off for the whole process under enabled=madvise, in a fork child; clearing it restores the global policy
mm.require("thp")
mm.include("thp_disable.inc", "madvise", false, true)
