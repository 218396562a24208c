-- selftest guard-regions.c readonly_file_file: guards over a read-only shared mapping of a regular file opened again read-only fault on access and are removed leaving the written data (a regular file on disk)
mm.include("../../lib/guard.lua").readonly_file()
