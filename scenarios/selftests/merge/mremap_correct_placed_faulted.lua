-- selftest merge.c mremap_correct_placed_faulted: parts of one faulted VMA moved away and back, in various orders, merge again whenever they are back in their places
local t = mm.include("../../lib/merge.lua")
local a = t.map(1, 15)
t.write(a)
local c = t.move(a + 10 * t.P, 5, 2011)
local b = t.move(a + 5 * t.P, 5, 1006)
t.move(b, 5, 6)
t.check("first_two_back", a, 1, 10)
a = t.move(a, 5, 1001)			-- the first part out
a = t.move(a, 5, 1)			-- and back
t.check("first_back_again", a, 1, 10)
a = t.move(a, 5, 1001)			-- out again
t.move(c, 5, 11)			-- the last part back, beside the middle
t.check("last_two_back", t.at(6), 6, 10)
a = t.move(a, 5, 1)
t.check("all_back", a, 1, 15)
b = t.move(t.at(6), 5, 1006)		-- the middle out and back
t.move(b, 5, 6)
t.check("middle_back", a, 1, 15)
c = t.move(t.at(11), 5, 1011)		-- the last out and back
t.move(c, 5, 11)
t.check("last_back", a, 1, 15)
