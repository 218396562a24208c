-- selftest cow.c non_anon_cow_huge_zeropage: a write to a private mapping of the huge zero page makes a private copy: the other mapping keeps the old data
mm.include("../../lib/cow.lua").non_anon("huge_zeropage")
