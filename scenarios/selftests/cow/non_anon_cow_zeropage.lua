-- selftest cow.c non_anon_cow_zeropage: a write to a private mapping of the shared zero page makes a private copy: the other mapping keeps the old data
mm.include("../../lib/cow.lua").non_anon("zeropage")
