-- selftest guard-regions.c mremap_move_file: guards move with the mapping (a regular file on disk, shared)
mm.include("../../lib/guard.lua").mremap_move("file")
