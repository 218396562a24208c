-- selftest cow.c non_anon_cow_memfd: a write to a private mapping of a memfd page mapped shared elsewhere makes a private copy: the other mapping keeps the old data
mm.include("../../lib/cow.lua").non_anon("memfd")
