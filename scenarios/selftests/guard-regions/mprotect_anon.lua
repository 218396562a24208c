-- selftest guard-regions.c mprotect_anon: mprotect neither removes guards nor stops them being installed again (private anonymous)
mm.include("../../lib/guard.lua").mprotect("anon")
