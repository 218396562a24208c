-- selftest guard-regions.c munmap_anon: unmapping guarded pages removes the guards: a new mapping there is usable (private anonymous)
mm.include("../../lib/guard.lua").munmap("anon")
