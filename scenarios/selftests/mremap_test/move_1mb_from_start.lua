-- selftest mremap_test.c move_1mb_from_start: moving 1 MiB from 1.25 MiB into a mapping to a place whose PMD-aligned start is unmapped leaves the source's first MiB intact
local MB, H = mm.MB, mm.PMD_SIZE
local p = mm.spawn()
-- two 6 MiB shared mappings, each starting 1 MiB + 256 KiB past a 2 MiB
-- boundary, far apart
local src = p:mmap{addr = 64 * MB + H + MB + 256 * 1024, len = 6 * MB,
	flags = "shared,anonymous,fixed_noreplace"}
local dest = p:mmap{addr = 128 * MB + H + MB + 256 * 1024, len = 6 * MB,
	flags = "shared,anonymous,fixed_noreplace"}
p:fill(src, 2 * MB, 6)
p:munmap(dest, MB)			-- the aligned-down start is unmapped
p:mremap(src + MB, MB, MB, "maymove,fixed", dest + MB)
local ok = p:verify(src, MB, 6) == true
mm.observe("source_start_intact", ok)
mm.expect(ok, "the part not moved is intact")
