-- selftest soft-dirty.c mprotect_file: a shared file page's soft-dirty bit is set by a write, cleared by clear_refs 4, stays clear through mprotect to read-only and back, and is set by the next write (a memfd as the file)
mm.include("../../lib/soft_dirty.lua").mprotect_cycle(function(p)
	return p:mmap{len = mm.PAGE_SIZE, fd = p:memfd("sd", mm.PAGE_SIZE), flags = "shared"}
end)
