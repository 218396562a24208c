-- selftest guard-regions.c mremap_expand_file: guards keep their place when the mapping grows in place and when it moves and grows (a regular file on disk, shared)
mm.include("../../lib/guard.lua").mremap_expand("file")
