-- selftest cow.c ro_fast_pin_on_ro_previously_shared_thp_swap: a longterm R/O GUP-fast pin (gup_test) on read-only pages no longer shared (the child exited) sees the later write (a swapped-out THP)
mm.include("../../lib/cow.lua").ro_pin("ro_fast_pin_on_ro_previously_shared", "thp_swap")
