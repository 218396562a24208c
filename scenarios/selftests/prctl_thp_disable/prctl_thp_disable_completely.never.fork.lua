-- selftest prctl_thp_disable.c prctl_thp_disable_completely.never.fork: THP off for the whole process under enabled=never, in a fork child; clearing it restores the global policy
mm.require("thp")
mm.include("thp_disable.inc", "never", false, true)
