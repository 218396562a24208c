-- selftest guard-regions.c mremap_shrink_file: a shrink drops the guards past the new end; growing back does not restore them (a regular file on disk, shared)
mm.include("../../lib/guard.lua").mremap_shrink("file")
