-- selftest guard-regions.c split_merge_file: guards stay through VMA splits (munmap, mprotect) and merges, and are removed across split VMAs (a regular file on disk, shared)
mm.include("../../lib/guard.lua").split_merge("file")
