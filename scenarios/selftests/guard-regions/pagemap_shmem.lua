-- selftest guard-regions.c pagemap_shmem: pagemap's guard bit marks exactly the guarded pages (shared memfd)
mm.include("../../lib/guard.lua").pagemap("shmem")
