-- selftest guard-regions.c truncation_shmem: truncating the file (and growing it back) leaves guards in place (shared memfd)
mm.include("../../lib/guard.lua").truncation("shmem")
