-- selftest cow.c ro_fast_pin_on_ro_exclusive_thp_swap: a longterm R/O GUP-fast pin (gup_test) on exclusive pages mapped read-only sees the later write (a swapped-out THP)
mm.include("../../lib/cow.lua").ro_pin("ro_fast_pin_on_ro_exclusive", "thp_swap")
