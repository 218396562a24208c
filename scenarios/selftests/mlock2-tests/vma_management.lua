-- selftest mlock2-tests.c vma_management: munlock of the middle page of a 3-page lock-on-fault VMA splits it in three; munlock of all three merges them back into one
mm.include("../../lib/mlock2.lua").split_and_merge{after = function(p, a, len)
	p:mlock(a, len, "onfault")
end}
