-- selftest guard-regions.c hole_punch_file: MADV_REMOVE over a guarded range keeps the guards; the hole reads zeros after they are removed (a regular file on disk, shared)
mm.include("../../lib/guard.lua").hole_punch("file")
