-- selftest guard-regions.c process_madvise_anon: process_madvise on oneself installs and removes guards at the ends of three VMAs in one call (private anonymous)
mm.include("../../lib/guard.lua").process_madvise("anon")
