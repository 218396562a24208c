-- selftest guard-regions.c mlock_anon: installing over mlocked pages is EINVAL; removing over locked pages is allowed (private anonymous)
mm.include("../../lib/guard.lua").mlock("anon")
