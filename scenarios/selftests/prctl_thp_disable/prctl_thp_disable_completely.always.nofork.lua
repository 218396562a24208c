-- selftest prctl_thp_disable.c prctl_thp_disable_completely.always.nofork: THP off for the whole process under enabled=always; clearing it restores the global policy
mm.require("thp")
mm.include("thp_disable.inc", "always", false, false)
