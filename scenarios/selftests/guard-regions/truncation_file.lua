-- selftest guard-regions.c truncation_file: truncating the file (and growing it back) leaves guards in place (a regular file on disk, shared)
mm.include("../../lib/guard.lua").truncation("file")
