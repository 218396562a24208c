-- selftest guard-regions.c populate_anon: MADV_POPULATE_READ and _WRITE over guards fail with EFAULT (private anonymous)
mm.include("../../lib/guard.lua").populate("anon")
