-- selftest guard-regions.c basic_shmem: guard pages installed at the ends and over a range fault on access, and are removed without touching the data (shared memfd)
mm.include("../../lib/guard.lua").basic("shmem")
