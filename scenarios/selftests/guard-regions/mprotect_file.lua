-- selftest guard-regions.c mprotect_file: mprotect neither removes guards nor stops them being installed again (a regular file on disk, shared)
mm.include("../../lib/guard.lua").mprotect("file")
