-- selftest guard-regions.c mlock_file: installing over mlocked pages is EINVAL; removing over locked pages is allowed (a regular file on disk, shared)
mm.include("../../lib/guard.lua").mlock("file")
