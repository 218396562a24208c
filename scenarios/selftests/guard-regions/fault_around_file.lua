-- selftest guard-regions.c fault_around_file: faulting the pages between guards (fault-around) leaves the guards in place (a regular file on disk, shared)
mm.include("../../lib/guard.lua").fault_around("file")
