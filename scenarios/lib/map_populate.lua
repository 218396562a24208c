-- lib/map_populate.lua: the flow of the MAP_POPULATE cases
-- (scenarios/selftests/map_populate).  A one-page shmem file (a memfd: the
-- model has no disk files) holds a word written through a shared mapping;
-- a forked child maps the file MAP_PRIVATE | MAP_POPULATE, writable; then
-- the parent writes a new word through its shared mapping.  Returns the
-- word the child read right after its mmap, and the one it reads at the end.
local P = mm.PAGE_SIZE
local OLD, NEW = string.pack("<I4", 0xdeadbabe), string.pack("<I4", 0x22222bad)
local p = mm.spawn()
local fd = p:memfd("populate", P)
local shared = p:mmap{len = P, fd = fd, flags = "shared"}
p:write(shared, OLD)
p:msync(shared, P, "sync")
local c = p:fork()
local priv = c:mmap{len = P, fd = fd, flags = "private,populate"}
local first = c:read(priv, 4)
p:write(shared, NEW)
p:msync(shared, P, "sync")
return {first = first, last = c:read(priv, 4), old = OLD, new = NEW,
	parent = p:read(shared, 4)}
