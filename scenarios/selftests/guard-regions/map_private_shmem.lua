-- selftest guard-regions.c map_private_shmem: guards in a shared and a private mapping of one file are independent; removing private guards zaps private copies (shared memfd)
mm.include("../../lib/guard.lua").map_private("shmem")
