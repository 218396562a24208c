-- selftest cow.c ro_fast_pin_on_ro_exclusive_partial_mremap_thp: a longterm R/O GUP-fast pin (gup_test) on exclusive pages mapped read-only sees the later write (a THP whose upper half was mremap()ed away)
mm.include("../../lib/cow.lua").ro_pin("ro_fast_pin_on_ro_exclusive", "partial_mremap_thp")
