-- selftest prctl_thp_disable.c prctl_thp_disable_completely.never.nofork: THP off for the whole process under enabled=never; clearing it restores the global policy
mm.require("thp")
mm.include("thp_disable.inc", "never", false, false)
