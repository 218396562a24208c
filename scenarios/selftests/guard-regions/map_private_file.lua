-- selftest guard-regions.c map_private_file: guards in a shared and a private mapping of one file are independent; removing private guards zaps private copies (a regular file on disk, shared)
mm.include("../../lib/guard.lua").map_private("file")
