-- selftest guard-regions.c fork_file: a child inherits the guards; removing them in the child leaves the parent's (a regular file on disk, shared)
mm.include("../../lib/guard.lua").fork("file")
