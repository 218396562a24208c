-- selftest cow.c non_anon_ro_fast_pin_huge_zeropage: a longterm R/O GUP-fast pin (gup_test) of a private mapping of the huge zero page sees the process's later write
mm.include("../../lib/cow.lua").non_anon_ro_pin("huge_zeropage", true)
