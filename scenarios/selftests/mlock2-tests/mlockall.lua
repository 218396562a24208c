-- selftest mlock2-tests.c mlockall: under mlockall(MCL_CURRENT | MCL_ONFAULT | MCL_FUTURE) a new 3-page mapping is one locked VMA; munlock of its middle page splits it in three; munlock of all three merges them back
local p = mm.include("../../lib/mlock2.lua").split_and_merge{before = function(p)
	p:mlockall("current,onfault,future")
end}
p:munlockall()
