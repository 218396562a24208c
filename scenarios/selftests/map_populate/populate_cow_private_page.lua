-- selftest map_populate.c populate_cow_private_page: a writable MAP_PRIVATE | MAP_POPULATE file mapping holds private copies: a later write to the file does not show through it
local r = mm.include("../../lib/map_populate.lua")
mm.observe("parent_sees_new", r.parent == r.new)
mm.observe("child_sees_new", r.last == r.new)
mm.expect(r.parent == r.new, "the shared mapping has the new word")
mm.expect(r.last ~= r.new, "the populated private page was copied at mmap time")
