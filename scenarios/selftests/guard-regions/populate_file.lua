-- selftest guard-regions.c populate_file: MADV_POPULATE_READ and _WRITE over guards fail with EFAULT (a regular file on disk, shared)
mm.include("../../lib/guard.lua").populate("file")
