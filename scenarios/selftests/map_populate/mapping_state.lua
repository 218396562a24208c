-- selftest map_populate.c mapping_state: MAP_PRIVATE | MAP_POPULATE leaves the file as it was, and the private mapping keeps the word it was populated with
local r = mm.include("../../lib/map_populate.lua")
mm.observe("after_mmap_old", r.first == r.old)
mm.observe("at_end_old", r.last == r.old)
mm.expect(r.first == r.old, "populating did not change what the file holds")
mm.expect(r.last == r.old, "the private copy keeps the old word")
