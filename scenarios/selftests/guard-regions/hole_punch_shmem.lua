-- selftest guard-regions.c hole_punch_shmem: MADV_REMOVE over a guarded range keeps the guards; the hole reads zeros after they are removed (shared memfd)
mm.include("../../lib/guard.lua").hole_punch("shmem")
