-- selftest guard-regions.c munmap_file: unmapping guarded pages removes the guards: a new mapping there is usable (a regular file on disk, shared)
mm.include("../../lib/guard.lua").munmap("file")
