-- selftest guard-regions.c process_madvise_file: process_madvise on oneself installs and removes guards at the ends of three VMAs in one call (a regular file on disk, shared)
mm.include("../../lib/guard.lua").process_madvise("file")
