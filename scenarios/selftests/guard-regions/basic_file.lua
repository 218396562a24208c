-- selftest guard-regions.c basic_file: guard pages installed at the ends and over a range fault on access, and are removed without touching the data (a regular file on disk, shared)
mm.include("../../lib/guard.lua").basic("file")
