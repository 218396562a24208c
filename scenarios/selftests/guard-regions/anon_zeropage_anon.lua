-- selftest guard-regions.c anon_zeropage_anon: guards in a read-only mapping whose pages were never written; reads zeros once removed (private anonymous)
mm.include("../../lib/guard.lua").anon_zeropage("anon")
