-- selftest guard-regions.c memfd_write_seal_shmem: guards in a read-only mapping of a write-sealed memfd, removed with the data and the seal intact (shared memfd)
mm.include("../../lib/guard.lua").memfd_write_seal("shmem")
